"""Progress graphs with the expected course: the band, the marks below it, the key, one page."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Client
from paperfit.forms.scoring import ScoringSettings, Thresholds, score
from paperfit.forms.trajectories import Model, fit
from paperfit.generator.graphs import GraphOptions, build_graphs, write_graphs

from paperfit.cli import cli
from paperfit.practices import LEVELLING, write_practice
from tests.conftest import page_count, pdf_text
from tests.test_graphs import course

PRINTED = datetime.date(2026, 11, 25)


@pytest.fixture(scope="module")
def model() -> Model:
    return fit(LEVELLING.courses(400, seed=6), datetime.date(2026, 11, 20), folds=0)


@pytest.fixture(scope="module")
def thresholds(catalog: Catalog) -> Thresholds:
    return Thresholds.resolve(catalog, ScoringSettings())


def graphs_of(forms, clients, catalog, thresholds, model, language="en"):
    scored = score(forms, clients, catalog, thresholds)
    return build_graphs(scored, clients, thresholds, catalog, language, (), model)


def test_the_expected_course_starts_from_the_clients_intake(catalog, thresholds, model) -> None:
    forms = course("C-1", [16, 18, 20, 21, 22])
    graph = graphs_of(forms, {}, catalog, thresholds, model)[0]
    (drawn,) = graph.main.courses
    expected = model.expected("adult", 16, 2)
    assert expected is not None
    y_median = graph.main.frame.plot_bottom - expected.p50 / 40 * (
        graph.main.frame.plot_bottom - graph.main.frame.plot_top
    )
    assert drawn.median[0][1] == pytest.approx(y_median)
    assert len(drawn.median) == 4  # sessions 2 to 5
    key = " ".join(graph.key)
    clients = model.groups["adult"].clients
    near = model.groups["adult"].clients_near(16, 5)
    assert near >= model.min_support
    assert (
        f"Expected: {near} past clients of this practice who started at 14 to 18 and came to "
        f"session 5 (model of {clients} adults, fitted 2026-11-20)" in key
    )


def test_sessions_below_the_course_are_marked_in_the_table_and_on_the_chart(
    catalog, thresholds, model
) -> None:
    expected = model.expected("adult", 18, 3)
    assert expected is not None
    below_p25 = round(expected.p25 - 0.4, 1)  # under p25, above p10
    forms = course("C-1", [18, 30, below_p25, 5, 30])
    graph = graphs_of(forms, {}, catalog, thresholds, model)[0]
    flags = {row.session: row.flags for row in graph.rows}
    assert "○ below expected" in flags[3]
    assert "◎ well below expected" in flags[4]
    assert "below expected" not in flags[2] + flags[5]
    assert [(round(b.x, 1), b.well) for b in graph.main.below] == [
        (round(p.x, 1), well)
        for p, well in zip(graph.main.series[0].points[2:4], (False, True), strict=True)
    ]


def test_without_a_model_or_outside_it_the_key_says_why(catalog, thresholds, model) -> None:
    forms = course("C-1", [16, 18, 20]) + course("C-2", [39, 39, 39])
    plain = graphs_of(forms, {}, catalog, thresholds, None)[0]
    assert not plain.main.courses
    assert "No expected-progress curve is shown." in plain.key
    outside = graphs_of(forms, {}, catalog, thresholds, model)[1]
    assert not outside.main.courses
    assert any(
        line.startswith("No expected course: the model covers intakes") for line in outside.key
    )
    child = graphs_of(
        course("K-1", [20, 22, 24], "CORS"),
        {"K-1": Client("K-1", "child")},
        catalog,
        thresholds,
        model,
    )[0]
    assert "No expected course: the model has no curve for this age group." in child.key


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_sixteen_sessions_with_both_forms_fit_on_one_page(
    tmp_path: Path, catalog, thresholds, model, paper: str
) -> None:
    totals = [16.0] + [23 + session * 0.2 for session in range(15)]  # no flags
    forms = course("C-1", totals, alliance=[38.0] * 16)
    clients = {"C-1": Client("C-1", "adult", "Dr. Rivera", name="Zoë")}
    graphs = graphs_of(forms, clients, catalog, thresholds, model)
    options = GraphOptions(paper=paper, practice_name="Riverside Counselling", printed=PRINTED)
    files = write_graphs(tmp_path, graphs, options)
    assert files.pages == 1
    text = pdf_text(files.clients[0])[0]
    assert "past clients of this practice who started at" in text
    assert "page 1 of 1" in text


def test_graphs_fit_the_model_from_the_inputs_or_say_once_why_not(tmp_path: Path) -> None:
    write_practice(tmp_path / "big", LEVELLING.courses(150, seed=7))
    runner = CliRunner()
    result = runner.invoke(
        cli,
        ["graphs", str(tmp_path / "big"), "-o", str(tmp_path / "g"), "--client", "LEV-0003"],
    )
    assert result.exit_code == 0, result.output
    assert (
        "past clients of this practice who started at"
        in pdf_text(tmp_path / "g" / "LEV-0003.pdf")[0]
    )
    write_practice(tmp_path / "small", LEVELLING.courses(40, seed=7))
    result = runner.invoke(cli, ["graphs", str(tmp_path / "small"), "-o", str(tmp_path / "s")])
    assert result.exit_code == 0
    assert result.stderr.count("Expected courses: none for adult clients: only") == 1
    text = pdf_text(tmp_path / "s" / "LEV-0003.pdf")[0]
    assert "No expected-progress curve is shown." in text
    assert page_count(tmp_path / "s" / "LEV-0003.pdf") == 1


def test_graphs_take_a_model_file_or_none(tmp_path: Path) -> None:
    write_practice(tmp_path / "big", LEVELLING.courses(150, seed=7))
    runner = CliRunner()
    runner.invoke(cli, ["trajectories", str(tmp_path / "big"), "-o", str(tmp_path / "t")])
    write_practice(tmp_path / "small", LEVELLING.courses(5, seed=8))
    args = [
        "graphs",
        str(tmp_path / "small"),
        "-o",
        str(tmp_path / "g"),
        "--client",
        "LEV-0001",
    ]
    result = runner.invoke(cli, [*args, "--expected", str(tmp_path / "t" / "model.json")])
    assert result.exit_code == 0, result.output
    assert (
        "past clients of this practice who started at"
        in pdf_text(tmp_path / "g" / "LEV-0001.pdf")[0]
    )
    result = runner.invoke(cli, [*args, "--expected", "none"])
    assert "Expected courses" not in result.stderr
    assert "No expected-progress curve" in pdf_text(tmp_path / "g" / "LEV-0001.pdf")[0]
    result = runner.invoke(cli, [*args, "--expected", str(tmp_path / "nothing.json")])
    assert result.exit_code == 1
    assert "nothing.json" in result.output
