"""Benchmark: the CPU time a command costs before it does any work, against Python itself.

Each command is run as a fresh process RUNS times (the installed `paperfit` entry point's
module, `python -m paperfit`), and its CPU time (user + system, with any process it starts,
from getrusage) is taken; the median is printed next to `python -c pass` measured in the same
run, the floor every command pays. The target: `paperfit --help` at most 0.3 s of CPU. It also
says which of the heavy libraries (WeasyPrint, OpenCV, openpyxl, numpy) each command loaded:
`--help`, `doctor` and `check` must load neither WeasyPrint nor OpenCV (doctor loads them in a
child process of its own, to check that they load; that child's CPU is counted here).

Run: .venv/bin/python bench/startup.py [RUNS]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
TARGET = 0.3
HEAVY = ("weasyprint", "cv2", "openpyxl", "numpy")
# Runs paperfit as its entry point does, then says which heavy libraries were loaded.
PROBE = """
import sys
from paperfit.__main__ import main
sys.argv = ["paperfit", *sys.argv[1:]]
try:
    main()
finally:
    loaded = [name for name in {heavy!r} if name in sys.modules]
    print("loaded:", ",".join(loaded) or "none", file=sys.stderr)
"""


def cpu_of(args: list[str]) -> tuple[float, str]:
    """CPU seconds (user + system) of running ARGS to the end, and its last stderr line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, (done.stderr.strip().splitlines() or [""])[-1]


def median_cpu(args: list[str]) -> tuple[float, str]:
    runs = [cpu_of(args) for _ in range(RUNS)]
    return statistics.median(cpu for cpu, _ in runs), runs[-1][1]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "ors.csv"
        empty.write_text(
            "client_id,session,date,item1,item2,item3,item4\nC-1,1,2026-01-05,5,5,5,5\n"
        )
        probe = [sys.executable, "-c", PROBE.format(heavy=HEAVY)]
        commands = {
            "paperfit --help": [*probe, "--help"],
            "paperfit forms --help": [*probe, "forms", "--help"],
            "paperfit check (one small CSV)": [*probe, "check", str(empty)],
            "paperfit doctor": [*probe, "doctor"],
        }
        print(f"cores: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}")
        floor, _ = median_cpu([sys.executable, "-c", "pass"])
        print(f"python -c pass: {floor:.3f} s of CPU (median of {RUNS})")
        for name, args in commands.items():
            cpu, loaded = median_cpu(args)
            print(f"{name}: {cpu:.3f} s of CPU ({cpu / floor:.1f}x python -c pass); {loaded}")
            if name == "paperfit --help":
                verdict = "within" if cpu <= TARGET else "ABOVE"
                print(f"  {verdict} the target of {TARGET} s")


if __name__ == "__main__":
    main()
