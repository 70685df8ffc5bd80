"""Benchmark and method check for expected courses (forms/trajectories.py).

1. Method comparison, on made-up practices whose true course is known and is not the model's
   shape (one levels off exponentially, one mixes fast and slow responders; paperfit/practices.py):
   for each method, the largest error of the fitted p10/p25/p50/p75 against the true percentiles
   across intakes 12-24 and sessions 2-10, and the 5-fold held-out calibration.
2. Speed: fitting 10,000 clients x 12 sessions (the four percentiles, and the 5-fold calibration,
   which is 20 more fits), against a baseline measured in the same run: statsmodels' QuantReg
   (IRLS) on the same rows for the four percentiles, when statsmodels is installed.
Run: .venv/bin/python bench/trajectories.py [SEEDS] [CLIENTS]
"""

from __future__ import annotations

import datetime
import os
import sys
import time
import warnings

import numpy as np
from paperfit.forms.trajectories import METHODS, PERCENTILES, QUANTREG, _design, _rows, fit

from paperfit.practices import LEVELLING, MIXED, Practice

DAY = datetime.date(2026, 11, 30)


def errors(practice: Practice, seed: int, method: str) -> tuple[np.ndarray, tuple, float]:
    """The largest error of each percentile, the calibration and the seconds the fit took."""
    start = time.perf_counter()
    model = fit(practice.courses(1500, seed), DAY, method=method)
    seconds = time.perf_counter() - start
    worst = np.zeros(len(PERCENTILES))
    for intake in range(12, 25):
        for session in range(2, 11):
            expected = model.expected(practice.age_group, intake, session)
            assert expected is not None
            truth = [practice.true_percentile(p, intake, session) for p in PERCENTILES]
            worst = np.maximum(worst, np.abs(np.array(expected.values) - truth))
    calibration = model.groups[practice.age_group].calibration
    assert calibration is not None
    return worst, calibration.below, seconds


def compare(seeds: int) -> None:
    print("Method comparison: 1,500 clients, largest |fitted - true| over intakes 12-24 and")
    print("sessions 2-10 (p10 / p25 / p50 / p75; the tests allow 1.5 / 1.2 / 1.0 for the first")
    print("three), and the share of held-out sessions below each percentile (nominal 10/25/50/75)")
    for practice in (LEVELLING, MIXED):
        for method in METHODS:
            rows = [errors(practice, seed, method) for seed in range(1, seeds + 1)]
            worst = np.max([r[0] for r in rows], axis=0)
            mean = np.mean([r[0] for r in rows], axis=0)
            below = np.mean([r[1] for r in rows], axis=0)
            print(
                f"  {practice.name:9} {method:12} worst of {seeds} seeds "
                + " / ".join(f"{v:.2f}" for v in worst)
                + "   mean "
                + " / ".join(f"{v:.2f}" for v in mean)
                + "   held-out below "
                + " / ".join(f"{v:.1f}" for v in below)
                + f"   {np.mean([r[2] for r in rows]):.1f} s a fit"
            )


def speed(clients: int) -> None:
    courses = MIXED.courses(clients, seed=7, sessions=(12, 12))
    rows = _rows(courses)
    start = time.perf_counter()
    fit(courses, DAY, folds=0)
    alone = time.perf_counter() - start
    start = time.perf_counter()
    model = fit(courses, DAY)
    whole = time.perf_counter() - start
    group = model.groups["adult"]
    print(
        f"paperfit: {clients:,} clients, {group.forms:,} forms ({len(rows):,} later sessions): "
        f"fit {alone:.1f} s; fit and 5-fold calibration {whole:.1f} s"
    )
    try:
        from statsmodels.regression.quantile_regression import QuantReg
    except ImportError:
        print("baseline: statsmodels is not installed, so no ratio")
        return
    design = _design(QUANTREG, rows[:, 1], rows[:, 2])
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in PERCENTILES:
            QuantReg(rows[:, 3], design).fit(q=p / 100, max_iter=5000)
    baseline = time.perf_counter() - start
    print(f"baseline, statsmodels QuantReg on the same rows, 4 percentiles: {baseline:.1f} s")
    print(f"ratio (baseline / paperfit fit): {baseline / alone:.1f}x")


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cores: {os.cpu_count()}, load average at start: {load:.1f}")
    compare(seeds)
    speed(clients)


if __name__ == "__main__":
    main()
