"""Benchmark: `paperfit scan` on a 200-page, 300 dpi greyscale PDF, in pages per second.

The PDF is made here (paperfit.made_up_scans.made_up_scan): 200 of paperfit's own personalised forms
(the five instruments in turn), rendered at 300 dpi in grey, one pen stroke drawn on each line,
turned a little as a feeder would, and saved as one JPEG image per page, as an office scanner
does.
Baseline, measured in the same run: the same reading on one core (workers=1). paperfit uses
every core. Target: at least 8 pages per second on 2 cores, reading and writing the workbook,
the CSV and the proof sheet.
Photos: 24 hard and 24 moderate 12 MP phone photos (paperfit.made_up_scans.photograph), read
on one core: the share of pages and marks read, and seconds per photo (target: at most 0.5 s).
Run: .venv/bin/python bench/scan.py [PAGES] [PHOTOS]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from paperfit.forms.instrument import Catalog
from paperfit.forms.scan_records import PAGE_OK
from paperfit.forms.scoring import ScoringSettings, Thresholds
from paperfit.forms.sheet import line_places
from paperfit.generator.scan_results import write_scan_results
from paperfit.generator.sheets import Header, Packet, PrintOptions, write_forms
from paperfit.scanner.scan_reading import scan

from paperfit.made_up_scans import (
    failure_cameras,
    hard_camera,
    made_up_scan,
    moderate_camera,
    photo_figures,
    photo_set,
)

DPI = 300
IDS = ("ORS", "SRS", "CORS", "CSRS", "GSRS")


def make_scan(folder: Path, pages: int) -> Path:
    """A PAGES-page PDF of marked, slightly turned forms (one JPEG image per page)."""
    catalog = Catalog.load()
    packets = [
        Packet(
            (catalog.get(IDS[n % len(IDS)]),),
            Header(client_id=f"C-{n:04d}", session=str(n % 12 + 1), date="2026-11-25"),
        )
        for n in range(pages)
    ]
    forms = write_forms(folder / "forms.pdf", packets, PrintOptions())
    rng = np.random.default_rng(7)
    marks = [
        [
            (place, (rng.uniform(0.5, 9.5),))
            for place in line_places(p.instruments[0], "letter", False)
        ]
        for p in packets
    ]
    out = folder / "scan.pdf"
    out.write_bytes(made_up_scan(forms, marks, DPI, seed=7))
    return out


def main() -> None:
    pages = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    catalog = Catalog.load()
    thresholds = Thresholds.resolve(catalog, ScoringSettings())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        pdf = make_scan(folder, pages)
        print(
            f"made {pages} pages, {pdf.stat().st_size / 1e6:.1f} MB, in "
            f"{time.perf_counter() - start:.1f} s"
        )

        start = time.perf_counter()
        one = scan([pdf], catalog, workers=1)
        one_core = time.perf_counter() - start

        start = time.perf_counter()
        result = scan([pdf], catalog)
        read = time.perf_counter() - start
        write_scan_results(folder / "out", result, catalog, thresholds, with_csv=True)
        total = time.perf_counter() - start

    ok = sum(page.status == PAGE_OK and not page.needs_review for page in result.pages)
    assert [p.values for p in one.pages] == [p.values for p in result.pages]
    cores = os.cpu_count()
    print(f"read on one core:        {pages / one_core:6.1f} pages/s")
    print(
        f"read on {cores} cores:         {pages / read:6.1f} pages/s "
        f"({one_core / read:.2f}x one core)"
    )
    print(f"read and write outputs:  {pages / total:6.1f} pages/s (workbook, CSV, proof)")
    print(f"pages read with every mark ok: {ok} of {pages}")
    photos = int(sys.argv[2]) if len(sys.argv) > 2 else 24
    bench_photos(catalog, photos, one_core / pages)


def bench_photos(catalog: Catalog, count: int, page_seconds: float) -> None:
    """Read COUNT hard and COUNT moderate 12 MP photos and the failure cases on one core; the
    time a photo takes is also given against PAGE_SECONDS, a scanned page's on one core in the
    same run (the ratio holds when the machine is busy)."""
    rng = np.random.default_rng(11)
    sets = {
        "hard photos": [hard_camera(rng) for _ in range(count)],
        "moderate photos": [moderate_camera(rng) for _ in range(count)],
    }
    failures = failure_cameras(rng)
    sets["failure cases"] = list(failures.values())
    with tempfile.TemporaryDirectory() as tmp:
        for title, cameras in sets.items():
            folder = Path(tmp) / title.replace(" ", "-")
            folder.mkdir()
            made = photo_set(folder, cameras, seed=5)
            start = time.perf_counter()
            result = scan([folder], catalog, workers=1)
            each = (time.perf_counter() - start) / len(made)
            print(
                f"{photo_figures(made, result.pages).line(title)}; {each:.2f} s a photo "
                f"({each / page_seconds:.1f}x a scanned page)"
            )
            if title == "failure cases":
                for name, page in zip(failures, result.pages, strict=True):
                    print(f"  {name}: {page.status}: {page.reason}")


if __name__ == "__main__":
    main()
