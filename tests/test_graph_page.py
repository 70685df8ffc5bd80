"""The graph page as a clinician reads it: each flag said once where it starts, good news in
the table with its own mark, axis titles, labels clear of data and bands, a scale that suits
a child's high scores, and one page up to 16 sessions."""

from __future__ import annotations

import datetime
import itertools

import pytest
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Client, Form
from paperfit.forms.scoring import ScoringSettings, Thresholds, score
from paperfit.forms.trajectories import Model, fit
from paperfit.generator.chart import Area, covers, crosses, lines_of, markers_of, overlaps
from paperfit.generator.graphs import GraphOptions, build_graphs, write_graphs
from paperfit.generator.session_notes import MARKS

from paperfit.practices import CHILDREN, LEVELLING
from tests.conftest import page_count, pdf_text
from tests.test_graphs import course

PRINTED = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def thresholds(catalog: Catalog) -> Thresholds:
    return Thresholds.resolve(catalog, ScoringSettings())


@pytest.fixture(scope="module")
def model() -> Model:
    courses = LEVELLING.courses(300, seed=6) + CHILDREN.courses(300, seed=7)
    return fit(courses, datetime.date(2026, 11, 20), folds=0)


def child_forms(client: str, totals: list[float], alliance: list[float]) -> list[Form]:
    forms = course(client, totals, "CORS", alliance=alliance)
    return [
        Form(f.client_id, "CSRS", f.session, f.date, f.items, f.source)
        if f.instrument == "SRS"
        else f
        for f in forms
    ]


def graphs(catalog, thresholds, forms, clients, model=None):
    scored = score(forms, clients, catalog, thresholds)
    return build_graphs(scored, clients, thresholds, catalog, "en", (), model)


def test_a_flag_is_said_where_it_starts_then_marked(catalog, thresholds) -> None:
    forms = course("C-1", [20] * 8, alliance=[38, 38, 34, 34, 34, 38, 38, 34])
    (graph,) = graphs(catalog, thresholds, forms, {})
    flags = {row.session: row.flags for row in graph.rows}
    srs = "▲ SRS total below 36; ▲ SRS item below 9; ▲ SRS lower than last session"
    assert flags[3] == srs
    assert flags[4] == "▲ no reliable improvement by session 4; ▲ ▲"  # SRS flags still hold
    assert [flags[s].count("no reliable improvement") for s in range(5, 9)] == [0, 0, 0, 0]
    assert flags[5] == "▲ ▲ ▲"  # all three still hold: marks only
    assert flags[6] == flags[7] == "▲"
    assert flags[8] == srs + "; ▲"  # the SRS flags start again: said again
    # The chart's triangles stand over the sessions where a flag starts, not every flagged one.
    assert [session for session, _ in graph.main.flags] == [3, 4, 8]


def test_good_news_is_in_the_table_in_words_and_its_own_mark(tmp_path, catalog, thresholds) -> None:
    forms = course("C-1", [20, 22, 26, 27, 28]) + course("C-2", [24, 18, 17])
    good, bad = graphs(catalog, thresholds, forms, {})
    flags = {row.session: row.flags for row in good.rows}
    assert flags[2] == ""
    assert flags[3] == "✓ reliable improvement; ★ crossed the cutoff 25"
    assert flags[4] == flags[5] == "✓ ★"
    assert [row.flags for row in bad.rows][1] == "▼ reliable deterioration"
    assert len(set(MARKS.values())) == len(MARKS)  # one shape per meaning
    key = " ".join(good.key)
    assert "✓ reliable improvement, ★ crossed the cutoff" in key
    files = write_graphs(tmp_path, [good, bad], GraphOptions(printed=PRINTED))
    first, second = (pdf_text(path)[0] for path in files.clients)
    assert "✓ reliable improvement; ★ crossed the cutoff 25" in first
    assert "▼ reliable deterioration" in second


def test_the_axes_have_titles_and_a_childs_scale_starts_at_20(catalog, thresholds) -> None:
    forms = course("C-1", [16, 18]) + child_forms("K-1", [27, 30, 33], [38, 39, 40])
    clients = {"K-1": Client("K-1", "child")}
    adult, child = graphs(catalog, thresholds, forms, clients)
    assert adult.main.axis_titles == child.main.axis_titles == ("Session", "Total 0–40")
    assert [t.label for t in adult.main.y_ticks] == ["0", "10", "20", "30", "40"]
    assert [t.label for t in child.main.y_ticks] == ["20", "25", "30", "35", "40"]
    assert child.main.y_break and not adult.main.y_break
    # The child's band (27 ± 5) now takes half the plot's height, not a quarter.
    frame = child.main.frame
    band = child.main.band
    assert band.y_bottom - band.y_top == pytest.approx((frame.plot_bottom - frame.plot_top) / 2)


def _label_boxes(chart):
    labels = [(rule.place.box(rule.label), "rule") for rule in chart.rules]
    labels.append((chart.band.place.box(chart.band.label), "band"))
    labels += [(c.place.box(c.label), "expected") for c in chart.courses]
    return labels


@pytest.mark.parametrize(
    ("client", "totals", "alliance"),
    [
        (Client("K-1", "child"), [27, 28, 27, 29, 28, 30, 33, 35, 36, 36, 37, 38], [39] * 12),
        (Client("A-1", "adult"), [17, 18, 17.5, 19, 18, 19, 21, 24, 26, 27, 25, 28], [38] * 12),
        (Client("A-2", "adult"), [20, 19, 18, 14, 13, 12, 12, 11, 13, 12], [38] * 10),
    ],
)
def test_labels_are_never_on_data_or_bands(
    catalog, thresholds, model, client, totals, alliance
) -> None:
    instrument = "CORS" if client.age_group == "child" else "ORS"
    forms = (
        child_forms(client.client_id, totals, alliance)
        if instrument == "CORS"
        else course(client.client_id, totals, alliance=alliance)
    )
    (graph,) = graphs(catalog, thresholds, forms, {client.client_id: client}, model)
    chart = graph.main
    assert chart.courses, "the test needs an expected course"
    hatched: Area = chart.courses[0].band
    frame = chart.frame
    grey: Area = (
        (frame.plot_left, chart.band.y_top),
        (frame.plot_right, chart.band.y_top),
        (frame.plot_right, chart.band.y_bottom),
        (frame.plot_left, chart.band.y_bottom),
    )
    lines, markers = lines_of(chart.series), markers_of(chart.series, chart.marker)
    labels = _label_boxes(chart)
    for box, owner in labels:
        assert not [line for line in lines if crosses(line, box)], owner
        assert not [m for m in markers if overlaps(m, box)], owner
        assert not covers(hatched, box), f"the {owner} label is on the hatched expected band"
        if owner != "band":
            assert not covers(grey, box), f"the {owner} label is on the grey band"
    for (a, _), (b, _) in itertools.combinations(labels, 2):
        assert not overlaps(a, b)


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_up_to_16_sessions_fit_on_one_page(
    tmp_path, catalog, thresholds, model, paper, language
) -> None:
    """A 12-session child and a 16-session adult whose flags hold session after session."""
    forms = child_forms(
        "K-1", [27, 28, 27, 29, 28, 30, 33, 35, 36, 36, 37, 38], [38, 39, 35, 39] + [39] * 8
    )
    forms += course(
        "A-2", [20, 19, 18, 14, 13, 12, 12, 11, 13, 12, 12, 12, 11, 12, 12, 12], alliance=[35] * 16
    )
    clients = {"K-1": Client("K-1", "child", "Sam Lee"), "A-2": Client("A-2")}
    scored = score(forms, clients, catalog, thresholds)
    found = build_graphs(scored, clients, thresholds, catalog, language, (), model)
    options = GraphOptions(paper=paper, language=language, printed=PRINTED)
    files = write_graphs(tmp_path, found, options)
    assert [page_count(path) for path in files.clients] == [1, 1]
