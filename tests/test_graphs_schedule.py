"""`paperfit graphs --schedule`: the day's clients' graphs in appointment order, one PDF."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from paperfit.cli import cli
from paperfit.practices import LEVELLING, write_practice
from tests.conftest import pdf_text

HEADER = "client_id,date,session,clinician,age_group,format,name,instruments\n"


def test_the_days_graphs_come_in_appointment_order(tmp_path: Path) -> None:
    write_practice(tmp_path / "data", LEVELLING.courses(12, seed=30))
    schedule = tmp_path / "today.csv"
    schedule.write_text(
        HEADER
        + "LEV-0005,2026-12-01,9,A. Moreno,adult,individual,,\n"
        + "NEW-1,2026-12-01,1,S. Lee,adult,individual,Sam New,\n"
        + "LEV-0002,2026-12-01,7,J. Park,adult,individual,,\n"
        + "LEV-0005,2026-12-01,10,A. Moreno,adult,individual,,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["graphs", str(tmp_path / "data"), "--schedule", str(schedule), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "4 appointments" in result.output
    pages = pdf_text(out / "day-2026-12-01.pdf")
    firsts = [page for page in pages if "page 1 of" in page]
    assert [page.split("Progress: ")[1].split()[0] for page in firsts] == [
        "LEV-0005",
        "NEW-1",
        "LEV-0002",
    ]
    assert "No forms have been read for this client yet" in firsts[1]
    assert "Sam New" in firsts[1] and "S. Lee" in firsts[1]
    assert not (out / "caseload.pdf").exists()


def test_a_schedule_and_client_options_together_are_wrong_usage(tmp_path: Path) -> None:
    write_practice(tmp_path / "data", LEVELLING.courses(3, seed=31))
    schedule = tmp_path / "today.csv"
    schedule.write_text(HEADER + "LEV-0001,2026-12-01,3,A,adult,individual,,\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli,
        ["graphs", str(tmp_path / "data"), "--schedule", str(schedule), "--client", "LEV-0001"],
    )
    assert result.exit_code == 2
    assert "leave out --client" in result.output
