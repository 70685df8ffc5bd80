"""`paperfit doctor` and the entry point: a missing library or Pango is a message, not a
traceback."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperfit import doctor
from paperfit.cli import cli


def test_doctor_lists_every_library_and_the_font_here() -> None:
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split()[1].rstrip(":") for line in lines[:-1]] == [
        distribution for _, distribution, _ in doctor.LIBRARIES
    ]
    assert all(line.startswith("ok ") for line in lines)
    assert "DejaVu Sans" in lines[-1]


def test_doctor_says_what_is_missing_and_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.metadata.version

    def version(name: str) -> str:
        if name == "zxing-cpp":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1
    assert "missing  zxing-cpp: needed for reading the page code of scans." in result.output
    assert "paperfit cannot work until zxing-cpp is installed." in result.output


def test_a_missing_pango_is_a_message_at_start_up(tmp_path: Path) -> None:
    # WeasyPrint loads Pango as it is imported; make that fail as it does without Pango, in
    # every Python process started here (the doctor loads the libraries in a child process).
    (tmp_path / "sitecustomize.py").write_text(
        textwrap.dedent(
            """
            import sys
            class NoPango:
                def find_spec(self, name, path=None, target=None):
                    if name == "weasyprint" or name.startswith("weasyprint."):
                        raise OSError("cannot load library 'libpango-1.0-0'")
            sys.meta_path.insert(0, NoPango())
            """
        ),
        encoding="utf-8",
    )
    script = (
        "import sys; sys.argv = ['paperfit', 'forms']; from paperfit.__main__ import main; main()"
    )
    environment = {**os.environ, "PYTHONPATH": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "paperfit cannot start: cannot load library 'libpango-1.0-0'" in done.stderr
    assert "missing  weasyprint: cannot find Pango" in done.stdout
    assert "apt-get install libpango-1.0-0" in done.stdout
