"""The practice report: outcome statistics with hand-computed numbers, the list of clients to
review, and the printed PDF (its text, its page numbering, and its blank margins)."""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from markupsafe import Markup
from paperfit.forms.errors import Location, PaperfitError
from paperfit.forms.instrument import Catalog
from paperfit.forms.outcomes import (
    NO_CLINICIAN,
    WHOLE_PRACTICE,
    Figure,
    GroupOutcomes,
    Share,
    effect_size,
    open_flags,
    practice_outcomes,
)
from paperfit.forms.records import Client, Form, Problem, Reading
from paperfit.forms.scoring import (
    CLINICALLY_SIGNIFICANT,
    INTAKE_ABOVE_CUTOFF,
    NO_RELIABLE_CHANGE,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    ScoredForm,
    ScoringSettings,
    Thresholds,
    score,
)
from paperfit.forms.sheet import PAPER_SIZES_MM
from paperfit.generator.render import check_fits, layout, render_html
from paperfit.generator.report import page_setup, report_pages, write_report
from paperfit.generator.text_width import text_lines
from paperfit.generator.texts import texts
from pypdf import PdfReader

START = datetime.date(2026, 1, 5)
SMALL_NUMBER = texts("en")["report"]["small_number"]  # the words the report prints
PRINTED = datetime.date(2026, 3, 2)
PRACTICE = "Riverside Counselling Practice"
DARK = 128
BINDER_MM = 25.0
EDGE_MM = 6.0


@pytest.fixture(scope="module")
def thresholds(catalog: Catalog) -> Thresholds:
    return Thresholds.resolve(catalog, ScoringSettings())


def form(
    client: str,
    session: int,
    total: float | None,
    instrument: str = "ORS",
    date: datetime.date | str | None = "auto",
) -> Form:
    """A form whose four items add up to TOTAL (None: one item missing)."""
    items = (None, 5.0, 5.0, 5.0) if total is None else (total / 4,) * 4
    day = START + datetime.timedelta(weeks=session) if date == "auto" else date
    return Form(
        client, instrument, session, day, items, Location("forms.xlsx", instrument, session)
    )


def scored_forms(
    forms: Sequence[Form], clients: dict[str, Client], catalog: Catalog, thresholds: Thresholds
) -> list[ScoredForm]:
    return score(forms, clients, catalog, thresholds)


def series(client: str, *totals: float | None, instrument: str = "ORS") -> list[Form]:
    return [form(client, n, total, instrument) for n, total in enumerate(totals, start=1)]


# --- outcomes: the statistics ---------------------------------------------------------------


def test_effect_size_by_hand() -> None:
    # Changes +6, 0, -6: mean 0; intakes 20, 22, 24: sample SD 2.0.
    assert effect_size([20, 22, 24], [6, 0, -6]) == 0.0
    # Intakes 10 and 14: SD = sqrt(8) = 2.828; mean change 6: 6 / 2.828 = 2.1213.
    assert effect_size([10, 14], [4, 8]) == pytest.approx(6 / math.sqrt(8))
    assert effect_size([20], [5]) is None  # n < 2
    assert effect_size([20, 20, 20], [1, 2, 3]) is None  # the intakes do not vary


def test_group_figures_by_hand(catalog: Catalog, thresholds: Thresholds) -> None:
    # Intakes 20, 22, 24; latests 26, 22, 18 (cutoff 25, RCI 5).
    clients = {c: Client(c, clinician="Dr. Ada") for c in ("A", "B", "C")}
    forms = [*series("A", 20, 23, 26), *series("B", 22, 22), *series("C", 24, 20, 19, 18)]
    result = practice_outcomes(
        scored_forms(forms, clients, catalog, thresholds), clients, thresholds
    )
    group = result.whole
    assert group.name == WHOLE_PRACTICE
    assert (group.clients, group.forms) == (3, 9)
    assert group.sessions_mean == Figure(3.0, 3)  # sessions 3, 2, 4
    assert group.sessions_median == Figure(3, 3)
    assert group.intake == Figure(22.0, 3)
    assert group.change == Figure(0.0, 3)  # +6, 0, -6
    assert group.effect_size == Figure(0.0, 3)
    assert group.classes[CLINICALLY_SIGNIFICANT] == Share(1, 3)  # 20 -> 26: +6, above 25
    assert group.classes[NO_RELIABLE_CHANGE] == Share(1, 3)
    assert group.classes[RELIABLE_DETERIORATION] == Share(1, 3)  # 24 -> 18: -6
    assert group.classes[RELIABLE_IMPROVEMENT] == Share(0, 3)
    assert group.classes[INTAKE_ABOVE_CUTOFF] == Share(0, 3)
    assert group.classes[CLINICALLY_SIGNIFICANT].percent == pytest.approx(100 / 3)
    assert group.small and group.changed == 3
    assert [g.name for g in result.by_clinician] == ["Dr. Ada"]


def test_improvement_classes_are_separate_columns(catalog: Catalog, thresholds: Thresholds):
    clients = {c: Client(c) for c in ("RI", "CSI", "TOP", "TOPDOWN", "FLAT")}
    forms = [
        *series("RI", 10, 16),  # +6, still at or below 25: reliable improvement, not CSI
        *series("CSI", 20, 25.2),  # +5.2 and above 25: clinically significant
        *series("TOP", 30, 31),  # intake above the cutoff: its own column
        *series("TOPDOWN", 30, 24),  # -6 from above the cutoff: deterioration is named
        *series("FLAT", 18, 20),  # +2: no reliable change
    ]
    group = practice_outcomes(
        scored_forms(forms, clients, catalog, thresholds), clients, thresholds
    ).whole
    counts = {label: share.count for label, share in group.classes.items()}
    assert counts == {
        RELIABLE_IMPROVEMENT: 1,
        CLINICALLY_SIGNIFICANT: 1,
        NO_RELIABLE_CHANGE: 1,
        RELIABLE_DETERIORATION: 1,
        INTAKE_ABOVE_CUTOFF: 1,
    }
    assert {share.n for share in group.classes.values()} == {5}  # the stated denominator
    assert group.classes[RELIABLE_IMPROVEMENT].percent == 20.0
    # Changes +6, +5.2, +1, -6, +2 = 8.2 / 5 = 1.64.
    assert group.change == Figure(pytest.approx(1.64), 5)


def test_intake_latest_and_sessions_skip_incomplete_forms(catalog, thresholds) -> None:
    clients = {c: Client(c) for c in ("A", "B", "C", "D")}
    forms = [
        *series("A", None, 12, 19),  # intake is session 2 (12), latest 19: +7
        *series("B", 20),  # one outcome form: intake only, no change
        form("C", 1, 30, "SRS"),  # alliance only: no intake
        *series("D", 15, 15, 15, 15, 15, 15),
    ]
    group = practice_outcomes(
        scored_forms(forms, clients, catalog, thresholds), clients, thresholds
    ).whole
    assert group.forms == 11  # the incomplete form counts as a form
    assert group.sessions_mean == Figure(pytest.approx(11 / 4), 4)  # sessions 3, 1, 1, 6
    assert group.sessions_median == Figure(2.0, 4)  # median of 1, 1, 3, 6
    assert group.intake == Figure(pytest.approx((12 + 20 + 15) / 3), 3)
    assert group.change == Figure(pytest.approx(3.5), 2)  # +7 and 0
    # ES: intakes 12 and 15, SD = 2.1213; mean change 3.5: 1.6499.
    assert group.effect_size.value == pytest.approx(3.5 / (3 / math.sqrt(2)))


def test_alliance_alert_share(catalog: Catalog, thresholds: Thresholds) -> None:
    clients = {c: Client(c) for c in ("A", "B", "C")}
    forms = [
        *series("A", 38, 35, instrument="SRS"),  # one total below 36
        *series("B", 37, 36, instrument="SRS"),  # 36 is not below 36
        *series("C", 20, 22),  # no alliance form: not in the denominator
    ]
    group = practice_outcomes(
        scored_forms(forms, clients, catalog, thresholds), clients, thresholds
    ).whole
    assert group.alliance_alert == Share(1, 2)
    assert group.alliance_alert.percent == 50.0


def test_clients_are_grouped_by_the_client_lists_clinician(catalog, thresholds) -> None:
    clients = {f"Z{i:02d}": Client(f"Z{i:02d}", clinician="Dr. Zed") for i in range(10)}
    clients |= {"A1": Client("A1", clinician="Ann Lee"), "A2": Client("A2", clinician="  ")}
    ids = [*clients, "NOT-LISTED"]
    forms = [f for client in ids for f in series(client, 20, 26)]
    result = practice_outcomes(
        scored_forms(forms, clients, catalog, thresholds), clients, thresholds
    )
    names = [g.name for g in result.by_clinician]
    assert names == ["Ann Lee", "Dr. Zed", NO_CLINICIAN]  # "(no clinician)" last
    by_name = {g.name: g for g in result.by_clinician}
    assert by_name[NO_CLINICIAN].clients == 2  # a blank clinician and a client not on the list
    assert by_name["Dr. Zed"].clients == 10 and not by_name["Dr. Zed"].small
    assert by_name["Ann Lee"].small  # n < 10
    assert result.whole.clients == 13 and not result.whole.small
    assert sum(g.forms for g in result.by_clinician) == result.whole.forms == 26


def test_an_empty_group_has_no_figures() -> None:
    from paperfit.forms.outcomes import group_outcomes

    group = group_outcomes("Nobody", {}, 36)
    assert isinstance(group, GroupOutcomes)
    assert group.clients == 0 and group.intake == Figure(None, 0)
    assert group.effect_size.value is None and group.alliance_alert.percent is None


# --- open_flags --------------------------------------------------------------------------------


def test_open_flags_latest_session_most_recent_first(catalog, thresholds) -> None:
    clients = {
        "OLD": Client("OLD", clinician="Ann Lee"),
        "NEW": Client("NEW", clinician="Sam Okafor"),
        "CLEARED": Client("CLEARED", clinician="Ann Lee"),
        "SHUT": Client("SHUT", clinician="Ann Lee", status="closed"),
        "UNDATED": Client("UNDATED"),
    }
    forms = [
        # OLD: session 2 on 2026-01-19: ORS 24 -> 18 and SRS 30 (below 36 and items below 9).
        *series("OLD", 24, 18),
        *series("OLD", 38, 30, instrument="SRS"),
        # NEW: session 3 on 2026-01-26: SRS lower than last session.
        *series("NEW", 20, 21, 22),
        *series("NEW", 39, 39.6, 38, instrument="SRS"),
        # CLEARED: flagged at session 1 (SRS 30), fine at its latest session 2.
        *series("CLEARED", 30, 38, instrument="SRS"),
        # SHUT: flagged, but the client is closed.
        *series("SHUT", 24, 10),
        # UNDATED: flagged, no date: last.
        form("UNDATED", 1, 20, "SRS", date=None),
    ]
    lines = open_flags(scored_forms(forms, clients, catalog, thresholds), clients)
    assert [line.client_id for line in lines] == ["NEW", "OLD", "UNDATED"]
    new, old, undated = lines
    assert (new.clinician, new.session, new.date) == ("Sam Okafor", 3, datetime.date(2026, 1, 26))
    assert new.reason == "SRS lower than last session"
    assert (old.clinician, old.session, old.date) == ("Ann Lee", 2, datetime.date(2026, 1, 19))
    assert old.reason == (
        "reliable deterioration; SRS total below 36; SRS item below 9; SRS lower than last session"
    )
    assert undated.clinician == NO_CLINICIAN and undated.date is None


# --- the printed report ------------------------------------------------------------------------

CLINICIANS = ("Dr. Ada Byron", "Sam Okafor")


def report_data(catalog: Catalog, thresholds: Thresholds, problems: int = 0) -> tuple:
    clients = {
        "A1": Client("A1", clinician="Dr. Ada Byron"),
        "A2": Client("A2", clinician="Dr. Ada Byron"),
        "A3": Client("A3", clinician="Dr. Ada Byron"),
        "B1": Client("B1", clinician="Sam Okafor"),
        "B2": Client("B2", clinician="Sam Okafor"),
        "B3": Client("B3", clinician="Sam Okafor", status="closed"),
        "N1": Client("N1"),
    }
    forms = [
        *series("A1", 20, 23, 26),
        *series("A1", 38, 39, 39, instrument="SRS"),
        *series("A2", 22, 22),
        *series("A3", 24, 20, 19, 18),  # reliable deterioration at session 4 (2026-02-02)
        *series("B1", 10, 16),
        *series("B2", 30, 31),
        *series("B3", 24, 12),  # deteriorated, but closed: not to review
        form("N1", 1, 18),
        form("N1", 1, 30, "SRS", date=datetime.date(2026, 2, 20)),  # alert, the most recent
    ]
    where = "/data/practice/2026"
    found = [
        Problem(
            Location(f"{where}/ors.xlsx", "ORS", 14, "Item 2"),
            "'12,5' is not a measure in cm (0.0 to 10.0). This value was left out.",
        ),
        Problem(
            Location(f"{where}/srs.xlsx", "SRS", 3), "the same form as row 2: merged.", "warning"
        ),
        Problem(
            Location(f"{where}/ors.xlsx", "ORS", 20, "Session"),
            "this row has no session number, so it was left out. Fill it in.",
        ),
        Problem(
            Location("/elsewhere/notes.docx"),
            "is not a spreadsheet, CSV or PDF: skipped.",
            "warning",
        ),
    ]
    found += [
        Problem(
            Location(f"{where}/ors.xlsx", "ORS", 100 + k, "Date"),
            f"problem number {k}: the date 2026-13-{k:02d} is not a date. "
            + "It was left out. " * (k % 4),
        )
        for k in range(problems)
    ]
    reading = Reading(
        forms=forms,
        clients=clients,
        problems=found,
        files=[f"{where}/ors.xlsx", f"{where}/srs.xlsx"],
        client_list_given=True,
    )
    return reading, scored_forms(forms, clients, catalog, thresholds)


def pdf_pages(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


@pytest.fixture(scope="module")
def report(tmp_path_factory, catalog: Catalog, thresholds: Thresholds) -> Path:
    reading, scored = report_data(catalog, thresholds)
    out = tmp_path_factory.mktemp("report") / "report.pdf"
    assert write_report(out, reading, scored, thresholds, PRACTICE, "letter", PRINTED) == out
    return out


def test_report_text_shows_figures_flags_and_problems(report: Path) -> None:
    pages = pdf_pages(report)
    text = " ".join(pages)
    for expected in (
        "Practice report",
        PRACTICE,
        "Printed: 2026-03-02",
        "Data: 2026-01-12 to 2026-02-20",
        "By clinician",
        "Whole practice",
        *CLINICIANS,
        NO_CLINICIAN,
        SMALL_NUMBER,
        "not severity-adjusted",
        "Reliable and clinically significant",
        "Reliable improvement only",
        "Intake above cutoff",
        "% of the clients with ≥ 2 complete outcome forms",
        # Dr. Ada Byron: intakes 20, 22, 24 -> mean 22.0, change 0, ES 0, one class each.
        "3 12 3.0 / 3 n=3 22.0 n=3 +0.0 n=3 +0.00 n=3 33% 1 of 3 0% 0 of 3 33% 1 of 3 33% 1 of 3",
        "Thresholds used",
        "adults 25, adolescents 28, children 32 (published with the form)",
        "a total below 36, any item below 9 (published with the form)",
        "no reliable improvement by session 4 (paperfit’s default)",
        "To review this week",
        "N1 (no clinician) 1 2026-02-20 SRS total below 36; SRS item below 9",
        "A3 Dr. Ada Byron 4 2026-02-02 reliable deterioration",
        "Data problems found while reading",
        "2 errors (the value was left out), 2 warnings (the value was kept)",
        "ors.xlsx › sheet ORS › row 14 › column Item 2",
        "'12,5' is not a measure in cm",
        "srs.xlsx › sheet SRS › row 3",
        "/elsewhere/notes.docx",  # outside the data folder: the full path
        "In /data/practice/2026",
        "Confidential",
    ):
        assert expected in text, expected
    assert "B3" not in text.split("To review this week")[1].split("Data problems")[0]
    # Errors first, then warnings.
    assert text.index("row 20 › column Session") < text.index("srs.xlsx › sheet SRS › row 3")
    count = len(pages)
    assert [f"page {i} of {count}" in page for i, page in enumerate(pages, start=1)] == [
        True
    ] * count
    assert "page 1 of" in pages[0]


def page_grey(path: Path, index: int, scale: float) -> np.ndarray:
    bitmap = pdfium.PdfDocument(path)[index].render(scale=scale, grayscale=True)
    grey = bitmap.to_numpy()
    return grey[..., 0] if grey.ndim == 3 else grey


def blank_edges(path: Path, paper: str, index: int) -> dict[str, int]:
    """Dark pixels in the 25 mm binder margin and within 6 mm of the other edges."""
    scale = 150 / 72
    grey = page_grey(path, index, scale)
    width_mm, height_mm = PAPER_SIZES_MM[paper]
    assert grey.shape[1] == pytest.approx(width_mm / 25.4 * 150, abs=2)
    assert grey.shape[0] == pytest.approx(height_mm / 25.4 * 150, abs=2)
    px = grey.shape[1] / width_mm
    binder, edge = int(BINDER_MM * px) - 1, math.ceil(EDGE_MM * px)
    dark = grey < DARK
    return {
        "left": int(dark[:, :binder].sum()),
        "top": int(dark[:edge].sum()),
        "right": int(dark[:, -edge:].sum()),
        "bottom": int(dark[-edge:].sum()),
    }


def test_page_one_keeps_the_binder_margin_and_edges_blank(report: Path) -> None:
    assert blank_edges(report, "letter", 0) == {"left": 0, "top": 0, "right": 0, "bottom": 0}
    # Ink does reach near the binder margin: the margin is 25 mm, not more.
    grey = page_grey(report, 0, 150 / 72)
    px = grey.shape[1] / PAPER_SIZES_MM["letter"][0]
    assert (grey[:, int(25 * px) : int(27 * px)] < DARK).any()


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_a_long_problem_list_spills_onto_numbered_pages(
    tmp_path: Path, catalog: Catalog, thresholds: Thresholds, paper: str
) -> None:
    reading, scored = report_data(catalog, thresholds, problems=150)
    out = write_report(tmp_path / "long.pdf", reading, scored, thresholds, PRACTICE, paper, PRINTED)
    pages = pdf_pages(out)
    count = len(pages)
    assert count >= 5
    for number, page in enumerate(pages, start=1):
        assert f"page {number} of {count}" in page
        assert "Confidential" in page
    text = " ".join(pages)
    for k in range(150):  # every problem is printed, once
        assert len(re.findall(rf"problem number {k}:", text)) == 1, k
    assert "Data problems found while reading (continued)" in text
    for index in (0, count - 1):
        assert blank_edges(out, paper, index) == {"left": 0, "top": 0, "right": 0, "bottom": 0}


def laid_out(pages: list[str], paper: str):
    return layout(render_html("pack.html", pages=[Markup(p) for p in pages], **page_setup(paper)))


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_fixed_budgets_fit_at_the_first_try(
    tmp_path: Path, catalog: Catalog, thresholds: Thresholds, paper: str
) -> None:
    """The height estimates alone must fit every page, even for wide text and long names: the
    smaller budgets write_report falls back on are a safety net, not the plan. Unbreakable
    text wraps instead of running into the margins."""
    reading, scored = report_data(catalog, thresholds, problems=40)
    wide = Location("/data/practice/2026/" + "W" * 90 + ".xlsx", "MMMMMMMMMMMMMMMMMMMM", 9)
    reading.problems += [Problem(wide, "WIDE " * 40 + "%" * 120) for _ in range(6)]
    many = {
        f"C{i:03d}": Client(f"C{i:03d}", clinician=f"Dr. Wilhelmina Mwangi-{i % 30:02d}")
        for i in range(90)
    }
    reading.clients |= many
    forms = [f for client in many for f in series(client, 14, 20, 13)]
    scored = scored_forms([*reading.forms, *forms], reading.clients, catalog, thresholds)
    pages = report_pages(reading, scored, thresholds, "W" * 120, paper, PRINTED)
    document = laid_out(pages, paper)
    assert len(document.pages) == len(pages)
    check_fits(document)
    out = tmp_path / "wide.pdf"
    document.write_pdf(out)
    for index in range(len(pages)):
        assert blank_edges(out, paper, index) == {"left": 0, "top": 0, "right": 0, "bottom": 0}


def test_a_report_with_nothing_to_flag_or_fix(tmp_path: Path, catalog, thresholds) -> None:
    clients = {"A": Client("A", clinician="Ann Lee")}
    forms = series("A", 20, 21)
    reading = Reading(forms=forms, clients=clients, files=["forms.xlsx"])
    scored = scored_forms(forms, clients, catalog, thresholds)
    out = write_report(tmp_path / "r.pdf", reading, scored, thresholds, "", "a4", PRINTED)
    text = " ".join(pdf_pages(out))
    assert "No open client has flags at their latest session." in text
    assert "No problems were found." in text
    assert "0 errors, 0 warnings" in text
    assert "page 1 of 1" in text


def test_text_lines_estimates_wrapping() -> None:
    assert text_lines("", 50) == 1
    assert text_lines("short", 50) == 1
    assert text_lines("word " * 60, 50) >= 4
    assert text_lines("W" * 200, 20) >= 10  # a long word is broken, not left to overflow
    assert text_lines("one\ntwo", 50) == 2


def test_a_page_that_does_not_fit_is_cut_again_smaller(
    tmp_path: Path, catalog: Catalog, thresholds: Thresholds, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a budget 60 mm taller than the page the first layout overflows; the report is cut
    again with a smaller budget, and still numbered right."""
    import paperfit.generator.report as report_module

    monkeypatch.setattr(report_module, "FOOT_MM", -60.0)
    reading, scored = report_data(catalog, thresholds, problems=60)
    too_tall = report_pages(reading, scored, thresholds, PRACTICE, "letter", PRINTED)
    document = laid_out(too_tall, "letter")
    if len(document.pages) == len(too_tall):  # else a page already ran onto a second sheet
        with pytest.raises(PaperfitError, match="does not fit"):
            check_fits(document)
    out = write_report(tmp_path / "r.pdf", reading, scored, thresholds, PRACTICE, "letter", PRINTED)
    pages = pdf_pages(out)
    assert len(pages) > len(too_tall)
    assert all(f"page {i} of {len(pages)}" in p for i, p in enumerate(pages, start=1))


def test_a_small_figure_in_a_large_group_is_marked(catalog, thresholds) -> None:
    """12 clients (not a small group), only 3 with two outcome forms: the change, effect size
    and class figures carry the mark; the intake (n=12) does not."""
    clients = {f"K{i:02d}": Client(f"K{i:02d}", clinician="Kim Park") for i in range(12)}
    forms = [form(client, 1, 20) for client in clients]
    forms += [form(client, 2, 27) for client in list(clients)[:3]]
    reading = Reading(forms=forms, clients=clients, files=["forms.xlsx"])
    scored = scored_forms(forms, clients, catalog, thresholds)
    html = " ".join(report_pages(reading, scored, thresholds, "", "letter", PRINTED))
    assert "n=12<" in html and "n=12 †" not in html
    assert html.count("n=3 †") == 2 * 2  # change and effect size, whole practice and Kim Park
    table = html.split("</thead>")[1].split("How the figures are made")[0]
    assert "3 of 3 †" in table and SMALL_NUMBER not in table
