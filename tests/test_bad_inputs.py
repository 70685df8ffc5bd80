"""Real bad files, as practices hand them over: each is read without a traceback, each problem
names its file (and sheet, row and column where it applies), and no data row disappears
without a problem that names it.

The files live in tests/corpus/ and are written by tests/corpus/make_corpus.py; see the
docstring of each function there for what the file is.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import runpy
import warnings
import zipfile
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Reading
from paperfit.generator.workbook import form_headers
from paperfit.scanner import tables
from paperfit.scanner.measurements import CLIENT_SHEETS, IGNORED_SHEETS, ReadOptions, read_inputs
from paperfit.scanner.tables import normalise_header

from paperfit.cli import cli

CORPUS = Path(__file__).parent / "corpus"
TODAY = datetime.date(2026, 6, 1)
NO_CLIENT_LIST = "no client list was given"
ORS_HEADERS = form_headers(Catalog.load().get("ORS"))[:8]  # up to total


def read(path: Path, catalog: Catalog, unit: str = "cm") -> Reading:
    return read_inputs([path], catalog, ReadOptions(unit=unit, today=TODAY))


# ---------------------------------------------------------------------------------------------
# Counting the data rows independently of paperfit, and checking each is accounted for


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table_rows(records: Iterable[tuple[int, Iterable[object]]]) -> tuple[int | None, list[int]]:
    """The header row number and the numbers of the non-blank rows below it."""
    header, rows = None, []
    for number, values in records:
        if all(_blank(v) for v in values):
            continue
        if header is None:
            header = number
        else:
            rows.append(number)
    return header, rows


def data_rows(path: Path) -> dict[str | None, tuple[int | None, list[int]]]:
    """Per sheet (None for a CSV file): the header row and the non-blank data rows, counted with
    openpyxl or csv alone. Hidden sheets count too; the sheets paperfit documents as ignored
    (Read me, Lists, Instructions) do not. Empty when the file cannot be opened at all."""
    if path.suffix.lower() == ".csv":
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = ";" if first.count(";") > first.count(",") else ","
        records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        return {None: _table_rows(enumerate(records, 1))}
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:
        return {}
    try:
        found = {}
        for sheet in workbook.worksheets:
            if normalise_header(sheet.title) in IGNORED_SHEETS:
                continue
            sheet.reset_dimensions()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # openpyxl's note on a date cell of 20260302
                records = list(enumerate(sheet.iter_rows(values_only=True), 1))
            found[sheet.title] = _table_rows(records)
        return found
    finally:
        workbook.close()


def unaccounted(reading: Reading, path: Path) -> list[str]:
    """The data rows of PATH that are neither a form (or a client) nor named by a problem.

    A row is named by a problem at that row, by a problem about its whole sheet (at the sheet,
    or at its header row, with no column), by an error about its whole file, or by a problem
    whose message gives its place (a conflicting copy is named in the first copy's message).
    """
    file = str(path)
    mine = [p for p in reading.problems if p.location.file == file]
    if any(
        p.severity == "error"
        and p.location.sheet is None
        and p.location.row is None
        and p.location.column is None
        for p in mine
    ):
        return []
    forms = {(f.source.sheet, f.source.row) for f in reading.forms if f.source.file == file}
    rows_named = {(p.location.sheet, p.location.row) for p in mine if p.location.row is not None}
    messages = " ".join(p.message for p in mine)
    missing = []
    for sheet, (header, rows) in data_rows(path).items():
        whole_sheet = any(
            p.location.sheet == sheet
            and p.location.column is None
            and p.location.row in (None, header)
            # a warning about a named sheet (say, hidden and not read) names its rows; a
            # warning about a CSV file as a whole (no client list) does not
            and (p.severity == "error" or sheet is not None)
            for p in mine
        )
        is_clients = normalise_header(sheet) in CLIENT_SHEETS
        for row in rows:
            place = str(Location(file, sheet, row))
            if (
                whole_sheet
                or (sheet, row) in forms
                or (sheet, row) in rows_named
                or re.search(re.escape(place) + r"(?!\d)", messages)
                or (is_clients and _client_row_kept(reading, path, sheet, row))
            ):
                continue
            missing.append(place)
    return missing


def _client_row_kept(reading: Reading, path: Path, sheet: str | None, row: int) -> bool:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        value = workbook[sheet].cell(row, 1).value
    finally:
        workbook.close()
    return str(value).strip() in reading.clients


def form_places(reading: Reading, path: Path) -> list[tuple[str | None, int | None]]:
    return sorted(
        ((f.source.sheet, f.source.row) for f in reading.forms if f.source.file == str(path)),
        key=lambda place: (place[0] or "", place[1] or 0),
    )


# ---------------------------------------------------------------------------------------------
# What each corpus file must produce


# file -> [(location after the file path, a fragment of the message, severity)]
EXPECTED: dict[str, list[tuple[str, str, str]]] = {
    "truncated.xlsx": [("", "is damaged or is not really an Excel workbook", "error")],
    "zipbomb.xlsx": [("", "would unpack to 3072 MB", "error")],
    "wrong_sheet.xlsx": [
        (" › sheet Sheet1 › row 1", "has no column for client_id, session", "error"),
    ],
    "merged_cells.xlsx": [
        (' › sheet ORS › row 3 › column A "client_id"', "no client ID", "error"),
        (' › sheet ORS › row 4 › column A "client_id"', "no client ID", "error"),
        ("", NO_CLIENT_LIST, "warning"),
    ],
    "blank_rows.xlsx": [
        (' › sheet ORS › row 6 › column E "Interpersonally"', "'x' is not a number", "error"),
        (" › sheet ORS › row 6", "item 2 missing", "warning"),
        (' › sheet ORS › row 9 › column H "total"', "the total typed (20)", "warning"),
        (' › sheet ORS › row 11 › column B "session"', "no session number", "error"),
    ],
    "formulas.xlsx": [
        (" › sheet ORS › row 3", "item 1, 3 missing", "warning"),
        (" › sheet ORS › row 4", "no item has a value", "warning"),
        (' › sheet ORS › row 5 › column A "client_id"', "no client ID", "error"),
    ],
    "text_in_numbers.xlsx": [
        (' › sheet ORS › row 2 › column F "Socially"', "'six' is not a number", "error"),
        (' › sheet ORS › row 3 › column E "Interpersonally"', "'n/a' is not a number", "error"),
        (" › sheet ORS › row 3", "item 1, 2 missing", "warning"),
        (' › sheet ORS › row 4 › column C "date"', "is an Excel error value, not a date", "error"),
    ],
    "no_fields.pdf": [("", "has no paperfit form fields", "error")],
    "not_a_pdf.pdf": [("", "is not a PDF file", "error")],
    "encrypted.xlsx": [("", "is password-protected", "error")],
    "renamed_xls.xlsx": [("", "is an old-style Excel file (.xls)", "error")],
    "semicolon_cp1252.csv": [("", NO_CLIENT_LIST, "warning")],
    "mm_column.csv": [
        (' › column E "Individually"', "look like millimetres", "error"),
        (" › row 2", "item 1 missing", "warning"),
    ],
}

# file -> (sheet, row) of every form read from it
EXPECTED_FORMS: dict[str, list[tuple[str | None, int]]] = {
    "merged_cells.xlsx": [("ORS", 2), ("ORS", 5)],
    "blank_rows.xlsx": [("ORS", 3), ("ORS", 6), ("ORS", 9)],
    "formulas.xlsx": [("ORS", 2), ("ORS", 3), ("ORS", 4)],
    "text_in_numbers.xlsx": [("ORS", 2), ("ORS", 3), ("ORS", 4)],
    "semicolon_cp1252.csv": [(None, 2), (None, 3), (None, 4)],
    "mm_column.csv": [(None, 2), (None, 3), (None, 4)],
}


def corpus_files() -> list[str]:
    return sorted(p.name for p in CORPUS.iterdir() if p.suffix != ".py" and p.is_file())


def test_every_corpus_file_has_expectations() -> None:
    assert corpus_files() == sorted(EXPECTED)
    assert sum(p.stat().st_size for p in CORPUS.iterdir() if p.is_file()) < 200_000


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_reads_with_located_problems(name: str, catalog: Catalog) -> None:
    path = CORPUS / name
    reading = read(path, catalog)
    shown = "\n".join(map(str, reading.problems))
    assert reading.files == [str(path)]
    for suffix, fragment, severity in EXPECTED[name]:
        assert any(
            str(p.location) == f"{path}{suffix}"
            and fragment in p.message
            and p.severity == severity
            for p in reading.problems
        ), f"expected {severity} at {path}{suffix}: {fragment!r}; got:\n{shown}"
    # every error is one the corpus was built to produce: nothing else is wrong with it
    expected_errors = {f"{path}{suffix}" for suffix, _f, sev in EXPECTED[name] if sev == "error"}
    assert {str(p.location) for p in reading.errors} == expected_errors, shown
    assert all(p.location.file == str(path) for p in reading.problems), shown
    assert form_places(reading, path) == EXPECTED_FORMS.get(name, [])
    assert unaccounted(reading, path) == []


def test_blank_rows_keep_excels_row_numbers(catalog: Catalog) -> None:
    path = CORPUS / "blank_rows.xlsx"
    assert data_rows(path) == {"ORS": (2, [3, 6, 9, 11])}
    reading = read(path, catalog)
    assert [(f.client_id, f.session, f.source.row) for f in reading.forms] == [
        ("C-101", 1, 3),
        ("C-101", 2, 6),
        ("C-102", 1, 9),
    ]
    assert reading.forms[1].items == (5.2, None, 4.0, 5.1)


def test_merged_client_cell_only_reaches_its_first_row(catalog: Catalog) -> None:
    """Excel keeps a merged cell's value in its top-left cell only: rows 3 and 4 have no client
    ID as far as any reader can tell, and each is named (at column A) rather than dropped."""
    reading = read(CORPUS / "merged_cells.xlsx", catalog)
    assert [(f.client_id, f.session) for f in reading.forms] == [("C-401", 1), ("C-402", 1)]
    problems = [p for p in reading.errors if "no client ID" in p.message]
    assert [p.location.row for p in problems] == [3, 4]
    assert all(p.location.column == 'A "client_id"' for p in problems)


def test_formulas_without_saved_values_read_as_empty(catalog: Catalog) -> None:
    """What happens to formulas: paperfit reads the value saved with a formula (as Excel and
    LibreOffice save it). openpyxl and other scripts save formulas without a value, and such a
    cell reads as empty: the item is "missing" (a warning, the form is kept without a total)
    and a client ID made by a formula leaves the row out (an error). Opening the file in Excel
    and saving it again stores the values and fixes both."""
    reading = read(CORPUS / "formulas.xlsx", catalog)
    by_row = {f.source.row: f for f in reading.forms}
    assert by_row[2].items == (6.4, 5.0, 4.1, 3.9)
    assert by_row[2].entered_total == 19.4
    assert by_row[3].items == (None, 5.5, None, 6.0)
    assert by_row[3].entered_total is None
    assert by_row[4].items == (None, None, None, None)
    assert 5 not in by_row


def test_text_in_number_cells(catalog: Catalog) -> None:
    reading = read(CORPUS / "text_in_numbers.xlsx", catalog)
    by_row = {f.source.row: f for f in reading.forms}
    assert by_row[2].items == (6.4, 6.4, None, 5.0)  # "6.4 cm", "6,4", "six", 5
    assert by_row[3].items == (None, None, 7.0, 7.5)  # " ", "n/a"
    assert by_row[4].items == (6.4, 7.5, 5.0, 4.0)  # "64 mm", "7.5", "5,0", "4.0cm"
    assert by_row[4].date is None  # 20260302 in a date cell: reported, not guessed


def test_windows_csv_with_semicolons_and_decimal_commas(catalog: Catalog) -> None:
    reading = read(CORPUS / "semicolon_cp1252.csv", catalog)
    forms = {(f.instrument, f.session): f for f in reading.forms}
    assert forms[("ORS", 1)].items == (6.4, 5.1, 7.0, 6.2)
    assert forms[("ORS", 1)].total == 24.7
    assert forms[("ORS", 1)].notes == "Zoë, mother present"
    assert forms[("ORS", 2)].notes == "Zoë’s school – calmer"
    assert forms[("SRS", 1)].items == (9.1, 9.3, 9.0, 8.8)
    assert reading.errors == []


def test_millimetre_column_is_named_and_read_with_unit_mm(catalog: Catalog) -> None:
    path = CORPUS / "mm_column.csv"
    in_cm = read(path, catalog)
    (column,) = [p for p in in_cm.errors if p.location.column]
    assert str(column.location) == f'{path} › column E "Individually"'
    assert "millimetres" in column.message
    assert "--unit mm" not in column.message  # the report quotes no options to staff
    assert str(column).endswith("The column was left out. Or read the file with --unit mm.")
    assert [f.items[0] for f in in_cm.forms] == [None, None, None]
    in_mm = read(path, catalog, unit="mm")
    assert not [p for p in in_mm.problems if p.location.column == 'E "Individually"']
    assert [f.items[0] for f in in_mm.forms] == [6.4, 7.2, 5.5]


def test_unit_mm_names_a_centimetre_column_with_decimals(catalog: Catalog) -> None:
    """Read with --unit mm, column G (4.8, 5.5, 4.1: all with decimals, all 10 or less) is
    named as centimetres and left out rather than read as 0.48, 0.55, 0.41."""
    path = CORPUS / "mm_column.csv"
    reading = read(path, catalog, unit="mm")
    (problem,) = [p for p in reading.errors if p.location.column == 'G "Socially"']
    assert str(problem.location) == f'{path} › column G "Socially"'
    assert "centimetres" in problem.message
    assert [f.items[2] for f in reading.forms] == [None, None, None]


@pytest.mark.parametrize("column", ['F "Interpersonally"', 'H "Overall"'])
def test_unit_mm_does_not_silently_shrink_a_centimetre_column(
    catalog: Catalog, column: str
) -> None:
    path = CORPUS / "mm_column.csv"
    reading = read(path, catalog, unit="mm")
    index = {'F "Interpersonally"': 1, 'H "Overall"': 3}[column]
    read_as_cm = [f.items[index] for f in reading.forms] == (
        [5.2, 6.1, 3.0] if index == 1 else [6.0, 6.3, 4.4]
    )
    assert read_as_cm or any(p.location.column == column for p in reading.problems)


def test_zip_bomb_limit_applies_to_a_real_compressible_workbook(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real, highly compressible workbook (2,000 identical rows) is refused when its unpacked
    size is above the limit, before openpyxl unpacks anything."""
    path = tmp_path / "ors.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ORS"
    sheet.append(ORS_HEADERS)
    for session in range(1, 2001):
        sheet.append(["C-1", session, datetime.datetime(2026, 1, 5), 5.0, 5.0, 5.0, 5.0, 20])
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(entry.file_size for entry in archive.infolist())
    assert unpacked > 5 * path.stat().st_size
    monkeypatch.setattr(tables, "MAX_UNCOMPRESSED", unpacked - 1)
    reading = read(path, catalog)
    assert reading.forms == []
    assert [(str(p.location), p.severity) for p in reading.problems] == [(str(path), "error")]
    assert "would unpack to" in reading.problems[0].message
    monkeypatch.setattr(tables, "MAX_UNCOMPRESSED", unpacked)
    assert len(read(path, catalog).forms) == 2000


def test_too_many_zip_entries_is_refused(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ors.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.title = "ORS"
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        entries = len(archive.infolist())
    monkeypatch.setattr(tables, "MAX_ZIP_ENTRIES", entries - 1)
    (problem,) = read(path, catalog).problems
    assert problem.location == Location(str(path))
    assert f"has {entries} parts inside, more than the {entries - 1}" in problem.message


def test_rows_on_a_hidden_sheet_are_not_dropped_silently(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "entry.xlsx"
    workbook = openpyxl.Workbook()
    ors = workbook.active
    ors.title = "ORS"
    ors.append(ORS_HEADERS)
    ors.append(["C-1", 1, datetime.datetime(2026, 1, 5), 5.0, 5.0, 5.0, 5.0, 20])
    srs = workbook.create_sheet("SRS")
    srs.append(ORS_HEADERS)
    srs.append(["C-1", 1, datetime.datetime(2026, 1, 5), 9.0, 9.0, 9.0, 9.0, 36])
    srs.sheet_state = "hidden"
    workbook.save(path)
    reading = read(path, catalog)
    assert unaccounted(reading, path) == []


def test_an_enormous_integer_cell_is_a_problem_not_a_traceback(
    tmp_path: Path, catalog: Catalog
) -> None:
    path = tmp_path / "ors.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ORS"
    sheet.append(ORS_HEADERS)
    sheet.append(["C-1", 1, datetime.datetime(2026, 1, 5), 123456789, 5.0, 5.0, 5.0, None])
    raw = io.BytesIO()
    workbook.save(raw)
    # openpyxl cannot write such a number itself; another program (or a hand edit) can
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<v>123456789</v>", b"<v>1" + b"0" * 400 + b"</v>")
            target.writestr(entry, data)
    reading = read(path, catalog)
    assert any(p.location.row == 2 for p in reading.errors)


def damaged_object_stream(old: bytes, new: bytes) -> bytes:
    """no_fields.pdf with one same-length edit inside its object stream's dictionary, as a bad
    sector or a broken download leaves it (offsets stay valid)."""
    data = (CORPUS / "no_fields.pdf").read_bytes()
    start = data.index(b"/Type /ObjStm")
    end = data.index(b">>", start)
    assert len(old) == len(new) and old in data[start - 10 : end]
    return data[: start - 10] + data[start - 10 : end].replace(old, new, 1) + data[end:]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"/FlateDecode", b"/FlateDecodX"),  # NotImplementedError: Unsupported filter
        (b"/Type /ObjStm", b"/Typf /ObjStm"),  # KeyError: '/Type'
    ],
)
def test_a_damaged_pdf_is_a_problem_not_a_traceback(
    tmp_path: Path, catalog: Catalog, old: bytes, new: bytes
) -> None:
    path = tmp_path / "damaged.pdf"
    path.write_bytes(damaged_object_stream(old, new))
    reading = read(path, catalog)
    assert [p.location for p in reading.errors] == [Location(str(path))]


# ---------------------------------------------------------------------------------------------
# The command, on the whole corpus folder and on a clean workbook


def fingerprints(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_check_on_the_corpus_folder_reports_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no paperfit.toml of the project's working copy
    before = fingerprints(CORPUS)
    result = CliRunner().invoke(cli, ["check", str(CORPUS)], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert fingerprints(CORPUS) == before
    assert f"files read: {len(EXPECTED)}" in result.output
    for name, expected in EXPECTED.items():
        if any(severity == "error" for _where, _what, severity in expected):
            assert str(CORPUS / name) in result.output, name
    exported = tmp_path / "export.csv"
    result = CliRunner().invoke(
        cli, ["export", str(CORPUS), "-o", str(exported)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert fingerprints(CORPUS) == before
    assert exported.read_text(encoding="utf-8-sig").count("\n") > 1


def write_clean_workbook(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    clients = workbook.active
    clients.title = "Clients"
    for row in (("client_id", "age_group"), ("C-1", "adult"), ("C-2", "adolescent")):
        clients.append(row)
    ors = workbook.create_sheet("ORS")
    ors.append(ORS_HEADERS)
    for client, session, date, items in (
        ("C-1", 1, datetime.datetime(2025, 3, 3), (4.1, 5.0, 3.2, 4.4)),
        ("C-1", 2, datetime.datetime(2025, 3, 10), (5.0, 5.5, 4.0, 5.1)),
        ("C-2", 1, datetime.datetime(2025, 3, 4), (6.0, 6.1, 5.8, 6.2)),
    ):
        ors.append([client, session, date, *items, round(sum(items), 1)])
        ors.cell(ors.max_row, 3).number_format = "yyyy-mm-dd"
    workbook.save(path)
    return path


def test_check_on_a_clean_workbook_exits_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_clean_workbook(tmp_path / "entry.xlsx")
    before = fingerprints(tmp_path)
    result = CliRunner().invoke(cli, ["check", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "forms: 3" in result.output
    assert "problems: 0 errors, 0 warnings" in result.output
    assert fingerprints(tmp_path) == before


def test_check_on_paperfits_own_workbook_used_for_one_form_exits_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "entry.xlsx"
    assert CliRunner().invoke(cli, ["workbook", "-o", str(path)]).exit_code == 0
    workbook = openpyxl.load_workbook(path)  # staff type in one client and one ORS form
    workbook["Clients"]["A2"], workbook["Clients"]["B2"] = "C-1", "adult"
    row = ["C-1", 1, datetime.datetime(2025, 3, 3), 4.1, 5.0, 3.2, 4.4]
    for column, value in enumerate(row, start=1):
        workbook["ORS"].cell(2, column, value)
    workbook.save(path)
    result = CliRunner().invoke(cli, ["check", str(path)], catch_exceptions=False)
    assert "forms: 1" in result.output
    assert result.exit_code == 0, result.output


def test_the_no_client_list_warning_names_a_file_forms_came_from(catalog: Catalog) -> None:
    unreadable, forms_from = CORPUS / "encrypted.xlsx", CORPUS / "mm_column.csv"
    reading = read_inputs([unreadable, forms_from], catalog, ReadOptions(today=TODAY))
    (warning,) = [p for p in reading.problems if NO_CLIENT_LIST in p.message]
    assert warning.location.file != str(unreadable)


# Made from paperfit's own writers: a change to the printed form or the entry workbook changes
# them, and rerunning make_corpus.py brings them up to date.
FROM_PAPERFIT = {"truncated.xlsx": "truncated", "no_fields.pdf": "no_fields_pdf"}


def test_the_corpus_matches_its_script(tmp_path: Path) -> None:
    """make_corpus.py is deterministic, and the committed files are what it writes (the two
    made by paperfit's own writers only need to be deterministic)."""
    script = runpy.run_path(str(CORPUS / "make_corpus.py"))  # runpy writes no __pycache__
    script["build"](tmp_path)
    built, committed = fingerprints(tmp_path), fingerprints(CORPUS)
    assert sorted(built) == sorted(EXPECTED)
    for name, make in FROM_PAPERFIT.items():
        assert hashlib.sha256(script[make]()).hexdigest() == built[name], name
    assert {n: d for n, d in built.items() if n not in FROM_PAPERFIT} == {
        n: d for n, d in committed.items() if n in EXPECTED and n not in FROM_PAPERFIT
    }
