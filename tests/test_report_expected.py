"""The report against the expected courses: who is not on track, and the share on track."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from paperfit.forms.trajectories import Course, fit

from paperfit.cli import cli
from paperfit.practices import LEVELLING, write_practice
from tests.conftest import pdf_text

DAY = datetime.date(2026, 11, 20)


@pytest.fixture(scope="module")
def report_text(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("practice")
    regular = LEVELLING.courses(240, seed=9)
    model = fit(regular, DAY, folds=0)
    e3, e4 = (model.expected("adult", 18.0, s) for s in (3, 4))
    assert e3 is not None and e4 is not None
    between = [round((e.p10 + e.p25) / 2, 1) for e in (e3, e4)]
    planted = [
        Course("LOW-1", "adult", ((1, 18.0), (2, 16.0), (3, 6.0))),
        Course("HIGH-1", "adult", ((1, 18.0), (2, 36.0), (3, 38.0))),
        Course("TWICE-1", "adult", ((1, 18.0), (2, 20.0), (3, between[0]), (4, between[1]))),
        regular[0],  # the fourth client of a made-up practice is closed
        Course("ONCE-1", "adult", ((1, 18.0), (2, 30.0), (3, 30.0), (4, between[1]))),
        Course("ABOVE-1", "adult", ((1, 39.0), (2, 33.0), (3, 31.0))),  # above the range
        Course("ABOVE-2", "adult", ((1, 39.0), (2, 38.0), (3, 37.0))),  # above, no worse
    ]
    write_practice(folder, planted + regular[1:])
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    result = CliRunner().invoke(cli, ["report", str(folder), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return " ".join(pdf_text(out))


def test_not_on_track_names_clients_far_below_and_not_those_above(report_text: str) -> None:
    section = report_text[report_text.index("Not on track") :]
    section = section[: section.index("At or above expected, by clinician")]
    assert "LOW-1" in section
    assert "TWICE-1" in section
    assert "HIGH-1" not in section
    assert "ONCE-1" not in section
    assert section.index("LOW-1") < section.index("TWICE-1")  # most severe first
    assert re.search(r"LOW-1 \S+ \S+ 3 \d{4}-\d\d-\d\d 6\.0 \d+\.\d / ", section)
    assert "well below expected" in section and "below expected twice in a row" in section
    assert "under p10" not in section
    assert "at session 2 only well below expected can be flagged" in section.lower()
    assert re.search(r"model of \d+ adults \(this practice\), fitted", section)


def test_not_on_track_comes_right_after_to_review(report_text: str) -> None:
    order = [
        report_text.index(t)
        for t in ("To review this week", "Not on track", "Data problems found while reading")
    ]
    assert order == sorted(order)


def test_the_share_at_or_above_expected_is_given_per_clinician_with_its_n(
    report_text: str,
) -> None:
    section = report_text[report_text.index("At or above expected, by clinician") :]
    assert re.search(r"Whole practice \d+ of \d+ \(\d+ %\)", section)
    for clinician in ("A. Moreno", "S. Lee", "J. Park"):
        assert re.search(rf"{re.escape(clinician)} \d+ of \d+", section)


def test_without_expected_courses_the_report_says_so(tmp_path: Path) -> None:
    write_practice(tmp_path / "practice", LEVELLING.courses(20, seed=3))
    out = tmp_path / "report.pdf"
    result = CliRunner().invoke(cli, ["report", str(tmp_path / "practice"), "-o", str(out)])
    assert result.exit_code == 0
    assert "No expected courses were used" in " ".join(pdf_text(out))


def test_a_client_above_the_covered_intakes_is_named_under_reliable_deterioration(
    report_text: str,
) -> None:
    section = report_text[report_text.index("Not on track") :]
    section = section[: section.index("At or above expected, by clinician")]
    assert re.search(
        r"ABOVE-1 .* reliable deterioration; intake 39 above the covered range", section
    )
    assert "ABOVE-2" not in section


def test_the_report_gives_the_rules_own_record(report_text: str) -> None:
    found = re.search(
        r"of (\d+) who ended not reliably improved, (\d+) \((\d+) %\) were listed by session 4; "
        r"of (\d+) who ended reliably improved, (\d+) \((\d+) %\) were",
        report_text,
    )
    assert found, report_text[:3000]
    worse, worse_listed, _, better, better_listed, _ = map(int, found.groups())
    assert worse > 10 and better > 10
    assert worse_listed / worse > better_listed / better  # the rule tells them apart
