"""Chart geometry: where every point, line, band and label of a progress chart goes, in mm.

Takes: a client's scored forms and the thresholds. Returns: plain dataclasses of coordinates
that templates/_chart.html draws as SVG. No drawing here and no markup in the geometry, so that
tests can check positions with numbers (a score of 25 sits on the cutoff line, and so on).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from paperfit.forms.scoring import ScoredForm, Thresholds
from paperfit.generator.text_width import text_width_em

MAX_SCORE = 40.0
MAX_ITEM = 10.0
LABEL_SIZE = 2.3  # font size of the labels of lines and the band, in mm
# How far a label reaches above and below its baseline, in font sizes.
ASCENT, DESCENT = 0.8, 0.25
MARKER_SIZE = 1.1  # half the width of a marker on the main chart, in mm


Box = tuple[float, float, float, float]  # left, top, right, bottom, in mm
Segment = tuple[float, float, float, float]  # x0, y0, x1, y1, in mm
Area = tuple[tuple[float, float], ...]  # a filled shape's outline (x, y), in mm
# The main chart starts at 20 rather than 0 when every total, band and line on it is at least
# SCALE_FROM_20 (a child's CORS with its cutoff of 32): the room goes where the data are.
SCALE_FROM_20 = 22.0


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
class Place:
    """Where a label is written: X and the baseline Y, in mm; ANCHOR says whether X is where
    the label starts or ends (SVG's text-anchor)."""

    x: float
    y: float
    anchor: str = "start"

    def box(self, text: str, size: float = LABEL_SIZE) -> Box:
        """The estimated extent of TEXT written here: left, top, right, bottom."""
        width = text_width_em(text) * size
        left = self.x - width if self.anchor == "end" else self.x
        return (left, self.y - ASCENT * size, left + width, self.y + DESCENT * size)


@dataclass(frozen=True)
class Rule:
    """A labelled horizontal line across the plot (the cutoff, the SRS alert value)."""

    value: float
    y: float
    label: str
    place: Place


@dataclass(frozen=True)
class Band:
    """The intake ± RCI band: changes inside it may be chance."""

    low: float
    high: float
    y_top: float
    y_bottom: float
    label: str
    place: Place


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
class ExpectedCourse:
    """An expected course on a chart: the outline of its p25-p75 band (p75 left to right, then
    p25 back), its median and, where drawn, its p10 line, each as (x, y) points in mm; LABEL
    is written at PLACE. START is the intake, drawn as a point at session 1 (trajectories page)."""

    band: tuple[tuple[float, float], ...]
    median: tuple[tuple[float, float], ...]
    low: tuple[tuple[float, float], ...]
    label: str
    place: Place
    start: tuple[float, float] | None = None


@dataclass(frozen=True)
class Below:
    """A session under the expected course: its point, and whether under p10 (WELL) or p25."""

    x: float
    y: float
    well: bool


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
    marker: float = 0.7  # half the width of a point's marker, in mm
    label_size: float = LABEL_SIZE
    courses: tuple[ExpectedCourse, ...] = ()
    below: tuple[Below, ...] = ()
    hatch: bool = True  # expected bands hatched (client graphs) or lightly filled (overview)
    axis_titles: tuple[str, str] = ("", "")  # under the sessions, beside the totals
    y_break: bool = False  # the value axis starts above 0: drawn with a break at its foot


def session_scale(sessions: Sequence[int], frame: Frame) -> Scale:
    """Sessions 1..last across the plot, with half a step of room at each end."""
    last = max([*sessions, 4])
    return Scale((0.5, last + 0.5), (frame.plot_left, frame.plot_right))


def value_scale(top: float, frame: Frame, bottom: float = 0.0) -> Scale:
    """BOTTOM (0 unless told) at the bottom of the plot, TOP at its top."""
    return Scale((bottom, top), (frame.plot_bottom, frame.plot_top))


def scale_bottom(values: Sequence[float]) -> float:
    """Where the main chart's scale starts: 20 when all VALUES (totals, band edges, lines,
    expected courses) are at least SCALE_FROM_20, else 0."""
    return 20.0 if values and min(values) >= SCALE_FROM_20 else 0.0


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


def value_ticks(top: float, step: float, scale: Scale, bottom: float = 0.0) -> tuple[Tick, ...]:
    count = round((top - bottom) / step)
    values = [bottom + i * step for i in range(count + 1)]
    return tuple(Tick(v, scale(v), f"{v:g}") for v in values)


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


def lines_of(series: Sequence[Series]) -> list[Segment]:
    """Every straight piece of the series' lines."""
    return [
        (a.x, a.y, b.x, b.y)
        for line in series
        for run in line.lines
        for a, b in itertools.pairwise(run)
    ]


def markers_of(series: Sequence[Series], half: float) -> list[Box]:
    """The square around every marker, HALF its width from its centre."""
    return [
        (p.x - half, p.y - half, p.x + half, p.y + half) for line in series for p in line.points
    ]


def across(frame: Frame, y: float) -> Segment:
    """A horizontal line across the plot at Y."""
    return (frame.plot_left, y, frame.plot_right, y)


def crosses(segment: Segment, box: Box) -> bool:
    """Whether SEGMENT runs through BOX (Liang-Barsky clipping)."""
    x0, y0, x1, y1 = segment
    left, top, right, bottom = box
    dx, dy = x1 - x0, y1 - y0
    start, end = 0.0, 1.0
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            start = max(start, t)
        else:
            end = min(end, t)
        if start > end:
            return False
    return True


def overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def inside(x: float, y: float, area: Area) -> bool:
    """Whether (X, Y) is inside AREA (even-odd rule)."""
    result = False
    for (x0, y0), (x1, y1) in zip(area, area[1:] + area[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            result = not result
    return result


def covers(area: Area, box: Box) -> bool:
    """Whether BOX and the filled AREA share any part."""
    if len(area) < 3:
        return False
    edges = zip(area, area[1:] + area[:1], strict=True)
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    return inside(*centre, area) or any(crosses((*a, *b), box) for a, b in edges)


def rectangle(box: Box) -> Area:
    left, top, right, bottom = box
    return ((left, top), (right, top), (right, bottom), (left, bottom))


def place_label(
    text: str,
    candidates: Sequence[Place],
    lines: Sequence[Segment],
    boxes: Sequence[Box] = (),
    taken: Sequence[Box] = (),
    margin: float = 0.5,
    areas: Sequence[Area] = (),
) -> Place:
    """The first of CANDIDATES where TEXT (with MARGIN around it) crosses none of LINES and
    overlaps none of BOXES (markers), AREAS (bands) and TAKEN (labels already placed); else
    the one with the fewest, another label counting most, then a band."""

    def covered(place: Place) -> int:
        left, top, right, bottom = place.box(text)
        box = (left - margin, top - margin, right + margin, bottom + margin)
        hits = sum(crosses(line, box) for line in lines) + sum(overlaps(b, box) for b in boxes)
        # Areas are matched without the margin: a label may sit just above a band's edge.
        on_areas = sum(covers(area, place.box(text)) for area in areas)
        return hits + 100 * sum(overlaps(b, box) for b in taken) + 10 * on_areas

    return min(candidates, key=covered)  # min keeps the first of equals


def band_edges(intake: float, rci: float, top: float = MAX_SCORE) -> tuple[float, float]:
    """Intake ± RCI, kept on the scale."""
    return max(0.0, intake - rci), min(top, intake + rci)


def rule_places(frame: Frame, y: float) -> tuple[Place, ...]:
    """Where a rule's label may go: just above its line at the right end, then below it,
    then the same at the left end."""
    above, below = y - 0.8, y + 0.8 + ASCENT * LABEL_SIZE
    right, left = frame.plot_right - 0.8, frame.plot_left + 1.5
    return (
        Place(right, above, "end"),
        Place(right, below, "end"),
        Place(left, above),
        Place(left, below),
    )


def band_places(frame: Frame, y_top: float, y_bottom: float) -> tuple[Place, ...]:
    """Where the band's label may go: inside it, along its top edge, then its bottom edge,
    at the left and then the right."""
    top, bottom = y_top + 0.6 + ASCENT * LABEL_SIZE, y_bottom - 0.6 - DESCENT * LABEL_SIZE
    left, right = frame.plot_left + 1.5, frame.plot_right - 1.5
    return (
        Place(left, top),
        Place(left, bottom),
        Place(right, top, "end"),
        Place(right, bottom, "end"),
    )


# (session, p10, p25, p50, p75) of an expected course
ExpectedPoint = tuple[int, float, float, float, float]


def expected_course(
    points: Sequence[ExpectedPoint],
    x: Scale,
    y: Scale,
    label: str,
    place: Place,
    with_low: bool = False,
    start: tuple[int, float] | None = None,
) -> ExpectedCourse:
    """The geometry of one expected course from its POINTS, in session order."""
    upper = [(x(p[0]), y(p[4])) for p in points]
    lower = [(x(p[0]), y(p[2])) for p in reversed(points)]
    return ExpectedCourse(
        band=tuple(upper + lower),
        median=tuple((x(p[0]), y(p[3])) for p in points),
        low=tuple((x(p[0]), y(p[1])) for p in points) if with_low else (),
        label=label,
        place=place,
        start=(x(start[0]), y(start[1])) if start else None,
    )


def expected_places(points: Sequence[ExpectedPoint], x: Scale, y: Scale) -> tuple[Place, ...]:
    """Where the expected course's label may go: above its band, then under it, at its end
    and then at its start, close to it first and then a line or two further off."""
    first, last = points[0], points[-1]
    places = []
    for gap in (0.8, 3.6, 6.4):
        places += [
            Place(x(last[0]) - 1, y(last[4]) - gap, "end"),
            Place(x(last[0]) - 1, y(last[2]) + gap + ASCENT * LABEL_SIZE, "end"),
            Place(x(first[0]) + 1, y(first[4]) - gap),
            Place(x(first[0]) + 1, y(first[2]) + gap + ASCENT * LABEL_SIZE),
        ]
    return tuple(places)


@dataclass(frozen=True)
class Labels:
    """The main chart's labelled things, placed clear of the data, the bands and each other."""

    rules: tuple[Rule, ...]
    band: Band | None
    course: ExpectedCourse | None


def place_labels(
    frame: Frame,
    rules: Sequence[tuple[float, str]],
    band: tuple[float, float, str] | None,
    course: ExpectedCourse | None,
    data: list[Segment],
    markers: list[Box],
    y: Scale,
    course_places: Sequence[Place] = (),
) -> Labels:
    """The rules' labels first, then the band's (inside it), then the expected course's; no
    label on a line, a marker, another label, or a band (the hatched expected band, or the
    grey change band other than for its own label)."""
    hatched: list[Area] = []
    if course is not None:
        outline = [*course.band, course.band[0]]
        data = data + [(*a, *b) for a, b in itertools.pairwise(outline)]
        hatched.append(course.band)
    band_lines = [across(frame, y(value)) for value in band[:2]] if band else []
    grey = [rectangle((frame.plot_left, y(band[1]), frame.plot_right, y(band[0])))] if band else []
    taken: list[Box] = []
    placed_rules = []
    for value, label in rules:
        places = rule_places(frame, y(value))
        edges = [line for line in band_lines if abs(line[1] - y(value)) > 0.01]  # not its own
        place = place_label(label, places, data + edges, markers, taken, areas=hatched + grey)
        taken.append(place.box(label))
        placed_rules.append(Rule(value, y(value), label, place))
    rule_lines = [across(frame, rule.y) for rule in placed_rules]
    placed_band = None
    if band is not None:
        low, high, label = band
        places = band_places(frame, y(high), y(low))
        place = place_label(label, places, data + rule_lines, markers, taken, areas=hatched)
        taken.append(place.box(label))
        placed_band = Band(low, high, y(high), y(low), label, place)
    if course is not None:
        lines = data + rule_lines + band_lines
        place = place_label(
            course.label, course_places, lines, markers, taken, areas=hatched + grey
        )
        course = replace(course, place=place)
    return Labels(tuple(placed_rules), placed_band, course)


def main_chart(
    scored: Sequence[ScoredForm],
    cutoff: float,
    t: Thresholds,
    frame: Frame,
    cutoff_label: str,
    band_label: str,
    expected: Sequence[ExpectedPoint] = (),
    expected_label: str = "",
    below_expected: Mapping[int, bool] | None = None,
    flag_sessions: Sequence[int] | None = None,
    axis_titles: tuple[str, str] = ("", ""),
) -> Chart:
    """Outcome and alliance totals by session, the cutoff, the alert line and the RCI band,
    the last two labelled in the page's language; with EXPECTED, the expected course from the
    client's intake and a ring round each session BELOW_EXPECTED names (two when well below).
    A triangle marks each of FLAG_SESSIONS (every session with a flag, unless given). The
    scale starts at 20 when nothing drawn is lower (scale_bottom)."""
    sessions = [entry.form.session for entry in scored]
    alliance = next((e.form.instrument for e in scored if e.kind == "alliance"), "SRS")
    intake = next((e.total for e in scored if e.kind == "outcome" and e.total is not None), None)
    edges = band_edges(intake, t.rci) if intake is not None else None
    drawn = [e.total for e in scored if e.total is not None]
    drawn += [cutoff, t.alert_total, *(edges or ()), *(v for p in expected for v in p[2:])]
    bottom = scale_bottom(drawn)
    x, y = session_scale(sessions, frame), value_scale(MAX_SCORE, frame, bottom)
    flagged = {entry.form.session for entry in scored if entry.flags}
    series = []
    for kind in ("outcome", "alliance"):
        entries = [e for e in scored if e.kind == kind]
        if entries:
            values = [(e.form.session, e.total, e.form.session in flagged) for e in entries]
            series.append(make_series(entries[0].form.instrument, kind, values, x, y))
    course = expected_course(expected, x, y, expected_label, Place(0, 0)) if expected else None
    labels = place_labels(
        frame,
        ((cutoff, cutoff_label), (t.alert_total, f"{alliance} {t.alert_total:g}")),
        (*edges, band_label) if edges is not None else None,
        course,
        lines_of(series),
        markers_of(series, MARKER_SIZE),
        y,
        expected_places(expected, x, y) if expected else (),
    )
    below: tuple[Below, ...] = ()
    if course is not None:
        outcome = next((line for line in series if line.kind == "outcome"), None)
        wells = below_expected or {}
        below = tuple(
            Below(p.x, p.y, wells[p.session])
            for p in (outcome.points if outcome else ())
            if p.session in wells
        )
    starts = flagged if flag_sessions is None else set(flag_sessions)
    return Chart(
        frame=frame,
        x_ticks=session_ticks(sessions, x),
        y_ticks=value_ticks(MAX_SCORE, 5 if bottom else 10, y, bottom),
        series=tuple(series),
        rules=labels.rules,
        band=labels.band,
        marker=MARKER_SIZE,
        flags=tuple(sorted((s, x(s)) for s in starts)),
        courses=(labels.course,) if labels.course else (),
        below=below,
        axis_titles=axis_titles,
        y_break=bottom > 0,
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
