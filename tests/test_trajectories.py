"""Expected courses: fitted on made-up practices whose true percentiles are known."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from paperfit.forms.instrument import Catalog
from paperfit.forms.quantreg import quantile_regression
from paperfit.forms.records import Client
from paperfit.forms.scoring import ScoringSettings, Thresholds, score
from paperfit.forms.trajectories import (
    PERCENTILES,
    UNWEIGHTED,
    Course,
    FitOptions,
    Model,
    courses_from_scored,
    expectation,
    expected_table,
    fit,
    irregular,
    raw_predictions,
)

from paperfit.practices import INFORMATIVE, LEVELLING, MIXED, Dropout, Practice
from tests.test_scoring import make_form, spread

DAY = datetime.date(2026, 11, 20)
# the largest error allowed for p10, p25, p50 across intakes 12-24 and sessions 2-10
LIMITS = {10: 1.5, 25: 1.2, 50: 1.0}


@pytest.fixture(scope="module", params=[LEVELLING, MIXED], ids=lambda p: p.name)
def fitted(request: pytest.FixtureRequest) -> tuple[Practice, Model]:
    practice = request.param
    return practice, fit(practice.courses(1500, seed=1), DAY)


def test_fitted_percentiles_are_near_the_true_ones(fitted: tuple[Practice, Model]) -> None:
    practice, model = fitted
    for percentile, limit in LIMITS.items():
        errors = []
        for intake in range(12, 25):
            for session in range(2, 11):
                expected = model.expected("adult", intake, session)
                assert expected is not None, (intake, session)
                value = expected.values[PERCENTILES.index(percentile)]
                errors.append(abs(value - practice.true_percentile(percentile, intake, session)))
        assert max(errors) <= limit, (percentile, max(errors))


def test_held_out_sessions_fall_below_each_percentile_as_often_as_nominal(
    fitted: tuple[Practice, Model],
) -> None:
    calibration = fitted[1].groups["adult"].calibration
    assert calibration is not None
    assert calibration.folds == 5
    assert calibration.clients > 1200
    for nominal, share in zip(PERCENTILES, calibration.below, strict=True):
        assert abs(share - nominal) <= 3, (nominal, share)


def test_percentiles_never_cross_and_stay_within_0_to_40(fitted: tuple[Practice, Model]) -> None:
    model = fitted[1]
    group = model.groups["adult"]
    low, high = group.intake_range
    for intake in np.linspace(low, high, 25):
        for session in range(*group.session_range):
            expected = model.expected("adult", float(intake), session)
            if expected is None:  # a thin cell: tested below
                assert group.clients_near(float(intake), session) < model.min_support
                continue
            values = expected.values
            assert list(values) == sorted(values)
            assert values[0] >= 0 and values[-1] <= 40


def test_nothing_is_given_outside_the_covered_intakes_and_sessions(
    fitted: tuple[Practice, Model],
) -> None:
    model = fitted[1]
    group = model.groups["adult"]
    low, high = group.intake_range
    first, last = group.session_range
    assert low < 12 and high > 24 and first == 2 and last >= 10
    assert model.expected("adult", low - 0.1, 4) is None
    assert model.expected("adult", high + 0.1, 4) is None
    assert model.expected("adult", 18, 1) is None
    assert model.expected("adult", 18, last + 1) is None
    assert model.expected("child", 18, 4) is None
    assert model.expected("adult", low, first) is not None


def test_with_60_clients_nothing_is_fitted_and_the_reason_says_why() -> None:
    model = fit(MIXED.courses(60, seed=2), DAY)
    group = model.groups["adult"]
    assert not group.fitted
    assert "clients with at least 3 complete outcome forms" in group.refusal
    assert "100 needed" in group.refusal
    assert model.expected("adult", 18, 4) is None
    assert model.clients == 0


def test_the_minimum_is_a_setting() -> None:
    model = fit(MIXED.courses(60, seed=2), DAY, min_clients=40)
    assert model.groups["adult"].fitted


def test_the_same_input_gives_the_same_model() -> None:
    courses = LEVELLING.courses(300, seed=3)
    assert fit(courses, DAY) == fit(list(courses), DAY)


def test_quantile_regression_on_a_constant_is_the_sample_quantile() -> None:
    values = np.arange(1.0, 102.0)  # 1..101: the 25th percentile is 26
    rows = np.ones((1, 1))
    index = np.zeros(len(values), dtype=int)
    assert quantile_regression(rows, index, values, 0.25)[0] == pytest.approx(26, abs=1e-4)


def test_quantile_regression_recovers_a_line() -> None:
    x = np.repeat(np.arange(10.0), 21)
    noise = np.tile(np.arange(-10.0, 11.0), 10)  # the median of the noise is 0 at every x
    rows = np.column_stack([np.ones(10), np.arange(10.0)])
    index = np.repeat(np.arange(10), 21)
    coefficients = quantile_regression(rows, index, 3 + 2 * x + noise, 0.5)
    assert coefficients == pytest.approx([3, 2], abs=1e-3)


def test_courses_are_built_from_the_outcome_totals_of_scored_forms(catalog: Catalog) -> None:
    thresholds = Thresholds.resolve(catalog, ScoringSettings())
    forms = [
        make_form("C-2", "CORS", 1, spread(20)),
        make_form("C-2", "CSRS", 1, spread(36)),
        make_form("C-2", "CORS", 2, (5.0, None, 5.0, 5.0)),
        make_form("C-2", "CORS", 3, spread(26)),
        make_form("C-1", "ORS", 1, spread(15)),
        make_form("C-1", "ORS", 2, spread(18)),
    ]
    clients = {"C-2": Client("C-2", age_group="child")}
    courses = courses_from_scored(score(forms, clients, catalog, thresholds))
    assert courses == [
        Course("C-1", "adult", ((1, 15.0), (2, 18.0))),
        Course("C-2", "child", ((1, 20.0), (3, 26.0))),
    ]


def test_quantile_regression_agrees_with_statsmodels() -> None:
    from statsmodels.regression import quantile_regression as quantreg

    rows = MIXED.courses(300, seed=8)
    data = np.array([(c.intake, s, t) for c in rows for s, t in c.points[1:]])
    design = np.column_stack([np.ones(len(data)), data[:, 0] - 20, np.log(data[:, 1])])
    index = np.arange(len(data))

    def loss(beta: np.ndarray, tau: float) -> float:
        r = data[:, 2] - design @ beta
        return float(np.sum(r * (tau - (r < 0))))

    for tau in (0.1, 0.5, 0.75):
        ours = quantile_regression(design, index, data[:, 2], tau)
        theirs = quantreg.QuantReg(data[:, 2], design).fit(q=tau, max_iter=5000).params
        assert loss(ours, tau) <= loss(theirs, tau) + 1e-6
        assert ours == pytest.approx(theirs, abs=0.05)


# ---- informative dropout: clients who reach a good level stop coming ----------------------


def mean_errors(practice: Practice, model: Model) -> dict[int, float]:
    """Mean |fitted - true full-course percentile| over intakes 12-24 and sessions 2-10."""
    errors: dict[int, list[float]] = {p: [] for p in PERCENTILES}
    for intake in range(12, 25):
        for session in range(2, 11):
            expected = model.expected("adult", intake, session)
            if expected is None:  # a thin cell, not drawn
                continue
            for p, value in zip(PERCENTILES, expected.values, strict=True):
                errors[p].append(abs(value - practice.true_percentile(p, intake, session)))
    assert len(errors[50]) >= 0.9 * 13 * 9  # nearly every cell is drawn
    return {p: float(np.mean(values)) for p, values in errors.items()}


@pytest.fixture(scope="module", params=[LEVELLING, MIXED], ids=lambda p: p.name)
def dropped(request: pytest.FixtureRequest) -> tuple[Practice, list[Course]]:
    """A made-up practice whose clients stop coming once they reach a good level."""
    practice = request.param
    courses = practice.courses(1500, seed=5, dropout=INFORMATIVE)
    reaching_12 = np.mean([c.points[-1][0] >= 12 for c in courses])
    assert 0.1 < reaching_12 < 0.3  # like the practices the curves were found wrong on
    return practice, courses


def test_with_informative_dropout_p25_and_p50_follow_the_full_course(dropped) -> None:
    practice, courses = dropped
    errors = mean_errors(practice, fit(courses, DAY, folds=0))
    assert errors[25] <= 1.0 and errors[50] <= 1.0, errors


def test_the_calibration_by_session_band_shows_the_gap_of_an_unweighted_fit(dropped) -> None:
    practice, courses = dropped
    unweighted = fit(courses, DAY, options=FitOptions(weighting=UNWEIGHTED))
    weighted = fit(courses, DAY)
    assert mean_errors(practice, unweighted)[50] > mean_errors(practice, weighted)[50]
    late = {}
    for name, model in (("unweighted", unweighted), ("weighted", weighted)):
        calibration = model.groups["adult"].calibration
        assert calibration is not None
        bands = {band.name: band for band in calibration.bands}
        assert bands["sessions 2-3"].forms > 1000 and bands["sessions 11+"].clients > 50
        assert set(bands) >= {"intake at or below 25", "intake above 25"}
        late[name] = bands["sessions 11+"].below[PERCENTILES.index(50)]
    assert late["unweighted"] < 42  # far fewer than half the full course below its median
    assert abs(late["weighted"] - 50) < 6


def test_no_cell_below_the_support_minimum_is_given(dropped) -> None:
    _, courses = dropped
    model = fit(courses, DAY, folds=0)
    group = model.groups["adult"]
    thin = 0
    for intake in group.intakes():
        for session in range(group.session_range[0], group.session_range[1] + 1):
            near = group.clients_near(intake, session)
            given = model.expected("adult", intake, session)
            assert (given is None) == (near < model.min_support)
            thin += given is None
    assert thin > 0
    rows = expected_table(model)
    assert all((e is None) == (n < model.min_support) for *_, e, n in rows)


def test_a_curve_stops_at_its_first_thin_session(dropped) -> None:
    _, courses = dropped
    model = fit(courses, DAY, folds=0)
    group = model.groups["adult"]
    last = group.session_range[1]
    intake = next(
        i
        for i in group.intakes()[::-1]
        if group.clients_near(i, last) < 20 <= group.clients_near(i, 2)
    )
    course = Course("X", "adult", ((1, float(intake)), (2, 20.0)))
    seen = expectation(model, course, last)
    assert seen is not None and seen.thin is not None
    session, clients = seen.thin
    assert clients < model.min_support and max(seen.expected) == session - 1


# ---- designs the data cannot determine: a simpler shape, never a crash ---------------------


def scattered(clients: int) -> list[Course]:
    """Sessions 1 and 2, then one more form at a session from 3 to 12: no session after 2 has
    forms of 20 clients, so only session 2 is covered."""
    return [
        Course(c.key, c.age_group, ((1, c.intake), (2, c.intake + 2), (3 + n % 10, c.intake + 4)))
        for n, c in enumerate(brief(clients, 3))
    ]


def brief(clients: int, sessions: int, seed: int = 3, intake: float | None = None) -> list[Course]:
    """A brief-therapy practice: every client comes to exactly SESSIONS sessions; with INTAKE
    everyone starts at that total."""
    courses = MIXED.courses(clients, seed=seed, sessions=(sessions, sessions))
    if intake is None:
        return courses
    return [Course(c.key, c.age_group, ((1, intake), *c.points[1:])) for c in courses]


@pytest.mark.parametrize(
    ("courses", "terms"),
    [
        (brief(120, 3), ("1", "intake - 20", "ln(session)", "(intake - 20) * ln(session)")),
        (brief(150, 6, intake=17.0), ("1", "ln(session)")),
        (brief(150, 3, intake=25.0), ("1", "ln(session)")),
        (scattered(150), ("1", "intake - 20")),
    ],
    ids=["sessions 1-3", "all intakes equal", "equal intakes sessions 1-3", "only session 2"],
)
def test_a_design_the_data_cannot_determine_falls_back_to_a_simpler_shape(
    courses: list[Course], terms: tuple[str, ...]
) -> None:
    model = fit(courses, DAY)
    group = model.groups["adult"]
    assert group.fitted, group.refusal
    assert group.terms == terms
    assert group.calibration is not None  # the folds too
    low, high = group.intake_range
    for session in range(group.session_range[0], group.session_range[1] + 1):
        for intake in (low, high):
            values = raw_predictions(
                model.method, group.parameters, np.array([intake]), np.array([session])
            )
            assert np.all(np.isfinite(values))


def test_courses_starting_at_session_5_get_no_curve_and_the_reason() -> None:
    courses = [
        Course(c.key, c.age_group, tuple((s + 4, t) for s, t in c.points))
        for c in MIXED.courses(300, seed=4)
    ]
    group = fit(courses, DAY).groups["adult"]
    assert not group.fitted
    assert group.left_out == 300
    assert "300 clients whose first outcome form is not session 1 left out" in group.refusal


def test_renumbered_clients_are_left_out_and_do_not_stretch_the_range() -> None:
    dropout = Dropout(renumbered=0.1)
    courses = LEVELLING.courses(800, seed=6, dropout=dropout)
    renumbered = irregular(courses)
    assert 40 < len(renumbered) < 120 and all(c.points[0][0] == 23 for c in renumbered)
    group = fit(courses, DAY, folds=0).groups["adult"]
    assert group.left_out == len(renumbered)
    assert group.clients == sum(c.regular and len(c.points) >= 2 for c in courses)
    assert group.session_range[1] <= 20


def test_weighted_quantile_regression_is_the_regression_on_repeated_rows() -> None:
    rng = np.random.default_rng(2)
    x = rng.uniform(0, 10, 200)
    y = 2 + 0.5 * x + rng.normal(0, 1, 200)
    copies = rng.integers(1, 4, 200)
    rows = np.column_stack([np.ones(200), x])
    index = np.arange(200)
    weighted = quantile_regression(rows, index, y, 0.25, copies.astype(float))
    repeated = quantile_regression(rows, np.repeat(index, copies), np.repeat(y, copies), 0.25)
    assert weighted == pytest.approx(repeated, abs=1e-3)
