"""Hostile and careless inputs: every value read means what was typed, or is refused at its place.

Each test is one case from the issue's list of bad inputs, run on real files in tmp_path. A case is
marked `hostile` and records whether paperfit refused it with a located message ("refused") or
gave the right result ("handled"); tests/conftest.py counts them at the end of the run.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from paperfit.forms.errors import ScheduleProblems
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Reading
from paperfit.forms.sheet import parse_payload
from paperfit.generator.sheets import Header, Packet, PrintOptions, write_forms
from paperfit.scanner.measurements import ReadOptions, read_inputs
from paperfit.scanner.schedule import read_schedule
from paperfit.scanner.tables import MAX_COLUMNS

from paperfit.cli import cli
from tests.test_fillable import fill_with_pypdf
from tests.test_measurements import make_workbook

pytestmark = pytest.mark.hostile

TODAY = datetime.date(2026, 6, 1)
ORS_HEADER = "client_id,session,date,Individually,Interpersonally,Socially,Overall"
Record = Callable[[str, object], None]


def run(*args: object) -> Result:
    """Run paperfit with ARGS; a traceback (any exception but a clean exit) fails the test."""
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    return result


def read(*paths: Path, catalog: Catalog) -> Reading:
    return read_inputs(list(paths), catalog, ReadOptions(today=TODAY))


def write_csv(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def messages(reading: Reading) -> list[str]:
    return [str(problem) for problem in reading.problems]


def the_error(reading: Reading, fragment: str) -> str:
    """The one error that says FRAGMENT (the test fails when there is none)."""
    found = [str(p) for p in reading.errors if fragment in p.message]
    assert found, messages(reading)
    return found[0]


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# ---------------------------------------------------------------------------------------------
# One rule for text


@pytest.fixture(scope="module")
def blank_fillable(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    out = tmp_path_factory.mktemp("fillable") / "forms.pdf"
    packet = Packet((catalog.get("ORS"),), Header())
    return write_forms(out, [packet], PrintOptions(fillable=True))


def test_pdf_field_with_terminal_codes_is_refused_and_export_to_xlsx_works(
    tmp_path: Path, blank_fillable: Path, record_property: Record
) -> None:
    record_property("hostile", "refused")
    typed = {"s1_ORS_v1_client_id": "C\x1b]0;pwned\x07", "s1_ORS_v1_session": "1"}
    typed |= {f"s1_ORS_v1_item{n}": "5.0" for n in range(1, 5)}
    filled = fill_with_pypdf(blank_fillable, tmp_path / "filled.pdf", typed)
    result = run("export", filled, "-o", tmp_path / "x.xlsx")
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "'C\\x1b]0;pwned\\x07' contains control characters" in result.output
    assert "s1_ORS_v1_client_id" in result.output  # the field is named


def test_excel_error_value_is_not_a_client_id(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    path = make_workbook(
        tmp_path / "entry.xlsx",
        {"ORS": [ORS_HEADER.split(","), ["#N/A", 1, "2026-01-05", 5, 5, 5, 5]]},
    )
    reading = read(path, catalog=catalog)
    assert reading.forms == []
    message = the_error(reading, "is an Excel error value")
    assert 'sheet ORS › row 2 › column A "client_id"' in message


def test_true_false_cell_is_not_a_client_id(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    path = make_workbook(
        tmp_path / "entry.xlsx",
        {"ORS": [ORS_HEADER.split(","), [True, 1, "2026-01-05", 5, 5, 5, 5]]},
    )
    reading = read(path, catalog=catalog)
    assert reading.forms == []
    assert 'row 2 › column A "client_id"' in the_error(reading, "TRUE/FALSE")


def test_excel_error_in_a_client_list_is_not_an_age_group(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    path = make_workbook(
        tmp_path / "entry.xlsx",
        {
            "Clients": [["client_id", "age_group"], ["C-1", "#REF!"], ["#DIV/0!", "adult"]],
            "ORS": [ORS_HEADER.split(","), ["C-1", 1, "2026-01-05", 5, 5, 5, 5]],
        },
    )
    reading = read(path, catalog=catalog)
    assert reading.clients == {}
    assert "sheet Clients › row 2" in the_error(reading, "is an Excel error value")
    assert any("sheet Clients › row 3" in line for line in messages(reading))


def test_a_cell_of_excels_maximum_length_is_quoted_short(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    path = make_workbook(
        tmp_path / "entry.xlsx",
        {"ORS": [ORS_HEADER.split(","), ["C" * 32_767, 1, "2026-01-05", 5, 5, 5, 5]]},
    )
    reading = read(path, catalog=catalog)
    message = the_error(reading, "characters long")
    assert "32767 characters long" in message and len(message) < 400


def test_client_option_of_100k_characters_is_refused(
    tmp_path: Path, record_property: Record
) -> None:
    record_property("hostile", "refused")
    result = run("forms", "--for-client", "x" * 100_000, "-o", tmp_path / "f.pdf")
    assert result.exit_code == 2
    assert "'--for-client': is 100000 characters long" in result.output
    assert not (tmp_path / "f.pdf").exists()


def test_client_option_with_terminal_codes_is_refused(
    tmp_path: Path, record_property: Record
) -> None:
    record_property("hostile", "refused")
    result = run("forms", "--for-client", "C\x1b]0;pwned\x07", "-o", tmp_path / "f.pdf")
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "contains control characters" in result.output


# ---------------------------------------------------------------------------------------------
# Rows, encodings, kinds of file


def test_decimal_commas_in_a_comma_separated_row(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    path = write_csv(
        tmp_path / "ors.csv",
        [
            ORS_HEADER,
            "EU1,1,2026-01-05,6,4,5,5,7,2,3,1",
            "EU1,2,2026-01-12,6.4,5.5,7.2,3.1",
        ],
    )
    reading = read(path, catalog=catalog)
    assert [(f.session, f.total) for f in reading.forms] == [(2, 22.2)]
    message = the_error(reading, "decimal commas")
    assert f"{path} › row 2 › column H" in message
    assert "4 values in columns with no heading (H, I, J, K)" in message


def test_mixed_utf8_and_cp1252_is_refused_at_its_first_bad_line(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    path = tmp_path / "ors.csv"
    path.write_bytes(
        (ORS_HEADER + "\nC-Zoë,1,2026-01-05,5,5,5,5\n").encode()
        + "C-Zoë,2,2026-01-12,6,6,6,6\n".encode("cp1252")
    )
    reading = read(path, catalog=catalog)
    assert reading.forms == []
    assert the_error(reading, "mixes two encodings").startswith(f"{path} › row 3:")


def test_a_windows_1252_file_is_still_read(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "handled")
    path = write_csv(
        tmp_path / "ors.csv",
        [ORS_HEADER, "C-Zoë,1,2026-01-05,5,5,5,5", "C-Zoë,2,2026-01-12,6,6,6,6"],
        "cp1252",
    )
    reading = read(path, catalog=catalog)
    assert [(f.client_id, f.session) for f in reading.forms] == [("C-Zoë", 1), ("C-Zoë", 2)]


def test_ext_clients_csv_is_read_as_a_client_list(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "handled")
    clients = write_csv(
        tmp_path / "ext-clients.csv",
        ["client_id,age_group,clinician", "K-1,child,Sam Lee", "A-1,adult,Sam Lee"],
    )
    forms = write_csv(tmp_path / "cors.csv", [ORS_HEADER, "K-1,1,2026-01-05,5,5,5,5"])
    reading = read(clients, forms, catalog=catalog)
    assert reading.errors == []
    assert reading.client_list_given
    assert reading.clients["K-1"].age_group == "child"
    assert reading.clients["A-1"].clinician == "Sam Lee"


def test_ors_item_headers_name_the_instrument(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "handled")
    path = write_csv(tmp_path / "export-march.csv", [ORS_HEADER, "C-1,1,2026-01-05,5,5,5,6"])
    reading = read(path, catalog=catalog)
    assert reading.errors == []
    assert [(f.instrument, f.total) for f in reading.forms] == [("ORS", 21.0)]


def test_item_headers_shared_by_two_instruments_still_need_a_name(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    path = write_csv(
        tmp_path / "march.csv", ["client_id,session,item1,item2,item3,Overall", "C-1,1,5,5,5,6"]
    )
    reading = read(path, catalog=catalog)
    assert reading.forms == []
    assert the_error(reading, "does not say which form it holds").startswith(str(path))


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["export", "-o", "{out}/x.csv"],
        ["graphs", "-o", "{out}/graphs"],
        ["report", "-o", "{out}/report.pdf"],
    ],
)
def test_a_header_wider_than_excel(
    tmp_path: Path, command: list[str], record_property: Record
) -> None:
    record_property("hostile", "refused")
    columns = [f"c{n}" for n in range(MAX_COLUMNS + 2000)]
    path = write_csv(tmp_path / "ors.csv", [",".join(["client_id", "session", *columns]), "C-1,1"])
    args = [part.format(out=tmp_path / "out") for part in command]
    result = run(args[0], path, *args[1:])
    assert f"{path} › row 1: has values beyond column 16,384 (XFD)" in result.output


def test_a_schedule_wider_than_excel(tmp_path: Path, record_property: Record) -> None:
    record_property("hostile", "refused")
    header = "client_id,date,session,clinician,age_group,format," + ",".join(
        f"c{n}" for n in range(MAX_COLUMNS + 2000)
    )
    path = write_csv(tmp_path / "day.csv", [header, "C-1,2026-01-05,1,Kim,adult,individual"])
    result = run("forms", "--schedule", path, "-o", tmp_path / "day.pdf")
    assert result.exit_code == 1
    assert "has values beyond column 16,384" in result.output


def test_schedule_problems_come_in_one_pass(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    path = write_csv(
        tmp_path / "day.csv",
        [
            "client_id,date,session,clinician,age_group,format,instruments",
            "C-1,05/01/2026,1,Kim,adult,individual,ORS",
            "C-2,2026-01-05,1,Kim,adult,individual,ORS XYZ",
        ],
    )
    with pytest.raises(ScheduleProblems) as caught:
        read_schedule(path, catalog)
    places = [str(problem.location) for problem in caught.value.problems]
    assert places == [
        f'{path} › row 2 › column B "date"',
        f'{path} › row 3 › column G "instruments"',
    ]


def test_schedule_row_with_decimal_commas(tmp_path: Path, record_property: Record) -> None:
    record_property("hostile", "refused")
    path = write_csv(
        tmp_path / "day.csv",
        [
            "client_id,date,session,clinician,age_group,format",
            "C-1,2026-01-05,1,Kim,adult,individual,x",
        ],
    )
    with pytest.raises(ScheduleProblems, match=r"row 2 › column G: this row has 1 value"):
        read_schedule(path)


# ---------------------------------------------------------------------------------------------
# Dates, sessions, settings


@pytest.mark.parametrize("typed", ["1900-01-01", "0001-01-01"])
def test_implausibly_early_dates_are_refused(
    tmp_path: Path, catalog: Catalog, typed: str, record_property: Record
) -> None:
    record_property("hostile", "refused")
    path = write_csv(tmp_path / "ors.csv", [ORS_HEADER, f"C-1,1,{typed},5,5,5,5"])
    reading = read(path, catalog=catalog)
    assert [f.date for f in reading.forms] == [None]
    assert 'row 2 › column C "date"' in the_error(reading, "too early to be a session date")


def test_a_date_before_1990_is_read_with_a_warning(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "handled")
    path = write_csv(tmp_path / "ors.csv", [ORS_HEADER, "C-1,1,1985-03-04,5,5,5,5"])
    reading = read(path, catalog=catalog)
    assert [f.date for f in reading.forms] == [datetime.date(1985, 3, 4)]
    assert any("before 1990: check the year" in line for line in messages(reading))


def test_a_date_in_the_far_future_is_refused(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    path = write_csv(tmp_path / "ors.csv", [ORS_HEADER, "C-1,1,2062-01-05,5,5,5,5"])
    reading = read(path, catalog=catalog)
    assert 'column C "date"' in the_error(reading, "more than a year ahead")


def test_forms_session_10000_is_refused_like_check(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    result = run("forms", "--for-client", "C-1", "--session", "10000", "-o", tmp_path / "f.pdf")
    assert result.exit_code == 2 and "not a whole number from 1 to 9999" in result.output
    path = write_csv(tmp_path / "ors.csv", [ORS_HEADER, "C-1,10000,2026-01-05,5,5,5,5"])
    assert "from 1 to 9999" in the_error(read(path, catalog=catalog), "not a session number")


def test_date_format_of_a_lone_percent_is_refused(tmp_path: Path, record_property: Record) -> None:
    record_property("hostile", "refused")
    path = write_csv(tmp_path / "ors.csv", [ORS_HEADER, "C-1,1,2026-01-05,5,5,5,5"])
    result = run("check", path, "--date-format", "%")
    assert result.exit_code == 2
    assert "'--date-format': '%' is not a date format" in result.output


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        ("rci = 0", "key scoring.rci: must be more than 0"),
        ("rci = nan", "key scoring.rci: must be a number from 0 to 40"),
        ("cutoff_adult = nan", "key scoring.cutoff_adult: must be a number from 0 to 40"),
        ("cutoff_adult = -5", "key scoring.cutoff_adult: must be between 0 and 40"),
        ("srs_alert_item = 11", "key scoring.srs_alert_item: must be between 0 and 10"),
        ("srs_alert_total = inf", "key scoring.srs_alert_total: must be a number from 0 to 40"),
    ],
)
def test_settings_out_of_range_are_refused(
    tmp_path: Path, setting: str, reason: str, record_property: Record
) -> None:
    record_property("hostile", "refused")
    config = tmp_path / "paperfit.toml"
    config.write_text(f"[scoring]\n{setting}\n")
    data = write_csv(tmp_path / "ors.csv", [ORS_HEADER, "C-1,1,2026-01-05,5,5,5,5"])
    result = run("--config", config, "export", data, "-o", tmp_path / "x.csv")
    assert result.exit_code == 1
    assert reason in result.output
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("scoring", "reason"),
    [
        ("rci = 0", "key scoring.rci: must be more than 0"),
        ("cutoff = { adult = nan }", "key scoring.cutoff.adult: must be a number"),
        ("cutoff = { adult = -5 }", "key scoring.cutoff.adult: must be between 0 and 40"),
    ],
)
def test_instrument_file_scoring_out_of_range_is_refused(
    tmp_path: Path, scoring: str, reason: str, record_property: Record
) -> None:
    record_property("hostile", "refused")
    folder = tmp_path / "instruments"
    folder.mkdir()
    text = (Path(__file__).parents[1] / "forms" / "ors.toml").read_text()
    start = text.index("[scoring]")
    end = text.find("\n[", start + 1)
    rest = text[end:] if end != -1 else ""
    (folder / "ors.toml").write_text(text[:start] + f"[scoring]\n{scoring}\n" + rest)
    config = tmp_path / "paperfit.toml"
    config.write_text('instrument_dir = "instruments"\n')
    result = run("--config", config, "workbook", "-o", tmp_path / "entry.xlsx")
    assert result.exit_code == 1
    assert reason in result.output


# ---------------------------------------------------------------------------------------------
# A corrected form beside a stale copy


def test_a_corrected_form_and_a_stale_copy_are_both_named(
    tmp_path: Path, catalog: Catalog, record_property: Record
) -> None:
    record_property("hostile", "refused")
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "ors.csv", [ORS_HEADER, "C-1,1,2026-01-05,5,5,5,5"])
    write_csv(folder / "ors-old.csv", [ORS_HEADER, "C-1,1,2026-01-05,4,5,5,5"])
    before = fingerprint(folder)
    result = run("export", folder, "-o", tmp_path / "x.csv")
    conflict = [line for line in result.output.splitlines() if "more than once" in line]
    assert len(conflict) == 1
    assert "ors.csv › row 2" in conflict[0] and "ors-old.csv › row 2" in conflict[0]
    assert "an older copy or an earlier export" in conflict[0]
    run("check", folder)
    assert fingerprint(folder) == before


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ("PF1|ORS|1|N|C\x1b]0;pwned\x07|1|2026-01-05|1", "control characters"),
        ("PF1|ORS|1|N|x%0Ay|1|2026-01-05|1", "control characters"),
        ("PF1|ORS|1|N|C-1|10000|2026-01-05|1", "is not 1 to 9999"),
        ("PF1|ORS|1|N|" + "C" * 65 + "|1|2026-01-05|1", "longer than 64 characters"),
    ],
)
def test_a_page_code_paperfit_never_prints_is_refused(
    payload: str, reason: str, record_property: Record
) -> None:
    record_property("hostile", "refused")
    with pytest.raises(ValueError, match=reason) as caught:
        parse_payload(payload)
    assert str(caught.value).isprintable()


@pytest.mark.parametrize(
    ("setting", "reason"),
    [
        ('practice_name = "A\\u001b]0;pwned\\u0007"', "contains control characters"),
        (f'practice_name = "{"P" * 101}"', "is 101 characters long"),
        ('privacy = "#N/A"', "is an Excel error value"),
    ],
)
def test_text_settings_follow_the_text_rule(
    tmp_path: Path, setting: str, reason: str, record_property: Record
) -> None:
    record_property("hostile", "refused")
    config = tmp_path / "paperfit.toml"
    config.write_text(setting + "\n")
    result = run("--config", config, "guide", "-o", tmp_path / "guide.pdf")
    assert result.exit_code == 1
    assert f"{config} › key " in result.output and reason in result.output
    assert "\x1b" not in result.output and not (tmp_path / "guide.pdf").exists()
