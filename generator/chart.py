"""Chart geometry: where every point, line, band and label of a progress chart goes, in mm.

Takes: a client's scored forms and the thresholds. Returns: plain dataclasses of coordinates
that templates/_chart.html draws as SVG. No drawing here and no markup in the geometry, so that
tests can check positions with numbers (a score of 25 sits on the cutoff line, and so on).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from forms.scoring import ScoredForm, Thresholds

MAX_SCORE = 40.0
MAX_ITEM = 10.0


@dataclass(frozen=True)
class Scale:
    """A linear map from data values (domain) to millimetres on the page (range)."""

    domain: tuple[float, float]
    range: tuple[float, float]

    def __call__(self, value: float) -> float:
        (d0, d1), (r0, r1) = self.domain, self.range
        return r0 + (value - d0) * (r1 - r0) / (d1 - d0)


@dataclass(frozen=True)
class Frame:
    """A chart's plot area inside its drawing: left, top, width, height in mm."""

    width: float
    height: float
    left: float = 12.0
    right: float = 4.0
    top: float = 4.0
    bottom: float = 9.0

    @property
    def plot_left(self) -> float:
        return self.left

    @property
    def plot_right(self) -> float:
        return self.width - self.right

    @property
    def plot_top(self) -> float:
        return self.top

    @property
    def plot_bottom(self) -> float:
        return self.height - self.bottom


@dataclass(frozen=True)
class Point:
    session: int
    value: float
    x: float
    y: float
    flagged: bool = False


@dataclass(frozen=True)
class Tick:
    value: float
    position: float
    label: str


@dataclass(frozen=True)
class Rule:
    """A labelled horizontal line across the plot (the cutoff, the SRS alert value)."""

    value: float
    y: float
    label: str


@dataclass(frozen=True)
class Band:
    """The intake ± RCI band: changes inside it may be chance."""

    low: float
    high: float
    y_top: float
    y_bottom: float
    label: str


@dataclass(frozen=True)
class Series:
    """One line of the chart: its points, and the runs of them that are joined (gaps between
    runs are missing sessions, never filled in). KIND (outcome or alliance) sets its style."""

    name: str
    kind: str
    points: tuple[Point, ...]
    runs: tuple[tuple[Point, ...], ...]

    @property
    def lines(self) -> tuple[tuple[Point, ...], ...]:
        """The runs to draw as lines: a lone point has only its marker."""
        return tuple(run for run in self.runs if len(run) > 1)


@dataclass(frozen=True)
class Chart:
    frame: Frame
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    rules: tuple[Rule, ...] = ()
    band: Band | None = None
    title: str = ""
    flags: tuple[tuple[int, float], ...] = ()  # (session, x) of sessions with a flag


def session_scale(sessions: Sequence[int], frame: Frame) -> Scale:
    """Sessions 1..last across the plot, with half a step of room at each end."""
    last = max([*sessions, 4])
    return Scale((0.5, last + 0.5), (frame.plot_left, frame.plot_right))


def value_scale(top: float, frame: Frame) -> Scale:
    """0 at the bottom of the plot, TOP at its top."""
    return Scale((0.0, top), (frame.plot_bottom, frame.plot_top))


def session_ticks(sessions: Sequence[int], scale: Scale, most: int = 14) -> tuple[Tick, ...]:
    """A tick for every session, or every 2nd, 5th, 10th... when there are many."""
    last = max([*sessions, 4])
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if math.ceil(last / s) <= most)
    values = [1, *range(step, last + 1, step)] if step > 1 else list(range(1, last + 1))
    return tuple(Tick(v, scale(v), str(v)) for v in dict.fromkeys(values))


def end_ticks(sessions: Sequence[int], scale: Scale) -> tuple[Tick, ...]:
    """Ticks at the first and last session only: enough on a small chart, and quick to draw."""
    last = max([*sessions, 4])
    return (Tick(1, scale(1), "1"), Tick(last, scale(last), str(last)))


def value_ticks(top: float, step: float, scale: Scale) -> tuple[Tick, ...]:
    count = round(top / step)
    return tuple(Tick(i * step, scale(i * step), f"{i * step:g}") for i in range(count + 1))


def runs(points: Sequence[Point]) -> tuple[tuple[Point, ...], ...]:
    """Split points into runs of consecutive sessions: a missing session breaks the line."""
    result: list[list[Point]] = []
    for point in sorted(points, key=lambda p: p.session):
        if result and point.session == result[-1][-1].session + 1:
            result[-1].append(point)
        else:
            result.append([point])
    return tuple(tuple(run) for run in result)


def make_series(
    name: str, kind: str, values: Sequence[tuple[int, float | None, bool]], x: Scale, y: Scale
) -> Series:
    """Points for (session, value, flagged); sessions without a value are left out."""
    points = tuple(Point(s, v, x(s), y(v), flagged) for s, v, flagged in values if v is not None)
    return Series(name, kind, points, runs(points))


def band(intake: float, rci: float, y: Scale, top: float = MAX_SCORE) -> Band:
    low, high = max(0.0, intake - rci), min(top, intake + rci)
    return Band(low, high, y(high), y(low), "changes inside this band may be chance")


def main_chart(
    scored: Sequence[ScoredForm], cutoff: float, age_group: str, t: Thresholds, frame: Frame
) -> Chart:
    """Outcome and alliance totals by session, the cutoff, the alert line and the RCI band."""
    sessions = [entry.form.session for entry in scored]
    x, y = session_scale(sessions, frame), value_scale(MAX_SCORE, frame)
    flagged = {entry.form.session for entry in scored if entry.flags}
    series = []
    for kind in ("outcome", "alliance"):
        entries = [e for e in scored if e.kind == kind]
        if entries:
            values = [(e.form.session, e.total, e.form.session in flagged) for e in entries]
            series.append(make_series(entries[0].form.instrument, kind, values, x, y))
    alliance = next((e.form.instrument for e in scored if e.kind == "alliance"), "SRS")
    rules = (
        Rule(cutoff, y(cutoff), f"cutoff {cutoff:g} ({age_group})"),
        Rule(t.alert_total, y(t.alert_total), f"{alliance} {t.alert_total:g}"),
    )
    intake = next((e.total for e in scored if e.kind == "outcome" and e.total is not None), None)
    return Chart(
        frame=frame,
        x_ticks=session_ticks(sessions, x),
        y_ticks=value_ticks(MAX_SCORE, 10, y),
        series=tuple(series),
        rules=rules,
        band=band(intake, t.rci, y) if intake is not None else None,
        flags=tuple(sorted((s, x(s)) for s in flagged)),
    )


def item_chart(
    scored: Sequence[ScoredForm], instrument: str, kind: str, index: int, title: str, frame: Frame
) -> Chart:
    """One item of one form by session, on its 0-10 line."""
    entries = [e for e in scored if e.form.instrument == instrument]
    sessions = [entry.form.session for entry in scored]
    x, y = session_scale(sessions, frame), value_scale(MAX_ITEM, frame)
    values = [(e.form.session, e.form.items[index], False) for e in entries]
    return Chart(
        frame=frame,
        x_ticks=end_ticks(sessions, x),
        y_ticks=value_ticks(MAX_ITEM, 5, y),
        series=(make_series(instrument, kind, values, x, y),),
        title=title,
    )
