"""The data-entry workbook: sheets, exact headers, live totals, validations, colours, pre-fill."""

from __future__ import annotations

import dataclasses
import datetime
import re
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.worksheet.worksheet import Worksheet
from paperfit.forms.errors import Location, UsageProblem
from paperfit.forms.instrument import AGE_GROUPS, Catalog, Instrument
from paperfit.forms.records import Client, Form
from paperfit.forms.scoring import ScoringSettings, Thresholds
from paperfit.generator import workbook
from paperfit.generator.workbook import MAX_ROWS, alert_formula, write_workbook
from paperfit.scanner.tables import read_rows

ORDER = ("ORS", "SRS", "CORS", "CSRS", "GSRS")
DAY = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def instruments(catalog: Catalog) -> list[Instrument]:
    return [catalog.get(ident) for ident in ORDER]


@pytest.fixture(scope="module")
def thresholds(catalog: Catalog) -> Thresholds:
    return Thresholds.resolve(catalog, ScoringSettings())


@pytest.fixture(scope="module")
def blank(
    tmp_path_factory: pytest.TempPathFactory,
    instruments: list[Instrument],
    thresholds: Thresholds,
) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("blank") / "entry.xlsx"
    write_workbook(path, instruments, thresholds)
    return openpyxl.load_workbook(path)


def form(client: str, instrument: str, session: int, items: tuple[float | None, ...]) -> Form:
    return Form(client, instrument, session, DAY, items, Location("test"), "self", "")


def validations(sheet: Worksheet) -> dict[str, object]:
    """The sheet's data validations by the cells they cover, e.g. 'D2:G2000'."""
    return {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}


def alert_rules(sheet: Worksheet) -> dict[str, list[str]]:
    """The conditional-format formulas by the cells they cover."""
    return {
        str(cf.sqref): [formula for rule in cf.rules for formula in rule.formula]
        for cf in sheet.conditional_formatting
    }


def list_values(book: openpyxl.Workbook, reference: str) -> list[object]:
    """The values a list validation offers, read from the cells it points at."""
    sheet_name, cells = reference.split("!")
    return [row[0].value for row in book[sheet_name][cells.replace("$", "")]]


def cutoffs_in(rule: str) -> tuple[dict[str, float], float]:
    """The age group -> cutoff pairs named in an outcome rule, and the value used otherwise."""
    named = {group: float(value) for group, value in re.findall(r'="(\w+)",([\d.]+)', rule)}
    fallback = re.search(r",([\d.]+)\)+$", rule)
    assert fallback is not None, rule
    return named, float(fallback.group(1))


def test_sheets_in_order_with_lists_hidden_and_properties(blank: openpyxl.Workbook) -> None:
    assert blank.sheetnames == ["Read me", "Clients", *ORDER, "Lists"]
    states = {sheet.title: sheet.sheet_state for sheet in blank.worksheets}
    assert states.pop("Lists") == "hidden"
    assert set(states.values()) == {"visible"}
    assert blank.properties.title == "paperfit entry workbook"
    assert blank.properties.creator == "paperfit"
    assert blank.properties.keywords == "paperfit-workbook 1 paperfit-output:entry"


def test_read_me_gives_the_measuring_rules_and_the_values_used(
    blank: openpyxl.Workbook,
) -> None:
    sheet = blank["Read me"]
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["A"].width >= 80
    lines = [row[0].value for row in sheet.iter_rows(min_row=3) if row[0].value]
    assert all(sheet[f"A{n}"].alignment.wrap_text for n in range(3, 3 + len(lines)))
    text = " ".join(lines)
    for phrase in (
        "10 cm bar",
        "tell the clinician",
        "LEFT end",
        "0.0 to 10.0",
        "circle or an X",
        "centre",
        "marked a line twice",
        "beside the line",
        "write why in notes",
        "rather than guessing",
        "One row per form",
        "fills itself in",
        "adult 25, adolescent 28, child 32",
        "below 36",
        "light orange",
    ):
        assert phrase in text


@pytest.mark.parametrize("ident", ORDER)
def test_instrument_sheet_headers_are_exact(
    blank: openpyxl.Workbook, catalog: Catalog, ident: str
) -> None:
    sheet = blank[ident]
    labels = [item.label for item in catalog.get(ident).items]
    header = [cell.value for cell in sheet[1]]
    assert header == ["client_id", "session", "date", *labels, "total", "filled_by", "notes"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:J{MAX_ROWS}"
    assert sheet.column_dimensions["J"].width > sheet.column_dimensions["B"].width


def test_ors_labels_are_the_published_ones(blank: openpyxl.Workbook) -> None:
    assert [c.value for c in blank["ORS"][1]][3:7] == [
        "Individually",
        "Interpersonally",
        "Socially",
        "Overall",
    ]


@pytest.mark.parametrize("ident", ORDER)
def test_total_is_a_live_formula_never_prorated(blank: openpyxl.Workbook, ident: str) -> None:
    sheet = blank[ident]
    assert sheet["H2"].value == '=IF(COUNT(D2:G2)=4,ROUND(SUM(D2:G2),1),"")'
    last = f"D{MAX_ROWS}:G{MAX_ROWS}"
    assert sheet[f"H{MAX_ROWS}"].value == f'=IF(COUNT({last})=4,ROUND(SUM({last}),1),"")'
    assert sheet[f"H{MAX_ROWS + 1}"].value is None
    assert sheet["H2"].number_format == "0.0"
    for letter in "DEFG":
        assert sheet.column_dimensions[letter].number_format == "0.0"
    assert sheet.column_dimensions["C"].number_format == "yyyy-mm-dd"


def test_instrument_sheet_validations(blank: openpyxl.Workbook) -> None:
    found = validations(blank["ORS"])
    items = found[f"D2:G{MAX_ROWS}"]
    assert (items.type, items.operator, items.formula1, items.formula2) == (
        "decimal",
        "between",
        "0",
        "10",
    )
    assert items.showErrorMessage
    assert items.errorStyle == "stop"
    assert items.error == "Type the centimetres from the left end, 0.0 to 10.0"
    session = found[f"B2:B{MAX_ROWS}"]
    assert session.type == "whole"
    assert (session.operator, session.formula1) == ("greaterThanOrEqual", "1")
    assert found[f"C2:C{MAX_ROWS}"].type == "date"
    client = found[f"A2:A{MAX_ROWS}"]
    assert (client.type, client.formula1) == ("list", f"Clients!$A$2:$A${MAX_ROWS}")
    assert client.showErrorMessage
    assert client.errorStyle == "warning"
    assert all(dv.allow_blank for dv in found.values())


@pytest.mark.parametrize(
    ("ident", "choices"),
    [
        ("ORS", ["self", "other"]),
        ("CORS", ["child", "caretaker"]),
        ("SRS", ["self", "other"]),  # no filled_by question on the form: the default list
    ],
)
def test_filled_by_lists_come_from_the_lists_sheet(
    blank: openpyxl.Workbook, ident: str, choices: list[str]
) -> None:
    filled_by = validations(blank[ident])[f"I2:I{MAX_ROWS}"]
    assert filled_by.type == "list"
    assert filled_by.formula1.startswith("Lists!")
    assert list_values(blank, filled_by.formula1) == choices


def test_lists_sheet_holds_age_groups_and_instruments(blank: openpyxl.Workbook) -> None:
    lists = blank["Lists"]
    columns = {col[0].value: [c.value for c in col[1:] if c.value] for col in lists.iter_cols()}
    assert columns["age_group"] == list(AGE_GROUPS)
    assert columns["instrument"] == list(ORDER)
    assert columns["status"] == ["open", "closed"]


def test_clients_sheet_columns_and_validations(blank: openpyxl.Workbook) -> None:
    sheet = blank["Clients"]
    assert [c.value for c in sheet[1]] == [
        "client_id",
        "age_group",
        "clinician",
        "start_date",
        "status",
        "name",
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].number_format == "yyyy-mm-dd"
    found = validations(sheet)
    client_id = found[f"A2:A{MAX_ROWS}"]
    assert (client_id.type, client_id.formula1, client_id.formula2) == ("textLength", "1", "64")
    age = found[f"B2:B{MAX_ROWS}"]
    assert age.type == "list"
    assert list_values(blank, age.formula1) == ["adult", "adolescent", "child"]
    status = found[f"E2:E{MAX_ROWS}"]
    assert list_values(blank, status.formula1) == ["open", "closed"]
    assert found[f"D2:D{MAX_ROWS}"].type == "date"


@pytest.mark.parametrize("ident", ["ORS", "CORS"])
def test_outcome_colour_uses_the_cutoff_of_the_clients_age_group(
    blank: openpyxl.Workbook, thresholds: Thresholds, ident: str
) -> None:
    rules = alert_rules(blank[ident])
    (rule,) = rules[f"H2:H{MAX_ROWS}"]
    assert rule.startswith("AND(ISNUMBER($H2),$H2<=")
    assert "VLOOKUP($A2,Clients!$A:$B,2,FALSE)" in rule
    named, fallback = cutoffs_in(rule)
    default = "child" if ident == "CORS" else "adult"
    assert fallback == thresholds.cutoffs[default]
    assert {**named, default: fallback} == dict(thresholds.cutoffs)


@pytest.mark.parametrize("ident", ["SRS", "CSRS", "GSRS"])
def test_alliance_colour_below_the_alert_total(blank: openpyxl.Workbook, ident: str) -> None:
    assert alert_rules(blank[ident]) == {f"H2:H{MAX_ROWS}": ["AND(ISNUMBER($H2),$H2<36)"]}


def test_colour_follows_the_practice_thresholds(
    tmp_path: Path, catalog: Catalog, instruments: list[Instrument]
) -> None:
    custom = Thresholds.resolve(catalog, ScoringSettings(cutoff_adult=22, srs_alert_total=30))
    path = write_workbook(tmp_path / "entry.xlsx", instruments, custom)
    book = openpyxl.load_workbook(path)
    (ors,) = alert_rules(book["ORS"])[f"H2:H{MAX_ROWS}"]
    assert "22" in ors
    assert cutoffs_in(ors)[1] == 22
    assert alert_rules(book["SRS"])[f"H2:H{MAX_ROWS}"] == ["AND(ISNUMBER($H2),$H2<30)"]
    read_me = " ".join(str(row[0].value) for row in book["Read me"].iter_rows())
    assert "adult 22, adolescent 28, child 32" in read_me
    assert "below 30" in read_me
    rule = book["ORS"].conditional_formatting
    fill = next(iter(rule)).rules[0].dxf.fill
    assert fill.fgColor.rgb.endswith("FFE0B2")


@given(
    st.dictionaries(
        st.sampled_from(AGE_GROUPS),
        st.integers(0, 400).map(lambda tenths: tenths / 10),
        min_size=3,
        max_size=3,
    )
)
def test_every_cutoff_lands_in_the_rule(
    catalog: Catalog, thresholds: Thresholds, cutoffs: dict[str, float]
) -> None:
    t = dataclasses.replace(thresholds, cutoffs=cutoffs)
    named, fallback = cutoffs_in(alert_formula(catalog.get("ORS"), t, "H"))
    assert {**named, "adult": fallback} == cutoffs


def test_prefilled_clients_and_forms_land_in_the_right_cells(
    tmp_path: Path, instruments: list[Instrument], thresholds: Thresholds
) -> None:
    clients = [
        Client("C-1001", "adult", "Dr. Ana Rivera", datetime.date(2026, 1, 5), "open", "Ana"),
        Client("K-2001", "child", "Sam Lee", None, "closed", '=HYPERLINK("x")'),
    ]
    forms = [
        form("C-1001", "ORS", 1, (5.2, 6.0, 4.4, 7.1)),
        form("K-2001", "cors", 3, (8.0, None, 9.5, 7.0)),  # ids in any case
        form("C-1001", "SRS", 1, (9.1, 9.0, 8.8, 9.4)),
        dataclasses.replace(
            form("C-1001", "ORS", 2, (6.0, 6.5, 5.0, 7.5)), filled_by="other", notes="marked twice"
        ),
    ]
    path = write_workbook(tmp_path / "filled.xlsx", instruments, thresholds, clients, forms)
    book = openpyxl.load_workbook(path)

    people = book["Clients"]
    assert [c.value for c in people[2]] == [
        "C-1001",
        "adult",
        "Dr. Ana Rivera",
        datetime.datetime(2026, 1, 5),
        "open",
        "Ana",
    ]
    assert people["D2"].number_format == "yyyy-mm-dd"
    assert people["D3"].value is None
    assert people["F3"].value == '=HYPERLINK("x")'
    assert people["F3"].data_type == "s"  # a name is text, never a formula

    ors = book["ORS"]
    assert [c.value for c in ors[2]][:7] == [
        "C-1001",
        1,
        datetime.datetime(2026, 11, 25),
        5.2,
        6.0,
        4.4,
        7.1,
    ]
    assert ors["C2"].number_format == "yyyy-mm-dd"
    assert ors["D2"].number_format == "0.0"
    assert ors["H2"].value.startswith("=IF(COUNT(D2:G2)=4")  # the total stays live
    assert (ors["B3"].value, ors["I3"].value, ors["J3"].value) == (2, "other", "marked twice")
    cors = book["CORS"]
    assert [c.value for c in cors[2]][3:7] == [8.0, None, 9.5, 7.0]
    assert book["SRS"]["G2"].value == 9.4
    assert book["CSRS"]["A2"].value is None


def test_prefilled_rows_read_back_and_formula_rows_are_blank(
    tmp_path: Path, instruments: list[Instrument], thresholds: Thresholds
) -> None:
    forms = [form("C-1001", "ORS", session, (5.0, 5.0, 5.0, 5.0)) for session in (1, 2)]
    path = write_workbook(tmp_path / "filled.xlsx", instruments, thresholds, (), forms)
    rows = read_rows(path, {}, ("client_id", "session"), sheet="ORS")
    assert [(row.number, row.get("client_id"), row.get("session")) for row in rows] == [
        (2, "C-1001", 1),
        (3, "C-1001", 2),
    ]


def test_more_prefilled_forms_than_rows_extend_the_range(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    instruments: list[Instrument],
    thresholds: Thresholds,
) -> None:
    monkeypatch.setattr(workbook, "MAX_ROWS", 5)
    forms = [form("C-1", "SRS", n, (9.0, 9.0, 9.0, 9.0)) for n in range(1, 8)]
    path = write_workbook(tmp_path / "long.xlsx", instruments, thresholds, (), forms)
    srs = openpyxl.load_workbook(path)["SRS"]
    assert srs["B8"].value == 7
    assert srs["H8"].value == '=IF(COUNT(D8:G8)=4,ROUND(SUM(D8:G8),1),"")'
    assert "D2:G8" in validations(srs)
    assert openpyxl.load_workbook(path)["ORS"]["H5"].value is not None


def test_written_atomically_and_replaces_an_old_file(
    tmp_path: Path, instruments: list[Instrument], thresholds: Thresholds
) -> None:
    path = tmp_path / "entry.xlsx"
    path.write_bytes(b"old")
    assert write_workbook(path, instruments, thresholds) == path
    assert [p.name for p in tmp_path.iterdir()] == ["entry.xlsx"]
    assert openpyxl.load_workbook(path).sheetnames[0] == "Read me"


def test_a_form_without_a_sheet_is_refused_and_nothing_is_written(
    tmp_path: Path, instruments: list[Instrument], thresholds: Thresholds
) -> None:
    path = tmp_path / "entry.xlsx"
    with pytest.raises(UsageProblem, match="'XYZ' has no sheet"):
        write_workbook(path, instruments, thresholds, (), [form("C-1", "XYZ", 1, (1.0,) * 4)])
    assert list(tmp_path.iterdir()) == []


def test_an_instrument_id_clashing_with_a_sheet_is_refused(
    tmp_path: Path, instruments: list[Instrument], thresholds: Thresholds
) -> None:
    clash = dataclasses.replace(instruments[0], id="CLIENTS")
    with pytest.raises(UsageProblem, match="CLIENTS"):
        write_workbook(tmp_path / "entry.xlsx", [clash], thresholds)
    with pytest.raises(UsageProblem, match="twice"):
        write_workbook(tmp_path / "entry.xlsx", [instruments[0], instruments[0]], thresholds)
    assert list(tmp_path.iterdir()) == []
