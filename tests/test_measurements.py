"""Reading measurement files as practices type them, and every check on what was read."""

from __future__ import annotations

import datetime
import hashlib
from pathlib import Path

import openpyxl
import pytest
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Reading
from paperfit.generator.workbook import form_headers
from paperfit.scanner.measurements import ReadOptions, read_inputs

TODAY = datetime.date(2026, 11, 25)
ORS_HEADER = list(form_headers(Catalog.load().get("ORS"))[:8])  # up to total


def d(day: int, month: int = 1) -> datetime.date:
    return datetime.date(2026, month, day)


def make_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A workbook with one sheet per entry of SHEETS (header row first)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def read(*paths: Path, catalog: Catalog, **options) -> Reading:
    return read_inputs(list(paths), catalog, ReadOptions(today=TODAY, **options))


def messages(reading: Reading) -> list[str]:
    return [str(problem) for problem in reading.problems]


def test_an_entry_workbook_reads_clients_and_forms(tmp_path: Path, catalog: Catalog) -> None:
    path = make_workbook(
        tmp_path / "entry.xlsx",
        {
            "Clients": [
                ["client_id", "age_group", "clinician", "start_date", "status", "name"],
                ["C-1", "adult", "Dr. Rivera", d(5), "open", "Zoë"],
                ["K-2", "child", "Sam Lee", d(6), "open", None],
            ],
            "ORS": [
                ORS_HEADER,
                ["C-1", 1, d(5), 4.5, 5, 5.5, 4, 19],
                ["C-1", 2, d(12), 6, 6, 6, 6, None],
            ],
            "CORS": [
                ["client_id", "session", "date", "Me", "Family", "School", "Everything"],
                ["K-2", 1, d(6), 7, 7, 7, 7],
            ],
        },
    )
    reading = read(path, catalog=catalog)
    assert messages(reading) == []
    assert reading.clients["C-1"].name == "Zoë"
    assert reading.clients["K-2"].age_group == "child"
    assert [(f.client_id, f.instrument, f.session, f.total) for f in reading.forms] == [
        ("C-1", "ORS", 1, 19.0),
        ("C-1", "ORS", 2, 24.0),
        ("K-2", "CORS", 1, 28.0),
    ]
    assert str(reading.forms[0].source) == f"{path} › sheet ORS › row 2"


def test_column_names_practices_use(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "srs export.csv"
    path.write_text(
        "Client ID;Sess;Date;Item1;ITEM 2;item_3;Overall;SRS Total;Comments\n"
        "C-1;1;2026-01-05;9,5;9,5;9;9,5 cm;37,5;fine\n",
        encoding="utf-8-sig",
    )
    reading = read(path, catalog=catalog)
    form = reading.forms[0]
    assert (form.instrument, form.items, form.total, form.notes) == (
        "SRS",
        (9.5, 9.5, 9.0, 9.5),
        37.5,
        "fine",
    )
    assert (
        "no client list was given (or it is empty), so every client is taken as an adult"
        in (messages(reading)[0])
    )


def test_an_instrument_column_names_the_form_of_each_row(tmp_path, catalog) -> None:
    path = tmp_path / "all.csv"
    path.write_text(
        "client,session,date,instrument,item1,item2,item3,item4\n"
        "C-1,1,2026-01-05,ors,5,5,5,5\nC-1,1,2026-01-05,SRS,9,9,9,9\n"
        "C-1,1,2026-01-05,PHQ9,1,1,1,1\n",
        encoding="utf-8",
    )
    reading = read(path, catalog=catalog)
    assert [f.instrument for f in reading.forms] == ["ORS", "SRS"]
    assert any(
        "row 4 › column D" in m and "'PHQ9' is not a known form" in m for m in messages(reading)
    )


def test_a_sheet_that_does_not_say_its_form_is_reported(tmp_path, catalog) -> None:
    path = make_workbook(
        tmp_path / "data.xlsx",
        {
            "Sheet1": [
                ["client", "session", "item1", "item2", "item3", "item4"],
                ["C-1", 1, 5, 5, 5, 5],
            ]
        },
    )
    reading = read(path, catalog=catalog)
    assert reading.forms == []
    assert f"{path} › sheet Sheet1: does not say which form it holds" in messages(reading)[0]


def test_millimetres_are_named_and_read_only_with_unit_mm(tmp_path, catalog) -> None:
    path = tmp_path / "ors.csv"
    path.write_text(
        "client,session,date,item1,item2,item3,item4\nC-1,1,2026-01-05,64,72,55,50\n"
        "C-1,2,2026-01-12,60,61,62,63\n",
        encoding="utf-8",
    )
    cm = read(path, catalog=catalog)
    assert [f.items for f in cm.forms] == [(None,) * 4] * 2
    column_messages = [m for m in messages(cm) if "look like millimetres" in m]
    assert len(column_messages) == 4
    assert (
        f'{path} › column D "item1": every value in this column is above 10' in (column_messages[0])
    )
    mm = read(path, catalog=catalog, unit="mm")
    assert mm.forms[0].items == pytest.approx((6.4, 7.2, 5.5, 5.0))


def test_every_problem_is_located_and_valid_rows_carry_on(tmp_path, catalog) -> None:
    path = make_workbook(
        tmp_path / "entry.xlsx",
        {
            "Clients": [["client_id", "age_group"], ["C-1", "adult"], ["C-2", "teen"]],
            "ORS": [
                ORS_HEADER,
                ["C-1", 1, d(5), 5, 5, 5, 5, 20],
                ["C-1", 2, d(12), 5, "abc", 5, 11, None],
                ["C-1", 3, d(19), 5, 5, 5, 5, 30],
                ["C-9", 1, d(5), 5, 5, 5, 5, None],
                [None, 4, d(26), 5, 5, 5, 5, None],
                ["C-1", "two", d(26), 5, 5, 5, 5, None],
                ["C-1", 5, "03/04/2026", 5, 5, 5, 5, None],
                ["C-1", 6, d(1, 12), 5, 5, 5, 5, None],
            ],
        },
    )
    found = messages(read(path, catalog=catalog))
    ors = f"{path} › sheet ORS"
    expected = [
        f"{path} › sheet Clients › row 3 › column B \"age_group\": 'teen' is not an age group",
        f"{ors} › row 3 › column E \"Interpersonally\": 'abc' is not a number",
        f'{ors} › row 3 › column G "Overall": 11 is outside the line',
        f"{ors} › row 3: warning: item 2, 4 missing: the form is incomplete",
        f'{ors} › row 4 › column H "total": warning: the total typed (30) does not match',
        f"{ors} › row 5: client C-9 is not in the client list: this form was left out",
        f'{ors} › row 6 › column A "client_id": this row has no client ID',
        f"{ors} › row 7 › column B \"session\": 'two' is not a session number",
        f"{ors} › row 8 › column C \"date\": '03/04/2026' could be read two ways",
        f"{ors} › row 9: warning: the date 2026-12-01 is in the future",
    ]
    for start in expected:
        assert any(message.startswith(start) for message in found), start
    assert len(found) == len(expected)


def test_duplicates_across_files_merge_and_conflicts_name_both(tmp_path, catalog) -> None:
    rows = [ORS_HEADER, ["C-1", 1, d(5), 5, 5, 5, 5], ["C-1", 2, d(12), 6, 6, 6, 6]]
    first = make_workbook(tmp_path / "a.xlsx", {"ORS": rows})
    second = make_workbook(tmp_path / "b.xlsx", {"ORS": [*rows[:2], ["C-1", 2, d(12), 7, 6, 6, 6]]})
    reading = read(first, second, catalog=catalog)
    assert reading.merged_duplicates == 1
    # copies of equal rank that disagree: the most recent is used, and both are named
    assert [(f.session, f.items[0]) for f in reading.forms] == [(1, 5), (2, 7)]
    conflict = [m for m in messages(reading) if "more than once with different values" in m]
    assert len(conflict) == 1
    assert f"{first} › sheet ORS › row 3 and {second} › sheet ORS › row 3" in conflict[0]
    assert (
        f"item 1: 7 ({second} › sheet ORS › row 3, the most recent, is used) and 6" in conflict[0]
    )
    assert "1 identical copy merged" in " ".join(reading.summary())


def test_a_copy_that_does_not_say_who_filled_it_in_is_still_a_copy(tmp_path, catalog) -> None:
    """A scanned copy cannot read the self/other boxes: an empty filled_by matches either; two
    different answers do not."""
    header = [*ORS_HEADER, "filled_by"]
    typed = make_workbook(
        tmp_path / "typed.xlsx", {"ORS": [header, ["C-1", 1, d(5), 5, 5, 5, 5, None, "self"]]}
    )
    scanned = make_workbook(tmp_path / "scan.xlsx", {"ORS": [header, ["C-1", 1, d(5), 5, 5, 5, 5]]})
    other = make_workbook(
        tmp_path / "other.xlsx", {"ORS": [header, ["C-1", 1, d(5), 5, 5, 5, 5, None, "other"]]}
    )
    reading = read(typed, scanned, catalog=catalog)
    assert reading.merged_duplicates == 1 and [f.filled_by for f in reading.forms] == ["self"]
    clash = read(typed, other, catalog=catalog)
    assert [f.filled_by for f in clash.forms] == ["other"]  # the most recent of equal rank
    assert any("different values" in m and "who filled it in" in m for m in messages(clash))


def test_a_typed_form_and_its_scanned_copy_with_an_item_to_review_give_the_typed_total(
    tmp_path, catalog
) -> None:
    """The scan left item 2 to review (empty, its status not ok): the typed form is kept whole,
    where both copies used to be left out."""
    statuses = ["item1_status", "item2_status", "item3_status", "item4_status", "page_status"]
    typed = make_workbook(
        tmp_path / "entry.xlsx", {"ORS": [ORS_HEADER, ["C-1", 1, d(5), 5, 6, 7, 8]]}
    )
    scan = make_workbook(
        tmp_path / "measurements.xlsx",
        {
            "ORS": [
                [*ORS_HEADER, "notes", *statuses],
                ["C-1", 1, d(5), 5.1, None, 7, 8, None, None, "ok", "no mark", "ok", "ok", "ok"],
            ]
        },
    )
    reading = read(typed, scan, catalog=catalog)
    assert [form.total for form in reading.forms] == [26]
    assert not reading.errors
    assert any(
        "kept once: a typed value is used before a scanned one" in m for m in messages(reading)
    )


def test_sessions_that_go_back_in_time_are_named(tmp_path, catalog) -> None:
    path = make_workbook(
        tmp_path / "e.xlsx",
        {"ORS": [ORS_HEADER, ["C-1", 1, d(12), 5, 5, 5, 5], ["C-1", 2, d(5), 5, 5, 5, 5]]},
    )
    found = messages(read(path, catalog=catalog))
    assert any(
        "row 3: warning: session 2 is dated 2026-01-05, before session 1" in m for m in found
    )


def test_folders_are_read_recursively_and_strangers_are_named(tmp_path, catalog) -> None:
    (tmp_path / "2026" / "jan").mkdir(parents=True)
    (tmp_path / "2026" / "jan" / "srs.csv").write_text(
        "client,session,date,item1,item2,item3,item4\nC-1,1,2026-01-05,9,9,9,9\n"
    )
    (tmp_path / "notes.txt").write_text("not data")
    (tmp_path / "~$entry.xlsx").write_bytes(b"lock")
    reading = read(tmp_path, catalog=catalog)
    assert [f.instrument for f in reading.forms] == ["SRS"]
    assert reading.files == [str(tmp_path / "2026" / "jan" / "srs.csv")]
    assert any(
        m.startswith(f"{tmp_path / 'notes.txt'}: warning: is not a spreadsheet")
        for m in messages(reading)
    )


def test_inputs_are_never_modified(tmp_path, catalog) -> None:
    path = make_workbook(tmp_path / "e.xlsx", {"ORS": [ORS_HEADER, ["C-1", "x", d(5), 5]]})
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    read(path, catalog=catalog)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
