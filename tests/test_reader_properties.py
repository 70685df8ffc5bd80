"""Properties of the readers under arbitrary input: they never raise, they never drop a row
without naming it, and every value they return is in range.

(a) any bytes saved as .xlsx, .csv or .pdf; (b) any cell values in an ORS sheet; (c) the value
parsers on any text or number; (d) the schedule reader on any bytes and any cells, and every
text option of the command line on any text. Defects found this way have their own tests in
tests/test_bad_inputs.py (enormous integer cells, damaged PDF object streams) so that they are
checked on every run, not only when the search happens upon them.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
import zipfile
from pathlib import Path
from unittest import mock

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from paperfit.forms.errors import InputProblem, Location, ScheduleProblems
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import ITEM_COUNT, MAX_CLIENT_ID, MAX_TEXT, Appointment, Reading
from paperfit.forms.text import parse_text
from paperfit.generator.sheets import Header, Packet
from paperfit.scanner.measurements import ReadOptions, read_inputs
from paperfit.scanner.schedule import read_schedule
from paperfit.scanner.values import (
    EARLIEST_DATE,
    ValueProblem,
    parse_date,
    parse_measure,
    parse_session,
    parse_total,
    strptime_format,
)

from paperfit.cli import cli
from tests.test_bad_inputs import CORPUS, ORS_HEADERS, data_rows, unaccounted

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TODAY = datetime.date(2026, 6, 1)
# openpyxl refuses these in a cell (Excel cannot store them either); \t \n \r and C1 are fine
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("properties")


def read(path: Path, catalog: Catalog) -> Reading:
    return read_inputs([path], catalog, ReadOptions(today=TODAY))


# ---------------------------------------------------------------------------------------------
# (a) Any bytes


def _valid_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ORS"
    sheet.append(ORS_HEADERS)
    sheet.append(["C-1", 1, datetime.datetime(2026, 1, 5), 4.1, 5.0, 3.2, 4.4, 16.7])
    sheet.append(["C-1", 2, datetime.datetime(2026, 1, 12), "x", 5.5, 4.0, 5.1, None])
    raw = io.BytesIO()
    workbook.save(raw)
    return raw.getvalue()


VALID_XLSX = _valid_xlsx()
XLSX_PARTS = (
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/styles.xml",
)
XML_TOKENS = (
    b"<",
    b">",
    b"/>",
    b'"',
    b"&amp;",
    b"&#0;",
    b'<row r="0">',
    b'<row r="99999999">',
    b'<c r="XFD1" t="s"><v>7</v></c>',
    b'<c r="A2" t="b"><v>2</v></c>',
    b'<c r="A2" t="e"><v>#REF!</v></c>',
    b"<v>nan</v>",
    b"<v>1e999</v>",
    b"<v>x</v>",
    b's="99"',
    b'state="hidden"',
    b'sheetId="x"',
)


@st.composite
def flipped(draw: st.DrawFn, data: bytes) -> bytes:
    """DATA with a few bytes changed, or cut short."""
    out = bytearray(data)
    if draw(st.booleans()):
        return bytes(out[: draw(st.integers(0, len(out) - 1))])
    for _ in range(draw(st.integers(1, 6))):
        out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
    return bytes(out)


@st.composite
def zip_of_parts(draw: st.DrawFn) -> bytes:
    """A well-formed zip holding the parts of a workbook, their contents garbage or a valid
    workbook's parts with XML fragments spliced in."""
    with zipfile.ZipFile(io.BytesIO(VALID_XLSX)) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in draw(st.lists(st.sampled_from(XLSX_PARTS), unique=True, max_size=6)):
            target.writestr(name, draw(st.binary(max_size=300)))
        spliced = draw(st.sampled_from(sorted(parts)))
        for name, content in parts.items():
            if name == spliced:
                content = bytearray(content)
                for _ in range(draw(st.integers(1, 4))):
                    at = draw(st.integers(0, len(content)))
                    cut = draw(st.integers(0, 12))
                    content[at : at + cut] = draw(st.sampled_from(XML_TOKENS))
                content = bytes(content)
            if name not in target.namelist():
                target.writestr(name, content)
    return out.getvalue()


XLSX_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=500).map(lambda b: b"PK\x03\x04" + b),
    st.binary(max_size=500).map(lambda b: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b),
    flipped(VALID_XLSX),
    zip_of_parts(),
)
CSV_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.tuples(
        st.text(max_size=300), st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"])
    ).map(lambda pair: pair[0].encode(pair[1], errors="replace")),
    st.lists(st.lists(st.text(max_size=8), max_size=6), max_size=6).map(
        lambda rows: (
            "\n".join(";".join(r) for r in [["client_id", "session"], *rows]).encode()
            if rows and any(any(c.strip() for c in r) for r in rows)
            else b"\xff"
        )  # header-only tables have their own test below
    ),
)
PDF_TOKENS = (
    b"1 0 obj",
    b"<<",
    b">>",
    b"/Type /Catalog",
    b"/Pages 2 0 R",
    b"/AcroForm << /Fields [3 0 R] >>",
    b"/T (s1_ORS_v1_item1)",
    b"/V (6.4)",
    b"/Subtype /Widget",
    b"/Parent 3 0 R",
    b"/Annots [3 0 R]",
    b"stream\n",
    b"endstream",
    b"endobj",
    b"xref\n0 1\n",
    b"trailer << /Root 1 0 R >>",
    b"startxref\n0\n",
    b"%%EOF",
)
NO_FIELDS_PDF = (CORPUS / "no_fields.pdf").read_bytes()
PDF_BYTES = st.one_of(
    st.binary(max_size=2000),
    st.binary(max_size=2000).map(lambda b: b"%PDF-1.7\n" + b),
    st.lists(st.one_of(st.sampled_from(PDF_TOKENS), st.binary(max_size=8)), max_size=60).map(
        lambda parts: b"%PDF-1.7\n" + b" ".join(parts)
    ),
    # cut short anywhere (flipped bytes inside its object stream are a known defect)
    st.integers(0, len(NO_FIELDS_PDF) - 1).map(lambda n: NO_FIELDS_PDF[:n]),
)


def assert_read_or_named(reading: Reading, path: Path) -> None:
    assert reading.files == [str(path)]
    assert all(p.location.file == str(path) for p in reading.problems)
    if not reading.forms:
        assert any(p.location.file == str(path) for p in reading.problems), (
            "read nothing and said nothing"
        )
    for form in reading.forms:
        assert all(v is None or 0 <= v <= 10 for v in form.items)


@SETTINGS
@given(data=XLSX_BYTES)
def test_any_bytes_as_xlsx(data: bytes, folder: Path, catalog: Catalog) -> None:
    path = folder / "input.xlsx"
    path.write_bytes(data)
    assert_read_or_named(read(path, catalog), path)


@SETTINGS
@given(data=CSV_BYTES)
def test_any_bytes_as_csv(data: bytes, folder: Path, catalog: Catalog) -> None:
    path = folder / "input.csv"
    path.write_bytes(data)
    assert_read_or_named(read(path, catalog), path)


@SETTINGS
@given(data=PDF_BYTES)
def test_any_bytes_as_pdf(data: bytes, folder: Path, catalog: Catalog) -> None:
    path = folder / "input.pdf"
    path.write_bytes(data)
    assert_read_or_named(read(path, catalog), path)


@pytest.mark.parametrize("name", ["ORS.csv", "ORS.xlsx"])
def test_a_table_with_headers_only_says_it_holds_no_forms(
    name: str, tmp_path: Path, catalog: Catalog
) -> None:
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_text(",".join(ORS_HEADERS) + "\n", encoding="utf-8")
    else:
        workbook = openpyxl.Workbook()
        workbook.active.title = "ORS"
        workbook.active.append(ORS_HEADERS)
        workbook.save(path)
    assert_read_or_named(read(path, catalog), path)


# ---------------------------------------------------------------------------------------------
# (b) Any cell values in an ORS sheet


class Literal(str):
    """Text to store as text even when it starts with "=" (otherwise openpyxl writes a
    formula, saved without a value)."""


TEXT = st.text(max_size=12)
ODD_TEXT = st.sampled_from(
    [
        "=1+1",
        "=SUM(D2:G2)",
        "#N/A",
        "#VALUE!",
        "6,4",
        "6.4 cm",
        "64 mm",
        "6.4cm",
        "n/a",
        " ",
        "\t",
        "nan",
        "inf",
        "-0",
        "1e3",
        "1_0",
        "\u0666",  # Arabic-Indic six
        "\uff16.\uff14",  # full-width 6.4
        "2026-02-30",
        "03/04/2026",
        "C-1",
        "1042.0",
        "Zoë",
        "\u200b",
    ]
)
ANYTHING = st.one_of(
    st.none(),
    TEXT,
    TEXT.map(Literal),
    ODD_TEXT,
    ODD_TEXT.map(Literal),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e-300, max_value=1e-300),
    st.integers(-(10**18), 10**18),
    st.booleans(),
    st.datetimes(datetime.datetime(1900, 3, 1), datetime.datetime(9999, 12, 30)),
    st.dates(datetime.date(1900, 3, 1), datetime.date(9999, 12, 30)),
)
REAL_DATES = st.datetimes(datetime.datetime(2020, 1, 1), datetime.datetime(2026, 5, 31)).map(
    lambda d: d.replace(hour=0, minute=0, second=0, microsecond=0)
)
ROW = st.tuples(
    st.one_of(st.sampled_from(["C-1", "C-2", "C-3"]), ANYTHING),
    st.one_of(st.integers(1, 4), ANYTHING),
    st.one_of(REAL_DATES, ANYTHING),
    *[st.one_of(st.floats(0, 10), st.integers(0, 10), ANYTHING)] * ITEM_COUNT,
    st.one_of(st.none(), st.floats(0, 40), ANYTHING),
)


def write_ors_xlsx(path: Path, rows: list[tuple[object, ...]], with_clients: bool) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ORS"
    sheet.append(ORS_HEADERS)
    for number, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            if isinstance(value, str):
                value = XLSX_ILLEGAL.sub("", value)
            cell = sheet.cell(number, column, value)
            if isinstance(values[column - 1], Literal):
                cell.data_type = "s"
    if with_clients:
        clients = workbook.create_sheet("Clients")
        for row in (("client_id", "age_group"), ("C-1", "adult"), ("C-2", "child")):
            clients.append(row)
    workbook.save(path)


def write_ors_csv(path: Path, rows: list[tuple[object, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(ORS_HEADERS)
        writer.writerows(["" if v is None else str(v) for v in row] for row in rows)


@SETTINGS
@given(
    rows=st.lists(ROW, min_size=1, max_size=8),
    suffix=st.sampled_from([".xlsx", ".csv"]),
    with_clients=st.booleans(),
)
def test_any_cells_in_an_ors_sheet(
    rows: list[tuple[object, ...]],
    suffix: str,
    with_clients: bool,
    folder: Path,
    catalog: Catalog,
) -> None:
    path = folder / f"ORS{suffix}"
    if suffix == ".xlsx":
        write_ors_xlsx(path, rows, with_clients)
    else:
        write_ors_csv(path, rows)
    reading = read(path, catalog)

    sheet = "ORS" if suffix == ".xlsx" else None
    _header, expected = data_rows(path)[sheet]
    whole_file = [
        p for p in reading.errors if p.location == Location(str(path))
    ]  # a CSV with control characters is refused as a whole, and says so
    messages = " ".join(p.message for p in reading.problems)
    for row in expected if not whole_file else []:
        place = Location(str(path), sheet, row)
        assert (
            any(f.source == place for f in reading.forms)
            or any((p.location.sheet, p.location.row) == (sheet, row) for p in reading.problems)
            or re.search(re.escape(str(place)) + r"(?!\d)", messages)
        ), f"row {row} neither read nor named"
    assert unaccounted(reading, path) == []
    assert all(str(problem).isprintable() for problem in reading.problems)
    for form in reading.forms:
        assert form.source.sheet == sheet and form.source.row in expected
        assert form.client_id and form.session >= 1
        assert form.client_id.isprintable() and len(form.client_id) <= MAX_CLIENT_ID
        typed = rows[form.source.row - 2][0]
        if isinstance(typed, str) and typed.isascii() and typed.isprintable():
            assert form.client_id == typed.strip()  # read as typed, never altered
        assert len(form.items) == ITEM_COUNT
        for value in form.items:
            assert value is None or (math.isfinite(value) and 0 <= value <= 10)
        assert form.total is None or 0 <= form.total <= 40


# ---------------------------------------------------------------------------------------------
# (c) The value parsers


NUMBER_TEXT = st.from_regex(
    r"\A\s*[+-]?\d{0,4}([.,]\d{0,3})?\s*(cm|mm|CM|Mm)?\s*\Z", fullmatch=True
)
RAW = st.one_of(
    st.none(),
    st.text(),
    NUMBER_TEXT,
    ODD_TEXT,
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**300), 10**300),  # beyond 1e308 is a known defect, tested on its own
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
)


def returns_or_value_problem(parse: object, *args: object) -> object:
    try:
        return parse(*args)  # type: ignore[operator]
    except ValueProblem as problem:
        assert str(problem)
        return None


@SETTINGS
@given(raw=RAW, unit=st.sampled_from(["cm", "mm"]))
def test_parse_measure_is_in_range_or_a_value_problem(raw: object, unit: str) -> None:
    value = returns_or_value_problem(parse_measure, raw, unit)
    assert value is None or (isinstance(value, float) and 0 <= value <= 10)


@SETTINGS
@given(raw=RAW)
def test_parse_total_is_in_range_or_a_value_problem(raw: object) -> None:
    value = returns_or_value_problem(parse_total, raw)
    assert value is None or (isinstance(value, float) and 0 <= value <= 40)


@SETTINGS
@given(raw=RAW)
def test_parse_session_is_in_range_or_a_value_problem(raw: object) -> None:
    value = returns_or_value_problem(parse_session, raw)
    assert value is None or (type(value) is int and 1 <= value <= 9999)


@SETTINGS
@given(
    raw=st.one_of(RAW, REAL_DATES.map(lambda d: d.strftime("%d/%m/%Y"))),
    date_format=st.one_of(
        st.none(), st.sampled_from(["%d/%m/%Y", "%m/%d/%y", "%Y-%m-%d %H:%M"]), st.text()
    ),
)
def test_parse_date_is_a_date_or_a_value_problem(raw: object, date_format: str | None) -> None:
    value = returns_or_value_problem(parse_date, raw, date_format)
    assert value is None or type(value) is datetime.date


@SETTINGS
@given(raw=RAW, limit=st.sampled_from([MAX_CLIENT_ID, MAX_TEXT, None]), lines=st.booleans())
def test_parse_text_is_the_text_typed_or_a_value_problem(
    raw: object, limit: int | None, lines: bool
) -> None:
    value = returns_or_value_problem(parse_text, raw, limit, lines)
    if value is None:
        return
    assert isinstance(value, str) and value == value.strip()
    assert limit is None or len(value) <= limit
    allowed = "\u200c\u200d" + ("\n\r\t" if lines else "")
    assert all(char.isprintable() or char in allowed for char in value)
    if isinstance(raw, str) and raw.isascii() and raw.strip().isprintable():
        assert value == raw.strip()


CLIENT_ROW = st.tuples(
    st.one_of(st.sampled_from(["C-1", "C-2"]), ANYTHING),
    st.one_of(st.sampled_from(["adult", "Child"]), ANYTHING),
    ANYTHING,
    ANYTHING,
)


@SETTINGS
@given(rows=st.lists(CLIENT_ROW, min_size=1, max_size=6))
# The largest float is saved as infinity by the spreadsheet: it once became the client "inf".
@example(rows=[(1.7976931348623155e308, "adult", None, None)])
@example(rows=[(6.3647227899599504e-301, "adult", None, None)])  # kept to 15 digits
def test_any_cells_in_a_client_list(
    rows: list[tuple[object, ...]], folder: Path, catalog: Catalog
) -> None:
    """Every client read is as typed and in range; every row not read is named."""
    path = folder / "clients.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "Clients"
    workbook.active.append(["client_id", "age_group", "clinician", "name"])
    written = [[XLSX_ILLEGAL.sub("", v) if isinstance(v, str) else v for v in r] for r in rows]
    for number, values in enumerate(written, start=2):
        for column, value in enumerate(values, start=1):
            cell = workbook.active.cell(number, column, value)
            if isinstance(value, str):
                cell.data_type = "s"  # text, as typed: "=0" is not a formula here
    workbook.save(path)
    # What the file holds: a spreadsheet keeps 15 digits of a number (and the largest as
    # infinity), so the ID meant is the one in the file, not the Python float written.
    held = openpyxl.load_workbook(path).active
    reading = read(path, catalog)
    assert all(str(problem).isprintable() for problem in reading.problems)
    named = {p.location.row for p in reading.problems}
    for number, values in enumerate(written, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue  # a blank row
        try:
            typed = parse_text(held.cell(number, 1).value, MAX_CLIENT_ID)
        except ValueProblem:
            typed = None
        assert number in named or typed in reading.clients, f"row {number} neither read nor named"
    for client in reading.clients.values():
        assert client.client_id.isprintable() and len(client.client_id) <= MAX_CLIENT_ID
        assert client.age_group in ("adult", "adolescent", "child")
        assert len(client.clinician) <= MAX_TEXT and client.clinician.isprintable()


# ---------------------------------------------------------------------------------------------
# (d) The schedule reader and the command line's text options

SCHEDULE_HEADER = ("client_id", "date", "session", "clinician", "age_group", "format", "name")
APPOINTMENT = st.tuples(
    st.one_of(st.sampled_from(["C-1", "1042"]), ANYTHING),
    st.one_of(REAL_DATES, ANYTHING),
    st.one_of(st.integers(1, 12), ANYTHING),
    st.one_of(st.just("Kim"), ANYTHING),
    st.one_of(st.sampled_from(["adult", "child"]), ANYTHING),
    st.one_of(st.just("individual"), ANYTHING),
    ANYTHING,
)


def _read_schedule_or_problems(path: Path, catalog: Catalog) -> list[Appointment]:
    """The appointments in PATH, or [] after checking each problem names PATH (and a row)."""
    try:
        return read_schedule(path, catalog)
    except ScheduleProblems as problems:
        for problem in problems.problems:
            assert problem.location.file == str(path) and problem.location.row is not None
        assert str(problems).replace("\n", "").isprintable()
    except InputProblem as problem:
        assert problem.location.file == str(path) and str(problem).isprintable()
    return []


@SETTINGS
@given(data=st.one_of(CSV_BYTES, XLSX_BYTES), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_any_bytes_as_a_schedule(data: bytes, suffix: str, folder: Path, catalog: Catalog) -> None:
    path = folder / f"day{suffix}"
    path.write_bytes(data)
    before = path.read_bytes()
    _read_schedule_or_problems(path, catalog)
    assert path.read_bytes() == before


@SETTINGS
@given(
    rows=st.lists(APPOINTMENT, min_size=1, max_size=6), suffix=st.sampled_from([".xlsx", ".csv"])
)
def test_any_cells_in_a_schedule(
    rows: list[tuple[object, ...]], suffix: str, folder: Path, catalog: Catalog
) -> None:
    path = folder / f"day{suffix}"
    if suffix == ".xlsx":
        workbook = openpyxl.Workbook()
        workbook.active.append(SCHEDULE_HEADER)
        for values in rows:
            workbook.active.append(
                [XLSX_ILLEGAL.sub("", v) if isinstance(v, str) else v for v in values]
            )
        workbook.save(path)
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(SCHEDULE_HEADER)
            writer.writerows(["" if v is None else str(v) for v in row] for row in rows)
    for appointment in _read_schedule_or_problems(path, catalog):
        typed = rows[appointment.row - 2]
        for value, limit in ((appointment.client_id, MAX_CLIENT_ID), (appointment.name, MAX_TEXT)):
            assert value.isprintable() and len(value) <= limit
        if isinstance(typed[0], str) and typed[0].isascii():
            assert appointment.client_id == typed[0].strip()
        assert 1 <= appointment.session <= 9999
        assert appointment.date >= EARLIEST_DATE


OPTION_TEXT = st.one_of(st.text(max_size=80), ODD_TEXT, st.text(min_size=60, max_size=120))


@SETTINGS
@given(client=OPTION_TEXT, name=OPTION_TEXT, clinician=OPTION_TEXT)
def test_any_text_in_the_forms_options(
    client: str, name: str, clinician: str, folder: Path
) -> None:
    """--for-client, --name and --clinician reach the sheet as typed (trimmed), or the command
    stops with a usage message naming the option; nothing is written when refused."""
    out = folder / "options" / "forms.pdf"
    printed: list[Header] = []

    def write_forms(path: Path, packets: list[Packet], options: object) -> Path:
        printed.extend(packet.header for packet in packets)
        return path

    args = ["forms", "--for-client", client, "--name", name, "--clinician", clinician, "-o", out]
    with mock.patch("paperfit.generator.sheets.write_forms", write_forms):
        result = CliRunner().invoke(cli, [str(arg) for arg in args])
    assert not isinstance(result.exception, Exception), result.exception
    assert not out.exists()
    if result.exit_code == 2:
        assert "Invalid value for '--" in result.output and printed == []
        assert result.output.replace("\n", "").isprintable()
        return
    assert result.exit_code == 0, result.output
    header = printed[0]
    for typed, read_back in ((client, header.client_id), (name, header.name)):
        assert read_back == parse_text(typed)
        if typed.isascii():
            assert read_back == typed.strip()
    assert header.clinician == parse_text(clinician)


@SETTINGS
@given(date_format=st.one_of(st.text(max_size=12), st.sampled_from(["%", "%d", "%d/%m/%Y"])))
def test_any_date_format(date_format: str, folder: Path) -> None:
    """--date-format is taken only when it reads back day, month and year; else exit 2."""
    path = folder / "ORS.csv"
    write_ors_csv(path, [("C-1", 1, "2026-01-05", 5, 5, 5, 5, None)])
    result = CliRunner().invoke(cli, ["check", str(path), "--date-format", date_format])
    assert not isinstance(result.exception, Exception), result.exception
    if result.exit_code == 2:
        assert "'--date-format'" in result.output
    else:
        sample, fmt = datetime.date(2026, 11, 25), strptime_format(date_format)
        assert datetime.datetime.strptime(sample.strftime(fmt), fmt).date() == sample
