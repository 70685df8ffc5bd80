"""Reading hand-made CSV and Excel tables: encodings, headers, row numbers and bad files."""

import datetime
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from paperfit.forms.errors import InputProblem, PaperfitError
from paperfit.scanner import tables
from paperfit.scanner.tables import normalise_header, read_rows

ALIASES = {"client": "client_id", "Client #": "client_id", "session_number": "session"}
REQUIRED = ("client_id", "session")


def write_xlsx(path: Path, rows: list[list[object]], title: str = "Schedule") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for number, values in enumerate(rows, 1):
        for column, value in enumerate(values, 1):
            if value is not None:
                sheet.cell(number, column, value)
    workbook.save(path)
    return path


def problem(path: Path, **kwargs: object) -> InputProblem:
    with pytest.raises(InputProblem) as caught:
        read_rows(path, ALIASES, REQUIRED, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Client ID", "client_id"),
        ("  Client   ID ", "client_id"),
        ("SESSION #", "session"),
        ("Session no.", "session_no"),
        ("client-id", "client_id"),
        ("Zoë's group", "zoë_s_group"),
        ("#", ""),
        (None, ""),
        (3, "3"),
    ],
)
def test_normalise_header(text: object, expected: str) -> None:
    assert normalise_header(text) == expected


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16", b"")],
)
def test_csv_encodings(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = tmp_path / "s.csv"
    path.write_bytes(prefix + "Client ID,Session,Name\nC1,1,Zoë\nC2,2,José\n".encode(encoding))
    rows = read_rows(path, ALIASES, REQUIRED)
    assert [row.cells for row in rows] == [
        {"client_id": "C1", "session": "1", "name": "Zoë"},
        {"client_id": "C2", "session": "2", "name": "José"},
    ]
    assert rows[0].sheet is None
    assert rows[0].file == str(path)


def test_semicolon_csv_with_odd_headers_and_aliases(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("  Client # ;SESSION NUMBER;Notes, more\nA;3;x, y\n", encoding="utf-8")
    (row,) = read_rows(path, ALIASES, REQUIRED)
    assert row.cells == {"client_id": "A", "session": "3", "notes_more": "x, y"}
    assert row.columns["client_id"] == 'A "Client #"'
    assert str(row.where("session")) == f'{path} › row 2 › column B "SESSION NUMBER"'


def test_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("\n,,\nclient,session\n\nA,1\n , \nB,2\n", encoding="utf-8")
    rows = read_rows(path, ALIASES, REQUIRED)
    assert [(row.number, row.cells["client_id"]) for row in rows] == [(5, "A"), (7, "B")]


def test_short_rows_and_empty_cells_read_as_none(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text('client,session,extra\nA,"  "\n', encoding="utf-8")
    (row,) = read_rows(path, ALIASES, REQUIRED)
    assert row.cells == {"client_id": "A", "session": None, "extra": None}


def test_xlsx_values_sheet_and_row_numbers(tmp_path: Path) -> None:
    when = datetime.datetime(2024, 3, 5, 9, 30)
    path = write_xlsx(
        tmp_path / "s.xlsx",
        [[], ["Client", None, "Session #", "When"], [], ["A", "ignored", 3, when], [7, None, 2.0]],
    )
    rows = read_rows(path, ALIASES, REQUIRED)
    assert [row.number for row in rows] == [4, 5]
    assert rows[0].cells == {"client_id": "A", "session": 3, "when": when}
    assert rows[1].cells == {"client_id": 7, "session": 2.0, "when": None}
    assert str(rows[1].where("when")) == f'{path} › sheet Schedule › row 5 › column D "When"'


def test_xlsx_named_sheet_and_first_visible_sheet(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    hidden = workbook.active
    hidden.title = "Old"
    hidden.sheet_state = "hidden"
    hidden.append(["nothing here"])
    today = workbook.create_sheet("Today")
    today.append(["client", "session"])
    today.append(["T", 1])
    other = workbook.create_sheet("Other")
    other.append(["client", "session"])
    other.append(["O", 1])
    path = tmp_path / "s.xlsm"
    workbook.save(path)
    assert read_rows(path, ALIASES, REQUIRED)[0].cells["client_id"] == "T"
    assert read_rows(path, ALIASES, REQUIRED, sheet=" other ")[0].sheet == "Other"
    error = problem(path, sheet="Monday")
    assert '"Monday"' in error.reason
    assert '"Old", "Today", "Other"' in error.reason


def test_xlsx_formula_without_cached_value_reads_none(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["client", "session"], ["A", "=1+1"]])
    (row,) = read_rows(path, ALIASES, REQUIRED)
    assert row.cells["session"] is None


def test_missing_required_column_names_file_sheet_and_found_columns(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["Client", "Date"], ["A", "2024-01-01"]])
    error = problem(path)
    assert error.location.file == str(path)
    assert error.location.sheet == "Schedule"
    assert error.location.row == 1
    assert "has no column for session" in error.reason
    assert 'A "Client", B "Date"' in error.reason


def test_duplicate_headers_are_named(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("Client,session,client #\nA,1,B\n", encoding="utf-8")
    error = problem(path)
    assert 'A "Client"' in error.reason
    assert 'C "client #"' in error.reason


def test_exact_header_wins_over_alias(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("client,client_id,session,notes,Notes\nx,A,1,n1,n2\n", encoding="utf-8")
    (row,) = read_rows(path, ALIASES, REQUIRED)
    assert row.cells == {"client": "x", "client_id": "A", "session": "1", "notes": "n1"}


def test_blank_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("\n , \n", encoding="utf-8")
    assert "blank" in problem(path).reason


def test_header_only_gives_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("client,session\n", encoding="utf-8")
    assert read_rows(path, ALIASES, REQUIRED) == []


def test_input_is_not_modified(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", [["client", "session"], ["A", 1]])
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_rows(path, ALIASES, REQUIRED)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


# Bad files: each must give an InputProblem whose reason says how to fix it.


def good_xlsx_bytes(tmp_path: Path) -> bytes:
    return write_xlsx(tmp_path / "good.xlsx", [["client", "session"], ["A", 1]]).read_bytes()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)


@pytest.mark.parametrize(
    ("name", "content", "fix"),
    [
        ("empty.xlsx", b"", "Excel Workbook (.xlsx)"),
        ("empty.csv", b"", "CSV UTF-8"),
        ("text.xlsx", b"client,session\nA,1\n", "Excel Workbook (.xlsx)"),
        ("old.xls", OLE, "Excel Workbook (.xlsx)"),
        ("old.xlsx", OLE, "Excel Workbook (.xlsx)"),
        ("locked.xlsx", OLE + "EncryptedPackage".encode("utf-16-le"), "remove the password"),
        ("nul.csv", b"client,session\nA,1\x00\n", "CSV UTF-8"),
        ("garbage.csv", bytes(range(256)) * 4, "CSV UTF-8"),
        ("undefined.csv", b"client,session\n\x81\x8d,1\n", "CSV UTF-8"),
        ("book.csv", b"PK\x03\x04rest", "Rename it"),
        ("old.csv", OLE, "CSV UTF-8"),
        ("table.ods", b"whatever", "(.xlsx)"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: bytes, fix: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    error = problem(path)
    assert fix in error.reason
    assert error.location.file == str(path)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_xlsx(tmp_path: Path, keep: float) -> None:
    data = good_xlsx_bytes(tmp_path)
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: int(len(data) * keep)])
    assert "Excel Workbook (.xlsx)" in problem(path).reason


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert "Excel Workbook (.xlsx)" in problem(path).reason


def test_damaged_sheet_xml(tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(good_xlsx_bytes(tmp_path)))
    path = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            archive.writestr(info, data)
    assert "Excel Workbook (.xlsx)" in problem(path).reason


def test_zip_bomb_is_refused_before_unpacking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tables, "MAX_UNCOMPRESSED", 1024 * 1024)
    source = zipfile.ZipFile(io.BytesIO(good_xlsx_bytes(tmp_path)))
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
        archive.writestr("xl/worksheets/sheet2.xml", bytes(2 * 1024 * 1024))
    assert path.stat().st_size < 50_000
    error = problem(path)
    assert "would unpack to 2 MB" in error.reason
    assert "new workbook" in error.reason


def test_unreadable_path(tmp_path: Path) -> None:
    assert "cannot be read" in problem(tmp_path / "missing.csv").reason
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    assert "cannot be read" in problem(folder).reason


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def only_paperfit_errors(path: Path) -> None:
    try:
        read_rows(path, ALIASES, REQUIRED)
    except PaperfitError as error:
        assert str(error).startswith(str(path))


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_arbitrary_bytes_never_crash(tmp_path_factory: pytest.TempPathFactory, data, suffix):
    path = tmp_path_factory.mktemp("fuzz") / f"input{suffix}"
    path.write_bytes(data)
    only_paperfit_errors(path)


@FUZZ
@given(cut=st.integers(min_value=0), flips=st.lists(st.tuples(st.integers(0), st.integers(0, 255))))
def test_mangled_xlsx_never_crashes(tmp_path_factory: pytest.TempPathFactory, cut, flips):
    folder = tmp_path_factory.mktemp("mangle")
    data = bytearray(good_xlsx_bytes(folder))
    for position, byte in flips:
        data[position % len(data)] = byte
    path = folder / "input.xlsx"
    path.write_bytes(bytes(data[: len(data) - cut % len(data)] if cut else data))
    only_paperfit_errors(path)
