"""The practice report in plain words: classes that do not overlap and add up, thresholds
with where each came from, data problems that name the form first, columns as wide as their
content."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog
from paperfit.forms.outcomes import CLASS_COLUMNS, practice_outcomes
from paperfit.forms.records import Client, Form, Problem, Reading
from paperfit.forms.scoring import ScoringSettings, Thresholds, score
from paperfit.generator.report import fit_columns, threshold_lines, write_report
from paperfit.generator.text_width import text_width_mm
from paperfit.generator.texts import texts

from paperfit.cli import cli
from tests.conftest import pdf_text

PRINTED = datetime.date(2026, 3, 2)
WORDS = texts("en")["report"]


def forms_of(client: str, *totals: float) -> list[Form]:
    start = datetime.date(2026, 1, 5)
    return [
        Form(
            client,
            "ORS",
            session,
            start + datetime.timedelta(weeks=session - 1),
            (total / 4,) * 4,
            Location("/data/ors.xlsx", "ORS", session + 1),
        )
        for session, total in enumerate(totals, start=1)
    ]


def test_the_classes_do_not_overlap_and_add_up(catalog: Catalog) -> None:
    thresholds = Thresholds.resolve(catalog, ScoringSettings())
    forms = forms_of("A", 20, 27) + forms_of("B", 10, 16) + forms_of("C", 20, 21)
    forms += forms_of("D", 22, 14) + forms_of("E", 30, 31)
    outcomes = practice_outcomes(score(forms, {}, catalog, thresholds), {}, thresholds)
    shares = [outcomes.whole.classes[label] for label in CLASS_COLUMNS]
    assert [share.count for share in shares] == [1, 1, 1, 1, 1]
    assert sum(share.count for share in shares) == shares[0].n == 5
    labels = [WORDS["classes"][label] for label in CLASS_COLUMNS]
    assert labels[:2] == ["Reliable and clinically significant", "Reliable improvement only"]
    assert "add up to 100 %" in WORDS["classes_head"]


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_thresholds_are_plain_words_with_where_they_came_from(catalog, language) -> None:
    words = texts(language)["report"]
    default = Thresholds.resolve(catalog, ScoringSettings(), "paperfit.toml")
    lines = threshold_lines(default, words)
    text = " ".join(lines)
    for name in ("cutoff_adult", "srs_alert_total", "no_improvement_by_session", ".toml"):
        assert name not in text
    assert "((" not in text and "))" not in text
    assert words["threshold_from"]["default"] in lines[-1]
    assert words["threshold_from"]["settings"] not in text  # nothing was set by the practice
    practice = Thresholds.resolve(
        catalog, ScoringSettings(rci=6, cutoff_adult=24), "/home/practice/our-settings.toml"
    )
    text = " ".join(threshold_lines(practice, words))
    assert "our-settings" not in text and "6" in text
    assert text.count(words["threshold_from"]["settings"]) == 2  # the adult cutoff, the RCI


def test_the_english_thresholds_read_as_sentences(catalog) -> None:
    practice = Thresholds.resolve(catalog, ScoringSettings(cutoff_child=28), "x.toml")
    assert threshold_lines(practice, WORDS) == [
        "Clinical cutoff (at or below it is the clinical range): adults 25, adolescents 28 "
        "(published with the form); children 28 (set by this practice).",
        "Reliable change: a change of 5 points or more (published with the form).",
        "Session rating alert: a total below 36, any item below 9 (published with the form).",
        "Time to talk about the plan: no reliable improvement by session 4 (paperfit’s default).",
    ]


def test_a_data_problem_names_client_form_session_and_date_first(
    tmp_path: Path, catalog: Catalog
) -> None:
    thresholds = Thresholds.resolve(catalog, ScoringSettings())
    forms = forms_of("C-9", 20, 22, 24)
    clinician = "Dr. Alexandra Montgomery-Smythe"
    reading = Reading(
        forms=forms,
        clients={"C-9": Client("C-9", clinician=clinician)},
        problems=[
            Problem(
                Location("/data/ors.xlsx", "ORS", 4, "Item 2"),
                "'12,5' is not a measure in cm (0.0 to 10.0). This value was left out.",
            )
        ],
        files=["/data/ors.xlsx"],
    )
    out = write_report(
        tmp_path / "report.pdf",
        reading,
        score(forms, reading.clients, catalog, thresholds),
        thresholds,
        "",
        "a4",
        PRINTED,
    )
    text = " ".join(pdf_text(out))
    assert "Error C-9 · ORS · #3 · 2026-01-19 ors.xlsx › sheet ORS › row 4" in text


def test_columns_are_as_wide_as_their_content() -> None:
    caps = {"client": 30.0, "clinician": 45.0, "session": 15.0}
    heads = {"client": "Client", "clinician": "Clinician", "session": "Session"}
    rows = [{"client": "C-9", "clinician": "Dr. Ana Rivera-Okafor", "session": "3"}]
    widths = fit_columns(rows, heads, caps)
    assert widths["clinician"] > text_width_mm("Dr. Ana Rivera-Okafor", 8) + 1.5
    assert widths["client"] < 20.0  # no room kept empty beside the clinician
    assert fit_columns([{"client": "X" * 80, "clinician": "", "session": ""}], heads, caps)[
        "client"
    ] == pytest.approx(30.0)


def test_the_report_quotes_no_options_where_check_gives_them(tmp_path: Path) -> None:
    """A column typed in millimetres, a mark off the line and a date that reads two ways: the
    terminal says which option to give, the report (for staff) only what is wrong."""
    path = tmp_path / "ors.csv"
    path.write_text(
        "client_id,session,date,item1,item2,item3,item4\n"
        "C-1,1,03/04/2026,57,5,5,5\n"
        "C-1,2,2026-04-10,64,64,5,5\n"
        "C-2,1,2026-04-11,61,5,5,5\n",
        encoding="utf-8",
    )
    check = CliRunner().invoke(cli, ["check", str(path)])
    for hint in ("--unit mm.", "--date-format DD/MM/YYYY."):
        assert hint in check.output
    out = tmp_path / "report.pdf"
    report = CliRunner().invoke(cli, ["report", str(path), "-o", str(out)])
    assert report.exit_code == 0, report.output
    text = " ".join(pdf_text(out))
    for message in (
        "these look like millimetres. Type centimetres. The column was left out.",
        "'64' is outside the line: a mark is 0.0 to 10.0 cm from the left end.",
        "'03/04/2026' could be read two ways",
        "month/day). Type it as YYYY-MM-DD. Error",  # the next row follows the message
    ):
        assert message in text
    assert "--" not in text
    assert "No expected courses were used: this report was made without them" in text
