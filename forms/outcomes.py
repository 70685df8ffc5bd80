"""Practice outcome statistics: per group of clients (the whole practice, each clinician).

Takes: scored forms (forms.scoring.score), the client list and the thresholds. Returns: plain
numbers, each with the number of clients it rests on, and the list of clients to review.
Pure: no files, no printing; statistics from the standard library only.

Definitions (printed in the report beside the figures):
- a client counts in a group when they have at least one form; their clinician comes from the
  client list ("(no clinician)" when the list does not say);
- intake = the first complete outcome form of a client (in session order); latest = the last one;
  change = latest - intake, only for clients with at least two complete outcome forms;
- effect size = mean change / sample SD (n - 1) of the same clients' intake totals: a pre-post
  effect size, not severity-adjusted, so not comparable with published benchmarks;
- change classes: the class scoring gave the latest outcome form, as shares of the clients with
  at least two complete outcome forms (the classes do not overlap and add up to that number);
- alliance alert: clients with any alliance total below the alert value, as a share of the
  clients with at least one complete alliance form.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from paperfit.forms.records import Client
from paperfit.forms.scoring import (
    CLINICALLY_SIGNIFICANT,
    INTAKE_ABOVE_CUTOFF,
    NO_RELIABLE_CHANGE,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    Flag,
    ScoredForm,
    Thresholds,
    by_client,
)
from paperfit.forms.trajectories import (
    INTAKE_OUTSIDE,
    Course,
    Expected,
    Model,
    courses_from_scored,
    expectation,
    no_curve,
)

NO_CLINICIAN = "(no clinician)"
WHOLE_PRACTICE = "Whole practice"
SMALL_N = 10
# The report's columns, in order: improvement first, the intake-above-cutoff clients last.
CLASS_COLUMNS = (  # separate classes that add up, the best first
    CLINICALLY_SIGNIFICANT,
    RELIABLE_IMPROVEMENT,
    NO_RELIABLE_CHANGE,
    RELIABLE_DETERIORATION,
    INTAKE_ABOVE_CUTOFF,
)


@dataclass(frozen=True)
class Figure:
    """One number and how many clients it rests on; VALUE is None when there is nothing to say."""

    value: float | None
    n: int

    @property
    def small(self) -> bool:
        return self.n < SMALL_N


@dataclass(frozen=True)
class Share:
    """COUNT clients out of N (the stated denominator)."""

    count: int
    n: int

    @property
    def percent(self) -> float | None:
        return None if self.n == 0 else 100.0 * self.count / self.n

    @property
    def small(self) -> bool:
        return self.n < SMALL_N


@dataclass(frozen=True)
class GroupOutcomes:
    """The figures of one group of clients."""

    name: str
    clients: int
    forms: int
    sessions_mean: Figure
    sessions_median: Figure
    intake: Figure
    change: Figure
    effect_size: Figure
    classes: Mapping[str, Share]
    alliance_alert: Share

    @property
    def small(self) -> bool:
        """Fewer than SMALL_N clients: every figure of the group is to be read with care."""
        return self.clients < SMALL_N

    @property
    def changed(self) -> int:
        """The clients with at least two complete outcome forms: the classes' denominator."""
        return self.change.n


@dataclass(frozen=True)
class Outcomes:
    whole: GroupOutcomes
    by_clinician: tuple[GroupOutcomes, ...]


@dataclass(frozen=True)
class FlagLine:
    """One client to review: the flags of their latest session, in English words (REASON) and
    as data (FLAGS), for a page that says them in its own language."""

    client_id: str
    clinician: str
    session: int
    date: datetime.date | None
    reason: str
    flags: tuple[Flag, ...] = ()


def clinician_of(client_id: str, clients: Mapping[str, Client]) -> str:
    client = clients.get(client_id)
    return (client.clinician.strip() if client else "") or NO_CLINICIAN


def mean_or_none(values: Sequence[float]) -> float | None:
    return statistics.fmean(values) if values else None


def effect_size(intakes: Sequence[float], changes: Sequence[float]) -> float | None:
    """Pre-post effect size: mean of CHANGES / sample SD (n - 1) of INTAKES.

    None when there are fewer than two clients or the intake totals do not vary.
    """
    if len(intakes) < 2 or not changes:
        return None
    sd = statistics.stdev(intakes)
    if sd == 0:
        return None
    return statistics.fmean(changes) / sd


def group_outcomes(
    name: str, forms_by_client: Mapping[str, Sequence[ScoredForm]], alert_total: float
) -> GroupOutcomes:
    """The figures of the clients in FORMS_BY_CLIENT (each client's forms in session order)."""
    sessions: list[int] = []
    intakes: list[float] = []
    paired_intakes: list[float] = []
    changes: list[float] = []
    class_counts = dict.fromkeys(CLASS_COLUMNS, 0)
    alliance_clients = alliance_low = 0
    forms = 0
    for entries in forms_by_client.values():
        forms += len(entries)
        sessions.append(len({e.form.session for e in entries}))
        outcome = [e for e in entries if e.kind == "outcome" and e.total is not None]
        if outcome:
            intake = outcome[0].total
            assert intake is not None
            intakes.append(intake)
            if len(outcome) >= 2:
                latest = outcome[-1]
                assert latest.total is not None
                paired_intakes.append(intake)
                changes.append(round(latest.total - intake, 1))
                if latest.classification in class_counts:
                    class_counts[latest.classification] += 1
        alliance = [e.total for e in entries if e.kind == "alliance" and e.total is not None]
        if alliance:
            alliance_clients += 1
            alliance_low += any(total < alert_total for total in alliance)
    clients = len(forms_by_client)
    return GroupOutcomes(
        name=name,
        clients=clients,
        forms=forms,
        sessions_mean=Figure(mean_or_none(sessions), clients),
        sessions_median=Figure(statistics.median(sessions) if sessions else None, clients),
        intake=Figure(mean_or_none(intakes), len(intakes)),
        change=Figure(mean_or_none(changes), len(changes)),
        effect_size=Figure(effect_size(paired_intakes, changes), len(changes)),
        classes={label: Share(count, len(changes)) for label, count in class_counts.items()},
        alliance_alert=Share(alliance_low, alliance_clients),
    )


def practice_outcomes(
    scored: Sequence[ScoredForm], clients: Mapping[str, Client], thresholds: Thresholds
) -> Outcomes:
    """The whole practice and each clinician (by name; "(no clinician)" last)."""
    forms_by_client = by_client(scored)
    per_clinician: dict[str, dict[str, list[ScoredForm]]] = defaultdict(dict)
    for client_id, entries in forms_by_client.items():
        per_clinician[clinician_of(client_id, clients)][client_id] = entries
    names = sorted(per_clinician, key=lambda name: (name == NO_CLINICIAN, name.casefold()))
    alert = thresholds.alert_total
    return Outcomes(
        whole=group_outcomes(WHOLE_PRACTICE, forms_by_client, alert),
        by_clinician=tuple(group_outcomes(name, per_clinician[name], alert) for name in names),
    )


def open_flags(scored: Sequence[ScoredForm], clients: Mapping[str, Client]) -> list[FlagLine]:
    """Clients whose latest session (of any form) carries flags, most recent first.

    One line per client; the flags of every form of that session, joined with "; ", and the
    session's date (the latest, should its forms disagree). Clients whose status is closed are
    left out.
    """
    lines = []
    for client_id, entries in sorted(by_client(scored).items()):
        client = clients.get(client_id)
        if client is not None and client.status.strip().lower() == "closed":
            continue
        session = max(e.form.session for e in entries)
        latest = [e for e in entries if e.form.session == session]
        flags = list(dict.fromkeys(flag for e in latest for flag in e.flags))
        if not flags:
            continue
        dates = [e.form.date for e in latest if e.form.date is not None]
        date = max(dates, default=None)
        lines.append(
            FlagLine(
                client_id,
                clinician_of(client_id, clients),
                session,
                date,
                "; ".join(map(str, flags)),
                tuple(flags),
            )
        )
    # Python's sort is stable, also in reverse: equal dates keep client ID order.
    lines.sort(key=lambda line: line.date or datetime.date.min, reverse=True)
    return lines


@dataclass(frozen=True)
class TrackLine:
    """An open client not on track: their latest outcome total is under the expected p10
    (SEVERITY 2), or under p25 at it and at the outcome form before (SEVERITY 1); or their
    intake is above the range the model covers, so there is no curve, and their change is a
    reliable deterioration (SEVERITY 3, EXPECTED None: never silently outside the rule)."""

    client_id: str
    clinician: str
    session: int
    date: datetime.date | None
    score: float
    expected: Expected | None
    severity: int
    intake: float = 0.0


@dataclass(frozen=True)
class ExpectedProgress:
    """Against the expected courses: per group (whole practice first, then each clinician)
    the open clients whose latest outcome total is at or above expected (not under p25) out
    of those the model covers, and the clients not on track, most severe first."""

    on_track: tuple[tuple[str, Share], ...]
    not_on_track: tuple[TrackLine, ...]


def expected_progress(
    scored: Sequence[ScoredForm], clients: Mapping[str, Client], model: Model
) -> ExpectedProgress:
    """Open clients' latest outcome totals against MODEL. A client counts when the model
    covers their intake and latest session; closed clients are left out."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    lines = []
    for client_id, entries in sorted(by_client(scored).items()):
        client = clients.get(client_id)
        if client is not None and client.status.strip().lower() == "closed":
            continue
        course = courses_from_scored(entries)
        if not course or len(course[0].points) < 2:
            continue
        (session, score), previous = course[0].points[-1], course[0].points[-2][0]
        seen = expectation(model, course[0], session)
        if seen is None or session not in seen.expected:
            if _above_and_worse(model, course[0], entries):
                date = next((e.form.date for e in entries if e.form.session == session), None)
                lines.append(
                    TrackLine(
                        client_id,
                        clinician_of(client_id, clients),
                        session,
                        date,
                        score,
                        None,
                        3,
                        course[0].intake,
                    )
                )
            continue
        clinician = clinician_of(client_id, clients)
        for name in (WHOLE_PRACTICE, clinician):
            counts[name][1] += 1
            counts[name][0] += session not in seen.below
        severity = (
            2 if seen.below.get(session) else int(session in seen.below and previous in seen.below)
        )
        if severity:
            date = next((e.form.date for e in entries if e.form.session == session), None)
            lines.append(
                TrackLine(
                    client_id, clinician, session, date, score, seen.expected[session], severity
                )
            )
    names = sorted(
        (n for n in counts if n != WHOLE_PRACTICE), key=lambda n: (n == NO_CLINICIAN, n.casefold())
    )
    on_track = tuple(
        (name, Share(*counts[name])) for name in [WHOLE_PRACTICE, *names] if name in counts
    )
    # most severe first; then furthest under the median; then client ID
    lines.sort(
        key=lambda t: (-t.severity, t.score - (t.expected.p50 if t.expected else 0), t.client_id)
    )
    return ExpectedProgress(on_track, tuple(lines))


def _above_and_worse(model: Model, course: Course, entries: Sequence[ScoredForm]) -> bool:
    """Whether COURSE's intake is above the range MODEL covers and its latest outcome form is
    a reliable deterioration."""
    if no_curve(model, course) != INTAKE_OUTSIDE:
        return False
    if course.intake <= model.groups[course.age_group].intake_range[1]:
        return False
    latest = [e for e in entries if e.kind == "outcome" and e.total is not None][-1:]
    return bool(latest) and latest[0].classification == RELIABLE_DETERIORATION
