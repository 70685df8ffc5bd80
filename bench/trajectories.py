"""Benchmark and method check for expected courses (forms/trajectories.py).

1. Method comparison, on made-up practices whose true full course is known (paperfit/practices.py):
   complete courses, informative dropout (clients stop once they reach a good level; STRONG
   stops more), ceiling and floor practices, and clients numbered on from an earlier episode.
   For the chosen method (quantile regression weighted by the chance of still attending) and
   the one before it (the same regression unweighted): the mean and largest |fitted - true|
   of p10/p25/p50/p75 over the drawn cells of intakes 12-24 and sessions 2-10, the share of
   those cells drawn (the others rest on fewer than 20 past clients), and the held-out share
   below p50 at sessions 11 and later (nominal 50; weighted like the fit).
2. Speed: fitting 10,000 clients x 12 sessions (the four percentiles, and with the 5-fold
   calibration, 20 more fits), against a baseline measured in the same run: statsmodels'
   QuantReg (IRLS) on the same rows for the four percentiles, when statsmodels is installed.
Run: .venv/bin/python bench/trajectories.py [SEEDS] [CLIENTS]
"""

from __future__ import annotations

import datetime
import os
import sys
import time
import warnings

import numpy as np
from paperfit.forms.trajectories import (
    ATTENDANCE,
    PERCENTILES,
    SHAPES,
    UNWEIGHTED,
    FitOptions,
    _design,
    _rows,
    fit,
)

from paperfit.practices import (
    INFORMATIVE,
    LEVELLING,
    MIXED,
    STRONG,
    Dropout,
    Practice,
    Responder,
)

DAY = datetime.date(2026, 11, 30)
CEILING = Practice("ceiling", (Responder(1.0, 0.5, 2.5),), ceiling=40.0, intake_mean=28.0)
FLOOR = Practice("floor", (Responder(1.0, 0.45, 3.0),), intake_mean=9.0, intake_sd=6.0)
CASES = (
    ("levelling, complete", LEVELLING, None),
    ("mixed, complete", MIXED, None),
    ("levelling, dropout", LEVELLING, INFORMATIVE),
    ("mixed, dropout", MIXED, INFORMATIVE),
    ("mixed, strong dropout", MIXED, STRONG),
    ("ceiling, dropout", CEILING, INFORMATIVE),
    ("floor, dropout", FLOOR, INFORMATIVE),
    ("mixed, renumbered 10 %", MIXED, Dropout(renumbered=0.1)),
)


def errors(practice: Practice, dropout: Dropout | None, seed: int, weighting: str) -> list[float]:
    """Mean and largest error per percentile, share of cells drawn, late p50 share, seconds."""
    courses = practice.courses(1500, seed, dropout=dropout)
    start = time.perf_counter()
    model = fit(courses, DAY, options=FitOptions(weighting=weighting))
    seconds = time.perf_counter() - start
    found: list[list[float]] = [[] for _ in PERCENTILES]
    for intake in range(12, 25):
        for session in range(2, 11):
            expected = model.expected(practice.age_group, intake, session)
            if expected is None:
                continue
            for index, p in enumerate(PERCENTILES):
                truth = practice.true_percentile(p, intake, session)
                found[index].append(abs(expected.values[index] - truth))
    calibration = model.groups[practice.age_group].calibration
    assert calibration is not None
    late = next(b for b in calibration.bands if b.name == "sessions 11+")
    drawn = len(found[0]) / (13 * 9)
    means = [float(np.mean(f)) if f else float("nan") for f in found]
    worst = [float(np.max(f)) if f else float("nan") for f in found]
    return [*means, *worst, drawn, late.below[2] if late.forms else float("nan"), seconds]


def compare(seeds: int) -> None:
    print("Method comparison: 1,500 clients a practice, |fitted - true full course| over the")
    print("drawn cells of intakes 12-24 and sessions 2-10: mean p10/p25/p50/p75, largest p10/")
    print("p25/p50/p75; cells drawn; held-out share below p50 at sessions 11+ (nominal 50 %)")
    for name, practice, dropout in CASES:
        for weighting, label in ((ATTENDANCE, "weighted (chosen)"), (UNWEIGHTED, "unweighted")):
            rows = np.array(
                [errors(practice, dropout, seed, weighting) for seed in range(1, seeds + 1)]
            )
            mean = rows.mean(axis=0)
            print(
                f"  {name:24} {label:18} mean "
                + " / ".join(f"{v:.2f}" for v in mean[0:4])
                + "   largest "
                + " / ".join(f"{v:.2f}" for v in rows[:, 4:8].max(axis=0))
                + f"   drawn {100 * mean[8]:.0f} %   late p50 {mean[9]:.1f} %"
                + f"   {mean[10]:.1f} s a fit"
            )


def speed(clients: int) -> None:
    courses = MIXED.courses(clients, seed=7, sessions=(12, 12))
    rows = _rows(courses, 12, ATTENDANCE)
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
    design = _design(SHAPES[0], rows[:, 1], rows[:, 2])
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for p in PERCENTILES:
            QuantReg(rows[:, 3], design).fit(q=p / 100, max_iter=5000)
    baseline = time.perf_counter() - start
    print(
        f"baseline, statsmodels QuantReg, same rows (unweighted), 4 percentiles: {baseline:.1f} s"
    )
    print(f"ratio (baseline / paperfit fit): {baseline / alone:.1f}x")


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cores: {os.cpu_count()}, load average at start: {load:.1f}")
    compare(seeds)
    speed(clients)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at the end: {load:.1f}")


if __name__ == "__main__":
    main()
