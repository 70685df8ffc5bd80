"""Expected courses of the outcome total, fitted on a practice's own past clients.

Takes: client courses (age group, intake total, later session totals). Returns: a Model that
gives, per age group, the 10th/25th/50th/75th percentiles of the outcome total expected at a
session for clients with a given intake, or says why it gives none (too few clients), together
with the ranges it covers (it never extrapolates) and its k-fold calibration on the same data.
Pure: no files, no printing, no dates of sessions; deterministic (same courses, same model).

Method (chosen by measurement on simulated practices, see bench/trajectories.py): linear
quantile regression of the total at session s on the intake, ln(s), ln(s)^2 and their products
with the intake, one fit per percentile (Koenker's interior-point method, below). The four
percentiles are sorted at every point (monotone rearrangement) so they never cross, and kept
within 0-40. The methods it was measured against stay here for that comparison: the same
regression without ln(s)^2, and intake-matched neighbours (the vendors' +-1 point, widened until
enough clients, smoothed over neighbouring sessions).
"""

from __future__ import annotations

import datetime
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from paperfit.forms import outputs
from paperfit.forms.scoring import ScoredForm, by_client

PERCENTILES = (10, 25, 50, 75)
MODEL_FORMAT = f"{outputs.MODEL_FORMAT} 1"
METHOD_VERSION = 1
QUANTREG = "quantreg"
QUANTREG_LOG = "quantreg-log"
NEIGHBOURS = "neighbours"
METHODS = (QUANTREG, QUANTREG_LOG, NEIGHBOURS)
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
DEFAULT_MIN_CLIENTS = 100
MIN_FORMS = 3  # a client counts towards the minimum with this many complete outcome forms
FOLDS = 5
CALIBRATION_CLIENTS = 2000  # the most clients the k-fold check runs on
SESSION_MIN_CLIENTS = 20  # the covered sessions: each has forms of at least this many clients
INTAKE_TAILS = 0.02  # the covered intakes: between the 2nd and the 98th percentile
NEAR = 1.0  # a row of expected.csv counts the clients whose intake is within this of its intake
CENTRE = 20.0  # the intake is centred here in the regression, so its parameters read plainly
NEIGHBOURS_MIN = 40  # the neighbours method widens its intake window until this many clients
TOTAL_RANGE = (0.0, 40.0)
# The interior-point method's limits: at most IP_STEPS steps; done when the duality gap is
# below IP_GAP of the loss (far below the 6 decimals the coefficients are kept to).
IP_STEPS, IP_GAP, IP_SHRINK = 100, 1e-9, 0.9995


@dataclass(frozen=True)
class Course:
    """One client's outcome totals, session order, complete forms only. KEY only splits clients
    into calibration folds; it is never kept in the model."""

    key: str
    age_group: str
    points: tuple[tuple[int, float], ...]

    @property
    def intake(self) -> float:
        return self.points[0][1]


@dataclass(frozen=True)
class Expected:
    """The percentiles expected at one session for one intake, and what they rest on."""

    p10: float
    p25: float
    p50: float
    p75: float

    @property
    def values(self) -> tuple[float, float, float, float]:
        return (self.p10, self.p25, self.p50, self.p75)


@dataclass(frozen=True)
class Calibration:
    """Held-out check: the share (percent) of held-out sessions below each fitted percentile."""

    folds: int
    sessions: int
    clients: int
    below: tuple[float, float, float, float]


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

    @property
    def fitted(self) -> bool:
        return not self.refusal

    def covers(self, intake: float, session: int) -> bool:
        low, high = self.intake_range
        first, last = self.session_range
        return self.fitted and low <= intake <= high and first <= session <= last

    def intakes(self) -> range:
        """The whole intakes inside the covered range (the rows of expected.csv)."""
        low, high = self.intake_range
        return range(math.ceil(low), math.floor(high) + 1)

    def clients_near(self, intake: int, session: int) -> int:
        """Clients with a form at SESSION whose intake was within NEAR of INTAKE."""
        return self.support[session - self.session_range[0]][intake - self.intakes().start]


@dataclass(frozen=True)
class Model:
    """The expected courses of one practice (or a pool of practices). PERIOD: the months the
    forms were dated in ("2025-01 to 2026-11"), or "" when the inputs carry no dates."""

    method: str
    version: int
    fitted_on: datetime.date
    min_clients: int
    groups: Mapping[str, GroupModel]
    period: str = ""

    @property
    def clients(self) -> int:
        return sum(g.clients for g in self.groups.values() if g.fitted)

    def expected(self, age_group: str, intake: float, session: int) -> Expected | None:
        """The expected percentiles, or None outside what the model covers (never extrapolates)."""
        group = self.groups.get(age_group)
        if group is None or not group.covers(intake, session):
            return None
        values = _predict(self.method, group.parameters, np.array([intake]), np.array([session]))
        return Expected(*(round(float(v), 2) for v in values[0]))


@dataclass(frozen=True)
class Expectation:
    """One client's course against the model: the percentiles expected at each session from
    their intake (sessions 2 to UNTIL that the model covers), and the sessions whose total is
    under p25 (False) or under p10 (True)."""

    intake: float
    expected: Mapping[int, Expected]
    below: Mapping[int, bool]


def expectation(model: Model, course: Course, until: int) -> Expectation | None:
    """COURSE against MODEL up to session UNTIL; None when the model gives nothing for it
    (no fitted curve for the age group, or an intake outside the covered range)."""
    group = model.groups.get(course.age_group)
    first_session = course.points[0][0]
    if group is None or not group.covers(course.intake, group.session_range[0]):
        return None
    expected = {}
    for session in range(max(2, first_session + 1), until + 1):
        value = model.expected(course.age_group, course.intake, session)
        if value is not None:
            expected[session] = value
    below = {
        session: total < expected[session].p10
        for session, total in course.points[1:]
        if session in expected and total < expected[session].p25
    }
    return Expectation(course.intake, expected, below)


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


def fit(
    courses: Sequence[Course],
    fitted_on: datetime.date,
    min_clients: int = DEFAULT_MIN_CLIENTS,
    method: str = QUANTREG,
    folds: int = FOLDS,
    period: str = "",
) -> Model:
    """Fit every age group that has courses; refuse those with fewer than MIN_CLIENTS clients
    with at least MIN_FORMS complete outcome forms. Calibrate with FOLDS folds (none below 2)."""
    groups = {}
    for age_group in sorted({c.age_group for c in courses}):
        mine = [c for c in courses if c.age_group == age_group]
        groups[age_group] = _fit_group(age_group, mine, min_clients, method, folds)
    return Model(method, METHOD_VERSION, fitted_on, min_clients, groups, period)


def fit_scored(
    scored: Sequence[ScoredForm],
    fitted_on: datetime.date,
    min_clients: int = DEFAULT_MIN_CLIENTS,
    folds: int = FOLDS,
) -> Model:
    """The model of a practice's scored forms: their courses, fitted, with their period.
    FOLDS below 2 leaves out the calibration (graphs and the report do not print it)."""
    courses = courses_from_scored(scored)
    return fit(courses, fitted_on, min_clients, folds=folds, period=period_of(scored))


def period_of(scored: Iterable[ScoredForm]) -> str:
    """The months the outcome forms were dated in, first to last ("" without dates)."""
    dates = sorted(e.form.date for e in scored if e.kind == "outcome" and e.form.date)
    return f"{dates[0]:%Y-%m} to {dates[-1]:%Y-%m}" if dates else ""


def expected_table(model: Model) -> list[tuple[str, int, int, Expected, int]]:
    """The rows of expected.csv: (age group, intake, session, percentiles, clients) for every
    fitted group, whole intake across its covered range and session 2 to its last."""
    rows = []
    for age_group, group in model.groups.items():
        if not group.fitted:
            continue
        first, last = group.session_range
        for session in range(first, last + 1):
            intakes = np.array(group.intakes(), dtype=float)
            values = _predict(
                model.method, group.parameters, intakes, np.full(len(intakes), session)
            )
            for intake, four in zip(group.intakes(), values, strict=True):
                expected = Expected(*(round(float(v), 2) for v in four))
                rows.append(
                    (age_group, intake, session, expected, group.clients_near(intake, session))
                )
    return sorted(rows, key=lambda row: (row[0], row[1], row[2]))


def model_to_dict(model: Model) -> dict[str, Any]:
    """The model as plain data for model.json: no client ID, name, clinician or session date."""
    groups = {}
    for name, g in model.groups.items():
        calibration = g.calibration
        groups[name] = {
            "clients": g.clients,
            "forms": g.forms,
            "refusal": g.refusal,
            "clients_with_3_forms": g.enough,
            "intake_range": list(g.intake_range),
            "session_range": list(g.session_range),
            "parameters": g.parameters,
            "clients_near": [list(row) for row in g.support],
            "calibration": None
            if calibration is None
            else {
                "folds": calibration.folds,
                "held_out_sessions": calibration.sessions,
                "held_out_clients": calibration.clients,
                "nominal_percent": list(PERCENTILES),
                "below_percent": list(calibration.below),
            },
        }
    return {
        "format": MODEL_FORMAT,
        "method": model.method,
        "method_version": model.version,
        "method_words": METHOD_WORDS[model.method],
        "fitted_on": model.fitted_on.isoformat(),
        "period": model.period,
        "min_clients": model.min_clients,
        "min_forms": MIN_FORMS,
        "groups": groups,
    }


def model_from_dict(data: Mapping[str, Any]) -> Model:
    """A Model from model_to_dict's data. Raises ValueError (saying what is wrong) for data
    that is not such a model."""
    try:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"it is not a paperfit model (format {MODEL_FORMAT})")
        method = data["method"]
        if method not in METHODS or data["method_version"] != METHOD_VERSION:
            raise ValueError(f"its method {method!r} version {data['method_version']!r} is unknown")
        groups = {}
        for name, g in data["groups"].items():
            c = g["calibration"]
            groups[name] = GroupModel(
                name,
                int(g["clients"]),
                int(g["forms"]),
                refusal=str(g["refusal"]),
                enough=int(g["clients_with_3_forms"]),
                intake_range=(float(g["intake_range"][0]), float(g["intake_range"][1])),
                session_range=(int(g["session_range"][0]), int(g["session_range"][1])),
                parameters=g["parameters"],
                support=tuple(tuple(int(n) for n in row) for row in g["clients_near"]),
                calibration=None
                if c is None
                else Calibration(
                    int(c["folds"]),
                    int(c["held_out_sessions"]),
                    int(c["held_out_clients"]),
                    tuple(float(v) for v in c["below_percent"]),  # type: ignore[arg-type]
                ),
            )
        for group in groups.values():
            if group.fitted:  # the parameters must give numbers at the first covered point
                _predict(
                    method,
                    group.parameters,
                    np.array([group.intake_range[0]]),
                    np.array([group.session_range[0]]),
                )
        return Model(
            method,
            METHOD_VERSION,
            datetime.date.fromisoformat(data["fitted_on"]),
            int(data["min_clients"]),
            groups,
            str(data.get("period", "")),
        )
    except (KeyError, TypeError, IndexError, AttributeError) as error:
        raise ValueError(f"it lacks a part of a paperfit model ({error})") from None


def _fit_group(
    age_group: str, courses: Sequence[Course], min_clients: int, method: str, folds: int
) -> GroupModel:
    usable = [c for c in courses if len(c.points) >= 2]
    enough = sum(len(c.points) >= MIN_FORMS for c in usable)
    forms = sum(len(c.points) for c in usable)
    if enough < min_clients:
        reason = (
            f"only {enough} clients with at least {MIN_FORMS} complete outcome forms "
            f"({min_clients} needed): no expected course is drawn"
        )
        return GroupModel(age_group, len(usable), forms, refusal=reason, enough=enough)
    rows = _rows(usable)
    intake_range, session_range = _ranges(usable, rows)
    parameters = _fit_rows(method, rows, session_range)
    support = _support(rows, intake_range, session_range)
    calibration = _calibrate(usable, method, folds) if folds >= 2 else None
    return GroupModel(
        age_group,
        len(usable),
        forms,
        enough=enough,
        intake_range=intake_range,
        session_range=session_range,
        parameters=parameters,
        support=support,
        calibration=calibration,
    )


def _rows(courses: Sequence[Course]) -> np.ndarray:
    """One row per later form: client number, intake, session, total."""
    rows = [
        (number, c.intake, session, total)
        for number, c in enumerate(courses)
        for session, total in c.points[1:]
        if session >= 2
    ]
    return np.array(rows, dtype=float).reshape(-1, 4)


def _ranges(
    courses: Sequence[Course], rows: np.ndarray
) -> tuple[tuple[float, float], tuple[int, int]]:
    """The intakes between the 2nd and 98th percentile; sessions from 2 to the last one before
    a session with forms of fewer than SESSION_MIN_CLIENTS clients."""
    intakes = np.array([c.intake for c in courses])
    low, high = np.quantile(intakes, [INTAKE_TAILS, 1 - INTAKE_TAILS])
    sessions = rows[:, 2].astype(int)
    last = 1
    while np.count_nonzero(sessions == last + 1) >= SESSION_MIN_CLIENTS:
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


def _fit_rows(method: str, rows: np.ndarray, session_range: tuple[int, int]) -> dict[str, object]:
    """The fitted parameters of METHOD on ROWS, as plain numbers (kept in model.json)."""
    intake, session, total = rows[:, 1], rows[:, 2], rows[:, 3]
    if method == NEIGHBOURS:
        return _fit_neighbours(intake, session, total, session_range)
    # the distinct (intake, session) pairs: the design's distinct rows, and each form's row
    intakes, intake_index = np.unique(intake, return_inverse=True)
    sessions, session_index = np.unique(session, return_inverse=True)
    pairs, index = np.unique(intake_index * len(sessions) + session_index, return_inverse=True)
    rows = _design(method, intakes[pairs // len(sessions)], sessions[pairs % len(sessions)])
    coefficients = {
        f"p{p}": [round(float(b), 6) for b in quantile_regression(rows, index, total, p / 100)]
        for p in PERCENTILES
    }
    return {"centre": CENTRE, "terms": _terms(method), "coefficients": coefficients}


def _terms(method: str) -> list[str]:
    terms = ["1", "intake - 20", "ln(session)", "(intake - 20) * ln(session)"]
    if method == QUANTREG:
        terms += ["ln(session)^2", "(intake - 20) * ln(session)^2"]
    return terms


def _design(method: str, intake: np.ndarray, session: np.ndarray) -> np.ndarray:
    x = intake - CENTRE
    log = np.log(session)
    columns = [np.ones_like(x), x, log, x * log]
    if method == QUANTREG:
        columns += [log**2, x * log**2]
    return np.column_stack(columns)


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
            width = NEAR
            while np.count_nonzero((distance <= width) & (session == s)) < NEIGHBOURS_MIN:
                width += 0.5
                if width > 40:
                    break
            chosen = near_session & (distance <= width)
            row.append(_weighted_percentiles(total[chosen], weight_s[chosen]))
        table.append(row)
    return {"first_session": session_range[0], "first_intake": grid_low, "table": table}


def _weighted_percentiles(values: np.ndarray, weights: np.ndarray) -> list[float]:
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    cumulative = (np.cumsum(weights) - weights / 2) / weights.sum()
    return [round(float(np.interp(p / 100, cumulative, values)), 3) for p in PERCENTILES]


def _predict(
    method: str, parameters: Mapping[str, object], intake: np.ndarray, session: np.ndarray
) -> np.ndarray:
    """The four percentiles at each (intake, session): sorted so they never cross, in 0-40."""
    if method == NEIGHBOURS:
        table = np.array(parameters["table"], dtype=float)
        first_session = int(parameters["first_session"])  # type: ignore[call-overload]
        first_intake = float(parameters["first_intake"])  # type: ignore[arg-type]
        position = np.clip(intake - first_intake, 0, table.shape[1] - 1)
        left = np.floor(position).astype(int)
        right = np.minimum(left + 1, table.shape[1] - 1)
        share = (position - left)[:, None]
        rows = table[session.astype(int) - first_session]
        at = np.arange(len(intake))
        values = rows[at, left] * (1 - share) + rows[at, right] * share
    else:
        coefficients = parameters["coefficients"]
        assert isinstance(coefficients, Mapping)
        beta = np.array([coefficients[f"p{p}"] for p in PERCENTILES], dtype=float).T
        values = np.einsum("ij,jk->ik", _design(method, intake, session), beta)
    return np.clip(np.sort(values, axis=1), *TOTAL_RANGE)


def _fold(key: str, folds: int) -> int:
    """A client's fold: from a hash of the key, so the split does not depend on input order."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % folds


def _calibrate(courses: Sequence[Course], method: str, folds: int) -> Calibration:
    """K-fold by client: fit without one fold, and count the fold's later sessions (inside the
    fit's covered ranges) below each fitted percentile. Above CALIBRATION_CLIENTS clients, on
    that many of them, chosen by a hash of their keys (the check is then as sure, and the fit
    of a large practice stays quick)."""
    if len(courses) > CALIBRATION_CLIENTS:  # the same clients whatever the order
        courses = sorted(courses, key=lambda c: hashlib.sha256(c.key.encode()).digest())
        courses = courses[:CALIBRATION_CLIENTS]
    fold_of = [_fold(c.key, folds) for c in courses]
    below = np.zeros(len(PERCENTILES))
    sessions = clients = 0
    for k in range(folds):
        train = [c for c, f in zip(courses, fold_of, strict=True) if f != k]
        test = [c for c, f in zip(courses, fold_of, strict=True) if f == k]
        if not train or not test:
            continue
        train_rows, test_rows = _rows(train), _rows(test)
        (low, high), (first, last) = _ranges(train, train_rows)
        parameters = _fit_rows(method, train_rows, (first, last))
        inside = (
            (test_rows[:, 1] >= low)
            & (test_rows[:, 1] <= high)
            & (test_rows[:, 2] >= first)
            & (test_rows[:, 2] <= last)
        )
        held = test_rows[inside]
        if not len(held):
            continue
        predicted = _predict(method, parameters, held[:, 1], held[:, 2])
        below += (held[:, 3:4] < predicted).sum(axis=0)
        sessions += len(held)
        clients += len(np.unique(held[:, 0]))
    shares = tuple(round(100 * float(b) / sessions, 1) if sessions else 0.0 for b in below)
    return Calibration(folds, sessions, clients, shares)  # type: ignore[arg-type]


def quantile_regression(
    rows: np.ndarray, index: np.ndarray, y: np.ndarray, tau: float
) -> np.ndarray:
    """The coefficients minimising the check loss of quantile TAU for outcomes Y whose design
    rows are ROWS[INDEX] (the distinct rows and which one each outcome has): the Frisch-Newton
    interior-point method on the dual problem (Koenker & Portnoy 1997; the rq.fit.fnb of R's
    quantreg). About 20-40 steps, each one p x p solve, so 100,000 forms fit in a fraction of
    a second; no random start, so the same data give the same coefficients."""
    matrix = _Design(rows, index.reshape(-1))
    n = len(y)
    c = -y
    x = np.full(n, 1 - tau)
    b = matrix.t(x)
    s = 1 - x
    dual = np.linalg.solve(matrix.normal(np.ones(n)), matrix.t(c))
    r = c - matrix.times(dual)
    r = r + 0.001 * (r == 0)
    z = np.where(r > 0, r, 0.0)
    w = z - r
    gap = _dot(c, x) - _dot(dual, b) + w.sum()
    for _ in range(IP_STEPS):
        if gap <= IP_GAP * (1 + abs(_dot(c, x))):
            break
        q = 1 / (z / x + w / s)
        r = z - w
        normal = matrix.normal(q)
        dy = np.linalg.solve(normal, matrix.t(q * r))
        dx = q * (matrix.times(dy) - r)
        ds = -dx
        dz = -z * (dx / x + 1)
        dw = -w * (ds / s + 1)
        fp, fd = _steps(x, dx, s, ds), _steps(w, dw, z, dz)
        if min(fp, fd) < 1:
            mu = _dot(z, x) + _dot(w, s)
            g = _dot(z + fd * dz, x + fp * dx) + _dot(w + fd * dw, s + fp * ds)
            mu = mu * (g / mu) ** 3 / (2 * n)
            dxdz, dsdw = dx * dz, ds * dw
            xinv, sinv = 1 / x, 1 / s
            xi = mu * (xinv - sinv)
            dy = np.linalg.solve(normal, matrix.t(q * (r + dxdz - dsdw - xi)))
            dx = q * (matrix.times(dy) + xi - r - dxdz + dsdw)
            ds = -dx
            dz = mu * xinv - z - xinv * z * dx - dxdz
            dw = mu * sinv - w - sinv * w * ds - dsdw
            fp, fd = _steps(x, dx, s, ds), _steps(w, dw, z, dz)
        x, s = x + fp * dx, s + fp * ds
        dual, w, z = dual + fd * dy, w + fd * dw, z + fd * dz
        gap = _dot(c, x) - _dot(dual, b) + w.sum()
    return -dual


class _Design:
    """A design matrix held as its distinct rows and, per outcome, which row: totals are
    recorded to 0.1 and sessions are whole, so 100,000 forms have a few thousand distinct rows,
    and the products the method needs cost a bincount, not a pass over 100,000 x 6 numbers."""

    def __init__(self, rows: np.ndarray, index: np.ndarray) -> None:
        self.rows, self.index, self.count = rows, index, len(rows)

    def _sum(self, values: np.ndarray) -> np.ndarray:
        return np.bincount(self.index, weights=values, minlength=self.count)

    def normal(self, weights: np.ndarray) -> np.ndarray:
        """X' diag(WEIGHTS) X."""
        return np.einsum("ij,i,ik->jk", self.rows, self._sum(weights), self.rows)

    def t(self, vector: np.ndarray) -> np.ndarray:
        """X' VECTOR."""
        return np.einsum("ij,i->j", self.rows, self._sum(vector))

    def times(self, coefficients: np.ndarray) -> np.ndarray:
        """X COEFFICIENTS."""
        return np.einsum("ij,j->i", self.rows, coefficients)[self.index]


def _dot(u: np.ndarray, v: np.ndarray) -> float:
    return float(np.einsum("i,i->", u, v))


def _steps(
    first: np.ndarray, d_first: np.ndarray, second: np.ndarray, d_second: np.ndarray
) -> float:
    """The longest step (at most 1, kept just inside) that keeps both vectors positive."""
    longest = 1e20
    for value, step in ((first, d_first), (second, d_second)):
        falling = step < 0
        if falling.any():
            longest = min(longest, float(np.min(-value[falling] / step[falling])))
    return min(IP_SHRINK * longest, 1.0)
