"""Benchmark: print a 250-appointment schedule (500 sheets) and report pages per second.

Baseline, measured in the same run: the naive way, one WeasyPrint document per sheet, laid out
and written one after another (timed on the first BASELINE_SHEETS sheets, which is enough for a
steady rate). Run: .venv/bin/python bench/forms_schedule.py
"""

from __future__ import annotations

import csv
import os
import tempfile
import time
from pathlib import Path

from paperfit.forms.instrument import Catalog
from paperfit.forms.sheet import Paper
from paperfit.generator.render import ProjectFetcher, render_html, stylesheet
from paperfit.generator.sheets import (
    Packet,
    PrintOptions,
    packets_for_schedule,
    page_sequence,
    write_forms,
)
from paperfit.scanner.schedule import read_schedule
from paperfit.templates import TEMPLATE_DIR
from weasyprint import HTML

APPOINTMENTS = 250
BASELINE_SHEETS = 100
GROUPS = [
    ("adult", "individual"),
    ("adolescent", "individual"),
    ("child", "individual"),
    ("adult", "group"),
]


def write_schedule(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["client_id", "date", "session", "clinician", "age_group", "format"])
        for n in range(APPOINTMENTS):
            group, fmt = GROUPS[n % len(GROUPS)]
            writer.writerow(
                [f"C-{n:04d}", "2026-11-25", n % 20 + 1, f"Clinician {n % 7}", group, fmt]
            )
    return path


def naive(pages: list[str], options: PrintOptions) -> float:
    """One WeasyPrint document per sheet, one after another; returns seconds."""
    start = time.perf_counter()
    for page in pages:
        html = render_html(
            "pack.html",
            pages=[page],
            title="t",
            lang="en",
            paper=Paper.named(options.paper),
            large_print=False,
        )
        HTML(string=html, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=ProjectFetcher()).write_pdf(
            stylesheets=[stylesheet()]
        )
    return time.perf_counter() - start


def main() -> None:
    catalog = Catalog.load()
    options = PrintOptions()
    with tempfile.TemporaryDirectory() as folder:
        schedule = write_schedule(Path(folder) / "schedule.csv")
        write_forms(
            Path(folder) / "warm.pdf",
            packets_for_schedule(read_schedule(schedule)[:1], catalog, "en"),
            options,
        )
        start = time.perf_counter()
        packets = packets_for_schedule(read_schedule(schedule), catalog, "en")
        write_forms(Path(folder) / "day.pdf", packets, options)
        ours = time.perf_counter() - start
        sheets = sum(len(packet.instruments) for packet in packets)
        blank = [Packet((catalog.get("ORS"), catalog.get("SRS")))] * APPOINTMENTS
        start = time.perf_counter()
        write_forms(Path(folder) / "blank.pdf", blank, options)
        copies = time.perf_counter() - start
        sample = page_sequence(packets, options)[:BASELINE_SHEETS]
        baseline = naive(sample, options)
    ours_rate, naive_rate = sheets / ours, len(sample) / baseline
    print(f"cores: {os.cpu_count()}")
    print(f"paperfit forms --schedule: {sheets} sheets in {ours:.1f} s = {ours_rate:.1f} pages/s")
    print(
        f"naive, one document per sheet: {len(sample)} sheets in {baseline:.1f} s "
        f"= {naive_rate:.1f} pages/s"
    )
    print(f"ratio: {ours_rate / naive_rate:.1f}x")
    print(
        f"paperfit forms --copies {APPOINTMENTS} (blank ORS+SRS, identical pages laid out once): "
        f"{2 * APPOINTMENTS} sheets in {copies:.1f} s = {2 * APPOINTMENTS / copies:.1f} pages/s"
    )


if __name__ == "__main__":
    main()
