"""Where the pen mark on one rating line lies: the measuring stage of `paperfit scan`.

Takes: an upright greyscale crop of one rating line's region (about 14 mm beyond each end tick,
5.5 to 8 mm above and below the line), cut from a registered scan, and the crop's pixels per
millimetre.
Returns: a LineReading with the value 10 * (mark - left tick) / (right tick - left tick), rounded
to one decimal, the tick-to-tick length, and a status. Anything ambiguous gets a status other
than LINE_OK and no value (a best guess may be given separately in `guess`).

How: the crop is binarized (Otsu, after a contrast check); the printed line is found as the
strongest straight dark band within ±1.5° of horizontal and the crop is turned so that it is
level; the end ticks are the short vertical strokes nearest the band's ends, placed at the
darkness-weighted centroid of their columns (sub-pixel). The printed line and ticks are then
masked out, except in columns where ink continues just above or below the line (a pen stroke
crossing it), and the remaining connected components are the pen marks (specks under 0.3 mm²
and the round faces of child forms beyond the ends are ignored). A mark's crossing is the
intersection of its fitted centre line with the line for a stroke, and the centroid of its ink
within 1 mm of the line for an X, a dot or a dash (a circle: midway between its two crossings).

In a photo, faint ink (a pencil's) is read only where its shape is whole (a straight stroke,
an X, a hollow ring, a tick at its vertex), and a line of which a stretch cannot be seen (glare)
is not read at all: its mark is kept as a best guess (LineReading.unseen).

Millimetres in the result (mark_x_mm, ticks_mm) are along the line, from the crop's left edge,
in the crop's own millimetres (so a sheet printed at 97 % has a length_mm near 97).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
from paperfit.forms.scan_records import (
    AWAY_FROM_LINE,
    LINE_OK,
    LINE_UNREADABLE,
    NO_MARK,
    OUTSIDE_ENDS,
    SEVERAL_MARKS,
    LineReading,
)

MAX_ANGLE_DEG = 1.5  # residual rotation searched for
MIN_CONTRAST = 50  # grey levels between paper and the darkest ink
THIN_ALONG_LINE_MM = 0.6  # a mark reaching no further from the line is a dash (or a dot)
DOT_REACH_MM = 0.5  # a dot on the line reaches at least this far above and below its middle
DOT_ROUNDNESS = 1.4  # and is at most this many times as wide as it is tall (a dash is longer)
MIN_LINE_MM = 60.0  # the printed line's dark run must be at least this long
PIECE_MM = 5.0  # in pieces this long or longer (a glare spot may wash a stretch out)
GAP_MM = 40.0  # with gaps no longer than this
LENGTH_RANGE_MM = (80.0, 115.0)  # plausible tick-to-tick lengths (90–105 % of 100 mm, generous)
TICK_REACH_MM = 1.5  # a tick reaches at least this far above and below the line
AT_TICK_MM = 1.6  # a mark cut by a tick's mask crosses the line this near the tick, or is unsure
TICK_BEYOND_RUN_MM = 0.5  # a tick's middle is never further than this beyond the line's end
TICK_FULL_MM = 2.1  # a tick is dark this far above and below the line (±2.5 mm at 100 %)
TICK_MASK_MM = 3.0  # rows masked around the line at a tick (ticks are ±2.5 mm at 100 %)
SPECK_MM2 = 0.3  # smaller components are dirt
SUBSTANTIAL_MM2 = 0.6  # a separate mark this large, not touching the line, counts as a mark
TOUCH_MM = 0.25  # ink this close to the line's edge touches it
NEAR_MM = 1.5  # ink this close to the line but not touching is "away from the line"
END_CLAMP_MM = 0.2  # marks this far beyond a tick still read as 0 or 10
FACE_MM = (6.0, 12.5)  # bounding box of a child form's face beyond an end
FACE_GAP_MM = 1.5  # ink this near a tick (in the form's mm) is nearer than a face can be
FAINT_MIN = 30.0  # in a photo, ink this far below the paper is ink (or NOISE_SIGMAS of noise)
NOISE_SIGMAS = 5.0
LINE_ROW_SHARE = 0.15  # a row this much dark along the line is the printed line's (blurred)
FAINT_DEPTH = 60.0  # a photo's mark whose ink lies less far below the paper is too faint
SOFT_MM = 0.2  # a photo's faint ink is looked at again smoothed this much (Gaussian sigma)
SOFT_SHADE_MM = 2.5  # less the shading smoothed this much (a crease, a shadow's edge)
SOFT_MIN = 6.0  # and what lies this far below that (or SOFT_SIGMAS times its noise) is ink
SOFT_SIGMAS = 6.0
SOFT_BEYOND_MM = 1.0  # and so it is this far beyond the ticks, nearer than a face can be
FAINT_REACH_MM = 1.5  # a faint stroke read where it crosses reaches this far above and below
X_AT_END_MM = 3.0  # a mark this near an end tick may be an X the tick hides half of
ARM_WIDTH_MM = 0.6  # an arm of an X or a tick: its ink this near its fitted line (9 in 10)
TICK_ARM_ELONGATED = 2.5  # a tick's short arm, seen above the line, may be stubby
TICK_CLEAR_MM = 1.0  # its arms are fitted to their ink this far above the line (apart)
SKIP_MM = 1.2  # in a photo, pieces of ink this near each other are one stroke the pen skipped
SKIP_GAP_MM = 3.0  # and a straight piece off the line this near a mark, in line with it, too
MAX_BOOST = 8.0  # a photo's print under glare is read when an eighth of its contrast is left
BOOST_SMOOTH_MM = 0.1  # and its ink smoothed this much (Gaussian sigma) before it is scaled up


def _unreadable() -> LineReading:
    return LineReading(None, LINE_UNREADABLE, None, None, 0, None, None)


def _find_angle(dark: np.ndarray, line_px: float) -> tuple[float, float]:
    """The angle (degrees, y down) and score of the strongest straight dark band."""
    ys, xs = np.nonzero(dark)
    h, w = dark.shape
    cx = (w - 1) / 2
    box = np.ones(max(1, round(line_px)))
    best = (0.0, -1.0)
    pad = math.ceil(w * math.tan(math.radians(MAX_ANGLE_DEG))) + 2
    for a in np.arange(-MAX_ANGLE_DEG, MAX_ANGLE_DEG + 1e-9, 0.05):
        yp = np.rint(ys - (xs - cx) * math.tan(math.radians(a))).astype(np.int64) + pad
        hist = np.bincount(yp, minlength=h + 2 * pad + 1).astype(float)
        score = np.convolve(hist, box, mode="same").max()
        if score > best[1]:
            best = (float(a), float(score))
    return best


def _runs(mask: np.ndarray, max_gap: int) -> list[tuple[int, int]]:
    """Runs of True in a 1-D mask (inclusive bounds), joining gaps up to max_gap."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > max_gap + 1)
    starts = np.concatenate(([idx[0]], idx[breaks + 1]))
    ends = np.concatenate((idx[breaks], [idx[-1]]))
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _crossing(xs: np.ndarray, ys: np.ndarray, yl: float, ppm: float) -> tuple[float, bool]:
    """Where a mark's pixels cross (or would cross) the row yl, and whether the mark is a dash
    lying along the line (whose position is not trusted)."""
    if np.abs(ys - yl).max() < THIN_ALONG_LINE_MM * ppm and not _round_dot(xs, ys, yl, ppm):
        # Ink that never leaves the line by more than a pen's width: a dash lying along the
        # line, or what is left of one after the printed line was taken out. Not trusted.
        return float(xs.mean()), True
    near = np.abs(ys - yl) <= 3.0 * ppm
    if near.sum() < 5:
        near = np.ones_like(xs, dtype=bool)
    px, py = xs[near].astype(float), ys[near].astype(float)
    mx, my = px.mean(), py.mean()
    if px.size >= 5:
        cov = np.cov(np.vstack((px - mx, py - my)))
        evals, evecs = np.linalg.eigh(cov)
        vx, vy = evecs[:, 1]
        elongated = evals[1] >= 9.0 * max(evals[0], 1e-9)
        steep = abs(vy) >= math.sin(math.radians(25))
        if elongated and steep:
            return float(mx + (yl - my) * vx / vy), False
        if elongated:
            return float(mx), True
    slab = np.abs(py - yl) <= 1.0 * ppm
    if slab.sum() == 0:
        return float(mx), False
    sx = px[slab]
    cols = np.zeros(int(sx.max()) + 2, dtype=bool)
    cols[sx.astype(int)] = True
    runs = _runs(cols, max(1, round(0.3 * ppm)))
    if len(runs) >= 2 and runs[-1][0] - runs[0][1] > 1.0 * ppm:
        # a ring: midway between its leftmost and rightmost crossings
        left = sx[(sx >= runs[0][0]) & (sx <= runs[0][1])].mean()
        right = sx[(sx >= runs[-1][0]) & (sx <= runs[-1][1])].mean()
        return float((left + right) / 2), False
    return float(sx.mean()), False


def _round_dot(xs: np.ndarray, ys: np.ndarray, yl: float, ppm: float) -> bool:
    """Whether ink within THIN_ALONG_LINE_MM of the row yl is a round dot centred on the line
    (read at its centre) rather than a dash along it or a remnant of one: it reaches
    DOT_REACH_MM both above and below the line and is about as tall as it is wide. (A dot
    1.3 mm across reaches 0.65 mm, but its outermost pixel centres may lie up to a pixel
    nearer the line, within THIN_ALONG_LINE_MM.)"""
    reach = DOT_REACH_MM * ppm
    if ys.min() > yl - reach or ys.max() < yl + reach:
        return False
    width = float(xs.max() - xs.min() + 1)
    height = float(ys.max() - ys.min() + 1)
    return width <= DOT_ROUNDNESS * height


def measure_line(crop: np.ndarray, px_per_mm: float, photo: bool = False) -> LineReading:
    """Read the pen mark on one rating line (see the module docstring), stage by stage: the
    ink, the crop levelled, the printed line, its end ticks, the pen's ink, the marks, the
    verdict. A PHOTO's crop (its light evened out) is searched for fainter ink too (faint_ink:
    a coloured ballpoint), and the pieces of a stroke the pen skipped are joined; a mark
    fainter still (a pencil's) is looked at again in its smoothed ink (soft_ink), and a line
    whose ends or middle glare has greyed out is read again with its contrast evened out
    (even_print)."""
    if crop.ndim != 2 or crop.dtype != np.uint8 or px_per_mm <= 0 or min(crop.shape) < 8:
        raise ValueError("measure_line needs a 2-D uint8 greyscale crop and px_per_mm > 0")
    ppm = float(px_per_mm)
    reading = _measure(crop, ppm, photo)
    if photo and (reading.ticks_mm is None or reading.unseen):
        # the line or its ticks not found, or not whole: glare may have greyed the print out
        evened = even_print(crop, ppm)
        if evened is not None:
            again = _measure(evened, ppm, photo)
            if again.value is not None or (reading.ticks_mm is None and again.ticks_mm):
                return again
    return reading


def _measure(crop: np.ndarray, ppm: float, photo: bool) -> LineReading:
    """measure_line's stages on CROP; a line not seen whole is not read (a mark may lie in
    the stretch that cannot be seen), its value kept as a guess."""
    line, reading = _read(crop, ppm, photo)
    if line is None or line.whole:
        return reading
    guess = reading.value if reading.value is not None else reading.guess
    status = LINE_UNREADABLE if reading.status in (LINE_OK, NO_MARK) else reading.status
    return replace(reading, value=None, status=status, guess=guess, unseen=True)


def _read(crop: np.ndarray, ppm: float, photo: bool) -> tuple[Line | None, LineReading]:
    """The printed line found on CROP (None if none was) and what was read of it."""
    ink = find_ink(crop)
    if ink is None:
        return None, _unreadable()
    level = level_crop(crop, ink, ppm)
    line = find_line(level, ppm)
    if line is None:
        return None, _unreadable()
    ticks = find_ticks(level, line, ppm)
    length_mm = (ticks.right - ticks.left) / ppm if ticks is not None else 0.0
    if ticks is None or not LENGTH_RANGE_MM[0] <= length_mm <= LENGTH_RANGE_MM[1]:
        return line, _unreadable()
    if not photo:
        pen = pen_ink(level, line, ticks, ppm)
        return line, verdict(find_marks(pen, line, ticks, ppm), line, ticks, ppm)
    faint_level, wide, halo = faint_ink(crop, ink, level, line, ppm)
    pen = pen_ink(faint_level, wide, ticks, ppm, halo)
    reading = verdict(find_marks(pen, wide, ticks, ppm, join_mm=SKIP_MM), wide, ticks, ppm)
    if not _faint_pen(reading, faint_level, wide, pen, ppm):
        return line, reading
    soft_level, soft_line, soft_halo = soft_ink(faint_level, line, ticks, ppm)
    pen = pen_ink(soft_level, soft_line, ticks, ppm, soft_halo)
    pen = PenInk(_without_slivers(pen.mask, soft_line, ticks, ppm), pen.near_tick)
    reading = verdict(find_marks(pen, soft_line, ticks, ppm, SKIP_MM), soft_line, ticks, ppm)
    return line, too_faint(reading, soft_level, soft_line, pen, ppm)


def even_print(crop: np.ndarray, ppm: float) -> np.ndarray | None:
    """A photo's CROP with the print's contrast evened out along the line, or None where it
    is even already. Glare lays light over the page, so that the print under it is grey
    rather than black; the printed line crosses every column between its ends, and how far
    its darkest ink lies below the paper there says how much of the contrast is left. Each
    column's ink is scaled back up to the contrast of the rest of the line, by at most
    MAX_BOOST; where less is left (or there is no print: beyond the line's ends), nothing
    is scaled, and a line that cannot be seen is not read."""
    paper = float(np.median(crop))
    weight = np.clip(paper - crop.astype(np.float32), 0, None)
    # each column's darkest ink (the line's), a mark's darker ink filtered out
    half = max(1, round(1.5 * ppm))
    darkest = np.pad(weight.max(axis=0), half, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(darkest, 2 * half + 1)
    contrast = np.median(windows, axis=1).astype(np.float32)[None, :]
    # taken out to the line's ends, where half of each window is past them
    contrast = cv2.dilate(contrast, np.ones((1, 2 * half + 1), np.uint8))
    contrast = cv2.GaussianBlur(contrast, (0, 0), 0.5 * ppm)[0]
    full = float(np.percentile(contrast, 75))
    seen = contrast >= full / MAX_BOOST  # elsewhere, no print (beyond the ends) or none left
    # only along the line: its longest stretch of print, across gaps glare washed out
    start, end = max(_runs(seen, round(GAP_MM * ppm)), key=lambda r: r[1] - r[0], default=(0, -1))
    seen[:start], seen[end + 1 :] = False, False
    boost = np.where(seen, np.clip(full / np.maximum(contrast, 1e-3), 1.0, MAX_BOOST), 1.0)
    if boost.max() < 1.25:
        return None
    # the paper's noise is scaled up as much: smoothed a little (less than a pen's width) first
    smooth = cv2.GaussianBlur(weight, (0, 0), BOOST_SMOOTH_MM * ppm)
    evened = paper - np.where(boost > 1.0, smooth, weight) * boost[None, :]
    return np.clip(np.rint(evened), 0, 255).astype(np.uint8)


@dataclass(frozen=True, eq=False)
class Ink:
    """The crop's grey levels: PAPER (median), the threshold below which a pixel is ink, and
    the ink mask (DARK) of the crop as it came."""

    paper: float
    threshold: float
    dark: np.ndarray


def find_ink(grey: np.ndarray) -> Ink | None:
    """The crop's Ink (Otsu, kept well below the paper), or None when the crop has too little
    contrast or is mostly dark (not a line's region)."""
    paper = float(np.median(grey))
    darkest = float(np.percentile(grey, 0.5))
    if paper - darkest < MIN_CONTRAST:
        return None
    thr, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    thr = min(thr, paper - 0.3 * (paper - darkest))
    dark = grey < thr
    if dark.mean() > 0.3:
        return None
    return Ink(paper, float(thr), dark)


@dataclass(frozen=True, eq=False)
class Levelled:
    """The crop turned so that its printed line is level: ANGLE (degrees) it was turned by,
    INK_WEIGHT (how far below the paper each pixel is) and DARK (the ink mask)."""

    angle: float
    ink_weight: np.ndarray
    dark: np.ndarray


def level_crop(grey: np.ndarray, ink: Ink, ppm: float) -> Levelled:
    """GREY turned by the angle of its strongest straight dark band (within MAX_ANGLE_DEG)."""
    angle, _score = _find_angle(ink.dark, 0.4 * ppm)
    h, w = grey.shape
    rot = cv2.getRotationMatrix2D(((w - 1) / 2, (h - 1) / 2), angle, 1.0)
    g = cv2.warpAffine(grey, rot, (w, h), flags=cv2.INTER_LINEAR, borderValue=int(ink.paper))
    ink_weight = np.clip(ink.paper - g.astype(float), 0, None)
    return Levelled(angle, ink_weight, g < ink.threshold)


@dataclass(frozen=True)
class Line:
    """The printed line in a levelled crop: its rows TOP to BOTTOM, its centre row Y (ink
    weighted, sub-pixel), HALF its thickness (px), its dark run from START to END (px), and
    whether it is seen WHOLE (not in pieces, a stretch of it washed out by glare)."""

    top: int
    bottom: int
    y: float
    half: float
    start: int
    end: int
    whole: bool = True


def find_line(level: Levelled, ppm: float) -> Line | None:
    """The printed line: the darkest row and the rows around it at least a fifth as dark, no
    thicker than 2 mm, dark along at least MIN_LINE_MM; None if there is none."""
    dark = level.dark
    h = dark.shape[0]
    prof = dark.sum(axis=1).astype(float)
    r0 = int(np.argmax(prof))
    if prof[r0] < MIN_LINE_MM * ppm * 0.8:
        return None
    top = r0
    while top > 0 and prof[top - 1] >= 0.2 * prof[r0]:
        top -= 1
    bot = r0
    while bot < h - 1 and prof[bot + 1] >= 0.2 * prof[r0]:
        bot += 1
    if (bot - top + 1) > 2.0 * ppm:
        return None
    lo, hi = max(0, top - 1), min(h - 1, bot + 1)
    rows = np.arange(lo, hi + 1)
    rw = level.ink_weight[lo : hi + 1].sum(axis=1)
    yl = float((rows * rw).sum() / max(rw.sum(), 1e-9))
    band_dark = dark[top : bot + 1].any(axis=0)
    # Pieces of the line at least PIECE_MM long, with gaps up to GAP_MM between them (where
    # glare washed the print out), are one line; shorter ones (a face's rim) are not part of it.
    pieces = [r for r in _runs(band_dark, round(0.5 * ppm)) if r[1] - r[0] >= PIECE_MM * ppm]
    lines: list[list[int]] = []  # start, end, length seen, pieces
    for a, b in pieces:
        if lines and a - lines[-1][1] <= GAP_MM * ppm:
            lines[-1][1:] = [b, lines[-1][2] + b - a, lines[-1][3] + 1]
        else:
            lines.append([a, b, b - a, 1])
    xs_run, xe_run, seen, count = max(lines, key=lambda r: r[2], default=(0, -1, 0, 0))
    if seen < MIN_LINE_MM * ppm:
        return None
    return Line(top, bot, yl, (bot - top + 1) / 2, xs_run, xe_run, whole=count == 1)


@dataclass(frozen=True)
class Ticks:
    """The end ticks: LEFT and RIGHT (px, sub-pixel centres) and the columns each covers."""

    left: float
    left_cols: tuple[int, int]
    right: float
    right_cols: tuple[int, int]


def find_ticks(level: Levelled, line: Line, ppm: float) -> Ticks | None:
    """The end ticks: near each end of the line's run, the columns dark across TICK_REACH_MM
    above and below the line (a pen stroke, which goes on beyond 3.3 mm, is a tick only if
    nothing else is), at their darkness-weighted centre; None if an end has none."""
    dark, ink_w, yl = level.dark, level.ink_weight, line.y
    h, w = dark.shape
    z0 = line.half + 0.3 * ppm
    z1 = TICK_REACH_MM * ppm
    if z1 <= z0:
        return None
    up = slice(max(0, round(yl - z1)), max(0, round(yl - z0)) + 1)
    dn = slice(round(yl + z0), min(h, round(yl + z1) + 1))
    if up.stop - up.start < 1 or dn.stop - dn.start < 1:
        return None
    tick_col = (dark[up].mean(axis=0) >= 0.8) & (dark[dn].mean(axis=0) >= 0.8)
    zone_w = ink_w[up].sum(axis=0) + ink_w[dn].sum(axis=0)
    reach = round(3.0 * ppm)
    beyond_up = slice(max(0, int(yl - 4.0 * ppm)), max(1, int(yl - 3.3 * ppm)))
    beyond_dn = slice(min(h - 1, int(yl + 3.3 * ppm)), min(h, int(yl + 4.0 * ppm)))
    found: list[tuple[float, tuple[int, int]]] = []
    for end in (line.start, line.end):
        a, b = max(0, end - reach), min(w - 1, end + reach)
        # A tick crosses the line, so it lies within the line's dark run; what lies beyond
        # the run's end (the rim of a child form's face) is not a tick.
        outward = -1 if end == line.start else 1
        groups = [
            r
            for r in _runs(tick_col[a : b + 1], 0)
            if ((r[0] + r[1]) / 2 + a - end) * outward <= TICK_BEYOND_RUN_MM * ppm
        ]
        if not groups:
            return None

        def key(r: tuple[int, int], a: int = a, end: int = end) -> tuple[bool, bool, float]:
            # a tick ends within about 3 mm of the line; a pen stroke usually goes on; an X's
            # arms look like a tick only near the line
            c = slice(r[0] + a, r[1] + a + 1)
            long_ = dark[beyond_up, c].mean() > 0.5 and dark[beyond_dn, c].mean() > 0.5
            full = _full_tick(dark, line, (r[0] + a, r[1] + a), ppm)
            return (bool(long_), not full, abs((r[0] + r[1]) / 2 + a - end))

        g0, g1 = min(groups, key=key)
        g0, g1 = g0 + a, g1 + a
        c0, c1 = max(0, g0 - 3), min(w - 1, g1 + 3)
        cw = zone_w[c0 : c1 + 1]
        cw = np.clip(cw - cw.min(), 0, None)
        tx = float((np.arange(c0, c1 + 1) * cw).sum() / max(cw.sum(), 1e-9))
        found.append((tx, (g0, g1)))
    (lt, lcols), (rt, rcols) = found
    return Ticks(lt, lcols, rt, rcols)


def _full_tick(dark: np.ndarray, line: Line, cols: tuple[int, int], ppm: float) -> bool:
    """Whether columns COLS are dark all the way out to TICK_FULL_MM above and below the line,
    as a printed tick is. An X drawn on a tick makes the columns beside it look like a tick
    near the line (one arm dark above it where the other is dark below), but not that far out,
    where its arms have spread apart."""
    h = dark.shape[0]
    near, far = line.half + 0.3 * ppm, TICK_FULL_MM * ppm
    up = slice(max(0, round(line.y - far)), max(0, round(line.y - near)) + 1)
    down = slice(round(line.y + near), min(h, round(line.y + far) + 1))
    if up.stop - up.start < 1 or down.stop - down.start < 1:
        return False
    span = slice(cols[0], cols[1] + 1)
    above = dark[up, span].mean(axis=0) >= 0.8
    below = dark[down, span].mean(axis=0) >= 0.8
    return bool((above & below).any())


def faint_ink(
    grey: np.ndarray, ink: Ink, level: Levelled, line: Line, ppm: float
) -> tuple[Levelled, Line, int]:
    """LEVEL with its ink mask taken down to FAINT_MIN below the paper (or NOISE_SIGMAS times
    the paper's noise, whichever is more), for a photo's pen, which may be far lighter than
    the print; LINE widened to the rows the faint mask shows it in (its blurred edges), and
    by how many pixels it widened (the ticks' masks are widened as much)."""
    paper_pixels = grey[grey >= ink.threshold]
    spread = float(np.median(np.abs(paper_pixels - np.median(paper_pixels)))) * 1.4826
    dark = level.ink_weight > max(FAINT_MIN, NOISE_SIGMAS * spread)
    wide, halo = _widened(dark, line)
    return Levelled(level.angle, level.ink_weight, dark), wide, halo


def _widened(dark: np.ndarray, line: Line) -> tuple[Line, int]:
    """LINE taken out to the rows where DARK covers LINE_ROW_SHARE of its run (its blurred
    edges, where it bows), and by how many pixels it widened."""
    h = dark.shape[0]
    full = dark[:, line.start : line.end + 1].mean(axis=1) >= LINE_ROW_SHARE
    top, bottom = line.top, line.bottom
    while top > 0 and full[top - 1]:
        top -= 1
    while bottom < h - 1 and full[bottom + 1]:
        bottom += 1
    halo = max(line.top - top, bottom - line.bottom)
    return replace(line, top=top, bottom=bottom), halo


def _faint_pen(reading: LineReading, level: Levelled, line: Line, pen: PenInk, ppm: float) -> bool:
    """Whether a photo's line is looked at again in its smoothed faint ink (soft_ink): no mark
    was read and the pen's ink found (if any) lies less than FAINT_DEPTH below the paper, or
    the mark read is that faint (a pencil's, broken up by the paper's grain)."""
    _xs, _ys, depth = _mark_ink(reading, level, line, pen, ppm)
    return reading.status == NO_MARK or (depth.size > 0 and np.median(depth) < FAINT_DEPTH)


def _mark_ink(
    reading: LineReading, level: Levelled, line: Line, pen: PenInk, ppm: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The pen's ink (pixels xs, ys, and how far below the paper each lies) within 3 mm of
    READING's mark, or along the whole line when it has none; the printed line's rows left
    out, where a mark crosses it."""
    if reading.mark_x_mm is not None:
        x = reading.mark_x_mm * ppm
        lo, hi = max(0, round(x - 3 * ppm)), round(x + 3 * ppm) + 1
    else:
        lo, hi = line.start, line.end + 1
    mark = pen.mask[:, lo:hi].copy()
    mark[line.top : line.bottom + 1] = False
    ys, xs = np.nonzero(mark)
    return xs + lo, ys, level.ink_weight[:, lo:hi][mark]


def soft_ink(level: Levelled, line: Line, ticks: Ticks, ppm: float) -> tuple[Levelled, Line, int]:
    """LEVEL's ink smoothed (SOFT_MM) less the shading around it (SOFT_SHADE_MM, the print left
    out), as a mask taken down to SOFT_MIN grey levels (or SOFT_SIGMAS times the paper's noise
    left after smoothing): a pencil's grainy stroke fills in and its middle stays where it
    was, while a crease or a shadow's edge, broader than any stroke, is left out. LINE is
    widened to the rows the mask shows it in, as by faint_ink."""
    weight = level.ink_weight.astype(np.float32)
    k = max(3, round(0.5 * ppm) | 1)
    grown = cv2.dilate(level.dark.astype(np.uint8), np.ones((k, k), np.uint8)) > 0
    paper = (~grown).astype(np.float32)
    fine = cv2.GaussianBlur(weight, (0, 0), SOFT_MM * ppm)
    wide_sigma = SOFT_SHADE_MM * ppm
    shade = cv2.GaussianBlur(weight * paper, (0, 0), wide_sigma) / np.maximum(
        cv2.GaussianBlur(paper, (0, 0), wide_sigma), 1e-3
    )
    band = fine - shade
    blank = band[paper > 0]
    noise = float(np.median(np.abs(blank - np.median(blank)))) * 1.4826 if blank.size else 0.0
    dark = band > max(SOFT_MIN, SOFT_SIGMAS * noise)
    # beyond the ends, where a child form's face may be printed, the ink is as LEVEL has it
    # (smoothed, a face's rim would grow towards the tick)
    reach = round(SOFT_BEYOND_MM * ppm)
    beyond = np.ones(dark.shape[1], dtype=bool)
    beyond[max(0, ticks.left_cols[0] - reach) : ticks.right_cols[1] + reach + 1] = False
    dark[:, beyond] = level.dark[:, beyond]
    wide, halo = _widened(dark, line)
    return Levelled(level.angle, level.ink_weight, dark), wide, halo


def _without_slivers(mask: np.ndarray, line: Line, ticks: Ticks, ppm: float) -> np.ndarray:
    """MASK (soft_ink's, the print taken out) without ink thinner than SOFT_MM, which smoothed
    ink never is: such slivers are what the masks left of the print's blurred edges. Left as
    they are: the rows along the line (a mark crossing it is cut as thin as the line's mask
    leaves it) and what lies beyond the ends (not smoothed)."""
    size = max(3, round(SOFT_MM * ppm) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, kernel) > 0
    opened[max(0, line.top - size) : line.bottom + size + 1] = True
    reach = round(SOFT_BEYOND_MM * ppm)
    opened[:, : max(0, ticks.left_cols[0] - reach)] = True
    opened[:, ticks.right_cols[1] + reach + 1 :] = True
    return mask & opened


def too_faint(
    reading: LineReading, level: Levelled, line: Line, pen: PenInk, ppm: float
) -> LineReading:
    """READING (from a photo's smoothed faint ink) sent to review as too faint to measure
    (LineReading.faint) when its mark's ink lies less than FAINT_DEPTH below the paper (a
    pencil: what the grain left is not the mark's place), unless its ink is a shape whose
    place grain cannot move: one straight stroke crossing the line, two whole arms of an X,
    a whole ring (read at its middle)."""
    if reading.mark_x_mm is None:
        return reading
    xs, ys, depth = _mark_ink(reading, level, line, pen, ppm)
    if not depth.size or float(np.median(depth)) >= FAINT_DEPTH:
        return reading
    reach = FAINT_REACH_MM * ppm
    if _stroke(xs, ys, ppm) and ys.min() <= line.y - reach and ys.max() >= line.y + reach:
        return reading
    x = reading.mark_x_mm * ppm
    ends = [end * ppm for end in reading.ticks_mm or ()]
    at_end = any(abs(x - end) <= X_AT_END_MM * ppm for end in ends)
    middle = _x_crossing(xs, ys, line.y, ppm, at_end)
    if middle is None:
        middle = _whole_ring(xs, ys, line.y, ppm)
    if middle is None:
        middle = _tick_vertex(xs, ys, line.y, ppm)
    if middle is not None and reading.ticks_mm is not None and reading.status == LINE_OK:
        left, right = (end * ppm for end in reading.ticks_mm)
        value = min(10.0, max(0.0, 10.0 * (middle - left) / (right - left)))
        return replace(reading, value=round(value, 1), mark_x_mm=middle / ppm)
    guess = reading.value if reading.value is not None else reading.guess
    status = LINE_UNREADABLE if reading.status == LINE_OK else reading.status
    return replace(reading, value=None, status=status, guess=guess, faint=True)


@dataclass(frozen=True, eq=False)
class PenInk:
    """The ink left when the printed line and ticks are taken out (MASK), and for each tick
    the pixels next to its masked strip (NEAR_TICK[0] left, [1] right)."""

    mask: np.ndarray
    near_tick: np.ndarray


def pen_ink(level: Levelled, line: Line, ticks: Ticks, ppm: float, halo: int = 0) -> PenInk:
    """The pen's ink: the dark pixels minus the printed line (kept in columns where ink goes
    on just above or below it: a stroke crossing it) and minus a strip around each tick
    (HALO pixels wider each side where the ink mask shows the print blurred wider)."""
    dark = level.dark
    h, w = dark.shape
    m = max(1, round(0.1 * ppm))
    k = max(2, round(0.3 * ppm))
    b_lo, b_hi = max(0, line.top - m), min(h - 1, line.bottom + m)
    above = dark[max(0, b_lo - k) : b_lo].any(axis=0)
    below = dark[b_hi + 1 : b_hi + 1 + k].any(axis=0)
    pen = dark.copy()
    x_lo, x_hi = max(0, ticks.left_cols[0] - 2 * m), min(w - 1, ticks.right_cols[1] + 2 * m)
    cols = np.zeros(w, dtype=bool)
    cols[x_lo : x_hi + 1] = True
    crossed = cv2.dilate((above | below).astype(np.uint8)[None, :], np.ones((1, 2 * m + 1)))
    clear = cols & ~crossed[0].astype(bool)
    pen[b_lo : b_hi + 1, clear] = False
    yl = line.y
    t_rows = slice(max(0, int(yl - TICK_MASK_MM * ppm)), min(h, int(yl + TICK_MASK_MM * ppm) + 2))
    # Ink next to a tick's masked strip was cut by it: a mark on or at the end tick.
    near_tick = np.zeros((2, h, w), dtype=bool)
    for end, (g0, g1) in enumerate((ticks.left_cols, ticks.right_cols)):
        strip = slice(max(0, g0 - 2 * m - halo), g1 + 2 * m + halo + 1)
        pen[t_rows, strip] = False
        near_tick[end, t_rows, strip] = True
        near_tick[end] = cv2.dilate(near_tick[end].astype(np.uint8), np.ones((5, 5))) > 0
    return PenInk(pen, near_tick)


@dataclass(frozen=True)
class Marks:
    """The pen marks found: CROSSING, where each mark on the line crosses it (px) and whether
    that place is untrusted (a dash along the line, or a mark mostly hidden by a tick); AWAY,
    the crossings of marks away from the line."""

    crossing: tuple[tuple[float, bool], ...]
    away: tuple[float, ...]


def find_marks(pen: PenInk, line: Line, ticks: Ticks, ppm: float, join_mm: float = 0.0) -> Marks:
    """The pen's ink in connected pieces, specks and child forms' faces left out, sorted into
    marks on the line (pieces broken at the line, or cut by a tick, joined), and away from it.
    Pieces less than JOIN_MM apart are one piece (a stroke where the pen skipped)."""
    mask = pen.mask.astype(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    comps = [(i, *stats[i][:4]) for i in range(1, n) if stats[i][4] >= SPECK_MM2 * ppm * ppm]
    faces, gap_hits, gap = _faces(comps, ticks, ppm)
    if join_mm > 0:
        # the faces are found first (joined, a face could take in a nearby mark's pieces)
        # and taken out; the rest is joined across gaps shorter than JOIN_MM
        columns = np.arange(mask.shape[1])
        beyond = (columns <= ticks.left - gap) | (columns >= ticks.right + gap)
        for i, x, y, cw_, ch_ in comps:
            box = (slice(y, y + ch_), slice(x, x + cw_))
            if i in gap_hits:
                mask[box][(labels[box] == i) & beyond[None, x : x + cw_]] = 0
            elif _in_face((x, y, cw_, ch_), faces, 0.5 * ppm):
                mask[box][labels[box] == i] = 0
        size = max(3, round(join_mm * ppm) | 1)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        closed = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
        labels = np.where(mask > 0, labels, 0)
        comps = [(i, *stats[i][:4]) for i in range(1, n) if stats[i][4] >= SPECK_MM2 * ppm**2]
        faces, gap_hits = [], []
    near = pen.near_tick  # a piece this near a tick was cut by it (or the pen skipped there)
    if join_mm > 0:
        reach = np.ones((1, 2 * round(join_mm * ppm) + 1), np.uint8)
        near = np.stack([cv2.dilate(side.astype(np.uint8), reach) > 0 for side in near])
    touching: list[tuple[np.ndarray, np.ndarray, float, float]] = []  # xs, ys, x0, x1 near line
    away: list[float] = []
    apart: list[tuple[np.ndarray, np.ndarray]] = []  # pieces off the line
    at_tick: list[list[tuple[np.ndarray, np.ndarray]]] = [[], []]  # pieces cut by each tick
    yl, half = line.y, line.half
    for i, x, y, cw_, ch_ in comps:
        if _in_face((x, y, cw_, ch_), faces, 0.5 * ppm) and i not in gap_hits:
            continue
        ys, xs = np.nonzero(labels[y : y + ch_, x : x + cw_] == i)
        ys, xs = ys + y, xs + x
        if i in gap_hits:  # keep only the ink nearer the tick than a face can be
            keep = (xs > ticks.left - gap) & (xs < ticks.right + gap)
            xs, ys = xs[keep], ys[keep]
        cut = [bool(near[end, ys, xs].any()) for end in (0, 1)] if xs.size else [False] * 2
        if any(cut):
            at_tick[cut.index(True)].append((xs, ys))
            continue
        dist = np.abs(ys - yl)
        if dist.min() <= half + TOUCH_MM * ppm:
            close = xs[dist <= half + 1.0 * ppm]
            if close.size == 0:
                close = xs
            touching.append((xs, ys, float(close.min()), float(close.max())))
        elif dist.min() <= half + NEAR_MM * ppm or xs.size >= SUBSTANTIAL_MM2 * ppm * ppm:
            apart.append((xs, ys))
    for xs, ys in apart:
        # in a photo, a piece off the line in line with a mark's arm is that arm, where the
        # ballpoint skipped for longer than JOIN_MM
        marks = [(t[0], t[1]) for t in touching] + [p for pieces in at_tick for p in pieces]
        owner = _arm_of(xs, ys, marks, ppm) if join_mm > 0 else None
        if owner is None:
            away.append(_crossing(xs, ys, yl, ppm)[0])
        elif owner < len(touching):
            tx, ty, t0, t1 = touching[owner]
            touching[owner] = (np.concatenate((tx, xs)), np.concatenate((ty, ys)), t0, t1)
        else:
            ends = [end for end, pieces in enumerate(at_tick) for _ in pieces]
            at_tick[ends[owner - len(touching)]].append((xs, ys))
    crossing = _join_pieces(touching, yl, ppm)
    # The pieces a tick cut apart are one mark, whose crossing is found from all of them. Part
    # of such a mark is hidden under the tick, so a crossing found far from the tick is not
    # trusted (kept as a guess, like a dash).
    # If the mark's ink within 1 mm of the line is clear of the tick (an X or a circle drawn
    # just inside the end), its crossing is found from ink the tick hid nothing of: trusted.
    for end, (tick, pieces) in enumerate(zip((ticks.left, ticks.right), at_tick, strict=True)):
        if pieces:
            xs = np.concatenate([piece[0] for piece in pieces])
            ys = np.concatenate([piece[1] for piece in pieces])
            mx, dash = _crossing(xs, ys, yl, ppm)
            slab = np.abs(ys - yl) <= 1.0 * ppm
            clear = slab.any() and not pen.near_tick[end, ys[slab], xs[slab]].any()
            arms = None if clear else _x_crossing(xs, ys, yl, ppm, True)
            if arms is not None:  # an X the tick hides in part: where its two arms meet
                mx, dash, clear = arms, False, True
            crossing.append((mx, dash or (abs(mx - tick) > AT_TICK_MM * ppm and not clear)))
    return Marks(tuple(crossing), tuple(away))


def _arm_of(xs: np.ndarray, ys: np.ndarray, marks: list, ppm: float) -> int | None:
    """Which of MARKS (pixel arrays xs, ys) the straight piece XS, YS is an arm of: the one
    with ink on the piece's centre line (within ARM_WIDTH_MM) no further than SKIP_GAP_MM
    beyond the piece's nearer end; None if none, or if the piece is not straight."""
    if not _stroke(xs, ys, ppm, steep=False, elongated=4.0):
        return None
    mx, my, u, v, _ratio = _centre_line(xs, ys)
    along = (xs - mx) * u + (ys - my) * v
    for index, (mark_x, mark_y) in enumerate(marks):
        off = np.abs((mark_x - mx) * v - (mark_y - my) * u)
        at = (mark_x - mx) * u + (mark_y - my) * v
        beyond = np.maximum(at - along.max(), along.min() - at)
        if ((off <= ARM_WIDTH_MM * ppm) & (beyond > 0) & (beyond <= SKIP_GAP_MM * ppm)).any():
            return index
    return None


def _centre_line(xs: np.ndarray, ys: np.ndarray) -> tuple[float, float, float, float, float]:
    """The centre line fitted to the points XS, YS (principal axis): a point on it (their
    mean), its direction (u, v), and how elongated they are along it (variance along over
    variance across)."""
    mx, my = float(xs.mean()), float(ys.mean())
    evals, evecs = np.linalg.eigh(np.cov(np.vstack((xs - mx, ys - my))))
    u, v = evecs[:, 1]
    return mx, my, float(u), float(v), float(evals[1] / max(evals[0], 1e-9))


def _stroke(
    xs: np.ndarray, ys: np.ndarray, ppm: float, steep: bool = True, elongated: float = 9.0
) -> bool:
    """Whether the pixels XS, YS are one straight stroke (ELONGATED: its variance along its
    fitted centre line so many times that across; nine in ten pixels within ARM_WIDTH_MM of
    that line), STEEP: more than 25 degrees from the line: its place is where that line
    crosses the printed one, which grain and gaps in its ink do not move."""
    if xs.size < 5:
        return False
    mx, my, u, v, ratio = _centre_line(xs, ys)
    return bool(
        ratio >= elongated
        and (abs(v) >= math.sin(math.radians(25)) or not steep)
        and np.percentile(np.abs((xs - mx) * v - (ys - my) * u), 90) <= ARM_WIDTH_MM * ppm
    )


def _whole_ring(xs: np.ndarray, ys: np.ndarray, yl: float, ppm: float) -> float | None:
    """The middle (px along the line) of a ring drawn round a place on the line (the row yl),
    from an ellipse fitted to its ink, or None unless the ink goes all the way round (every
    10-degree sector not hidden by the printed line holds some: no half ring is read) and
    leaves the middle empty (a blot or a hatching fills it)."""
    if xs.size < 20:
        return None
    points = np.column_stack([xs, ys]).astype(np.float32)
    (cx, cy), axes, angle = cv2.fitEllipse(points)
    if not (1.0 * ppm <= min(axes) / 2 and max(axes) / 2 <= 4.0 * ppm) or abs(cy - yl) > ppm:
        return None
    turn = math.radians(angle)
    along = ((xs - cx) * math.cos(turn) + (ys - cy) * math.sin(turn)) / (axes[0] / 2)
    across = (-(xs - cx) * math.sin(turn) + (ys - cy) * math.cos(turn)) / (axes[1] / 2)
    if (np.hypot(along, across) < 0.5).mean() > 0.05:
        return None
    sectors = (np.degrees(np.arctan2(ys - cy, xs - cx)) % 360 // 10).astype(int)
    seen = np.bincount(sectors, minlength=36) > 0
    middles = np.arange(36) * 10 + 5
    from_level = np.minimum(middles % 180, 180 - middles % 180)
    visible = from_level > 25  # the printed line hides the ring where it crosses
    return float(cx) if seen[visible].mean() >= 0.9 else None


def _x_crossing(
    xs: np.ndarray, ys: np.ndarray, yl: float, ppm: float, at_end: bool = False
) -> float | None:
    """Where the two arms of an X meet (px along the line), from its ink away from the line,
    or None when the ink is not two straight arms crossing near the line. The arms are
    looked for as a whole X (the upper left and lower right arm one stroke, the upper right
    and lower left the other) and, AT_END, as half of one, an X at a line's end whose other
    half the end tick hides (the upper arm one stroke, the lower the other); the better fit
    is kept."""
    off = 0.6 * ppm
    upper, lower = ys < yl - off, ys > yl + off
    if upper.sum() < 6 or lower.sum() < 6:
        return None
    split_up = float(np.median(xs[upper]))
    split_down = float(np.median(xs[lower]))
    falling = (upper & (xs < split_up)) | (lower & (xs >= split_down))  # "\"
    away = upper | lower
    px, py = xs[away].astype(float), ys[away].astype(float)
    starts = (falling[away], upper[away]) if at_end else (falling[away],)
    fits = [_two_arms(px, py, start, ppm) for start in starts]
    found = [fit for fit in fits if fit is not None and abs(fit[1] - yl) <= 1.5 * ppm]
    return float(min(found, key=lambda fit: fit[2])[0]) if found else None


def _tick_vertex(xs: np.ndarray, ys: np.ndarray, yl: float, ppm: float) -> float | None:
    """Where a tick's two arms meet (px along the line): its vertex, within 1 mm of the line,
    with one arm coming down to it from the left and the other going up from it to the
    right (or the other way round), each at least 1.5 mm long; None for any other ink."""
    clear = ys < yl - TICK_CLEAR_MM * ppm  # the arms apart, above where they meet
    if clear.sum() < 12:
        return None
    if (ys > yl + TICK_CLEAR_MM * ppm).sum() >= 6:
        return None  # ink below the line: a tick's arms stay above it
    px, py = xs[clear].astype(float), ys[clear].astype(float)
    low = py >= py.max() - 0.5 * ppm
    fit = _two_arms(px, py, px < float(np.median(px[low])), ppm, TICK_ARM_ELONGATED)
    if fit is None:
        return _foot_of_long_arm(px, py, yl, ppm)
    vx, vy, _residual, first = fit
    if abs(vy - yl) > 1.0 * ppm:
        return _foot_of_long_arm(px, py, yl, ppm)
    for arm, side in ((first, -1), (~first, 1)):
        ax, ay = px[arm], py[arm]
        if (ax.mean() - vx) * side <= 0 or ay.mean() > vy - 0.5 * ppm:
            return None  # not on its own side of the vertex, or not above it
        if np.hypot(ax - vx, ay - vy).max() < 1.5 * ppm:
            return None
    return float(vx)


def _foot_of_long_arm(px: np.ndarray, py: np.ndarray, yl: float, ppm: float) -> float | None:
    """Where a tick's long arm comes down to the line (the row yl), for a tick whose short arm
    is too short to fit, lost in the ink where the arms meet: the upper half of the ink is
    the long arm alone, one straight stroke; it comes down to within TICK_CLEAR_MM of the
    line, and the ink it does not account for further than 1 mm from its foot (the short
    arm) lies beside it, on the other side, within 3.5 mm."""
    top = py < py.min() + 0.5 * (yl - py.min())
    if top.sum() < 8 or not _stroke(px[top], py[top], ppm):
        return None
    mx, my, u, v, _ratio = _centre_line(px[top], py[top])
    on_arm = np.abs((px - mx) * v - (py - my) * u) <= ARM_WIDTH_MM * ppm
    foot = float(mx + (yl - my) * u / v)
    if py[on_arm].max() < yl - (TICK_CLEAR_MM + 0.5) * ppm:
        return None
    rest = px[~on_arm] - foot
    rest = rest[np.abs(rest) > 1.0 * ppm]  # what is nearer is where the arms meet
    upward = (px[top].mean() - foot) > 0  # the long arm goes up to the right of its foot
    beside = (rest < 0).all() if upward else (rest > 0).all()
    if rest.size < 4 or not beside or np.abs(rest).max() > 3.5 * ppm:
        return None
    return foot


def _two_arms(
    px: np.ndarray, py: np.ndarray, first: np.ndarray, ppm: float, elongated: float = 9.0
) -> tuple[float, float, float, np.ndarray] | None:
    """Two straight arms, one rising and one falling, fitted to the points PX, PY (FIRST: the
    points first taken as the first arm; each point then goes to the arm whose fitted line
    passes nearer; each arm's variance along it at least ELONGATED times that across, and
    nine points in ten within ARM_WIDTH_MM of their arm's line): where
    they meet (x, y), the points' mean distance from their arm and which points are the
    first arm's, or None when the points are not two such arms."""
    arms = [first, ~first]
    for _ in range(5):
        fits = []
        for arm in arms:
            if arm.sum() < 6:
                return None
            fits.append(_centre_line(px[arm], py[arm]))
        distances = [np.abs((px - fx) * v - (py - fy) * u) for fx, fy, u, v, _ in fits]
        nearer = distances[0] <= distances[1]
        if np.array_equal(nearer, arms[0]):
            break
        arms = [nearer, ~nearer]
    if any(ratio < elongated for *_, ratio in fits):
        return None
    (x1, y1, u1, v1, _), (x2, y2, u2, v2, _) = fits
    det = u1 * (-v2) - v1 * (-u2)
    if abs(det) < math.sin(math.radians(40)) or u1 * v1 * u2 * v2 > 0:
        return None  # nearly parallel, or both leaning the same way: not an X
    t = ((x2 - x1) * (-v2) - (y2 - y1) * (-u2)) / det
    nearest = np.minimum(distances[0], distances[1])
    if float(np.percentile(nearest, 90)) > ARM_WIDTH_MM * ppm:
        return None  # not straight: a scribble
    return x1 + t * u1, y1 + t * v1, float(nearest.mean()), arms[0]


def _faces(
    comps: list, ticks: Ticks, ppm: float
) -> tuple[list[tuple[int, int, int, int]], list[int], float]:
    """Faces beyond the ends (boxes), the face-like components with ink between the tick and
    the face, and that gap (px). The gap is in the form's mm (a face printed at 90 % is nearer
    the tick), from the printed length of the line."""
    lt, rt = ticks.left, ticks.right
    gap = FACE_GAP_MM * (rt - lt) / 100.0
    faces = []
    gap_hits: list[int] = []
    for i, x, y, cw_, ch_ in comps:
        left = x + cw_ - 1 < lt + 0.5 * ppm and x + cw_ / 2 < lt - 3.0 * ppm
        right = x > rt - 0.5 * ppm and x + cw_ / 2 > rt + 3.0 * ppm
        if (left or right) and all(FACE_MM[0] * ppm <= s <= FACE_MM[1] * ppm for s in (cw_, ch_)):
            faces.append((x, y, x + cw_ - 1, y + ch_ - 1))
            if (left and x + cw_ - 1 > lt - gap) or (right and x < rt + gap):
                gap_hits.append(i)
    return faces, gap_hits, gap


def _in_face(box: tuple[int, int, int, int], faces: list, pad: float) -> bool:
    """Whether BOX (x, y, width, height) lies inside one of FACES (with PAD)."""
    x, y, cw_, ch_ = box
    return any(
        x >= f[0] - pad
        and y >= f[1] - pad
        and x + cw_ - 1 <= f[2] + pad
        and y + ch_ - 1 <= f[3] + pad
        for f in faces
    )


def _join_pieces(touching: list, yl: float, ppm: float) -> list[tuple[float, bool]]:
    """Pieces of one mark broken at the line joined (touching components that meet near it),
    and each mark's crossing."""
    touching.sort(key=lambda t: t[2])
    groups: list[list] = []
    for xs, ys, x0, x1 in touching:
        if groups and x0 <= groups[-1][3] + 0.6 * ppm:
            gx, gy, g0, g1 = groups[-1]
            groups[-1] = [np.concatenate((gx, xs)), np.concatenate((gy, ys)), g0, max(g1, x1)]
        else:
            groups.append([xs, ys, x0, x1])
    return [_crossing(gx, gy, yl, ppm) for gx, gy, _g0, _g1 in groups]


def verdict(marks: Marks, line: Line, ticks: Ticks, ppm: float) -> LineReading:
    """The LineReading: one trusted mark on the line gives a value (clamped to 0-10 within
    END_CLAMP_MM of a tick); anything else a status and, where there is one, a best guess."""
    lt, rt = ticks.left, ticks.right

    def to_value(px: float) -> float:
        return 10.0 * (px - lt) / (rt - lt)

    merged, away = marks.crossing, marks.away
    count = len(merged) + len(away)
    base = {
        "length_mm": round((rt - lt) / ppm, 2),
        "ticks_mm": (lt / ppm, rt / ppm),
        "marks": count,
    }
    if len(merged) >= 2 or (merged and away):
        return LineReading(None, SEVERAL_MARKS, guess=None, mark_x_mm=None, **base)
    if merged:
        mx, dash = merged[0]
        v = to_value(mx)
        if dash:
            return LineReading(None, LINE_UNREADABLE, guess=round(v, 1), mark_x_mm=mx / ppm, **base)
        clamp = 10.0 * END_CLAMP_MM * ppm / (rt - lt)
        if -clamp <= v <= 10.0 + clamp:
            v = min(10.0, max(0.0, v))
            return LineReading(round(v, 1), LINE_OK, guess=None, mark_x_mm=mx / ppm, **base)
        return LineReading(None, OUTSIDE_ENDS, guess=round(v, 1), mark_x_mm=mx / ppm, **base)
    if away:
        ax = away[0] if len(away) == 1 else None
        guess = round(to_value(ax), 1) if ax is not None else None
        status = AWAY_FROM_LINE
        if guess is not None and not 0.0 <= guess <= 10.0:
            status = OUTSIDE_ENDS
        mx_mm = ax / ppm if ax is not None else None
        return LineReading(None, status, guess=guess, mark_x_mm=mx_mm, **base)
    return LineReading(None, NO_MARK, guess=None, mark_x_mm=None, **base)
