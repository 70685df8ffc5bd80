"""Made-up scans and phone photos of paperfit's own forms, marked with a pen at known values:
for the tests, the benchmark and the demo. Made-up data only; nothing here reads real data.

render_sheet: write_forms + scanner.pages.rasterize -> (greyscale uint8 image, dpi).
distort: rotate (any angle; multiples of 90 exactly), skew, scale about the centre, blur, noise,
binarize and JPEG-compress an image, on a white background, reproducibly (SEED): a scanner,
a copier or a careless feed.
photograph: the same image as a phone photo (Camera): perspective, rotation, lens distortion,
a page bent across its width, uneven light and shadow, a desk around the page, JPEG; and the
failure cases (a corner cut off by the frame, a thumb over a corner marker, strong blur).
draw_marks: pen marks of every kind at known values on a render's rating lines (placed by
generator.paper.line_places, as the scanner reads them); ink: one stroke or dot.
made_up_scan: a pack of forms marked and scanned as one PDF of JPEG pages (demo, benchmark).
"""

from __future__ import annotations

import io
import math
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from paperfit.forms.instrument import Catalog
from paperfit.forms.sheet import MARKER_INSET_MM, MARKER_MM, LinePlace, line_places
from paperfit.generator.sheets import Header, Packet, PrintOptions, write_forms
from paperfit.scanner.pages import rasterize

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


def made_up_scan(
    pack: Path,
    pages: Sequence[Sequence[tuple[LinePlace, Sequence[float]]]],
    dpi: float,
    seed: int,
) -> bytes:
    """PACK's pages as a copier would scan them after clients had marked them: on each page,
    for each line's place, a pen stroke at each value given (none: the line left blank; two:
    marked twice), drawn in grey at DPI, the page turned up to 1.5 degrees; one JPEG image a
    page in a PDF."""
    rng = np.random.default_rng(seed)
    document = pdfium.PdfDocument(pack)
    images = []
    try:
        for index, lines in enumerate(pages):
            grey = rasterize(document[index], dpi)
            for place, values in lines:
                for value in values:
                    x = place.left + value * (place.right - place.left) / 10
                    stroke = _stroke(x, place.y, rng.uniform(-14, 14), 7.0, 0.0, 0.45)
                    ink(grey, dpi, stroke, 35)
            height, width = grey.shape
            turn = cv2.getRotationMatrix2D((width / 2, height / 2), rng.uniform(-1.5, 1.5), 1)
            images.append(
                Image.fromarray(cv2.warpAffine(grey, turn, (width, height), borderValue=255))
            )
    finally:
        document.close()
    data = io.BytesIO()
    images[0].save(data, "PDF", save_all=True, append_images=images[1:], resolution=dpi, quality=80)
    return data.getvalue()


# ---------------------------------------------------------------------------------------------
# Phone photos

PHOTO_DPI = 300  # sheets are rendered at this resolution before they are photographed
FOCAL = 0.75  # a phone's focal length in pixels, as a share of the frame's long side
MAP_STEP = 8  # the photo's geometry is computed every MAP_STEP pixels and interpolated


@dataclass(frozen=True)
class Camera:
    """How a phone photo of a sheet is taken.

    megapixels: the frame (4:3, portrait unless LANDSCAPE); fill: the share of the frame's area
    the page covers; keystone: the page's top edge this share shorter than its bottom edge
    (0.15: 15 %, the phone tilted towards the top), side_keystone: the same left to right;
    rotate_deg: the page turned in the frame (counter-clockwise); barrel: the lens's radial
    distortion at the frame's corner (0.02: pulled in by 2 %); bend_mm: the page's middle
    raised this far above its side edges (a sheet bent across its width); light: the light
    falling off by this share across the frame; shadow: the light in the darkest part of a
    soft shadow over part of the page (1: none); desk: the desk's grey level (it has a grain);
    blur_px, noise: the camera's sharpness (Gaussian sigma) and sensor noise (grey levels);
    jpeg_quality; offset: the page's centre moved by this share of the frame (x, y).
    Failure cases: cut_corner (0-3: that corner marker's corner of the page outside the frame,
    -1: none), thumb (0-3: a thumb over that corner marker, -1: none).
    """

    megapixels: float = 12.0
    fill: float = 0.6
    keystone: float = 0.0
    side_keystone: float = 0.0
    rotate_deg: float = 0.0
    barrel: float = 0.0
    bend_mm: float = 0.0
    light: float = 0.0
    shadow: float = 1.0
    desk: int = 90
    blur_px: float = 0.6
    noise: float = 2.0
    jpeg_quality: int = 88
    landscape: bool = False
    offset: tuple[float, float] = (0.0, 0.0)
    cut_corner: int = -1
    thumb: int = -1


def moderate_camera(rng: np.random.Generator, megapixels: float = 12.0) -> Camera:
    """A photo taken with some care: a little tilted and turned, even light."""
    return Camera(
        megapixels=megapixels,
        fill=float(rng.uniform(0.55, 0.7)),
        keystone=float(rng.uniform(-0.06, 0.06)),
        side_keystone=float(rng.uniform(-0.03, 0.03)),
        rotate_deg=float(rng.uniform(-5, 5)),
        barrel=float(rng.uniform(0, 0.01)),
        bend_mm=float(rng.uniform(0, 2)),
        light=float(rng.uniform(0, 0.2)),
        desk=int(rng.integers(40, 200)),
        blur_px=float(rng.uniform(0.5, 0.9)),
        noise=float(rng.uniform(1, 3)),
        jpeg_quality=int(rng.integers(85, 93)),
        offset=(float(rng.uniform(-0.04, 0.04)), float(rng.uniform(-0.04, 0.04))),
    )


def hard_camera(rng: np.random.Generator, megapixels: float = 12.0) -> Camera:
    """A photo taken the way people take them: up to 15 % keystone, turned up to 12 degrees,
    barrel distortion, a page bent by several mm, light from one side and a soft shadow down to
    half the light, a dark or coloured desk, JPEG 80-92, the page filling about 60 %."""
    sign = float(rng.choice((-1, 1)))
    return Camera(
        megapixels=megapixels,
        fill=float(rng.uniform(0.5, 0.65)),
        keystone=sign * float(rng.uniform(0.08, 0.15)),
        side_keystone=float(rng.uniform(-0.06, 0.06)),
        rotate_deg=float(rng.uniform(-12, 12)),
        barrel=float(rng.uniform(0.01, 0.03)),
        bend_mm=float(rng.uniform(3, 6)),
        light=float(rng.uniform(0.2, 0.35)),
        shadow=float(rng.uniform(0.5, 0.7)),
        desk=int(rng.integers(25, 170)),
        blur_px=float(rng.uniform(0.6, 1.1)),
        noise=float(rng.uniform(2, 4)),
        jpeg_quality=int(rng.integers(80, 93)),
        landscape=bool(rng.integers(4) == 0),
        offset=(float(rng.uniform(-0.05, 0.05)), float(rng.uniform(-0.05, 0.05))),
    )


def failure_cameras(rng: np.random.Generator, megapixels: float = 12.0) -> dict[str, Camera]:
    """The photos that must go to review: a corner of the page outside the frame, a thumb over
    a corner marker, strong blur (each otherwise a moderate photo)."""
    base = moderate_camera(rng, megapixels)
    return {
        "corner cut off": replace(base, cut_corner=int(rng.integers(4))),
        "thumb over a marker": replace(base, thumb=int(rng.integers(4))),
        "strong blur": replace(base, blur_px=6.0),
    }


def photograph(image: np.ndarray, dpi: float, camera: Camera, seed: int = 0) -> bytes:
    """IMAGE (an upright greyscale render of a whole page at DPI, marked) as a phone would
    photograph it with CAMERA: the JPEG file's bytes (greyscale, no resolution stored)."""
    rng = np.random.default_rng(seed)
    ppm_src = dpi / 25.4
    page_mm = (image.shape[1] / ppm_src, image.shape[0] / ppm_src)
    width, height = _frame(camera)
    homography, ppm = _page_in_frame(page_mm, (width, height), camera)
    map_x, map_y = _photo_maps(homography, ppm, page_mm, (width, height), camera)
    map_x, map_y = map_x * ppm_src - 0.5, map_y * ppm_src - 0.5
    # OpenCV's own arithmetic below: a 12 MP frame in numpy takes seconds
    soft = cv2.GaussianBlur(image, (0, 0), max(0.3, 0.5 * ppm_src / ppm)).astype(np.float32)
    paper = cv2.remap(soft * np.float32(0.93), map_x, map_y, cv2.INTER_LINEAR, borderValue=255)
    share, rest = (
        cv2.remap(np.full(image.shape, 1 - edge, np.float32), map_x, map_y, 1, borderValue=edge)
        for edge in (0, 1)
    )  # of the page, of the desk
    albedo = cv2.blendLinear(paper, _desk((width, height), camera.desk, rng), share, rest)
    if camera.thumb >= 0:
        albedo = _thumb(albedo, homography, page_mm, camera.thumb, ppm)
    photo = cv2.multiply(albedo, _light((width, height), homography, page_mm, camera, rng))
    if camera.blur_px:
        photo = cv2.GaussianBlur(photo, (0, 0), camera.blur_px)
    if camera.noise:
        cv2.setRNGSeed(seed)
        grain = np.empty_like(photo)
        cv2.randn(grain, 0.0, float(camera.noise))
        photo = cv2.add(photo, grain)
    grey = cv2.convertScaleAbs(photo)
    ok, encoded = cv2.imencode(".jpg", grey, [cv2.IMWRITE_JPEG_QUALITY, camera.jpeg_quality])
    assert ok
    return encoded.tobytes()


def _frame(camera: Camera) -> tuple[int, int]:
    """The frame's (width, height) in pixels, 4:3."""
    short = round(math.sqrt(camera.megapixels * 1e6 * 3 / 4))
    long = round(short * 4 / 3)
    return (long, short) if camera.landscape else (short, long)


def _page_in_frame(
    page_mm: tuple[float, float], frame: tuple[int, int], camera: Camera
) -> tuple[np.ndarray, float]:
    """The homography page mm -> frame px of a flat page, and the photo's px per mm."""
    (pw, ph), (width, height) = page_mm, frame
    ppm = math.sqrt(camera.fill * width * height / (pw * ph))
    if camera.landscape:  # a page photographed across a landscape frame lies sideways
        ppm = min(ppm, 0.95 * height / pw)
    k, s = camera.keystone / 2, camera.side_keystone / 2
    # the page's corners about its centre, then the keystone: the top edge (1 - k) wide ...
    half = np.array([(-pw, -ph), (pw, -ph), (pw, ph), (-pw, ph)]) / 2 * ppm
    half[:2, 0] *= 1 - k
    half[2:, 0] *= 1 + k
    half[[0, 3], 1] *= 1 - s
    half[[1, 2], 1] *= 1 + s
    turn = camera.rotate_deg + (90 if camera.landscape else 0)
    angle = math.radians(-turn)  # counter-clockwise as seen, y down
    rotation = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    centre = np.array(
        [width / 2 + camera.offset[0] * width, height / 2 + camera.offset[1] * height]
    )
    target = half @ rotation.T + centre
    corners = np.array([(0, 0), (pw, 0), (pw, ph), (0, ph)], np.float32)
    homography = cv2.getPerspectiveTransform(corners, target.astype(np.float32))
    if camera.cut_corner >= 0:  # that corner's marker moved 6 mm beyond the frame's side
        marker = cv2.perspectiveTransform(_marker_centre(page_mm, camera.cut_corner), homography)
        x = float(marker[0, 0, 0])
        shift = -x - 6 * ppm if x < width / 2 else width - x + 6 * ppm
        homography = np.array([[1, 0, shift], [0, 1, 0], [0, 0, 1]]) @ homography
    return homography, ppm


def _marker_centre(page_mm: tuple[float, float], corner: int) -> np.ndarray:
    """The centre of the corner marker at CORNER (0 top left, clockwise), in page mm, shaped
    for cv2.perspectiveTransform."""
    pw, ph = page_mm
    inset = MARKER_INSET_MM + MARKER_MM / 2
    x = (inset, pw - inset, pw - inset, inset)[corner]
    y = (inset, inset, ph - inset, ph - inset)[corner]
    return np.array([[[x, y]]], np.float64)


def _photo_maps(
    homography: np.ndarray,
    ppm: float,
    page_mm: tuple[float, float],
    frame: tuple[int, int],
    camera: Camera,
) -> tuple[np.ndarray, np.ndarray]:
    """For every frame pixel, the page point (mm) seen there: the lens's barrel distortion
    undone, the flat page's homography inverted, then the bent page unrolled (a point raised
    z mm is seen moved away from the camera's foot by z / (D - z); the arc is longer than its
    chord). Computed on a grid every MAP_STEP px, interpolated."""
    width, height = frame
    # grid points where cv2.resize puts them: pixel (i + 0.5) * MAP_STEP - 0.5
    xs = (np.arange(math.ceil(width / MAP_STEP)) + 0.5) * MAP_STEP - 0.5
    ys = (np.arange(math.ceil(height / MAP_STEP)) + 0.5) * MAP_STEP - 0.5
    gx, gy = np.meshgrid(xs, ys)
    cx, cy, corner = width / 2, height / 2, math.hypot(width / 2, height / 2)
    stretch = 1 + camera.barrel * ((gx - cx) ** 2 + (gy - cy) ** 2) / corner**2
    ideal = np.stack([cx + (gx - cx) * stretch, cy + (gy - cy) * stretch], -1)
    flat = cv2.perspectiveTransform(ideal.reshape(-1, 1, 2), np.linalg.inv(homography))
    flat = flat.reshape((*gx.shape, 2))
    pw, ph = page_mm
    if camera.bend_mm:
        distance = FOCAL * max(frame) / ppm  # the camera's height above the page, mm
        foot = np.array([pw / 2, ph / 2])
        chord = np.linspace(0, pw, 512)
        rise = camera.bend_mm * np.sin(np.pi * chord / pw)
        slope = np.gradient(rise, chord)
        arc = np.concatenate([[0], np.cumsum(np.hypot(1, slope[1:]) * np.diff(chord))])
        point = flat.copy()
        for _ in range(4):  # fixed point: where the paper's point lies seen from above
            z = np.interp(point[..., 0], chord, rise)[..., None]
            t = z / (distance - z)
            point = (flat + foot * t) / (1 + t)
        flat = point  # beyond the page's sides the arc goes on straight (the desk)
        chord = np.concatenate([[-pw], chord, [2 * pw]])
        arc = np.concatenate([[-pw], arc, [arc[-1] + pw]])
        flat[..., 0] = np.interp(point[..., 0], chord, arc)
    size = (len(xs) * MAP_STEP, len(ys) * MAP_STEP)
    return tuple(
        np.ascontiguousarray(cv2.resize(flat[..., i].astype(np.float32), size)[:height, :width])
        for i in (0, 1)
    )


def _desk(frame: tuple[int, int], level: int, rng: np.random.Generator) -> np.ndarray:
    """A desk's surface: LEVEL with a wood-like grain and blotches."""
    width, height = frame
    small = (max(2, width // 16), max(2, height // 16))
    blotch = cv2.resize(rng.standard_normal((8, 6)).astype(np.float32), small)
    ys = np.arange(small[1], dtype=np.float32)[:, None]
    grain = np.sin(ys / rng.uniform(3, 9) + blotch * 2) * 0.5
    surface = level * (1 + 0.12 * (blotch * 0.6 + grain))
    return cv2.resize(surface.astype(np.float32), frame, interpolation=cv2.INTER_LINEAR)


def _light(
    frame: tuple[int, int],
    homography: np.ndarray,
    page_mm: tuple[float, float],
    camera: Camera,
    rng: np.random.Generator,
) -> np.ndarray:
    """The light over the frame (1: full): falling off across it by CAMERA.light, and a soft
    shadow (a hand's or the phone's) over part of the page down to CAMERA.shadow."""
    width, height = frame
    small = (max(2, width // 16), max(2, height // 16))
    gx, gy = np.meshgrid(
        np.linspace(0, 1, small[0], dtype=np.float32), np.linspace(0, 1, small[1], dtype=np.float32)
    )
    angle = rng.uniform(0, 2 * math.pi)
    along = (gx - 0.5) * math.cos(angle) + (gy - 0.5) * math.sin(angle)
    light = 1 - camera.light * (along + 0.5)
    if camera.shadow < 1:
        # a soft-edged shadow over a strip of the page, its edge about 30 mm wide
        pw, ph = page_mm
        centre = cv2.perspectiveTransform(
            np.array([[[pw * rng.uniform(0.3, 0.7), ph * rng.uniform(0.3, 0.7)]]]), homography
        )[0, 0] / np.array([width, height])
        turn = rng.uniform(0, 2 * math.pi)
        across = (gx - centre[0]) * math.cos(turn) + (gy - centre[1]) * math.sin(turn)
        edge = 30 * math.sqrt(camera.fill * width * height / (pw * ph)) / max(frame)
        depth = 1 / (1 + np.exp(-across / (edge / 4)))
        light = light * (1 - (1 - camera.shadow) * depth)
    return cv2.resize(light.astype(np.float32), frame, interpolation=cv2.INTER_LINEAR)


def _thumb(
    albedo: np.ndarray,
    homography: np.ndarray,
    page_mm: tuple[float, float],
    corner: int,
    ppm: float,
) -> np.ndarray:
    """ALBEDO with a thumb over the marker at CORNER (0 top left, clockwise), reaching in from
    the page's edge: an ellipse about 22 x 50 mm of skin, shaded at its rim."""
    marker = _marker_centre(page_mm, corner)
    root = marker.copy()
    root[0, 0, 0] = -25 if corner in (0, 3) else page_mm[0] + 25
    tip, root = (cv2.perspectiveTransform(p, homography)[0, 0] for p in (marker, root))
    centre = (tip + root) / 2
    angle = math.degrees(math.atan2(*(root - tip)[::-1]))
    length = float(np.linalg.norm(root - tip)) / 2 + 10 * ppm
    # drawn at a quarter of the resolution (a thumb is out of focus and smooth)
    small = np.zeros((albedo.shape[0] // 4, albedo.shape[1] // 4), np.uint8)
    axes = (round(length / 4), round(11 * ppm / 4))
    cv2.ellipse(small, (round(centre[0] / 4), round(centre[1] / 4)), axes, angle, 0, 360, 255, -1)
    shade = cv2.GaussianBlur(small, (0, 0), 0.75 * ppm).astype(np.float32) / 255
    share = cv2.GaussianBlur(small, (0, 0), 0.2 * ppm).astype(np.float32) / 255
    skin, share, rest = (
        cv2.resize(layer, albedo.shape[::-1])
        for layer in (150 * (0.6 + 0.4 * shade), share, 1 - share)
    )
    return cv2.blendLinear(albedo, skin, rest, share)


@dataclass(frozen=True)
class Photo:
    """One made-up photo: the file, and the marks drawn on the sheet before it was taken."""

    path: Path
    instrument: str
    paper: str
    marks: tuple[PenMark, ...]
    camera: Camera


PHOTO_FORMS = (
    ("ORS", "letter"),
    ("SRS", "a4"),
    ("CORS", "letter"),
    ("CSRS", "a4"),
    ("GSRS", "letter"),
)


def photo_set(
    folder: Path, cameras: Sequence[Camera], seed: int = 0, ambiguous: float = 0.25
) -> list[Photo]:
    """One JPEG photo per camera in CAMERAS, written into FOLDER as photo-NN.jpg: paperfit's
    forms in turn (PHOTO_FORMS), each line marked with a single mark of a random kind, or (a
    share AMBIGUOUS of the lines) a double mark, no mark or a mark beside the line."""
    catalog = Catalog.load()
    rng = np.random.default_rng(seed)
    photos = []
    for number, camera in enumerate(cameras, start=1):
        instrument, paper = PHOTO_FORMS[(number - 1) % len(PHOTO_FORMS)]
        image, dpi = render_sheet(paper, PHOTO_DPI, instrument)
        places = line_places(catalog.get(instrument), paper, False)
        kinds = [
            str(rng.choice(AMBIGUOUS_MARKS if rng.random() < ambiguous else SINGLE_MARKS))
            for _ in places
        ]
        marked, marks = draw_marks(image, dpi, places, kinds, seed + number)
        path = Path(folder) / f"photo-{number:02d}.jpg"
        path.write_bytes(photograph(marked, dpi, camera, seed + number))
        photos.append(Photo(path, instrument, paper, marks, camera))
    return photos


@dataclass(frozen=True)
class PhotoFigures:
    """How well a set of made-up photos was read: pages read (page ok) of pages; single marks
    read ok, and of those within 0.1 (1 mm) of the truth, of single marks on pages read; the
    largest error of a single mark read ok; ambiguous marks (double, none, beside) read ok,
    which must be none."""

    pages: int
    pages_read: int
    singles: int
    singles_ok: int
    singles_close: int
    max_error: float
    ambiguous_ok: int

    def line(self, title: str) -> str:
        return (
            f"{title}: {self.pages_read} of {self.pages} pages read; single marks "
            f"{self.singles_close} of {self.singles} ok and within 0.1 "
            f"({self.singles_close / max(1, self.singles):.1%}; {self.singles_ok} ok), "
            f"max error {self.max_error:.3f}; ambiguous marks read ok: {self.ambiguous_ok}"
        )


def photo_figures(photos: Sequence[Photo], pages: Sequence) -> PhotoFigures:
    """PhotoFigures of PHOTOS read as PAGES (ScannedPage, one per photo, in order)."""
    read = singles = ok = close = ambiguous_ok = 0
    worst = 0.0
    for photo, page in zip(photos, pages, strict=True):
        page_ok = page.status == "ok"
        read += page_ok
        for mark, value in zip(photo.marks, page.values, strict=False):
            if mark.kind in AMBIGUOUS_MARKS:
                ambiguous_ok += value is not None
                continue
            singles += 1
            if value is not None:
                ok += 1
                error = abs(value - mark.value)
                worst = max(worst, error)
                close += error <= 0.1
    return PhotoFigures(len(photos), read, singles, ok, close, worst, ambiguous_ok)
