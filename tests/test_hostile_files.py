"""Hostile and careless files and folders (issue 13): outputs never replace inputs or data,
sets of files written together, unique file names, bounded work, exit statuses, messages.

Each case makes its files in tmp_path and runs paperfit as a user would. It records whether
paperfit refused with a located message ("refused") or produced the right result ("handled").
"""

from __future__ import annotations

import errno
import gc
import os
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from paperfit.forms.outputs import EXPORT, REPORT
from paperfit.generator.output import files_together, lock_path, write_atomic
from paperfit.scanner.own_outputs import output_kind
from pypdf import PdfReader, PdfWriter

from paperfit.cli import cli
from tests.conftest import pdf_text

ROOT = Path(__file__).parents[1]
ORS_ROWS = "client_id,session,date,item1,item2,item3,item4\n"
PEAK_MEMORY_KB = 1_500_000  # the bound on scan's peak memory: about 1.5 GB

pytestmark = pytest.mark.hostile


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def ors_csv(path: Path, *rows: str) -> Path:
    """An ORS table (its name says the form) with ROWS, or one clean row."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(row + "\n" for row in rows or ("C-1,1,2026-01-05,5,5,5,5",))
    path.write_text(ORS_ROWS + body, encoding="utf-8")
    return path


def peak_run(folder: Path, *args: str | Path) -> tuple[subprocess.CompletedProcess, int]:
    """Run paperfit ARGS in a fresh process in FOLDER; its result and peak memory in KB (the
    largest of it and its worker processes)."""
    measure = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(done.stdout)\n"
        "sys.stderr.write(done.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(done.returncode)\n"
    )
    command = [sys.executable, "-c", "from paperfit.__main__ import main; main()", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", measure, *command],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    *output, peak = done.stdout.splitlines()
    done.stdout = "\n".join(output)
    return done, int(peak)


def white_png(path: Path, width: int = 850, height: int = 1100) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("L", (width, height), 255).save(path, dpi=(100, 100))
    return path


# ---------------------------------------------------------------------------------------------
# Outputs never replace inputs or data


def test_workbook_again_on_its_default_path_is_refused_naming_replace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record_property
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("workbook").exit_code == 0
    entry = tmp_path / "output" / "entry.xlsx"
    workbook = openpyxl.load_workbook(entry)
    workbook["ORS"].append(["C-1", 1, "2026-01-05", 5, 5, 5, 5])  # a form typed in
    workbook.save(entry)
    typed = entry.read_bytes()
    again = run("workbook")
    assert again.exit_code == 1
    assert "output/entry.xlsx already exists and is an entry workbook" in again.output
    assert "--replace" in again.output
    assert entry.read_bytes() == typed
    assert run("workbook", "--replace").exit_code == 0
    record_property("hostile", "refused")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_onto_its_own_input_is_refused(tmp_path: Path, suffix: str, record_property) -> None:
    source = tmp_path / f"ors{suffix}"
    if suffix == ".csv":
        ors_csv(source)
    else:
        workbook = openpyxl.Workbook()
        workbook.active.title = "ORS"
        workbook.active.append(ORS_ROWS.strip().split(","))
        workbook.active.append(["C-1", 1, "2026-01-05", 5, 5, 5, 5])
        workbook.save(source)
    before = source.read_bytes()
    result = run("export", source, "-o", source)
    assert result.exit_code == 1
    assert f"{source} is one of the files read" in result.output
    assert source.read_bytes() == before
    record_property("hostile", "refused")


def test_report_onto_its_own_input_is_refused(tmp_path: Path, record_property) -> None:
    source = ors_csv(tmp_path / "ors.csv")
    result = run("report", source, "-o", source)
    assert result.exit_code == 1 and "is one of the files read" in result.output
    assert source.read_text(encoding="utf-8").startswith(ORS_ROWS)
    record_property("hostile", "refused")


def test_forms_schedule_onto_the_schedule_is_refused(tmp_path: Path, record_property) -> None:
    schedule = tmp_path / "today.csv"
    schedule.write_text(
        "client_id,date,session,clinician,age_group,format\n"
        "C-1,2026-11-25,2,Sam Lee,adult,individual\n",
        encoding="utf-8",
    )
    before = schedule.read_bytes()
    result = run("forms", "--schedule", schedule, "-o", schedule)
    assert result.exit_code == 1 and "is one of the files read" in result.output
    assert schedule.read_bytes() == before
    record_property("hostile", "refused")


def test_an_output_inside_an_input_folder_is_refused(tmp_path: Path, record_property) -> None:
    data = tmp_path / "data"
    ors_csv(data / "ors.csv")
    for command in (
        ("export", data, "-o", data / "export.csv"),
        ("report", data, "-o", data / "sub" / "report.pdf"),
        ("graphs", data, "-o", data / "graphs"),
    ):
        result = run(*command)
        assert result.exit_code == 1, command
        assert f"is inside {data}, a folder that is read" in result.output
    assert sorted(p.name for p in data.iterdir()) == ["ors.csv"]
    record_property("hostile", "refused")


def test_a_file_paperfit_did_not_make_is_not_replaced_without_replace(
    tmp_path: Path, record_property
) -> None:
    mine = tmp_path / "minutes.pdf"
    mine.write_bytes(b"%PDF-1.4 the practice's own minutes")
    result = run("forms", "-o", mine)
    assert result.exit_code == 1
    assert "already exists and is a file paperfit did not make" in result.output
    assert mine.read_bytes().endswith(b"own minutes")
    forms = tmp_path / "forms.pdf"
    assert run("forms", "-o", forms).exit_code == 0
    assert run("forms", "ors", "-o", forms).exit_code == 0  # its own blank forms: made again
    assert run("forms", "-o", mine, "--replace").exit_code == 0
    record_property("hostile", "refused")


def test_an_export_and_a_report_in_the_input_folder_are_skipped_and_said_once(
    tmp_path: Path, record_property
) -> None:
    """The stale export was read back next time, so a corrected form "conflicted" with it."""
    data = tmp_path / "data"
    source = ors_csv(data / "ors.csv", "C-1,1,2026-01-05,5,5,5,5")
    assert run("export", source, "-o", tmp_path / "export.csv").exit_code == 0
    assert run("export", source, "-o", tmp_path / "export.xlsx").exit_code == 0
    assert run("report", source, "-o", tmp_path / "report.pdf").exit_code == 0
    for name in ("export.csv", "export.xlsx", "report.pdf"):
        (tmp_path / name).rename(data / name)
    assert output_kind(data / "export.csv") == EXPORT
    assert output_kind(data / "export.xlsx") == EXPORT
    assert output_kind(data / "report.pdf") == REPORT
    ors_csv(source, "C-1,1,2026-01-05,6,5,5,5")  # corrected after the export
    result = run("check", data)
    lines = result.output.splitlines()
    assert "problems: 0 errors, 1 warning" in lines  # no client list: no conflict
    assert lines[:3] == [
        "files read: 1",
        "clients: 1 (no client list: all taken as adults)",
        "forms: 1",
    ]
    notes = [line for line in lines if "paperfit's own output files" in line]
    assert len(notes) == 1 and notes[0].startswith("not read: 3 of paperfit's own output files")
    named = run("check", data / "export.csv")  # named on its own, it is read
    assert "files read: 1" in named.output
    record_property("hostile", "handled")


# ---------------------------------------------------------------------------------------------
# Unique, portable names for every client's graph


def test_graph_file_names_are_unique_portable_and_listed(tmp_path: Path, record_property) -> None:
    ids = ["abc", "ABC", "abc-2", "李四", "张三", "client", "caseload", "CON", "nul.txt", "a b"]
    source = ors_csv(tmp_path / "ors.csv", *(f"{c},1,2026-01-05,5,5,5,5" for c in ids))
    out = tmp_path / "graphs"
    result = run("graphs", source, "-o", out)
    assert result.exit_code == 0, result.output
    pdfs = sorted(p for p in out.glob("*.pdf") if p.name != "caseload.pdf")
    assert result.stdout.splitlines()[0].startswith(f"{len(ids)} clients, {len(ids)} pages")
    assert len(pdfs) == len(ids)
    assert len({p.name.casefold() for p in pdfs}) == len(ids)
    reserved = {"con", "prn", "aux", "nul", "caseload", "index"}
    assert not {p.name.split(".")[0].casefold() for p in pdfs} & reserved
    assert all(p.name.isascii() for p in pdfs)
    index = (out / "index.csv").read_text(encoding="utf-8-sig").splitlines()
    assert index[0] == "file,client_id,pages"
    listed = dict(line.rsplit(",", 2)[:2] for line in index[1:])
    assert sorted(listed) == [p.name for p in pdfs]
    assert sorted(listed.values()) == sorted(ids)
    for name, client in listed.items():  # each file is its own client's graph
        if client.isascii():  # (the page's font has no Chinese letters)
            assert f"Progress: {client}" in pdf_text(out / name)[0]
    assert ("abc-2.pdf", "abc-2") in listed.items() and ("client.pdf", "client") in listed.items()
    assert len(PdfReader(out / "caseload.pdf").pages) == len(ids)
    record_property("hostile", "handled")


def test_graphs_made_again_into_their_folder_replace_only_their_own_files(
    tmp_path: Path, record_property
) -> None:
    source = ors_csv(tmp_path / "in" / "ors.csv", "C-1,1,2026-01-05,5,5,5,5")
    out = tmp_path / "graphs"
    assert run("graphs", source, "-o", out, "--png").exit_code == 0
    again = run("graphs", source, "-o", out, "--png")  # its own PDFs, PNGs, index: made again
    assert again.exit_code == 0, again.output
    (out / "index.csv").write_text("our own notes\n", encoding="utf-8")
    refused = run("graphs", source, "-o", out)
    assert refused.exit_code == 1
    assert "index.csv already exists and is a file paperfit did not make" in refused.output
    assert (out / "index.csv").read_text(encoding="utf-8") == "our own notes\n"
    assert run("graphs", source, "-o", out, "--replace").exit_code == 0
    record_property("hostile", "refused")


# ---------------------------------------------------------------------------------------------
# Sets of files written together, under a lock


def test_a_second_run_into_a_locked_folder_is_refused(tmp_path: Path, record_property) -> None:
    source = ors_csv(tmp_path / "in" / "ors.csv")
    out = tmp_path / "graphs"
    out.mkdir()
    lock_path(out).write_text(f"{os.getpid()} \n", encoding="utf-8")  # a living process
    result = run("graphs", source, "-o", out)
    assert result.exit_code == 1
    assert f"Another paperfit run (process {os.getpid()}) is writing to" in result.output
    assert [p.name for p in out.iterdir()] == [".paperfit-lock"]
    lock_path(out).unlink()
    record_property("hostile", "refused")


def test_a_stale_lock_from_an_ended_process_is_taken_over(tmp_path: Path, record_property) -> None:
    source = ors_csv(tmp_path / "in" / "ors.csv")
    out = tmp_path / "graphs"
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    out.mkdir()
    lock_path(out).write_text(f"{ended.pid} \n", encoding="utf-8")
    result = run("graphs", source, "-o", out)
    assert result.exit_code == 0, result.output
    assert (out / "C-1.pdf").exists() and not lock_path(out).exists()
    record_property("hostile", "handled")


def test_an_interrupted_set_of_files_leaves_the_earlier_set_whole(
    tmp_path: Path, record_property
) -> None:
    out = tmp_path / "scan"
    with files_together(out) as files:
        for name in ("measurements.xlsx", "proof.pdf"):
            write_atomic(files.path(name), lambda s, n=name: s.write(f"first {n}".encode()))
    with pytest.raises(KeyboardInterrupt), files_together(out) as files:
        write_atomic(files.path("measurements.xlsx"), lambda s: s.write(b"second"))
        raise KeyboardInterrupt  # Ctrl-C before the proof was written
    assert (out / "measurements.xlsx").read_bytes() == b"first measurements.xlsx"
    assert (out / "proof.pdf").read_bytes() == b"first proof.pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan"]  # no temporary folder left
    record_property("hostile", "handled")


def test_disk_full_in_scan_is_one_message_and_no_zipfile_complaint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record_property
) -> None:
    white_png(tmp_path / "scans" / "page.png")
    real_fdopen = os.fdopen

    class FullDisk:
        def __init__(self, stream):
            self.stream = stream

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.stream.close()

    def fdopen(handle, mode="r", *args, **kwargs):
        stream = real_fdopen(handle, mode, *args, **kwargs)
        return FullDisk(stream) if "w" in mode else stream

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    monkeypatch.setattr(os, "fdopen", fdopen)
    out = tmp_path / "out"
    result = run("scan", tmp_path / "scans", "-o", out)
    gc.collect()
    monkeypatch.undo()
    assert result.exit_code == 1
    assert "Cannot write" in result.output and os.strerror(errno.ENOSPC) in result.output
    assert unraisable == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scans"]  # not even an empty out/
    record_property("hostile", "refused")


# ---------------------------------------------------------------------------------------------
# Bounded work


def test_a_tiny_pdf_with_five_metre_pages_is_refused_page_by_page(
    tmp_path: Path, record_property
) -> None:
    writer = PdfWriter()
    writer.add_blank_page(14_173, 14_173)  # 5 m x 5 m
    writer.add_blank_page(612, 792)  # a letter page: read
    writer.add_blank_page(14_173, 14_173)
    with open(tmp_path / "huge.pdf", "wb") as stream:
        writer.write(stream)
    assert (tmp_path / "huge.pdf").stat().st_size < 2_000
    done, peak = peak_run(tmp_path, "scan", "huge.pdf", "-o", "out")
    assert done.returncode == 0, done.stderr
    assert "huge.pdf › page 1: the page is 500 x 500 cm, larger than the 61 cm" in done.stdout
    assert "huge.pdf › page 3: the page is 500 x 500 cm" in done.stdout
    assert "3 pages read: 0 forms" in done.stdout and "1 blank page left out" in done.stdout
    assert peak < PEAK_MEMORY_KB
    record_property("hostile", "refused")


def test_a_png_of_30000_pixels_square_is_refused_before_decoding(
    tmp_path: Path, record_property
) -> None:
    side = 30_000
    row = b"\x00" + b"\xff" * (side // 8)  # one bit a pixel, white
    packed = zlib.compressobj(9)
    data = b"".join(packed.compress(row) for _ in range(side)) + packed.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body).to_bytes(4, "big")
        return len(body).to_bytes(4, "big") + kind + body + crc

    header = side.to_bytes(4, "big") * 2 + bytes([1, 0, 0, 0, 0])
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "huge.png").write_bytes(png + chunk(b"IEND", b""))
    white_png(tmp_path / "scans" / "page.png")
    done, peak = peak_run(tmp_path, "scan", "scans", "-o", "out")
    assert done.returncode == 0, done.stderr
    assert "huge.png › page 1: the picture is 30,000 x 30,000 pixels, more than the" in done.stdout
    assert peak < PEAK_MEMORY_KB
    record_property("hostile", "refused")


def test_pages_beyond_the_run_limit_are_refused_and_the_rest_read(
    tmp_path: Path, record_property
) -> None:
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(612, 792)
    with open(tmp_path / "three.pdf", "wb") as stream:
        writer.write(stream)
    white_png(tmp_path / "later.png")
    config = tmp_path / "paperfit.toml"
    config.write_text("[limits]\npages_per_run = 2\n", encoding="utf-8")
    result = run(
        "--config", config, "scan", tmp_path / "three.pdf", tmp_path / "later.png", "-o",
        tmp_path / "out",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "three.pdf: pages 3 and after not read: more than 2 pages in one run" in result.output
    assert "later.png: the file not read: more than 2 pages" in result.output
    assert "2 pages read" in result.output
    record_property("hostile", "refused")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("pages_per_run = 0", "key limits.pages_per_run: must be from 1 to 1,000,000, not 0."),
        ("page_points = nan", "key limits.page_points: must be from 100.0 to 14,400.0, not nan."),
        ('cell_chars = "x"', "key limits.cell_chars: must be"),
        ("pixels = 5", "key limits.pixels: is not a known setting here"),
    ],
)
def test_a_bad_limit_in_the_settings_names_its_key(
    tmp_path: Path, line: str, message: str, record_property
) -> None:
    config = tmp_path / "paperfit.toml"
    config.write_text(f"[limits]\n{line}\n", encoding="utf-8")
    result = run("--config", config, "forms", "-o", tmp_path / "f.pdf")
    assert result.exit_code == 1
    assert message in result.output
    record_property("hostile", "refused")


def test_a_report_with_three_excel_maximum_cells_quotes_their_places(
    tmp_path: Path, record_property
) -> None:
    longest = "x" * 32_767  # Excel's most in one cell
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ORS"
    sheet.append(ORS_ROWS.strip().split(","))
    for number in range(1, 6):
        sheet.append([f"C-{number}", 1, "2026-01-05", 5, 5, 5, 5])
    sheet.append(["C-6", 1, "2026-01-05", longest, 5, 5, 5])
    sheet.append(["C-7", 1, "2026-01-05", 5, longest, 5, 5])
    sheet.append(["C-8", 1, "2026-01-05", 5, 5, longest, 5])
    workbook.save(tmp_path / "entry.xlsx")
    result = run("report", tmp_path / "entry.xlsx", "-o", tmp_path / "report.pdf")
    assert result.exit_code == 0, result.output[:2000]
    assert len(result.output) < 5_000  # the terminal is not flooded either
    text = " ".join(pdf_text(tmp_path / "report.pdf"))
    assert text.count("(32,767 characters)") == 3
    for row, column in ((7, "D"), (8, "E"), (9, "F")):
        assert f"row {row} › column {column}" in text
    record_property("hostile", "handled")


# ---------------------------------------------------------------------------------------------
# Exit statuses


@pytest.mark.parametrize("command", ["check", "export", "report", "graphs"])
def test_a_command_on_an_empty_folder_is_not_success(
    tmp_path: Path, command: str, record_property
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    out = tmp_path / ("out.csv" if command == "export" else "out.pdf")
    args = (command, empty) if command == "check" else (command, empty, "-o", out)
    result = run(*args)
    assert result.exit_code == 1
    assert f"No file to read in {empty}" in result.output
    assert not out.exists()
    record_property("hostile", "refused")


def test_an_export_with_no_valid_form_writes_nothing(tmp_path: Path, record_property) -> None:
    source = ors_csv(tmp_path / "ors.csv", "C-1,two,2026-01-05,5,5,5,5")
    result = run("export", source, "-o", tmp_path / "export.csv")
    assert result.exit_code == 1
    assert "No valid form was read from 1 file, so nothing was written" in result.output
    assert not (tmp_path / "export.csv").exists()
    record_property("hostile", "refused")


def test_a_scan_of_only_unreadable_files_fails_and_writes_nothing(
    tmp_path: Path, record_property
) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "a.pdf").write_bytes(b"%PDF-1.4 garbage")
    (scans / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    out = tmp_path / "out"
    result = run("scan", scans, "-o", out)
    assert result.exit_code == 1
    assert "Nothing could be read in" in result.output and "Nothing was written" in result.output
    assert "a.pdf" in result.output and "b.png" in result.output
    assert not out.exists()
    assert run("scan", scans, "-o", out).exit_code == 1  # again: no --replace asked for
    record_property("hostile", "refused")


# ---------------------------------------------------------------------------------------------
# Messages that say what was hit


def test_an_aes_encrypted_pdf_is_not_called_damaged(tmp_path: Path, record_property) -> None:
    import pymupdf

    for name, user in (("open.pdf", ""), ("locked.pdf", "secret")):
        document = pymupdf.open()
        document.new_page()
        document.save(
            tmp_path / name, encryption=pymupdf.PDF_ENCRYPT_AES_256, owner_pw="o", user_pw=user
        )
    result = run("check", tmp_path / "open.pdf", tmp_path / "locked.pdf")
    assert "damaged" not in result.output
    assert "open.pdf: has no paperfit form fields" in result.output
    assert "locked.pdf: is encrypted or protected with a password" in result.output
    record_property("hostile", "refused")


def test_a_workbook_of_10001_parts_names_the_part_limit(tmp_path: Path, record_property) -> None:
    path = tmp_path / "ors.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(10_001):
            archive.writestr(f"xl/part{number}.xml", "")
    result = run("check", path)
    assert result.exit_code == 1
    assert "has 10,001 parts inside, more than the 10,000 paperfit reads safely" in result.output
    assert "0 MB" not in result.output
    record_property("hostile", "refused")


def test_an_instrument_whose_lines_run_off_the_page_names_its_file(
    tmp_path: Path, record_property
) -> None:
    folder = tmp_path / "licensed"
    folder.mkdir()
    text = (ROOT / "forms" / "ors.toml").read_text(encoding="utf-8")
    text = text.replace('id = "ORS"', 'id = "XORS"').replace(
        "normal = [104, 33]", "normal = [200, 33]"
    )
    (folder / "xors.toml").write_text(text, encoding="utf-8")
    config = tmp_path / "paperfit.toml"
    config.write_text('instrument_dir = "licensed"\n', encoding="utf-8")
    result = run("--config", config, "forms", "XORS", "--explain", "none", "-o", tmp_path / "f.pdf")
    assert result.exit_code == 1
    assert "xors.toml › key lines.normal: the last rating line would be printed 299 mm" in (
        result.output
    )
    assert "--explain" not in result.output and "--large-print" not in result.output
    record_property("hostile", "refused")


def test_one_form_scanned_forty_times_still_gives_a_proof(tmp_path: Path, record_property) -> None:
    """Each copy listed every other copy, until the proof's pages overflowed and nothing was
    written."""
    from PIL import Image

    from paperfit.made_up_scans import render_sheet

    image, dpi = render_sheet("letter", 150, "ORS")
    page = Image.fromarray(image)
    page.save(tmp_path / "stack.tif", save_all=True, append_images=[page] * 39, dpi=(dpi, dpi))
    result = run("scan", tmp_path / "stack.tif", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output[-2000:]
    assert "40 pages read: 40 forms" in result.stdout
    assert "stack.tif › page 3 and 36 more pages" in result.stdout
    assert len(PdfReader(tmp_path / "out" / "proof.pdf").pages) >= 10
    record_property("hostile", "handled")


def test_an_output_that_is_an_input_by_another_name_is_refused(
    tmp_path: Path, record_property
) -> None:
    source = ors_csv(tmp_path / "ors.csv")
    (tmp_path / "link.csv").hardlink_to(source)
    result = run("export", source, "-o", tmp_path / "link.csv")
    assert result.exit_code == 1 and "is one of the files read" in result.output
    assert source.read_text(encoding="utf-8").startswith(ORS_ROWS)
    record_property("hostile", "refused")


# ---------------------------------------------------------------------------------------------
# Issue 21: every file a command reads is safe from its outputs; mounts; locks


def model_file(folder: Path) -> Path:
    """A real model.json, as paperfit trajectories writes it, of 150 made-up clients, in
    FOLDER/m."""
    import datetime

    from paperfit.forms.trajectories import fit
    from paperfit.generator.trajectories import model_json

    from paperfit.practices import LEVELLING

    model = fit(LEVELLING.courses(150, seed=3), datetime.date.today(), folds=0)
    assert model.clients == 150
    path = folder / "m" / "model.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(model_json(model))
    return path


def test_report_never_writes_over_the_model_it_reads(tmp_path: Path, record_property) -> None:
    model = model_file(tmp_path)
    before = model.read_bytes()
    source = ors_csv(tmp_path / "in" / "ors.csv")
    result = run("report", source, "--expected", model, "-o", model)
    assert result.exit_code == 1 and "model.json is one of the files read" in result.output
    assert model.read_bytes() == before
    record_property("hostile", "refused")


def test_no_output_is_written_over_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record_property
) -> None:
    source = ors_csv(tmp_path / "in" / "ors.csv")
    config = tmp_path / "settings.toml"
    config.write_text('practice_name = "Riverside"\n', encoding="utf-8")
    over_config = run("--config", config, "export", source, "-o", config, "--replace")
    assert over_config.exit_code == 1 and "settings.toml is one of the files read" in (
        over_config.output
    )
    assert config.read_text(encoding="utf-8") == 'practice_name = "Riverside"\n'
    monkeypatch.chdir(tmp_path)  # ./paperfit.toml, read without --config
    Path("paperfit.toml").write_text('practice_name = "Riverside"\n', encoding="utf-8")
    default = run("handout", "-o", "paperfit.toml", "--replace")
    assert default.exit_code == 1 and "paperfit.toml is one of the files read" in default.output
    record_property("hostile", "refused")


def test_graphs_into_a_mount_point_never_cross_file_systems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, record_property
) -> None:
    """A folder that is a mount point: a rename from its parent fails with EXDEV."""
    source = ors_csv(tmp_path / "in" / "ors.csv")
    mount = tmp_path / "stick"
    mount.mkdir()
    real_replace = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        inside = Path(src).resolve().is_relative_to(mount.resolve())
        if Path(dst).resolve().is_relative_to(mount.resolve()) and not inside:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    result = run("graphs", source, "-o", mount)
    assert result.exit_code == 0, result.output
    assert (mount / "C-1.pdf").exists() and (mount / "caseload.pdf").exists()
    assert sorted(p.name for p in mount.iterdir() if p.name.startswith(".")) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "stick"]  # nothing beside it
    record_property("hostile", "handled")


def test_the_staging_folder_and_the_lock_are_inside_the_output_folder(
    tmp_path: Path, record_property
) -> None:
    out = tmp_path / "out"
    with files_together(out) as files:
        assert files.staging.parent == out and lock_path(out).parent == out
        assert lock_path(out).exists()
        write_atomic(files.path("a.txt"), lambda s: s.write(b"a"))
    assert sorted(p.name for p in out.iterdir()) == ["a.txt"]
    record_property("hostile", "handled")


@pytest.mark.parametrize("pid", ["0", "-1", "99999999999999999999"])
def test_a_lock_naming_no_real_process_is_stale(tmp_path: Path, pid: str, record_property) -> None:
    """os.kill(0, 0) and os.kill(-1, 0) signal whole groups and succeed: the lock was kept
    for ever; a huge number raised OverflowError."""
    source = ors_csv(tmp_path / "in" / "ors.csv")
    out = tmp_path / "graphs"
    out.mkdir()
    lock_path(out).write_text(f"{pid} \n", encoding="utf-8")
    result = run("graphs", source, "-o", out)
    assert result.exit_code == 0, result.output
    assert not lock_path(out).exists()
    record_property("hostile", "handled")


def test_two_runs_finding_the_same_stale_lock_cannot_both_take_it(
    tmp_path: Path, record_property
) -> None:
    """Both read the stale lock before either replaces it: only one may hold the folder."""
    import threading

    from paperfit.generator import output

    out = tmp_path / "out"
    out.mkdir()
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    lock_path(out).write_text(f"{ended.pid} \n", encoding="utf-8")
    both_read = threading.Barrier(2)
    real_holder = output._holder

    def holder(lock: Path) -> tuple[int | None, bytes]:
        found = real_holder(lock)
        if found[0] is None:
            both_read.wait(timeout=5)  # each saw it stale before either took it over
        return found

    held, refused = [], []

    def take() -> None:
        try:
            output._take(lock_path(out), "writing", "")
            held.append(threading.get_ident())
        except Exception as error:  # output._Held: another run holds it
            refused.append(str(error))

    output._holder = holder
    try:
        runs = [threading.Thread(target=take) for _ in range(2)]
        for each in runs:
            each.start()
        for each in runs:
            each.join()
    finally:
        output._holder = real_holder
    assert len(held) == 1 and len(refused) == 1, (held, refused)
    record_property("hostile", "handled")


# ---------------------------------------------------------------------------------------------
# Issue 21: the de-identification key and the settings file


def deidentified_export(folder: Path, out: str, *args: str | Path) -> Result:
    source = ors_csv(folder / "in" / "ors.csv")
    return run(
        "--config",
        folder / "paperfit.toml",
        "export",
        source,
        "--deidentify",
        "-o",
        folder / out,
        *args,
    )


def test_the_key_is_private_from_its_creation_and_stays_so(tmp_path: Path, record_property) -> None:
    """The key was appended to a paperfit.toml of mode 644 (a 600 file was reset to 644)."""
    config = tmp_path / "paperfit.toml"
    config.write_text('practice_name = "Riverside"\n', encoding="utf-8")
    config.chmod(0o644)
    previous = os.umask(0o022)
    try:
        first = deidentified_export(tmp_path, "1.csv")
        second = deidentified_export(tmp_path, "2.csv")
    finally:
        os.umask(previous)
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    key = tmp_path / "paperfit.key"
    assert f"A new de-identification key was kept in {key}" in first.stderr
    assert key.stat().st_mode & 0o777 == 0o600
    assert config.read_text(encoding="utf-8") == 'practice_name = "Riverside"\n'
    assert (tmp_path / "1.csv").read_bytes() == (tmp_path / "2.csv").read_bytes()
    kept = key.read_bytes()
    over = run("--config", config, "handout", "-o", key, "--replace")
    assert over.exit_code == 1 and "paperfit.key is one of the files read" in over.output
    assert key.read_bytes() == kept
    record_property("hostile", "handled")


def test_a_key_other_users_can_read_is_said(tmp_path: Path, record_property) -> None:
    """A paperfit.toml holding the key (earlier versions wrote it there) of mode 644."""
    config = tmp_path / "paperfit.toml"
    config.write_text(f'[deidentify]\nkey = "{"ab" * 32}"\n', encoding="utf-8")
    config.chmod(0o644)
    result = deidentified_export(tmp_path, "1.csv")
    assert result.exit_code == 0, result.output
    assert "holds the de-identification key and other users of this machine can read it" in (
        result.stderr
    )
    assert config.stat().st_mode & 0o777 == 0o644  # said, not changed: it is the user's file
    record_property("hostile", "handled")


def test_two_exports_at_the_same_moment_use_one_key(tmp_path: Path, record_property) -> None:
    """Both found no key and made one each: two [deidentify] tables, or two keys."""
    (tmp_path / "paperfit.toml").write_text('practice_name = "Riverside"\n', encoding="utf-8")
    source = ors_csv(tmp_path / "in" / "ors.csv")
    slow_key = (
        "import secrets, time, sys\n"
        "for name in ('token_bytes', 'token_hex'):\n"
        "    real = getattr(secrets, name)\n"
        "    setattr(secrets, name, lambda n, real=real: (time.sleep(3), real(n))[1])\n"
        "from paperfit.__main__ import main\n"
        "main()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                slow_key,
                "export",
                str(source),
                "--deidentify",
                "-o",
                f"{n}.csv",
            ],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in (1, 2)
    ]
    for each in runs:
        each.wait(timeout=120)
        assert each.returncode == 0, each.stderr.read()
    assert (tmp_path / "1.csv").read_bytes() == (tmp_path / "2.csv").read_bytes()
    assert (tmp_path / "paperfit.toml").read_text(encoding="utf-8").count("[deidentify]") == 0
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    record_property("hostile", "handled")


def test_a_linked_settings_file_stays_a_link(tmp_path: Path, record_property) -> None:
    """The settings file was replaced by a plain file, its target left behind."""
    shared = tmp_path / "shared" / "settings.toml"
    shared.parent.mkdir()
    shared.write_text('practice_name = "Riverside"\n', encoding="utf-8")
    (tmp_path / "paperfit.toml").symlink_to(shared)
    result = deidentified_export(tmp_path, "1.csv")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "paperfit.toml").is_symlink()
    assert shared.read_text(encoding="utf-8") == 'practice_name = "Riverside"\n'
    record_property("hostile", "handled")


def test_a_settings_file_with_a_byte_order_mark_is_read(tmp_path: Path, record_property) -> None:
    """Notepad's UTF-8 files begin with a BOM: "is not valid TOML: Invalid statement"."""
    config = tmp_path / "paperfit.toml"
    config.write_bytes(b'\xef\xbb\xbfpractice_name = "Riverside"\r\npaper = "a4"\r\n')
    result = run("--config", config, "handout", "-o", tmp_path / "handout.pdf")
    assert result.exit_code == 0, result.output
    assert "Riverside" in pdf_text(tmp_path / "handout.pdf")[0]
    config.write_bytes('practice_name = "Riverside"\n'.encode("utf-16"))
    utf16 = run("--config", config, "handout", "-o", tmp_path / "handout.pdf")
    assert utf16.exit_code == 1
    assert "is saved as UTF-16 (Unicode): save it again as UTF-8" in utf16.output
    record_property("hostile", "handled")


def test_a_settings_file_without_end_is_refused(tmp_path: Path, record_property) -> None:
    """--config /dev/zero read 2.7 GB and ended in MemoryError."""
    result = run("--config", "/dev/zero", "handout", "-o", tmp_path / "handout.pdf")
    assert result.exit_code == 1
    assert "/dev/zero: is larger than 1,000,000 bytes" in result.output
    record_property("hostile", "refused")


# ---------------------------------------------------------------------------------------------
# Issue 21: scans that looked blank


def test_a_png_whose_ink_is_only_in_its_alpha_channel_is_read(
    tmp_path: Path, record_property
) -> None:
    """What background-removal tools export: the paper transparent, every pixel's colour
    black; read without the alpha it was one of the "blank pages left out"."""
    import numpy as np
    from PIL import Image

    from paperfit.made_up_scans import render_sheet

    grey, dpi = render_sheet("letter", 150, "ORS")
    rgba = np.zeros((*grey.shape, 4), np.uint8)
    rgba[..., 3] = 255 - grey  # ink opaque, paper transparent
    (tmp_path / "scans").mkdir()
    Image.fromarray(rgba, "RGBA").save(tmp_path / "scans" / "cutout.png", dpi=(dpi, dpi))
    result = run("scan", tmp_path / "scans", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "1 page read: 1 form" in result.stdout and "blank" not in result.stdout
    record_property("hostile", "handled")


def test_an_all_black_page_is_not_left_out_as_blank(tmp_path: Path, record_property) -> None:
    from PIL import Image

    (tmp_path / "scans").mkdir()
    Image.new("L", (850, 1100), 0).save(tmp_path / "scans" / "lid-up.png", dpi=(100, 100))
    white_png(tmp_path / "scans" / "back.png")
    result = run("scan", tmp_path / "scans", "-o", tmp_path / "out")
    assert "lid-up.png › page 1: the page is black or nearly" in result.output
    assert "1 blank page left out" in result.output  # the white one only
    record_property("hostile", "refused")


def test_graphs_for_one_client_leave_the_caseload_and_index_of_all(
    tmp_path: Path, record_property
) -> None:
    """caseload.pdf and index.csv were made again for one client, beside the others' PDFs."""
    ids = ["abc", "ABC", "C-2"]  # abc and ABC: names made among every client
    source = ors_csv(tmp_path / "in" / "ors.csv", *(f"{c},1,2026-01-05,5,5,5,5" for c in ids))
    out = tmp_path / "graphs"
    assert run("graphs", source, "-o", out).exit_code == 0
    index = (out / "index.csv").read_bytes()
    bundle = (out / "caseload.pdf").read_bytes()
    names = sorted(p.name for p in out.iterdir())
    result = run("graphs", source, "-o", out, "--client", "abc")
    assert result.exit_code == 0, result.output
    assert "caseload.pdf and index.csv left as they were" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == names  # abc's file replaced, none added
    assert (out / "index.csv").read_bytes() == index
    assert (out / "caseload.pdf").read_bytes() == bundle
    record_property("hostile", "handled")


def test_graph_files_of_ids_beginning_with_a_dash_are_listed_as_named(
    tmp_path: Path, record_property
) -> None:
    """index.csv listed "-abc.pdf" as "'-abc.pdf" (the spreadsheet guard), not its name."""
    ids = ["-abc", "-1", "--"]
    source = ors_csv(tmp_path / "ors.csv", *(f"{c},1,2026-01-05,5,5,5,5" for c in ids))
    out = tmp_path / "graphs"
    result = run("graphs", source, "-o", out)
    assert result.exit_code == 0, result.output
    rows = (out / "index.csv").read_text(encoding="utf-8-sig").splitlines()[1:]
    files = [row.split(",")[0] for row in rows]
    assert len(files) == 3 and all((out / name).is_file() for name in files), files
    assert not any(name.startswith(("-", "'")) for name in files)
    record_property("hostile", "handled")


def test_a_model_saved_with_a_byte_order_mark_is_read(tmp_path: Path, record_property) -> None:
    """A model.json opened and saved in Notepad: "is not a model file (JSON)"."""
    model = model_file(tmp_path)
    model.write_bytes(b"\xef\xbb\xbf" + model.read_bytes())
    source = ors_csv(tmp_path / "in" / "ors.csv")
    result = run("report", source, "--expected", model, "-o", tmp_path / "report.pdf")
    assert result.exit_code == 0, result.output
    record_property("hostile", "handled")
