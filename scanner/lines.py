"""Where a rating line actually lies on a photographed page, and its picture cut out straight.

Takes: a ScanPage, its Registration, the line's box in page mm and a resolution.
Returns: a LineCut: the line's region as an upright picture (what scanner.pen measures), with
the light evened out (a photo's) and the line followed where the page is bent, and what was
found on the way (how far the line lies from its mapped place, how much it bends, how bright
the paper is there).

Why: the corner markers map a flat page. A photographed sheet is seldom flat (curl, a fold)
and a phone's lens bends straight lines, so a line may lie a few mm from where the mapping puts
it, gently curved; and the light falls off across a photo and shadows cross it. So, for a
photo: the region is cut taller than needed, its background (the paper's brightness, from a
morphological closing that removes anything thinner than CLOSING_MM) divided out, the printed
line followed band by band (the strongest horizontal dark row near its mapped place) and fitted
with a parabola, and the picture cut again from the full image along that parabola, so that
the line is level in it. Scans are cut as before (no light to even, no bend to follow).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

import cv2
import numpy as np
from paperfit.forms.scan_records import LineCut
from paperfit.forms.sheet import LinePlace
from paperfit.scanner.pages import ScanPage
from paperfit.scanner.registration import Registration, crop

SEARCH_MM = 3.5  # a photographed line is searched for this far above and below its place
CLOSING_MM = 2.5  # ink thinner than this is removed to find the paper's brightness
PAPER = 235.0  # the paper's grey level after the light is evened out
BANDS = 12  # the line is followed in this many bands along its length
MIN_BANDS = 6  # fewer bands with a clear line: the line is not followed (its mapped place used)
OUTLIER_MM = 0.4  # bands further than this from the fitted curve are left out
LINE_INK = 60.0  # a band's line row must be at least this dark (grey levels below the paper)
PAPER_SEARCH_MM = 2.5  # a paper's printed line must lie this near its place under that paper
PAPER_CHECK_PX_PER_MM = 4.0  # lines are looked for at this resolution to tell the paper
PAPER_MARGIN = 1.3  # the paper whose lines are found must score this much above the other


def cut_line(
    page: ScanPage,
    reg: Registration,
    box_mm: tuple[float, float, float, float],
    ends_mm: tuple[float, float],
    px_per_mm: float,
    photo: bool,
) -> LineCut:
    """The picture of BOX_MM (left, top, right, bottom, page mm; the line in its middle, its end
    ticks at ENDS_MM) at PX_PER_MM: for a PHOTO with the light evened out and the line
    followed (see the module docstring)."""
    if not photo:
        return LineCut(crop(page, reg, box_mm, px_per_mm), px_per_mm)
    left, top, right, bottom = box_mm
    wide = crop(page, reg, (left, top - SEARCH_MM, right, bottom + SEARCH_MM), px_per_mm)
    even, _paper = even_light(wide, px_per_mm)
    middle = (top + bottom) / 2
    curve = follow_line(
        even, px_per_mm, (ends_mm[0] - left, ends_mm[1] - left), middle - top + SEARCH_MM
    )
    followed = curve is not None
    if curve is None:
        curve = np.zeros(3)
    picture = _cut_along(page, reg, box_mm, curve, px_per_mm)
    picture, paper = even_light(picture, px_per_mm)
    xs = np.linspace(ends_mm[0] - left, ends_mm[1] - left, 21)
    offsets = np.polyval(curve, xs)
    chord = np.interp(xs, xs[[0, -1]], offsets[[0, -1]])
    return LineCut(
        picture,
        px_per_mm,
        followed,
        float(np.abs(offsets).max()),
        float(np.abs(offsets - chord).max()),
        paper,
        tuple(float(c) for c in curve) if followed else None,
    )


def even_light(grey: np.ndarray, px_per_mm: float) -> tuple[np.ndarray, float]:
    """GREY with its background divided out (the paper at PAPER, whatever the light), and the
    paper's brightness before (the median of the background). The background is a closing (ink
    thinner than CLOSING_MM removed) of a copy a quarter the size, smoothed."""
    height, width = grey.shape
    small = cv2.resize(
        grey, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA
    )
    size = max(3, round(CLOSING_MM * px_per_mm / 4) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    background = cv2.GaussianBlur(cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel), (0, 0), 1.0)
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    background = np.maximum(background, 1).astype(np.float32)
    even = cv2.divide(grey.astype(np.float32), background, scale=PAPER)
    return np.clip(even, 0, 255).astype(np.uint8), float(np.median(background))


def follow_line(
    even: np.ndarray, px_per_mm: float, ends_mm: tuple[float, float], row_mm: float
) -> np.ndarray | None:
    """The printed line in EVEN (light evened out) as a parabola: coefficients (np.polyval) of
    its offset in mm from row ROW_MM, against mm from the picture's left, between ENDS_MM; None
    when too few bands show a clear line. In each of BANDS bands the line is the darkest row
    (summed across the band) within SEARCH_MM of ROW_MM; bands that disagree are left out."""
    ink = np.clip(PAPER - even.astype(np.float32), 0, None)
    inset = 1.0  # mm: keep clear of the end ticks
    edges = np.linspace(ends_mm[0] + inset, ends_mm[1] - inset, BANDS + 1) * px_per_mm
    lo = max(0, round((row_mm - SEARCH_MM) * px_per_mm))
    hi = min(even.shape[0], round((row_mm + SEARCH_MM) * px_per_mm) + 1)
    smooth = max(1, round(0.3 * px_per_mm))
    xs, ys = [], []
    for start, stop in itertools.pairwise(edges):
        band = ink[lo:hi, round(start) : round(stop)]
        if band.size == 0:
            continue
        profile = np.convolve(band.mean(axis=1), np.ones(smooth) / smooth, mode="same")
        peak = int(np.argmax(profile))
        if profile[peak] < LINE_INK * 0.4:
            continue
        near = slice(max(0, peak - smooth), min(len(profile), peak + smooth + 1))
        weights = profile[near]
        centre = float((np.arange(near.start, near.stop) * weights).sum() / weights.sum())
        xs.append((start + stop) / 2 / px_per_mm)
        ys.append((lo + centre + 0.5) / px_per_mm - row_mm)
    x, y = np.array(xs), np.array(ys)
    keep = np.ones(len(x), dtype=bool)
    for _ in range(3):
        if keep.sum() < MIN_BANDS:
            return None
        curve = np.polyfit(x[keep], y[keep], 2)
        keep = np.abs(np.polyval(curve, x) - y) <= OUTLIER_MM
    return curve if keep.sum() >= MIN_BANDS else None


def _cut_along(
    page: ScanPage,
    reg: Registration,
    box_mm: tuple[float, float, float, float],
    curve: np.ndarray,
    px_per_mm: float,
) -> np.ndarray:
    """BOX_MM cut from the full image with each column moved up or down by the CURVE's offset
    (mm against mm from the box's left), so that a line following the curve is level."""
    left, top, right, bottom = box_mm
    width = max(1, round((right - left) * px_per_mm))
    height = max(1, round((bottom - top) * px_per_mm))
    across = (np.arange(width) + 0.5) / px_per_mm
    down = (np.arange(height) + 0.5) / px_per_mm
    gx, gy = np.meshgrid(left + across, top + down)
    gy = gy + np.polyval(curve, across)[None, :]
    points = np.stack([gx, gy], -1).reshape(-1, 1, 2)
    image_pts = cv2.perspectiveTransform(points, reg.homography).reshape(height, width, 2)
    map_x = image_pts[..., 0].astype(np.float32)
    map_y = image_pts[..., 1].astype(np.float32)
    return cv2.remap(
        page.image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )


def paper_by_lines(
    page: ScanPage,
    registrations: Mapping[str, Registration],
    places: Mapping[str, Sequence[LinePlace]],
) -> str | None:
    """The paper (a key of REGISTRATIONS, each the page mapped as if printed on it) under
    which the page's printed rating lines (PLACES, per paper) are where that paper puts them,
    or None when neither stands out. Letter and A4 put a line printed 100 mm down the page
    5-12 mm apart once both are mapped onto the same four markers, so the right paper finds a
    long dark line at each place and the other finds paper or words."""
    scores = {}
    for paper, reg in registrations.items():
        score = 0.0
        for place in places[paper]:
            box = (
                place.left + 10,
                place.y - PAPER_SEARCH_MM,
                place.right - 10,
                place.y + PAPER_SEARCH_MM,
            )
            band = crop(page, reg, box, PAPER_CHECK_PX_PER_MM).astype(np.float32)
            rows = band.mean(axis=1)  # a line is dark all along one row; words are not
            score += max(0.0, float(np.median(band) - rows.min()))
        scores[paper] = score / max(1, len(places[paper]))
    ranked = sorted(scores, key=scores.__getitem__, reverse=True)
    best, other = ranked[0], ranked[-1]
    if scores[best] < LINE_INK * 0.4 or scores[best] < PAPER_MARGIN * scores[other]:
        return None
    return best
