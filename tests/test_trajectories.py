"""Expected courses: fitted on made-up practices whose true percentiles are known."""

from __future__ import annotations

import datetime

import numpy as np
import pytest
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Client
from paperfit.forms.scoring import ScoringSettings, Thresholds, score
from paperfit.forms.trajectories import (
    PERCENTILES,
    Course,
    Model,
    courses_from_scored,
    fit,
    quantile_regression,
)

from paperfit.practices import LEVELLING, MIXED, Practice
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
