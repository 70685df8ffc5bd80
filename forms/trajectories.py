"""Expected courses of the outcome total, fitted on a practice's own past clients.

Takes: client courses (age group, intake total, later session totals). Returns: a Model that
gives, per age group, the 10th/25th/50th/75th percentiles of the outcome total expected at a
session for clients with a given intake, or says why it gives none, together with the ranges
it covers (it never extrapolates), the past clients each cell rests on (no curve below
min_support of them) and its held-out calibration by session and intake band.
Pure: no files, no printing, no dates of sessions; deterministic (same courses, same model).

Method (chosen by measurement on simulated practices, see bench/trajectories.py): linear
quantile regression of the total at session s on the intake, ln(s), ln(s)^2 and their products
with the intake, one fit per percentile, each form weighted by the inverse of the estimated
chance that the client was still attending at that session (a logistic regression of coming to
the next session on the last total seen, the intake and the session). Clients who reach a good
level stop coming; without the weights the later sessions describe the slow responders who
stayed, and the curve drifts low. The weights give the course of clients like this one had they
kept coming, provided who stops depends on the totals already seen (not on an unseen one).
When the data cannot determine that shape (sessions 1-3 only, all intakes equal) a simpler one
is fitted and named. The four percentiles are sorted at every point (so they never cross) and
kept within 0-40.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from paperfit.forms.quantreg import SolverFailed, logistic, quantile_regression
from paperfit.forms.scoring import ScoredForm, by_client

PERCENTILES = (10, 25, 50, 75)
METHOD_VERSION = 2
QUANTREG = "quantreg"
QUANTREG_LOG = "quantreg-log"
NEIGHBOURS = "neighbours"
METHODS = (QUANTREG, QUANTREG_LOG, NEIGHBOURS)
ATTENDANCE, UNWEIGHTED = "attendance", "none"  # how later forms are weighted
WEIGHTINGS = (ATTENDANCE, UNWEIGHTED)
PRACTICE, MADE_UP, POOLED = "practice", "made-up", "pooled"  # whose clients the model describes
KINDS = (PRACTICE, MADE_UP, POOLED)
METHOD_WORDS = {
    QUANTREG: (
        "quantile regression of each later total on the intake total and the log of the session "
        "number (with its square), one fit for each percentile"
    ),
    QUANTREG_LOG: (
        "quantile regression of each later total on the intake total and the log of the session "
        "number, one fit for each percentile"
    ),
    NEIGHBOURS: (
        "percentiles of clients whose intake was within 1 point (widened until enough clients), "
        "smoothed over neighbouring sessions"
    ),
}
# The shapes a fit may take, richest first: a design the data cannot determine falls back to
# the next one (and the model says which it used).
TERMS = (
    "1",
    "intake - 20",
    "ln(session)",
    "(intake - 20) * ln(session)",
    "ln(session)^2",
    "(intake - 20) * ln(session)^2",
)
SHAPES = (
    TERMS,
    TERMS[:4],
    TERMS[:3],
    ("1", "ln(session)"),
    ("1", "intake - 20"),
    ("1",),
)
DEFAULT_MIN_CLIENTS = 100
DEFAULT_MIN_SUPPORT = 20  # past clients near the intake with a form at the session, per cell
DEFAULT_CUTOFFS = {"adult": 25.0, "adolescent": 28.0, "child": 32.0}
DEFAULT_RCI = 5.0
MIN_FORMS = 3  # a client counts towards the minimum with this many complete outcome forms
FOLDS = 5
CALIBRATION_CLIENTS = 2000  # the most clients the k-fold check runs on
SESSION_MIN_CLIENTS = 20  # the covered sessions: each has forms of at least this many clients
INTAKE_TAILS = 0.02  # the covered intakes: between the 2nd and the 98th percentile
NEAR = 2.0  # a cell rests on the clients whose intake is within this of its intake
CENTRE = 20.0  # the intake is centred here in the regression, so its parameters read plainly
NEIGHBOURS_MIN = 40  # the neighbours method widens its intake window until this many clients
TOTAL_RANGE = (0.0, 40.0)
WEIGHT_CAP = 10.0  # the most one form may count, against the share still attending
SESSION_BANDS = ((2, 3), (4, 6), (7, 10), (11, 10_000))
SIGNAL_BY = 4  # the back-test of the rule: was a client listed by this session


@dataclass(frozen=True)
class Course:
    """One client's outcome totals, session order, complete forms only. KEY only splits clients
    into calibration folds and merges copies; it is never kept in the model."""

    key: str
    age_group: str
    points: tuple[tuple[int, float], ...]

    @property
    def intake(self) -> float:
        return self.points[0][1]

    @property
    def regular(self) -> bool:
        """Whether the course starts at session 1 (else its intake is not known)."""
        return self.points[0][0] == 1


@dataclass(frozen=True)
class Expected:
    """The percentiles expected at one session for one intake, and the past clients it rests on."""

    p10: float
    p25: float
    p50: float
    p75: float
    clients: int = 0

    @property
    def values(self) -> tuple[float, float, float, float]:
        return (self.p10, self.p25, self.p50, self.p75)


@dataclass(frozen=True)
class Band:
    """One cell of the calibration: held-out forms in a band of sessions or intakes, and the
    share (percent) below each fitted percentile, each form weighted like the fit's."""

    name: str  # "sessions 2-3", "sessions 11+", "intake at or below 25", "intake above 25"
    forms: int
    clients: int
    below: tuple[float, float, float, float]


@dataclass(frozen=True)
class Record:
    """The rule's own record on held-out clients whose last form came after SIGNAL_BY: of
    those who ended not reliably improved (or deteriorated), and of those who ended reliably
    improved, how many were listed (under p10, or under p25 twice running) by SIGNAL_BY."""

    not_improved: int
    not_improved_listed: int
    improved: int
    improved_listed: int


@dataclass(frozen=True)
class Calibration:
    """Held-out check: the share (percent) of held-out sessions below each fitted percentile,
    over all and by band, and the rule's record."""

    folds: int
    sessions: int
    clients: int
    below: tuple[float, float, float, float]
    bands: tuple[Band, ...] = ()
    record: Record | None = None


@dataclass(frozen=True)
class GroupModel:
    """One age group: fitted, or not with the REFUSAL saying why."""

    age_group: str
    clients: int
    forms: int
    refusal: str = ""
    enough: int = 0  # clients with at least MIN_FORMS complete outcome forms
    intake_range: tuple[float, float] = (0.0, 0.0)
    session_range: tuple[int, int] = (0, 0)
    parameters: Mapping[str, object] = field(default_factory=dict)
    support: tuple[tuple[int, ...], ...] = ()
    calibration: Calibration | None = None
    left_out: int = 0  # clients whose first outcome form is not session 1
    attending: tuple[int, ...] = ()  # clients with a form at or after session 1, 2, ... last
    weighting: str = ATTENDANCE

    @property
    def fitted(self) -> bool:
        return not self.refusal

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(self.parameters.get("terms", ()))  # type: ignore[arg-type]

    def covers(self, intake: float, session: int) -> bool:
        low, high = self.intake_range
        first, last = self.session_range
        return self.fitted and low <= intake <= high and first <= session <= last

    def intakes(self) -> range:
        """The whole intakes inside the covered range (the rows of expected.csv)."""
        low, high = self.intake_range
        return range(math.ceil(low), math.floor(high) + 1)

    def clients_near(self, intake: float, session: int) -> int:
        """Past clients with a form at SESSION whose intake was within NEAR of INTAKE (rounded
        to a whole intake; 0 outside the covered range)."""
        if not self.covers(intake, session) or not self.support:
            return 0
        column = min(max(round(intake), self.intakes().start), self.intakes().stop - 1)
        return self.support[session - self.session_range[0]][column - self.intakes().start]


@dataclass(frozen=True)
class Model:
    """The expected courses of one practice (or a pool of practices, or made-up clients).
    PERIOD: the months the forms were dated in ("2025-01 to 2026-11"), or "" without dates."""

    method: str
    version: int
    fitted_on: datetime.date
    min_clients: int
    groups: Mapping[str, GroupModel]
    period: str = ""
    min_support: int = DEFAULT_MIN_SUPPORT
    kind: str = PRACTICE
    copies_merged: int = 0  # pooled files: copies of the same client found and counted once

    @property
    def clients(self) -> int:
        return sum(g.clients for g in self.groups.values() if g.fitted)

    def expected(self, age_group: str, intake: float, session: int) -> Expected | None:
        """The expected percentiles, or None outside what the model covers (never extrapolates)
        or where fewer than min_support past clients are near (a thin cell)."""
        group = self.groups.get(age_group)
        if group is None or not group.covers(intake, session):
            return None
        clients = group.clients_near(intake, session)
        if clients < self.min_support:
            return None
        values = _predict(self.method, group.parameters, np.array([intake]), np.array([session]))
        return Expected(*(round(float(v), 2) for v in values[0]), clients=clients)


@dataclass(frozen=True)
class Expectation:
    """One client's course against the model: the percentiles expected at each session from
    their intake (sessions 2 to UNTIL that the model covers with enough support), the sessions
    whose total is under p25 (False) or under p10 (True), and where the curve stops early
    (THIN: the first session with too few past clients, and how many; else None)."""

    intake: float
    expected: Mapping[int, Expected]
    below: Mapping[int, bool]
    thin: tuple[int, int] | None = None


# Why a client has no curve: the codes no_curve() returns (generator words them).
NO_GROUP, NOT_FITTED, NOT_SESSION_1, INTAKE_OUTSIDE, THIN = (
    "no_group",
    "not_fitted",
    "not_session_1",
    "intake_outside",
    "thin",
)


def no_curve(model: Model, course: Course) -> str:
    """Why COURSE gets no expected course from MODEL (one of the codes above), or ""."""
    group = model.groups.get(course.age_group)
    if group is None:
        return NO_GROUP
    if not group.fitted:
        return NOT_FITTED
    if not course.regular:
        return NOT_SESSION_1
    if not group.covers(course.intake, group.session_range[0]):
        return INTAKE_OUTSIDE
    if model.expected(course.age_group, course.intake, group.session_range[0]) is None:
        return THIN
    return ""


def expectation(model: Model, course: Course, until: int) -> Expectation | None:
    """COURSE against MODEL up to session UNTIL; None when the model gives nothing for it
    (no_curve says why). The curve stops at the first session resting on too few clients."""
    if no_curve(model, course):
        return None
    group = model.groups[course.age_group]
    expected, thin = {}, None
    for session in range(group.session_range[0], min(until, group.session_range[1]) + 1):
        value = model.expected(course.age_group, course.intake, session)
        if value is None:
            thin = (session, group.clients_near(course.intake, session))
            break
        expected[session] = value
    below = {
        session: total < expected[session].p10
        for session, total in course.points[1:]
        if session in expected and total < expected[session].p25
    }
    return Expectation(course.intake, expected, below, thin)


def courses_from_scored(scored: Iterable[ScoredForm], key: str = "") -> list[Course]:
    """Each client's complete outcome totals (ORS, or CORS for children) as a Course, in client
    order. A second outcome form at the same session is left out (the first one counts). KEY
    is prefixed to client IDs, so that pooled files never share a fold key by chance."""
    courses = []
    for client_id, entries in sorted(by_client(list(scored)).items()):
        points: dict[int, float] = {}
        for entry in entries:
            if entry.kind == "outcome" and entry.total is not None:
                points.setdefault(entry.form.session, entry.total)
        if points:
            group = next(e.age_group for e in entries if e.kind == "outcome")
            courses.append(Course(key + client_id, group, tuple(sorted(points.items()))))
    return courses


def irregular(courses: Iterable[Course]) -> list[Course]:
    """The courses whose first outcome form is not session 1 (left out of every fit)."""
    return [c for c in courses if not c.regular]


@dataclass(frozen=True)
class FitOptions:
    """How a model is fitted: the settings a practice may change, and the choices the bench
    compares (METHOD, WEIGHTING)."""

    min_clients: int = DEFAULT_MIN_CLIENTS
    min_support: int = DEFAULT_MIN_SUPPORT
    method: str = QUANTREG
    weighting: str = ATTENDANCE
    folds: int = FOLDS
    cutoffs: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_CUTOFFS))
    rci: float = DEFAULT_RCI


def fit(
    courses: Sequence[Course],
    fitted_on: datetime.date,
    min_clients: int = DEFAULT_MIN_CLIENTS,
    method: str = QUANTREG,
    folds: int = FOLDS,
    period: str = "",
    options: FitOptions | None = None,
    kind: str = PRACTICE,
    copies_merged: int = 0,
) -> Model:
    """Fit every age group that has courses; refuse those with fewer than MIN_CLIENTS regular
    clients with at least MIN_FORMS complete outcome forms. Calibrate with FOLDS folds (none
    below 2). OPTIONS, when given, overrides MIN_CLIENTS, METHOD and FOLDS."""
    options = options or FitOptions(min_clients=min_clients, method=method, folds=folds)
    groups = {}
    for age_group in sorted({c.age_group for c in courses}):
        mine = [c for c in courses if c.age_group == age_group]
        groups[age_group] = _fit_group(age_group, mine, options)
    return Model(
        options.method,
        METHOD_VERSION,
        fitted_on,
        options.min_clients,
        groups,
        period,
        options.min_support,
        kind,
        copies_merged,
    )


def fit_scored(
    scored: Sequence[ScoredForm],
    fitted_on: datetime.date,
    options: FitOptions | None = None,
) -> Model:
    """The model of a practice's scored forms: their courses, fitted, with their period."""
    courses = courses_from_scored(scored)
    return fit(courses, fitted_on, period=period_of(scored), options=options or FitOptions())


def period_of(scored: Iterable[ScoredForm]) -> str:
    """The months the outcome forms were dated in, first to last ("" without dates)."""
    dates = sorted(e.form.date for e in scored if e.kind == "outcome" and e.form.date)
    return f"{dates[0]:%Y-%m} to {dates[-1]:%Y-%m}" if dates else ""


def expected_table(model: Model) -> list[tuple[str, int, int, Expected | None, int]]:
    """The rows of expected.csv: (age group, intake, session, percentiles, clients) for every
    fitted group, whole intake across its covered range and session 2 to its last; the
    percentiles are None in a cell resting on fewer than min_support clients."""
    rows = []
    for age_group, group in model.groups.items():
        if not group.fitted:
            continue
        first, last = group.session_range
        intakes = np.array(group.intakes(), dtype=float)
        for session in range(first, last + 1):
            values = _predict(
                model.method, group.parameters, intakes, np.full(len(intakes), session)
            )
            for intake, four in zip(group.intakes(), values, strict=True):
                clients = group.clients_near(intake, session)
                expected = (
                    Expected(*(round(float(v), 2) for v in four), clients=clients)
                    if clients >= model.min_support
                    else None
                )
                rows.append((age_group, intake, session, expected, clients))
    return sorted(rows, key=lambda row: (row[0], row[1], row[2]))


def _fit_group(age_group: str, courses: Sequence[Course], options: FitOptions) -> GroupModel:
    regular = [c for c in courses if c.regular]
    usable = [c for c in regular if len(c.points) >= 2]
    left_out = len(courses) - len(regular)
    enough = sum(len(c.points) >= MIN_FORMS for c in usable)
    forms = sum(len(c.points) for c in usable)
    base = {"left_out": left_out, "enough": enough, "weighting": options.weighting}
    if enough < options.min_clients:
        reason = (
            f"only {enough} clients with at least {MIN_FORMS} complete outcome forms "
            f"({options.min_clients} needed): no expected course is drawn"
        )
        if left_out:
            reason += f"; {left_out} clients whose first outcome form is not session 1 left out"
        return GroupModel(age_group, len(usable), forms, refusal=reason, **base)  # type: ignore[arg-type]
    intake_range, session_range = _ranges(usable)
    rows = _rows(usable, session_range[1], options.weighting)
    try:
        parameters = _fit_rows(options.method, rows, session_range)
    except SolverFailed as failure:
        return GroupModel(
            age_group, len(usable), forms, refusal=f"no shape could be fitted ({failure})", **base
        )  # type: ignore[arg-type]
    calibration = _calibrate(usable, options, age_group) if options.folds >= 2 else None
    return GroupModel(
        age_group,
        len(usable),
        forms,
        intake_range=intake_range,
        session_range=session_range,
        parameters=parameters,
        support=_support(rows, intake_range, session_range),
        calibration=calibration,
        attending=_attending(usable, session_range[1]),
        **base,  # type: ignore[arg-type]
    )


def _attending(courses: Sequence[Course], last: int) -> tuple[int, ...]:
    """Clients whose last form is at or after each session 1..LAST (still attending)."""
    ends = np.array([c.points[-1][0] for c in courses])
    return tuple(int(np.count_nonzero(ends >= s)) for s in range(1, last + 1))


def _rows(courses: Sequence[Course], last: int, weighting: str) -> np.ndarray:
    """One row per later form up to session LAST: client number, intake, session, total and
    the form's weight (1 unless weighted by the chance of still attending)."""
    rows = [
        (number, c.intake, session, total, 1.0)
        for number, c in enumerate(courses)
        for session, total in c.points[1:]
        if 2 <= session <= last
    ]
    table = np.array(rows, dtype=float).reshape(-1, 5)
    if weighting == ATTENDANCE and len(table):
        table[:, 4] = attendance_weights(courses, table, last)
    return table


def _ranges(courses: Sequence[Course]) -> tuple[tuple[float, float], tuple[int, int]]:
    """The intakes between the 2nd and 98th percentile; sessions from 2 to the last one before
    a session with forms of fewer than SESSION_MIN_CLIENTS clients."""
    intakes = np.array([c.intake for c in courses])
    low, high = np.quantile(intakes, [INTAKE_TAILS, 1 - INTAKE_TAILS])
    counts: dict[int, int] = {}
    for c in courses:
        for session, _ in c.points[1:]:
            counts[session] = counts.get(session, 0) + 1
    last = 1
    while counts.get(last + 1, 0) >= SESSION_MIN_CLIENTS:
        last += 1
    return (round(float(low), 1), round(float(high), 1)), (2, max(last, 2))


def _support(
    rows: np.ndarray, intake_range: tuple[float, float], session_range: tuple[int, int]
) -> tuple[tuple[int, ...], ...]:
    low, high = intake_range
    intakes = range(math.ceil(low), math.floor(high) + 1)
    table = []
    for session in range(session_range[0], session_range[1] + 1):
        at = rows[rows[:, 2] == session]
        table.append(tuple(int(np.count_nonzero(np.abs(at[:, 1] - i) <= NEAR)) for i in intakes))
    return tuple(table)


def attendance_weights(courses: Sequence[Course], rows: np.ndarray, last: int) -> np.ndarray:
    """Each row's weight: the share of clients still attending at its session over this
    client's estimated chance of still attending there (so each session keeps its count of
    forms, and a form of a client like those who stopped counts for them), at most WEIGHT_CAP
    times the share. A client attends session s when they have a form at s or later; the chance
    of coming on after session s-1 is a logistic regression on the last total seen by then,
    the intake and ln(s), fitted on every client who came to s-1."""
    design, came, owner, session_of = [], [], [], []
    for number, course in enumerate(courses):
        end = min(course.points[-1][0], last)
        seen = dict(course.points)
        latest = course.intake
        for s in range(2, end + 2):
            if s > last:
                break
            latest = seen.get(s - 1, latest)
            design.append(_attendance_row(latest, course.intake, s))
            came.append(end >= s)
            owner.append(number)
            session_of.append(s)
    if not design:
        return np.ones(len(rows))
    x, y = np.array(design), np.array(came, dtype=float)
    try:
        beta = logistic(x, y)
    except SolverFailed:
        return np.ones(len(rows))
    chance = np.clip(1 / (1 + np.exp(-(x @ beta))), 1e-3, 1.0)
    sessions, owners = np.array(session_of), np.array(owner)
    share = np.zeros(last + 2)
    for s in np.unique(sessions):
        share[s] = y[sessions == s].mean()
    # each client's running product of share / chance, in session order (the rows come so)
    logs = np.cumsum(np.log(share[sessions] / chance))
    starts = np.r_[0, np.flatnonzero(np.diff(owners)) + 1]
    logs -= np.repeat(np.r_[0.0, logs[starts[1:] - 1]], np.diff(np.r_[starts, len(owners)]))
    weight = np.zeros((len(courses), last + 2))
    weight[owners, sessions] = np.minimum(np.exp(logs), WEIGHT_CAP)
    return weight[rows[:, 0].astype(int), rows[:, 2].astype(int)]


def _attendance_row(latest: float, intake: float, session: int) -> list[float]:
    log = math.log(session)
    return [1.0, (latest - CENTRE) / 10, (intake - CENTRE) / 10, log, (latest - CENTRE) / 10 * log]


def _fit_rows(method: str, rows: np.ndarray, session_range: tuple[int, int]) -> dict[str, object]:
    """The fitted parameters of METHOD on ROWS, as plain numbers (kept in model.json): the
    richest shape the data determine. SolverFailed when none does."""
    intake, session, total, weight = rows[:, 1], rows[:, 2], rows[:, 3], rows[:, 4]
    if not len(rows):
        raise SolverFailed("no later forms")
    if method == NEIGHBOURS:
        return _fit_neighbours(intake, session, total, session_range)
    # the distinct (intake, session) pairs: the design's distinct rows, and each form's row
    intakes, intake_index = np.unique(intake, return_inverse=True)
    sessions, session_index = np.unique(session, return_inverse=True)
    pairs, index = np.unique(intake_index * len(sessions) + session_index, return_inverse=True)
    pair_intakes, pair_sessions = intakes[pairs // len(sessions)], sessions[pairs % len(sessions)]
    shapes = SHAPES if method == QUANTREG else SHAPES[1:]
    for terms in shapes:
        design = _design(terms, pair_intakes, pair_sessions)
        if not _determined(design):
            continue
        try:
            coefficients = {
                f"p{p}": [
                    round(float(b), 6)
                    for b in quantile_regression(design, index, total, p / 100, weight)
                ]
                for p in PERCENTILES
            }
        except SolverFailed:
            continue
        return {"centre": CENTRE, "terms": list(terms), "coefficients": coefficients}
    raise SolverFailed("the later forms do not determine even a constant")


def _determined(design: np.ndarray) -> bool:
    """Whether DESIGN (distinct rows) determines its coefficients: full column rank, and not
    so near to losing it that the solver's steps would be noise."""
    if design.shape[0] < design.shape[1]:
        return False
    scaled = design / np.maximum(np.abs(design).max(axis=0), 1e-12)
    singular = np.linalg.svd(scaled, compute_uv=False)
    return bool(singular[-1] > 1e-6 * singular[0])


def _design(terms: Sequence[str], intake: np.ndarray, session: np.ndarray) -> np.ndarray:
    x = intake - CENTRE
    log = np.log(session)
    columns = {
        "1": np.ones_like(x),
        "intake - 20": x,
        "ln(session)": log,
        "(intake - 20) * ln(session)": x * log,
        "ln(session)^2": log**2,
        "(intake - 20) * ln(session)^2": x * log**2,
    }
    return np.column_stack([columns[t] for t in terms])


def _fit_neighbours(
    intake: np.ndarray, session: np.ndarray, total: np.ndarray, session_range: tuple[int, int]
) -> dict[str, object]:
    """Weighted percentiles of the clients nearest in intake, at each session and whole intake;
    forms of the two neighbouring sessions count half."""
    grid_low, grid_high = math.floor(intake.min()), math.ceil(intake.max())
    grid = list(range(grid_low, grid_high + 1))
    table: list[list[list[float]]] = []
    for s in range(session_range[0], session_range[1] + 1):
        near_session = np.abs(session - s) <= 1
        weight_s = np.where(session == s, 1.0, 0.5)
        row = []
        for g in grid:
            distance = np.abs(intake - g)
            width = 1.0
            while np.count_nonzero((distance <= width) & (session == s)) < NEIGHBOURS_MIN:
                width += 0.5
                if width > 40:
                    break
            chosen = near_session & (distance <= width)
            row.append(_weighted_percentiles(total[chosen], weight_s[chosen]))
        table.append(row)
    return {"first_session": session_range[0], "first_intake": grid_low, "table": table}


def _weighted_percentiles(values: np.ndarray, weights: np.ndarray) -> list[float]:
    if not len(values):
        return [0.0] * len(PERCENTILES)
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    cumulative = (np.cumsum(weights) - weights / 2) / weights.sum()
    return [round(float(np.interp(p / 100, cumulative, values)), 3) for p in PERCENTILES]


def raw_predictions(
    method: str, parameters: Mapping[str, object], intake: np.ndarray, session: np.ndarray
) -> np.ndarray:
    """The four percentiles at each (intake, session) as the parameters give them (before
    sorting and keeping within 0-40): model_file checks they are finite."""
    if method == NEIGHBOURS:
        table = np.array(parameters["table"], dtype=float)
        first_session = int(parameters["first_session"])  # type: ignore[call-overload]
        first_intake = float(parameters["first_intake"])  # type: ignore[arg-type]
        position = np.clip(intake - first_intake, 0, table.shape[1] - 1)
        left = np.floor(position).astype(int)
        right = np.minimum(left + 1, table.shape[1] - 1)
        share = (position - left)[:, None]
        rows = table[np.clip(session.astype(int) - first_session, 0, table.shape[0] - 1)]
        at = np.arange(len(intake))
        return rows[at, left] * (1 - share) + rows[at, right] * share
    coefficients = parameters["coefficients"]
    assert isinstance(coefficients, Mapping)
    terms = tuple(parameters["terms"])  # type: ignore[call-overload]
    beta = np.array([coefficients[f"p{p}"] for p in PERCENTILES], dtype=float).T
    return np.einsum("ij,jk->ik", _design(terms, intake, session), beta)


def _predict(
    method: str, parameters: Mapping[str, object], intake: np.ndarray, session: np.ndarray
) -> np.ndarray:
    """The four percentiles at each (intake, session): sorted so they never cross, in 0-40."""
    values = raw_predictions(method, parameters, intake, session)
    return np.clip(np.sort(values, axis=1), *TOTAL_RANGE)


def _fold(key: str, folds: int) -> int:
    """A client's fold: from a hash of the key, so the split does not depend on input order."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % folds


def _calibrate(courses: Sequence[Course], options: FitOptions, age_group: str) -> Calibration:
    """K-fold by client: fit without one fold, and count the fold's later sessions (inside the
    fit's covered ranges) below each fitted percentile, each weighted as the fit weights it
    (with the held-out clients' own attendance model), over all and by band; and back-test the
    rule on the fold's clients. Above CALIBRATION_CLIENTS clients, on that many of them,
    chosen by a hash of their keys (the check is then as sure, and a large fit stays quick)."""
    if len(courses) > CALIBRATION_CLIENTS:  # the same clients whatever the order
        courses = sorted(courses, key=lambda c: hashlib.sha256(c.key.encode()).digest())
        courses = courses[:CALIBRATION_CLIENTS]
    fold_of = np.array([_fold(c.key, options.folds) for c in courses])
    # every held-out form weighted by the chance of still attending, whatever the fit's own
    # weighting: so the shares estimate the full course, and an unweighted fit shows its gap
    weighted = _rows(courses, _ranges(courses)[1][1], ATTENDANCE)
    held: list[np.ndarray] = []  # per held-out form: client, intake, session, weight, 4 below
    record = np.zeros(4, dtype=int)
    for k in range(options.folds):
        train = [c for c, f in zip(courses, fold_of, strict=True) if f != k]
        test = [c for c, f in zip(courses, fold_of, strict=True) if f == k]
        if not train or not test:
            continue
        (low, high), (first, last) = _ranges(train)
        try:
            parameters = _fit_rows(options.method, _rows(train, last, options.weighting), (2, last))
        except SolverFailed:  # this fold's clients cannot determine a shape: skipped
            continue
        group = GroupModel(
            age_group,
            len(train),
            0,
            intake_range=(low, high),
            session_range=(first, last),
            parameters=parameters,
        )
        rows = weighted[
            (fold_of[weighted[:, 0].astype(int)] == k)
            & (weighted[:, 1] >= low)
            & (weighted[:, 1] <= high)
            & (weighted[:, 2] <= last)
        ]
        if len(rows):
            predicted = _predict(options.method, parameters, rows[:, 1], rows[:, 2])
            held.append(np.column_stack([rows[:, [0, 1, 2, 4]], rows[:, 3:4] < predicted]))
        record += _record(options, group, test)
    cutoff = options.cutoffs.get(age_group, DEFAULT_CUTOFFS.get(age_group, 25.0))
    return _calibration(held, options.folds, cutoff, Record(*(int(v) for v in record)))


def _calibration(held: list[np.ndarray], folds: int, cutoff: float, record: Record) -> Calibration:
    """The shares below each percentile over all held-out forms and by band."""
    table = np.concatenate(held) if held else np.zeros((0, 8))

    def cell(name: str, chosen: np.ndarray) -> Band:
        rows = table[chosen]
        weights = rows[:, 3]
        total = float(weights.sum())
        below = tuple(
            round(100 * float(weights @ rows[:, 4 + i]) / total, 1) if total else 0.0
            for i in range(len(PERCENTILES))
        )
        return Band(name, len(rows), len(np.unique(rows[:, 0])), below)  # type: ignore[arg-type]

    session, intake = table[:, 2], table[:, 1]
    bands = [
        cell(
            f"sessions {low}-{high}" if high < 10_000 else f"sessions {low}+",
            (session >= low) & (session <= high),
        )
        for low, high in SESSION_BANDS
    ]
    bands += [
        cell(f"intake at or below {cutoff:g}", intake <= cutoff),
        cell(f"intake above {cutoff:g}", intake > cutoff),
    ]
    whole = cell("all", np.ones(len(table), dtype=bool))
    return Calibration(folds, whole.forms, whole.clients, whole.below, tuple(bands), record)


def _record(options: FitOptions, group: GroupModel, test: Sequence[Course]) -> np.ndarray:
    """The rule on held-out clients whose last form came after SIGNAL_BY: (ended not reliably
    improved, of them listed by SIGNAL_BY, ended reliably improved, of them listed)."""
    model = Model(
        options.method,
        METHOD_VERSION,
        datetime.date.min,
        0,
        {group.age_group: group},
        min_support=0,
    )
    counts = np.zeros(4, dtype=int)
    for course in test:
        if course.points[-1][0] <= SIGNAL_BY or not group.covers(course.intake, 2):
            continue
        listed = listed_by(model, course, SIGNAL_BY)
        improved = course.points[-1][1] - course.intake >= options.rci
        counts[2 if improved else 0] += 1
        counts[3 if improved else 1] += listed
    return counts


def listed_by(model: Model, course: Course, session: int) -> bool:
    """Whether the report's rule would have listed COURSE at one of its forms up to SESSION:
    under p10 there, or under p25 there and at the form before (at session 2 the form before
    is the intake, never under p25, so there only under p10 counts)."""
    seen = expectation(model, course, session)
    if seen is None:
        return False
    points = [s for s, _ in course.points if s <= session]
    return any(
        seen.below.get(at) or (at in seen.below and before in seen.below)
        for before, at in itertools.pairwise(points)
    )
