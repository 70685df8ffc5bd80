"""Made-up practices whose true course of change is known: for tests, benchmarks and the demo.

A client's outcome total at session s (s >= 2) is
    intake + (gain + u) * (1 - exp(-(s - 1) / pace)) + e,   kept within 0-40,
with gain = share * (ceiling - intake), u ~ N(0, client_sd) the client's own gain, e ~ N(0,
session_sd) the session's noise, and (share, pace) drawn from the practice's kinds of responder.
So the course levels off exponentially (not the log shape the fitted model assumes) and, with
two kinds of responder, clients go at a mixed pace. Given the intake, the total at a session is a
mixture of normal distributions (then kept within 0-40), so its true percentiles are known.

With a Dropout, clients stop coming as real ones do, and not at random: after each session a
client stops with a small chance, and with a large one once their total reached a good level,
so later sessions hold mostly slow responders (informative dropout; the true percentiles are
still those of the full course, had everyone kept coming). A share of clients may be numbered
on from an earlier episode (their first form is not session 1), which a fit must not take in.
"""

from __future__ import annotations

import csv
import datetime
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from paperfit.forms.trajectories import Course


@dataclass(frozen=True)
class Responder:
    """One kind of client: its SHARE of clients, GAIN share of the room to CEILING, and PACE
    (sessions until about two thirds of the gain)."""

    share: float
    gain: float
    pace: float


@dataclass(frozen=True)
class Dropout:
    """After each session from 2 on, a client stops with chance BASE, or GOOD once their total
    is at or above LEVEL; nobody comes to more than LAST sessions. RENUMBERED: the share of
    clients whose sessions are numbered on from an earlier episode (the first form is 23)."""

    base: float = 0.08
    good: float = 0.5
    level: float = 26.0
    last: int = 20
    renumbered: float = 0.0


INFORMATIVE = Dropout()
STRONG = Dropout(base=0.1, good=0.7, level=24.0)


@dataclass(frozen=True)
class Practice:
    """A made-up practice: its kinds of responder, noise and intakes."""

    name: str
    responders: tuple[Responder, ...]
    ceiling: float = 34.0
    client_sd: float = 3.0
    session_sd: float = 2.5
    intake_mean: float = 18.0
    intake_sd: float = 6.0
    age_group: str = "adult"

    def courses(
        self,
        clients: int,
        seed: int,
        sessions: tuple[int, int] = (2, 14),
        dropout: Dropout | None = None,
    ) -> list[Course]:
        """CLIENTS made-up courses of FIRST..LAST forms each (uniformly), or as long as they
        keep coming under DROPOUT; the same for a SEED. A form after the intake is missing now
        and then (one in twenty)."""
        rng = np.random.default_rng(seed)
        shares = np.array([r.share for r in self.responders])
        result = []
        for number in range(clients):
            intake = float(np.clip(rng.normal(self.intake_mean, self.intake_sd), 1, 39))
            intake = round(intake, 1)
            kind = self.responders[rng.choice(len(shares), p=shares / shares.sum())]
            gain = kind.gain * (self.ceiling - intake) + rng.normal(0, self.client_sd)
            count = int(rng.integers(sessions[0], sessions[1] + 1))
            if dropout is not None:
                count = dropout.last
            points = [(1, intake)]
            for session in range(2, count + 1):
                level = intake + gain * (1 - math.exp(-(session - 1) / kind.pace))
                total = float(np.clip(level + rng.normal(0, self.session_sd), 0, 40))
                if rng.random() >= 0.05:
                    points.append((session, round(total, 1)))
                if dropout is not None:
                    stop = dropout.good if total >= dropout.level else dropout.base
                    if rng.random() < stop:
                        break
            if dropout is not None and rng.random() < dropout.renumbered:
                points = [(s + 22, t) for s, t in points]
            key = f"{self.name[:3].upper()}-{number:04d}"
            result.append(Course(key, self.age_group, tuple(points)))
        return result

    def true_percentile(self, percentile: float, intake: float, session: int) -> float:
        """The true PERCENTILE of the total at SESSION for clients with INTAKE (bisection on
        the mixture's distribution function)."""
        shares = np.array([r.share for r in self.responders])
        shares = shares / shares.sum()
        means, sds = [], []
        for kind in self.responders:
            reach = 1 - math.exp(-(session - 1) / kind.pace)
            means.append(intake + kind.gain * (self.ceiling - intake) * reach)
            sds.append(math.hypot(self.client_sd * reach, self.session_sd))

        def below(value: float) -> float:
            return sum(
                share * 0.5 * (1 + math.erf((value - mean) / (sd * math.sqrt(2))))
                for share, mean, sd in zip(shares, means, sds, strict=True)
            )

        low, high = -40.0, 80.0
        for _ in range(60):
            middle = (low + high) / 2
            low, high = (middle, high) if below(middle) < percentile / 100 else (low, middle)
        return min(max((low + high) / 2, 0.0), 40.0)


LEVELLING = Practice("levelling", (Responder(1.0, 0.45, 2.5),))
MIXED = Practice("mixed", (Responder(0.5, 0.55, 1.2), Responder(0.5, 0.3, 6.0)))
# The demo's made-up past practice also has children (CORS) and a few adolescents.
CHILDREN = Practice(
    "children", (Responder(1.0, 0.4, 3.0),), 36.0, intake_mean=24.0, age_group="child"
)
TEENS = Practice("teens", (Responder(1.0, 0.4, 3.0),), age_group="adolescent")

CLINICIANS = ("A. Moreno", "S. Lee", "J. Park")
FIRST_DAY = datetime.date(2025, 1, 6)


def split_total(total: float) -> list[float]:
    """Four item marks (cm, one decimal, each 0-10) that add up to TOTAL exactly."""
    tenths = round(total * 10)
    return [(tenths // 4 + (1 if i < tenths % 4 else 0)) / 10 for i in range(4)]


def write_practice(folder: Path, courses: Sequence[Course]) -> list[Path]:
    """Measurement files of made-up COURSES, as a practice would type them: ors.csv (and
    cors.csv for children) with one row per form, weekly sessions, and clients.csv with each
    client's age group, clinician, status (one in four closed) and a made-up name."""
    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[list[object]]] = {"ORS": [], "CORS": []}
    clients = []
    for number, course in enumerate(courses):
        start = FIRST_DAY + datetime.timedelta(days=(number * 3) % 360)
        instrument = "CORS" if course.age_group == "child" else "ORS"
        for session, total in course.points:
            day = start + datetime.timedelta(weeks=session - 1)
            rows[instrument].append([course.key, session, day.isoformat(), *split_total(total)])
        status = "closed" if number % 4 == 3 else "open"
        clinician = CLINICIANS[number % len(CLINICIANS)]
        clients.append([course.key, course.age_group, clinician, status, f"Person {number}"])
    written = []
    for instrument, lines in rows.items():
        if lines:
            path = folder / f"{instrument.lower()}.csv"
            _write_csv(
                path, ["client", "session", "date", "item1", "item2", "item3", "item4"], lines
            )
            written.append(path)
    path = folder / "clients.csv"
    _write_csv(path, ["client", "age_group", "clinician", "status", "name"], clients)
    return [*written, path]


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
