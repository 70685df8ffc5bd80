"""Start-up: a command imports only what it uses. `paperfit --help`, `doctor` and `check` never
load WeasyPrint or OpenCV (their CPU time is measured by bench/startup.py, not here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# Runs paperfit as its entry point does, then prints which heavy libraries were loaded.
PROBE = """
import sys
from paperfit.__main__ import main
sys.argv = ["paperfit", *sys.argv[1:]]
try:
    main()
finally:
    print("loaded:", sorted(m for m in ("weasyprint", "cv2") if m in sys.modules), file=sys.stderr)
"""


def loaded_by(*args: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=False
    )
    return done.returncode, done.stderr.strip().splitlines()[-1]


@pytest.mark.parametrize("args", [("--help",), ("forms", "--help"), ("doctor",)])
def test_help_and_doctor_load_neither_weasyprint_nor_opencv(args: tuple[str, ...]) -> None:
    assert loaded_by(*args) == (0, "loaded: []")


def test_check_loads_neither_weasyprint_nor_opencv(tmp_path: Path) -> None:
    path = tmp_path / "ors.csv"
    path.write_text("client_id,session,date,item1,item2,item3,item4\nC-1,1,2026-01-05,5,5,5,5\n")
    # exit status 1: the one warning, that there is no client list
    assert loaded_by("check", str(path)) == (1, "loaded: []")


def test_the_probe_sees_weasyprint_when_a_command_draws(tmp_path: Path) -> None:
    status, loaded = loaded_by("guide", "-o", str(tmp_path / "guide.pdf"))
    assert status == 0 and "weasyprint" in loaded
