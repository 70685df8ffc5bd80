"""The practice's record through the command line: import, correct, history, backup, export
--all, and the reading commands with no INPUT, on SQLite and PostgreSQL (--db)."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result

from paperfit.cli import cli
from tests.conftest import pdf_text
from tests.test_fillable import fill_with_pypdf

pytest_plugins = ["tests.store_servers"]  # store_url: SQLite, then PostgreSQL

ORS = "client_id,session,date,Individually,Interpersonally,Socially,Overall"
CLIENTS = "client_id,age_group,clinician,name"
SCAN = (
    "source,page,instrument,client_id,session,date,item1,item2,item3,item4,"
    "item1_status,item2_status,item3_status,item4_status,total,page_status"
)


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def typed_file(folder: Path, overall: str = "8") -> Path:
    return write(
        folder / "ors.csv",
        ORS,
        "C-1,1,2026-03-02,5,6,7,8",
        f"C-1,2,2026-03-09,6,6,7,{overall}",
        "C-2,1,2026-03-03,3,3,3,3",
    )


def scanned_file(folder: Path) -> Path:
    """The scan of C-1's first form: item 2 left to review (empty), the others read ok."""
    return write(
        folder / "measurements.csv",
        SCAN,
        "scan.pdf,1,ORS,C-1,1,2026-03-02,5.1,,7,8,ok,more than one mark,ok,ok,,ok",
    )


def test_import_keeps_each_form_once_and_a_changed_file_adds_versions(
    store_url: str, tmp_path: Path
) -> None:
    typed = typed_file(tmp_path)
    before = digest(typed)
    first = run("import", typed, "--by", "Ann", "--db", store_url)
    assert first.exit_code == 0, first.output
    assert f"{typed}: 3 new forms, 0 changed, 0 unchanged; 2 new clients" in first.output
    again = run("import", typed, "--db", store_url)
    assert f"{typed}: 0 new forms, 0 changed, 3 unchanged" in again.output
    typed_file(tmp_path, overall="9.5")
    changed = run("import", typed, "--by", "Bo", "--db", store_url)
    assert f"{typed}: 0 new forms, 1 changed, 2 unchanged" in changed.output
    assert "changed: client C-1 ORS session 2: item 4 8 → 9.5" in changed.output
    assert digest(typed) != before  # (the test changed it) and import never writes it:
    assert typed.read_text(encoding="utf-8").count("\n") == 4
    history = run("history", "--client", "C-1", "--instrument", "ors", "--db", store_url)
    lines = [line for line in history.output.splitlines() if "session 2 item 4" in line]
    assert len(lines) == 2 and "by Ann" in lines[0] and "9.5" in lines[1] and "by Bo" in lines[1]


def test_a_typed_form_and_its_scan_with_an_item_to_review_give_the_typed_total(
    store_url: str, tmp_path: Path
) -> None:
    typed, scanned = typed_file(tmp_path), scanned_file(tmp_path)
    result = run("import", typed, scanned, "--db", store_url)
    assert f"{scanned}: 0 new forms, 0 changed, 0 unchanged, 1 new copy of known forms" in (
        result.output
    )
    for source in ([], [typed, scanned]):  # the record, then the files themselves
        out = tmp_path / f"export-{len(source)}.csv"
        exported = run("export", *source, "--db", store_url, "-o", out)
        assert exported.exit_code == 0, exported.output
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        first = [r for r in rows if (r["client_id"], r["session"]) == ("C-1", "1")]
        assert [float(r["total"]) for r in first] == [26.0], source


def test_correct_withdraw_history_and_the_whole_record(store_url: str, tmp_path: Path) -> None:
    run("import", typed_file(tmp_path), "--by", "Ann", "--db", store_url)
    corrected = run(
        "correct", "--client", "C-1", "--instrument", "ORS", "--session", "1", "--item", "2",
        "--value", "6.4", "--by", "Cy", "--reason", "measured again", "--db", store_url,
    )  # fmt: skip
    assert corrected.exit_code == 0 and "item 2 is now 6.4" in corrected.output
    withdrawn = run(
        "correct", "--client", "C-2", "--instrument", "ORS", "--session", "1", "--withdraw",
        "--by", "Cy", "--reason", "another client's form", "--db", store_url,
    )  # fmt: skip
    assert withdrawn.exit_code == 0, withdrawn.output
    table = run("history", "--client", "C-1", "--csv", "--db", store_url)
    rows = list(csv.DictReader(io.StringIO(table.output)))
    item2 = [r for r in rows if r["session"] == "1" and r["value"] == "item 2"]
    assert [(r["shown"], r["rank"], r["by"], r["why"]) for r in item2] == [
        ("6", "typed", "Ann", f"imported from {tmp_path / 'ors.csv'}"),
        ("6.4", "correction", "Cy", "measured again"),
    ]
    check = run("check", "--db", store_url)
    assert "ORS: 2 sessions from 1 client" in check.output  # C-2's only form was withdrawn
    out = tmp_path / "record.xlsx"
    assert run("export", "--all", "-o", out, "--db", store_url).exit_code == 0
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["Forms", "Clients", "Appointments", "Sources"]
    forms = list(workbook["Forms"].iter_rows(values_only=True))
    header = forms[0]
    whys = [row[header.index("why")] for row in forms[1:]]
    assert "measured again" in whys and "another client's form" in whys and len(forms) == 6
    refused = run(
        "correct", "--client", "C-1", "--instrument", "ORS", "--session", "9", "--item", "1",
        "--value", "1", "--reason", "x", "--db", store_url,
    )  # fmt: skip
    assert refused.exit_code == 1 and "not in the record" in refused.output


def test_check_lists_a_conflict_and_says_when_there_is_no_record(tmp_path: Path) -> None:
    db = tmp_path / "paperfit.db"
    none = run("check", "--db", db)
    assert none.exit_code == 2 and "There is no practice record" in none.output
    assert not db.exists()
    run("import", typed_file(tmp_path), "--db", db)
    other = write(tmp_path / "old.csv", ORS, "C-2,1,2026-03-03,3,3,3,4")
    run("import", other, "--db", db)
    check = run("check", "--db", db)
    assert check.exit_code == 1
    assert "ORS session 1: copies disagree on item 4: 4" in check.output
    assert "old.csv › row 2, the most recent, is used) and 3" in check.output


def test_a_deidentified_export_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the key of de-identified codes is made in the folder run in
    typed = typed_file(tmp_path)
    pooled = tmp_path / "pooled.csv"
    assert run("export", typed, "--deidentify", "-o", pooled).exit_code == 0
    refused = run("import", pooled, "--db", tmp_path / "p.db")
    assert refused.exit_code == 1 and "belongs to pooling only" in refused.output


def test_backup_copies_the_record(tmp_path: Path) -> None:
    db = tmp_path / "paperfit.db"
    run("import", typed_file(tmp_path), "--db", db)
    copy = tmp_path / "backup.db"
    assert run("backup", copy, "--db", db).exit_code == 0
    assert "forms: 3" in run("check", "--db", copy).output
    assert run("backup", copy, "--db", db).exit_code != 0  # never written over silently


def test_a_short_schedule_takes_the_rest_from_the_record(tmp_path: Path) -> None:
    db = tmp_path / "paperfit.db"
    clients = write(tmp_path / "clients.csv", CLIENTS, "C-1,child,Dr Rivera,Sam")
    run("import", clients, typed_file(tmp_path), "--db", db)
    schedule = write(tmp_path / "today.csv", "client_id,date,time", "C-1,2026-03-16,09:30")
    kept = run("import", "--schedule", schedule, "--db", db)
    assert "1 appointment kept" in kept.output, kept.output
    out = tmp_path / "today.pdf"
    printed = run("forms", "--schedule", schedule, "--db", db, "-o", out)
    assert printed.exit_code == 0, printed.output
    first = pdf_text(out)[0]
    assert "Child Outcome Rating Scale (CORS)" in first  # a child's forms, from the record
    assert "Name: Sam" in first and "Clinician: Dr Rivera" in first
    assert "Session #: 3" in first  # the next session after sessions 1 and 2
    graphs = tmp_path / "graphs"
    day = run("graphs", "--schedule", schedule, "--expected", "none", "--db", db, "-o", graphs)
    assert day.exit_code == 0, day.output
    assert "1 appointments" in day.output and (graphs / "day-2026-03-16.pdf").exists()


def test_the_record_named_in_paperfit_toml_lives_beside_it(tmp_path: Path) -> None:
    (tmp_path / "practice").mkdir()
    settings = write(tmp_path / "practice" / "paperfit.toml", "[store]", 'url = "records/p.db"')
    imported = run("--config", settings, "import", typed_file(tmp_path))
    assert imported.exit_code == 0, imported.output
    assert (tmp_path / "practice" / "records" / "p.db").exists()
    assert "forms: 3" in run("--config", settings, "check").output


def test_a_graph_from_the_record_keeps_the_typed_session_and_names_a_conflict(
    tmp_path: Path,
) -> None:
    db = tmp_path / "paperfit.db"
    other = write(tmp_path / "old.csv", ORS, "C-1,2,2026-03-09,6,6,7,9")
    run("import", typed_file(tmp_path), scanned_file(tmp_path), other, "--db", db)
    out = tmp_path / "graphs"
    drawn = run("graphs", "--client", "C-1", "--expected", "none", "--db", db, "-o", out)
    assert drawn.exit_code == 0, drawn.output
    text = " ".join(pdf_text(out / "C-1.pdf"))
    assert "26.0" in text and "28.0" in text  # session 1 typed; session 2 the most recent copy
    assert "Copies of one form disagree, ORS session 2, item 4: 9 / 8" in text


def test_trajectories_and_the_report_read_the_record(tmp_path: Path) -> None:
    db = tmp_path / "paperfit.db"
    write(tmp_path / "old.csv", ORS, "C-2,1,2026-03-03,3,3,3,4")
    run("import", typed_file(tmp_path), tmp_path / "old.csv", "--db", db)
    fitted = run("trajectories", "--db", db, "-o", tmp_path / "t", "--min-clients", "100")
    # two clients from the record: too few for a curve, which it says (exit 1), files written
    assert fitted.exit_code == 1 and "No expected course was fitted" in fitted.output
    assert (tmp_path / "t" / "model.json").exists()
    out = tmp_path / "report.pdf"
    reported = run("report", "--db", db, "-o", out, "--expected", "none")
    assert reported.exit_code == 0, reported.output
    text = " ".join(pdf_text(out))
    assert "copies disagree on item 4" in text  # the open conflict, with both sources


def test_a_file_that_cannot_be_read_is_named_and_not_marked_imported(tmp_path: Path) -> None:
    db = tmp_path / "paperfit.db"
    bad = tmp_path / "ors.csv"
    bad.write_bytes(bytes(range(256)) * 4)
    for _ in range(2):  # named again the second time: it was not taken as imported
        result = run("import", bad, "--db", db)
        assert result.exit_code == 1 and str(bad) in result.output
        assert "0 new forms" in result.output and "Error:" in result.output


def test_a_folder_is_imported_as_its_files_and_paperfit_outputs_in_it_are_not(
    store_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "practice"
    (folder / "march").mkdir(parents=True)
    typed = typed_file(folder / "march")
    clients = write(folder / "clients.csv", CLIENTS, "C-1,child,Dr Rivera,Sam")
    write(folder / "notes.txt", "not data")
    exported = folder / "export.csv"
    assert run("export", typed, "-o", exported).exit_code == 0  # would be read back as data
    first = run("import", folder, "--db", store_url)
    assert first.exit_code == 0, first.output
    assert f"{clients}: 0 new forms, 0 changed, 0 unchanged; 1 new client" in first.output
    assert f"{typed}: 3 new forms, 0 changed, 0 unchanged; 1 new client" in first.output
    assert "is not a spreadsheet, CSV or PDF: skipped" in first.output
    assert f"not read: 1 of paperfit's own output files found in the folders ({exported})" in (
        first.output
    )
    assert str(exported) + ":" not in first.output.replace(f"({exported})", "")
    again = run("import", folder, "--db", store_url)
    assert f"{typed}: 0 new forms, 0 changed, 3 unchanged" in again.output
    assert "forms: 3" in run("check", "--db", store_url).output
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run("import", empty, "--db", store_url)
    assert nothing.exit_code == 1 and f"No file to import in {empty}" in nothing.output


def filled_pdf(folder: Path) -> Path:
    """Fillable ORS and SRS for C-7's session 2 (header pre-filled), typed in with pypdf;
    ORS item 2 typed in millimetres ("64 mm")."""
    blank = folder / "blank.pdf"
    printed = run(
        "forms", "ors", "srs", "--for-client", "C-7", "--session", "2", "--date", "2026-03-09",
        "--fillable", "--explain", "none", "-o", blank,
    )  # fmt: skip
    assert printed.exit_code == 0, printed.output
    typed = {"s1_ORS_v1_item1": "6.4", "s1_ORS_v1_item2": "64 mm", "s1_ORS_v1_item3": "5"}
    typed |= {"s1_ORS_v1_item4": "7", "s1_ORS_v1_filled_by": "Self"}
    typed |= {f"s2_SRS_v1_item{n}": value for n, value in enumerate(["9", "9", "8.5", "9.5"], 1)}
    return fill_with_pypdf(blank, folder / "filled.pdf", typed)


def test_a_filled_pdf_is_imported_once_with_the_pdf_as_its_source(
    store_url: str, tmp_path: Path
) -> None:
    filled = filled_pdf(tmp_path)
    before = digest(filled)
    first = run("import", filled, "--by", "Ann", "--db", store_url)
    assert first.exit_code == 0, first.output
    assert f"{filled}: 2 new forms, 0 changed, 0 unchanged; 1 new client" in first.output
    again = run("import", filled, "--by", "Bo", "--db", store_url)
    assert f"{filled}: 0 new forms, 0 changed, 2 unchanged" in again.output
    assert digest(filled) == before
    table = run("history", "--client", "C-7", "--csv", "--db", store_url)
    rows = list(csv.DictReader(io.StringIO(table.output)))
    items = [(r["instrument"], r["value"], r["shown"]) for r in rows if r["rank"]]
    assert items == [
        ("ORS", "item 1", "6.4"), ("ORS", "item 2", "6.4"), ("ORS", "item 3", "5"),
        ("ORS", "item 4", "7"), ("SRS", "item 1", "9"), ("SRS", "item 2", "9"),
        ("SRS", "item 3", "8.5"), ("SRS", "item 4", "9.5"),
    ]  # fmt: skip
    pages = {r["instrument"]: r["source"] for r in rows}
    assert pages == {"ORS": f"{filled} › sheet page 1", "SRS": f"{filled} › sheet page 2"}
    assert {(r["rank"], r["by"]) for r in rows if r["rank"]} == {("typed", "Ann")}
    out = tmp_path / "export.csv"
    assert run("export", "--db", store_url, "-o", out).exit_code == 0
    exported = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    totals = {(r["instrument"], r["filled_by"]): r["total"] for r in exported}
    assert totals == {("ORS", "Self"): "24.8", ("SRS", ""): "36.0"}
    assert raw_mm(store_url, tmp_path) == {
        ("C-7", "ORS", 2, "filled.pdf"): (None, 64.0, None, None),  # "64 mm" in its field
        ("C-7", "SRS", 2, "filled.pdf"): (None, None, None, None),
    }


def raw_mm(store_url: str, folder: Path) -> dict[tuple[str, str, int, str], tuple[object, ...]]:
    """Each current copy's raw millimetres, by client, instrument, session and the name of
    the file it came from, read from the whole record (export --all)."""
    out = folder / "record.xlsx"
    assert run("export", "--all", "-o", out, "--replace", "--db", store_url).exit_code == 0
    rows = list(openpyxl.load_workbook(out, read_only=True)["Forms"].iter_rows(values_only=True))
    at = {name: rows[0].index(name) for name in rows[0]}
    return {
        (*row[: at["id"]], Path(row[at["origin"]]).name): tuple(
            row[at[f"mm{n}"]] for n in range(1, 5)
        )
        for row in rows[1:]
        if row[at["current"]]
    }


def test_the_raw_millimetres_are_kept_where_the_values_were_measured_in_mm(
    store_url: str, tmp_path: Path
) -> None:
    in_mm = write(tmp_path / "mm.csv", ORS, "C-3,1,2026-03-02,64,55.5,100,12", "C-3,2,,6 cm,,70,80")
    imported = run("import", in_mm, "--unit", "mm", "--db", store_url)
    assert "2 new forms" in imported.output, imported.output
    run("import", typed_file(tmp_path), scanned_file(tmp_path), "--db", store_url)
    assert raw_mm(store_url, tmp_path) == {
        ("C-3", "ORS", 1, "mm.csv"): (64.0, 55.5, 100.0, 12.0),
        ("C-3", "ORS", 2, "mm.csv"): (None, None, 70.0, 80.0),  # "6 cm" says its unit
        ("C-1", "ORS", 1, "ors.csv"): (None, None, None, None),  # typed in cm
        ("C-1", "ORS", 2, "ors.csv"): (None, None, None, None),
        ("C-2", "ORS", 1, "ors.csv"): (None, None, None, None),
        # the scan's value is a fraction of the line between its end ticks, not a length
        ("C-1", "ORS", 1, "measurements.csv"): (None, None, None, None),
    }
    exported = tmp_path / "export.csv"
    assert run("export", "--db", store_url, "-o", exported).exit_code == 0
    totals = {
        (r["client_id"], r["session"]): r["total"]
        for r in csv.DictReader(io.StringIO(exported.read_text(encoding="utf-8-sig")))
    }
    assert totals["C-3", "1"] == "23.1"  # the items themselves stay in centimetres
