"""Benchmark: read, check and score a 100,000-row ORS entry sheet; compare with the floor.

The floor, measured in the same run on the same file: openpyxl's read-only iteration of every
row of every sheet (load_workbook(read_only=True, data_only=True), iter_rows(values_only=True)),
which any reader of the file has to pay. paperfit's figure is the whole job: read_inputs (read,
check every value, merge copies, check dates and order) then forms.scoring.score. Each is the
best of RUNS runs. The target is paperfit time / floor time <= 2.0.

openpyxl's write-only mode (like some other scripts) saves no <dimension> element, so every
read-only open of the workbook parses each whole sheet just to find its size. Excel and
LibreOffice save the element; the same file with it added is timed too, for comparison.

Run: .venv/bin/python bench/read_workbook.py [--profile]
(--profile, or a ratio above the target, prints a cProfile of one paperfit run.)
"""

from __future__ import annotations

import cProfile
import datetime
import io
import pstats
import random
import re
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.cell import WriteOnlyCell
from paperfit.forms.instrument import Catalog
from paperfit.forms.scoring import ScoringSettings, Thresholds, score
from paperfit.generator.workbook import form_headers
from paperfit.scanner.measurements import ReadOptions, read_inputs

ROWS = 100_000
CLIENTS = 2_000
RUNS = 3
TARGET = 2.0
ORS_HEADERS = form_headers(Catalog.load().get("ORS"))
AGE_GROUPS = ("adult", "adolescent", "child")
FIRST_DAY = datetime.date(2024, 1, 1)
TODAY = datetime.date(2026, 11, 25)


def write_workbook(path: Path) -> Path:
    """An entry workbook: a Clients sheet of CLIENTS clients and an ORS sheet of ROWS forms
    (each client's sessions a week apart), written with openpyxl's write-only mode."""
    rng = random.Random(20261125)
    workbook = openpyxl.Workbook(write_only=True)
    clients = workbook.create_sheet("Clients")
    clients.append(["client_id", "age_group", "clinician", "start_date", "status", "name"])
    for n in range(CLIENTS):
        clients.append([f"C-{n:04d}", AGE_GROUPS[n % 3], f"Clinician {n % 12}", None, "open", ""])
    ors = workbook.create_sheet("ORS")
    ors.append(ORS_HEADERS)
    sessions = ROWS // CLIENTS
    for n in range(CLIENTS):
        level = rng.uniform(2.0, 6.0)
        for session in range(1, sessions + 1):
            items = [round(min(10.0, max(0.0, rng.gauss(level, 1.2))), 1) for _ in range(4)]
            date = WriteOnlyCell(ors, FIRST_DAY + datetime.timedelta(days=n % 7 + 7 * session))
            date.number_format = "yyyy-mm-dd"
            ors.append(
                [
                    f"C-{n:04d}",
                    session,
                    date,
                    *items,
                    round(sum(items), 1),
                    "self" if session % 5 else "other",
                    "",
                ]
            )
            level = min(9.0, level + 0.05)
    workbook.save(path)
    return path


def with_dimension(path: Path, out: Path) -> Path:
    """PATH with a <dimension> element in each sheet, as Excel would save it."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename.startswith("xl/worksheets/sheet"):
                rows = data.count(b"<row ")
                data = re.sub(
                    rb"(<worksheet[^>]*>(?:<sheetPr>.*?</sheetPr>|<sheetPr[^>]*/>)?)",
                    lambda m, rows=rows: m.group(1) + b'<dimension ref="A1:J%d"/>' % rows,
                    data,
                    count=1,
                )
            target.writestr(entry.filename, data)
    return out


def best_of(runs: int, job: Callable[[], int]) -> tuple[float, int]:
    """The shortest wall time of RUNS calls of JOB, and what JOB returned (a row count)."""
    best, result = float("inf"), 0
    for _ in range(runs):
        start = time.perf_counter()
        result = job()
        best = min(best, time.perf_counter() - start)
    return best, result


def floor(path: Path) -> int:
    """openpyxl read-only iteration of every row of every sheet; returns the ORS rows read."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        counted = 0
        for sheet in workbook.worksheets:
            rows = sum(1 for _row in sheet.iter_rows(values_only=True))
            if sheet.title == "ORS":
                counted = rows - 1  # the header
        return counted
    finally:
        workbook.close()


def paperfit(path: Path, catalog: Catalog, thresholds: Thresholds) -> int:
    """Read, check and score; returns the forms scored (fails loudly on any problem but the
    expected none)."""
    reading = read_inputs([path], catalog, ReadOptions(today=TODAY))
    if reading.problems:
        raise SystemExit("unexpected problems: " + "; ".join(map(str, reading.problems[:5])))
    return len(score(reading.forms, reading.clients, catalog, thresholds))


def rate(label: str, rows: int, seconds: float) -> str:
    return f"{label}: {rows:,} rows in {seconds:.2f} s = {rows / seconds:,.0f} rows/s"


def main() -> None:
    catalog = Catalog.load()
    thresholds = Thresholds.resolve(catalog, ScoringSettings())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "entry.xlsx"
        start = time.perf_counter()
        write_workbook(path)
        print(
            f"wrote {path.name}: {ROWS:,} ORS rows, {CLIENTS:,} clients, "
            f"{path.stat().st_size / 2**20:.1f} MB in {time.perf_counter() - start:.1f} s"
        )
        print(f"best of {RUNS} runs each")
        ratio = compare(path, catalog, thresholds)
        verdict = "within" if ratio <= TARGET else "ABOVE"
        print(f"ratio paperfit / openpyxl: {ratio:.2f} ({verdict} the target of {TARGET:.1f})")
        print("the same file with <dimension> elements, as Excel saves it:")
        dimensioned = with_dimension(path, Path(folder) / "entry-excel.xlsx")
        print(f"ratio paperfit / openpyxl: {compare(dimensioned, catalog, thresholds):.2f}")
        if "--profile" in sys.argv[1:] or ratio > TARGET:
            profile(path, catalog, thresholds)


def compare(path: Path, catalog: Catalog, thresholds: Thresholds) -> float:
    """Time the floor and paperfit on PATH, print both rates, return paperfit / floor."""
    floor_time, floor_rows = best_of(RUNS, lambda: floor(path))
    ours_time, ours_rows = best_of(RUNS, lambda: paperfit(path, catalog, thresholds))
    if floor_rows != ROWS or ours_rows != ROWS:
        raise SystemExit(f"expected {ROWS} rows, read {floor_rows} and scored {ours_rows}")
    print("  " + rate("openpyxl read-only iteration", floor_rows, floor_time))
    print("  " + rate("paperfit read + check + score", ours_rows, ours_time))
    return ours_time / floor_time


def profile(path: Path, catalog: Catalog, thresholds: Thresholds) -> None:
    """cProfile of one paperfit run: the top functions by own time, then paperfit's own
    functions (scanner/, forms/, paperfit/) by cumulative time."""
    profiler = cProfile.Profile()
    profiler.runcall(paperfit, path, catalog, thresholds)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(15)
    stats.sort_stats("cumulative").print_stats(r"(scanner|forms|paperfit)/[a-z_]+\.py", 15)
    print(out.getvalue())


if __name__ == "__main__":
    main()
