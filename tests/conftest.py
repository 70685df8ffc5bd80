"""Shared fixtures: small factories for settings files, instrument files and PDFs."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import Result
from paperfit.forms.instrument import Catalog
from pypdf import PdfReader


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return Catalog.load()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Result]:
    """`paperfit demo -o output/demo`, run once for the session in a working folder of its own
    (it takes a minute or more): that folder, and what the command printed."""
    from click.testing import CliRunner

    from paperfit.cli import cli

    work = tmp_path_factory.mktemp("demo")
    with contextlib.chdir(work):  # as make demo runs it: a folder relative to where it runs
        result = CliRunner().invoke(cli, ["demo", "-o", "output/demo"])
    return work, result


def pdf_text(path: Path) -> list[str]:
    """The text of each page of the PDF at PATH, whitespace collapsed."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line of figures for the hostile-input suite: how many cases, how each ended."""
    outcomes: dict[str, str] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if not isinstance(report, pytest.TestReport):
                continue
            kind = dict(report.user_properties).get("hostile")
            if kind is None and "hostile" not in report.keywords:
                continue
            failed = report.failed
            if report.when == "call" or failed:
                outcomes[report.nodeid] = "failed" if failed else str(kind)
    if not outcomes:
        return
    counts = list(outcomes.values())
    terminalreporter.write_line(
        f"hostile inputs: {len(counts)} cases, {counts.count('refused')} refused with a "
        f"message, {counts.count('handled')} handled, tracebacks {counts.count('failed')}"
    )
