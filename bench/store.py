"""Benchmark: the practice's record with 200,000 ORS forms (10,000 clients x 20 sessions).

Times, each as the practice runs it (the `paperfit` command, wall clock):
1. `paperfit import history.csv` into an empty SQLite record (target <= 20 s);
2. the same file again, which adds nothing (target <= 5 s);
3. one client's graph from that record, `paperfit graphs --client ID` (target <= 1.5 s), against
   its baseline in the same run: the same graph from a file holding only that client (target:
   the record's time <= 1.3 x the file's). Best of RUNS runs each.
With --files, also the way before the record: the same graph read from the whole CSV file.
The forms are made up (an improving course with noise, a few incomplete).

Run: .venv/bin/python bench/store.py [--files]
"""

from __future__ import annotations

import csv
import datetime
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLIENTS = 10_000
SESSIONS = 20
RUNS = 3
CLIENT = "C-05000"
PAPERFIT = str(Path(sys.executable).with_name("paperfit"))
HEADER = ["client_id", "session", "date", "Individually", "Interpersonally", "Socially", "Overall"]


def write_history(path: Path, only: str | None = None) -> None:
    """CLIENTS x SESSIONS weekly ORS forms as one CSV (only ONLY's rows when given)."""
    generator = random.Random(16)
    start = datetime.date(2024, 1, 1)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for n in range(CLIENTS):
            client_id = f"C-{n:05d}"
            intake = generator.uniform(2.0, 7.0)
            first = start + datetime.timedelta(days=n % 365)
            for session in range(1, SESSIONS + 1):
                level = min(10.0, intake + 0.15 * session)
                items = [
                    round(min(10.0, max(0.0, level + generator.gauss(0, 0.8))), 1) for _ in "abcd"
                ]
                if generator.random() < 0.01:
                    items[generator.randrange(4)] = ""
                if only is None or client_id == only:
                    date = first + datetime.timedelta(weeks=session - 1)
                    writer.writerow([client_id, session, date.isoformat(), *items])


def timed(*args: str | Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the command and its workers) of one paperfit
    command; its output is checked, not shown. On a loaded machine the CPU figure is the one
    that says what the command costs."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run([PAPERFIT, *map(str, args)], capture_output=True, text=True)
    took = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"paperfit {' '.join(map(str, args))} failed:\n{done.stderr[-2000:]}")
    return took, (after.ru_utime - used.ru_utime) + (after.ru_stime - used.ru_stime)


def best(*args: str | Path) -> tuple[float, float]:
    runs = [timed(*args) for _ in range(RUNS)]
    return min(wall for wall, _ in runs), min(cpu for _, cpu in runs)


def shown(figures: tuple[float, float]) -> str:
    return f"{figures[0]:.2f} s wall, {figures[1]:.2f} s CPU"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        history, one = tmp / "history.csv", tmp / "one-client.csv"
        write_history(history)
        write_history(one, only=CLIENT)
        db = tmp / "paperfit.db"
        print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
        print(f"forms: {CLIENTS * SESSIONS:,} ({CLIENTS:,} clients x {SESSIONS} sessions), CSV")
        first = timed("import", history, "--db", db, "--by", "bench")
        print(f"import into an empty record: {shown(first)} (target <= 20 s)")
        again = timed("import", history, "--db", db, "--by", "bench")
        print(f"the same file again: {shown(again)} (target <= 5 s)")
        print(f"record size: {db.stat().st_size / 1e6:.0f} MB")
        graph = ["graphs", "--client", CLIENT, "--expected", "none", "--replace"]
        stored = best(*graph, "--db", db, "-o", tmp / "g1")
        alone = best(*graph, one, "-o", tmp / "g2")
        print(f"one client's graph from the record: {shown(stored)} (target <= 1.5 s)")
        print(f"the same graph from a file holding only that client: {shown(alone)}")
        print(
            f"ratio: {stored[0] / alone[0]:.2f} wall, {stored[1] / alone[1]:.2f} CPU "
            "(target <= 1.3)"
        )
        if "--files" in sys.argv:
            whole = timed(*graph, history, "-o", tmp / "g3")
            print(f"before the record, the same graph from the whole CSV: {shown(whole)}")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
