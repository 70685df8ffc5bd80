"""Test scans made from paperfit's own forms: render a printed sheet, then spoil it like a
scanner, a copier or a careless feed would.

render_sheet: write_forms + scanner.pages.rasterize -> (greyscale uint8 image, dpi).
distort: rotate (any angle; multiples of 90 exactly), skew, scale about the centre, blur, noise,
binarize and JPEG-compress an image, on a white background, reproducibly (SEED).
draw_marks: pen marks of every kind at known values on a render's rating lines (placed by
generator.paper.line_places, as the scanner reads them); ink: one stroke or dot.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium

from forms.instrument import Catalog
from forms.sheet import LinePlace
from generator.sheets import Header, Packet, PrintOptions, write_forms
from scanner.pages import rasterize

PERSONAL = Header(client_id="C-0042", session="7", date="2026-11-25", clinician="Dr. Rivera")


@cache
def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="paperfit-scans-"))


@cache
def sheet_pdf(
    paper: str = "letter",
    instrument: str = "ORS",
    header: Header = PERSONAL,
    large_print: bool = False,
) -> Path:
    """The PDF write_forms makes for one INSTRUMENT sheet on PAPER with HEADER (cached)."""
    catalog = Catalog.load()
    size = "large" if large_print else "normal"
    name = f"{paper}-{instrument}-{size}-{abs(hash(header))}.pdf"
    packet = Packet((catalog.get(instrument),), header)
    options = PrintOptions(paper=paper, large_print=large_print)
    return write_forms(_folder() / name, [packet], options)


@cache
def _render(
    paper: str, instrument: str, header: Header, dpi: float, large_print: bool
) -> np.ndarray:
    document = pdfium.PdfDocument(sheet_pdf(paper, instrument, header, large_print))
    try:
        grey = rasterize(document[0], dpi)
    finally:
        document.close()
    grey.setflags(write=False)
    return grey


def render_sheet(
    paper: str = "letter",
    dpi: float = 200,
    instrument: str = "ORS",
    header: Header = PERSONAL,
    large_print: bool = False,
) -> tuple[np.ndarray, float]:
    """The first page of an INSTRUMENT form on PAPER with HEADER (in large print when
    LARGE_PRINT), rendered at DPI as a greyscale uint8 image (a fresh copy), and DPI."""
    image = _render(paper, instrument, header, float(dpi), large_print)
    return image.copy(), float(dpi)


def distort(
    image: np.ndarray,
    rotate_deg: float = 0,
    skew_deg: float = 0,
    scale: float = 1.0,
    blur: float = 0,
    noise: float = 0,
    jpeg_quality: int | None = None,
    binarize: bool = False,
    upside_down: bool = False,
    seed: int = 0,
) -> np.ndarray:
    """IMAGE (greyscale uint8) as a scan might give it back.

    rotate_deg: counter-clockwise as seen (as cv2.getRotationMatrix2D); whole quarter turns are
    done exactly (np.rot90), the rest by warpAffine on a canvas with white borders of 6 % of the
    page so nothing is cut off. skew_deg: horizontal shear. scale: about the centre (a page
    printed at 90 % is 0.9), the canvas and dpi unchanged. blur: Gaussian sigma in px. noise:
    Gaussian standard deviation in grey levels. binarize: threshold at 128. jpeg_quality: encode
    and decode as JPEG. upside_down: turn 180 degrees first.
    """
    out = np.ascontiguousarray(image, dtype=np.uint8)
    if upside_down:
        out = np.rot90(out, 2)
    quarters = round(rotate_deg / 90)
    out = np.ascontiguousarray(np.rot90(out, quarters % 4))
    rest = rotate_deg - 90 * quarters
    if rest or skew_deg or scale != 1.0:
        height, width = out.shape
        pad = round(0.06 * max(height, width))
        size = (width + 2 * pad, height + 2 * pad)
        centre = (size[0] / 2 - 0.5, size[1] / 2 - 0.5)
        # move into the padded canvas, shear, then rotate and scale about the centre
        shift = np.array([[1, 0, pad], [0, 1, pad], [0, 0, 1]], dtype=np.float64)
        shear = np.array(
            [[1, math.tan(math.radians(skew_deg)), 0], [0, 1, 0], [0, 0, 1]], dtype=np.float64
        )
        to_centre = np.array([[1, 0, -centre[0]], [0, 1, -centre[1]], [0, 0, 1]])
        back = np.array([[1, 0, centre[0]], [0, 1, centre[1]], [0, 0, 1]])
        rotate = np.vstack([cv2.getRotationMatrix2D((0, 0), rest, scale), [0, 0, 1]])
        matrix = back @ rotate @ shear @ to_centre @ shift
        out = cv2.warpAffine(
            out,
            matrix[:2],
            size,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=255,
        )
    if blur:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    if noise:
        rng = np.random.default_rng(seed)
        noisy = out.astype(np.float64) + rng.normal(0, noise, out.shape)
        out = np.clip(noisy, 0, 255).round().astype(np.uint8)
    if binarize:
        out = np.where(out < 128, 0, 255).astype(np.uint8)
    if jpeg_quality is not None:
        ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg_quality)])
        assert ok
        out = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    return np.ascontiguousarray(out)


# ---------------------------------------------------------------------------------------------
# Pen marks

SINGLE_MARKS = ("stroke", "slanted", "x", "circle", "dot")
AMBIGUOUS_MARKS = ("double", "none", "beside")
DOT_MM = (1.3, 1.5)  # smaller dots on the line may be taken for a dash along it (and flagged)
OVERSAMPLE = 3  # marks are drawn at 3x and reduced, as a scanner's optics average them
SHIFT = 4  # fixed-point bits for OpenCV's sub-pixel drawing


@dataclass(frozen=True)
class PenMark:
    """What was drawn on rating line LINE (1 = top): KIND and the true VALUES (cm from the
    left end) of its marks: one for a single mark or a mark beside the line, two for a double
    mark, none for no mark."""

    line: int
    kind: str
    values: tuple[float, ...]

    @property
    def value(self) -> float:
        """The one true value (single marks and marks beside the line)."""
        (value,) = self.values
        return value


# One stroke of a mark in page mm: ("line", points, pen width) or ("disc", (centre,), diameter).
_Shape = tuple[str, tuple[tuple[float, float], ...], float]


def _stroke(x: float, y: float, angle_deg: float, length: float, along: float, width: float):
    """A straight stroke through (X, Y) at ANGLE_DEG from vertical, its middle ALONG mm from
    that point (positive: below)."""
    a = math.radians(angle_deg)
    dx, dy = math.sin(a), math.cos(a)
    ends = (along - length / 2, along + length / 2)
    return ("line", tuple((x + t * dx, y + t * dy) for t in ends), width)


def _ring(x: float, y: float, diameter: float, width: float, points: int = 72):
    angles = (2 * math.pi * i / points for i in range(points + 1))
    r = diameter / 2
    return ("line", tuple((x + r * math.cos(a), y + r * math.sin(a)) for a in angles), width)


def _single(kind: str, x: float, y: float, mm: float, rng: np.random.Generator) -> list[_Shape]:
    """One mark of KIND whose true position is (X, Y), its sizes times MM (page mm per mm)."""
    width = float(rng.uniform(0.5, 0.8)) * mm
    length = float(rng.uniform(8, 10)) * mm
    along = float(rng.uniform(-0.2, 0.2)) * length
    if kind == "stroke":
        return [_stroke(x, y, rng.uniform(-3, 3), length, along, width)]
    if kind == "slanted":
        angle = float(rng.uniform(20, 35)) * rng.choice((-1, 1))
        return [_stroke(x, y, angle, length, along, width)]
    if kind == "x":
        return [
            _stroke(x, y, sign * rng.uniform(30, 55), rng.uniform(5, 7) * mm, 0, width)
            for sign in (1, -1)
        ]
    if kind == "circle":
        return [_ring(x, y, float(rng.uniform(3, 4)) * mm, width)]
    if kind == "dot":
        return [("disc", ((x, y),), float(rng.uniform(*DOT_MM)) * mm)]
    raise ValueError(f"no single mark of kind {kind!r}")


def draw_mark(image: np.ndarray, dpi: float, kind: str, x: float, y: float, seed: int) -> None:
    """One single mark of KIND (see SINGLE_MARKS) whose true position is page point (X, Y) mm,
    drawn on IMAGE in place."""
    rng = np.random.default_rng(seed)
    grey = int(rng.integers(30, 61))
    for shape in _single(kind, x, y, 1.0, rng):
        ink(image, dpi, shape, grey)


def _beside(x: float, y: float, mm: float, rng: np.random.Generator) -> list[_Shape]:
    """A stroke or a dot above or below the line at X, its nearest ink 2-4 mm from the line's
    middle."""
    side = float(rng.choice((-1, 1)))
    gap = float(rng.uniform(2, 4)) * mm
    if rng.integers(2):
        diameter = float(rng.uniform(*DOT_MM)) * mm
        return [("disc", ((x, y + side * (gap + diameter / 2)),), diameter)]
    width = float(rng.uniform(0.5, 0.8)) * mm
    length = float(rng.uniform(6, 9)) * mm
    start = y + side * (gap + width / 2)
    lean = math.tan(math.radians(rng.uniform(-10, 10)))
    return [("line", ((x, start), (x + lean * length, start + side * length)), width)]


def draw_marks(
    image: np.ndarray,
    dpi: float,
    places: Sequence[LinePlace],
    kinds: Sequence[str],
    seed: int = 0,
    printed: float = 1.0,
) -> tuple[np.ndarray, tuple[PenMark, ...]]:
    """IMAGE (an upright render at DPI, as render_sheet gives) with a pen mark of KINDS[i] on
    the line at PLACES[i] (generator.paper.line_places), and what was drawn.

    Kinds: SINGLE_MARKS (a stroke 8-10 mm long, a stroke slanted 20-35 degrees from vertical,
    an X, a circle 3-4 mm across, a dot: each at a true value in 0.5-9.5) and AMBIGUOUS_MARKS
    (two strokes at least 8 mm apart, no mark, a stroke or a dot beside the line). Pen 0.5-0.8
    mm wide, grey 30-60, drawn anti-aliased at OVERSAMPLE times the resolution and reduced, and
    laid over the print as ink is (multiplied), so a mark is where it is meant to be to a small
    fraction of a pixel. PRINTED: the scale distort() will give the page (a sheet printed at
    90 % is 0.9); the pen's sizes are divided by it, as a pen keeps its size on a scaled sheet.
    Reproducible from SEED.
    """
    rng = np.random.default_rng(seed)
    mm = 1.0 / printed
    out = np.array(image, dtype=np.uint8)
    drawn = []
    for number, (place, kind) in enumerate(zip(places, kinds, strict=True), start=1):

        def at(value: float, place: LinePlace = place) -> float:
            return place.left + value * (place.right - place.left) / 10

        values: tuple[float, ...] = ()
        shapes: list[_Shape] = []
        if kind in SINGLE_MARKS:
            values = (float(rng.uniform(0.5, 9.5)),)
            shapes = _single(kind, at(values[0]), place.y, mm, rng)
        elif kind == "double":
            first = float(rng.uniform(0.5, 8.7))
            values = (first, float(rng.uniform(first + 0.8, 9.5)))
            for value in values:
                angle = rng.uniform(-3, 3) if rng.integers(2) else rng.uniform(-35, 35)
                length, width = rng.uniform(8, 10) * mm, rng.uniform(0.5, 0.8) * mm
                shapes.append(_stroke(at(value), place.y, angle, length, 0, width))
        elif kind == "beside":
            values = (float(rng.uniform(0.5, 9.5)),)
            shapes = _beside(at(values[0]), place.y, mm, rng)
        elif kind != "none":
            raise ValueError(f"unknown mark kind {kind!r}")
        for shape in shapes:
            ink(out, dpi, shape, int(rng.integers(30, 61)))
        drawn.append(PenMark(number, kind, values))
    return out, tuple(drawn)


def ink(image: np.ndarray, dpi: float, shape: _Shape, grey: int) -> None:
    """Lay SHAPE (page mm) over IMAGE in ink of GREY, in place: drawn on a white patch at
    OVERSAMPLE times the resolution, reduced, and multiplied in."""
    kind, points_mm, size_mm = shape
    ppm = dpi / 25.4
    points = np.array(points_mm) * ppm - 0.5  # the render's pixel (i, j) is centred on (j, i)
    reach = size_mm * ppm + 4
    x0 = max(0, math.floor(points[:, 0].min() - reach))
    y0 = max(0, math.floor(points[:, 1].min() - reach))
    x1 = min(image.shape[1], math.ceil(points[:, 0].max() + reach))
    y1 = min(image.shape[0], math.ceil(points[:, 1].max() + reach))
    if x1 <= x0 or y1 <= y0:
        return
    k = OVERSAMPLE
    patch = np.full(((y1 - y0) * k, (x1 - x0) * k), 255, np.uint8)
    fine = (points - (x0, y0) + 0.5) * k - 0.5  # the patch's own pixel-centre coordinates
    fixed = np.round(fine * (1 << SHIFT)).astype(np.int32).reshape(-1, 1, 2)
    if kind == "disc":
        centre = (int(fixed[0, 0, 0]), int(fixed[0, 0, 1]))
        radius = round(size_mm / 2 * ppm * k * (1 << SHIFT))
        cv2.circle(patch, centre, radius, grey, -1, cv2.LINE_AA, SHIFT)
    else:
        thickness = max(1, round(size_mm * ppm * k))
        cv2.polylines(patch, [fixed], False, grey, thickness, cv2.LINE_AA, SHIFT)
    small = cv2.resize(patch, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA)
    region = image[y0:y1, x0:x1].astype(np.float64)
    image[y0:y1, x0:x1] = np.round(region * small / 255.0).astype(np.uint8)
