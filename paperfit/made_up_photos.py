"""A second generator of phone photos of marked paperfit forms, built to break the reader's
assumptions: made-up data only, for the tests and bench/scan.py.

It shares no code with paperfit.made_up_scans (whose photos are what the reader was tuned on):
the sheet is printed by write_forms and rendered in colour here, the pens are drawn here, and
the photo is taken by a real pinhole camera through ray casting onto a 3-D page:

- camera: 4:3 sensor of 8 or 12 MP, focal length 24-28 mm (35 mm equivalent), placed anywhere
  above the page and turned any way (tilt from straight down up to 10 degrees in the easy set,
  25 in the hard set), aimed off the page's centre, so the page is off-centre and may be cut by
  the frame beyond its corner squares; stored upright or turned with an EXIF orientation;
- page: curled (up to 2 mm easy, 8 mm hard), folded once across (hard), on a coloured,
  textured desk;
- light: a lamp of 2700-6500 K that the phone's white balance only partly corrects, shading
  from the page's shape, vignetting, a specular glare spot and the soft shadow of a hand
  (hard); sensor noise, a little motion blur, JPEG 75-92 or HEIC;
- pens: blue, red and green ballpoint (with skips), blue and green felt tip, black gel, pencil
  (grey, grainy); marks: a stroke across the line, an X (also at the very ends of the line), a
  tick (its vertex on the line), a circle (its centre on the line), and the ambiguous ones
  (two strokes, none, one beside the line).
- a share of the sheets carry the page code printed before the paper was in it (PF1), so the
  reader must tell the paper from the page itself.

A mark's true place: where a stroke crosses the line, an X's crossing, a tick's vertex, a
circle's centre.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
import segno
from PIL import Image

from paperfit.forms.instrument import Catalog
from paperfit.forms.sheet import (
    CODE_MM,
    CODE_SQUARE_MM,
    MARGIN_SIDE_MM,
    MARGIN_TOP_MM,
    PAPER_SIZES_MM,
    LinePlace,
    PageCode,
    line_places,
)
from paperfit.generator.sheets import Header, Packet, PrintOptions, page_code, write_forms

DPI = 300.0  # the printed sheet is rendered at this resolution before it is photographed
PPM = DPI / 25.4
FULL_FRAME_DIAGONAL_MM = 43.27  # of a 36 x 24 mm film frame: "35 mm equivalent" focal lengths
GRID = 8  # rays are cast every GRID pixels and the maps interpolated
PENS = {  # name: (reflectance R, G, B; width mm range; kind)
    "blue ballpoint": ((0.25, 0.32, 0.72), (0.35, 0.55), "ballpoint"),
    "red ballpoint": ((0.78, 0.22, 0.25), (0.35, 0.55), "ballpoint"),
    "green ballpoint": ((0.25, 0.55, 0.35), (0.35, 0.55), "ballpoint"),
    "blue felt tip": ((0.2, 0.3, 0.75), (0.8, 1.2), "felt"),
    "green felt tip": ((0.2, 0.62, 0.3), (0.8, 1.2), "felt"),
    "black gel": ((0.1, 0.1, 0.13), (0.45, 0.7), "gel"),
    "pencil": ((0.5, 0.5, 0.53), (0.3, 0.5), "pencil"),
}
SINGLE = ("stroke", "x", "x at end", "tick", "circle")
AMBIGUOUS = ("double", "none", "beside")
FORMS = (("ORS", "letter"), ("SRS", "a4"), ("CORS", "letter"), ("CSRS", "a4"), ("GSRS", "a4"))


@dataclass(frozen=True)
class Shot:
    """How one photo is taken (all drawn from a seed by easy_shot or hard_shot)."""

    megapixels: float
    focal_mm: float  # 35 mm equivalent
    tilt_deg: float  # the camera's axis from straight down
    azimuth_deg: float  # the side the camera leans toward
    roll_deg: float  # the frame turned about its axis
    aim_mm: tuple[float, float]  # where the axis meets the page, from its centre
    fill: float  # the page's long side as a share of the frame's long side
    curl_mm: float  # the page's edges lifted this much
    crease_mm: float  # a fold across the page, raised this much (0: none)
    kelvin: float
    white_balance: float  # the share of the lamp's colour cast the phone corrects
    vignette: float  # the corners' light falls off by this share
    glare: float  # strength of a specular spot (0: none)
    hand: float  # depth of a hand's shadow (0: none)
    noise: float  # sensor noise, grey levels at mid-grey
    blur_px: float  # motion blur length
    quality: int  # JPEG quality
    heic: bool
    exif: int  # EXIF orientation stored (1: upright)
    desk: tuple[float, float, float]  # the desk's colour (reflectance)


def easy_shot(rng: np.random.Generator) -> Shot:
    """A careful photo: the page flat-ish and well in the frame, any lamp, any pen."""
    return Shot(
        megapixels=float(rng.choice((8.0, 12.0))),
        focal_mm=float(rng.uniform(24, 28)),
        tilt_deg=float(rng.uniform(0, 10)),
        azimuth_deg=float(rng.uniform(0, 360)),
        roll_deg=float(rng.uniform(-8, 8)) + float(rng.choice((0, 180))),
        aim_mm=(float(rng.uniform(-20, 20)), float(rng.uniform(-25, 25))),
        fill=float(rng.uniform(0.75, 0.9)),
        curl_mm=float(rng.uniform(0, 2)),
        crease_mm=0.0,
        kelvin=float(rng.uniform(2700, 6500)),
        white_balance=float(rng.uniform(0.5, 0.9)),
        vignette=float(rng.uniform(0.1, 0.3)),
        glare=0.0,
        hand=0.0,
        noise=float(rng.uniform(1.5, 4)),
        blur_px=float(rng.uniform(0, 1.5)),
        quality=int(rng.integers(80, 93)),
        heic=bool(rng.random() < 0.25),
        exif=int(rng.choice((1, 1, 6, 8, 3))),
        desk=tuple(float(c) for c in rng.uniform(0.15, 0.7, 3)),
    )


def hard_shot(rng: np.random.Generator) -> Shot:
    """A hurried photo: tilted up to 25 degrees, the page curled up to 8 mm, folded, a glare
    spot and a hand's shadow, the page off-centre and cut by the frame beyond its corner
    squares."""
    easy = easy_shot(rng)
    return replace(
        easy,
        tilt_deg=float(rng.uniform(8, 25)),
        aim_mm=(float(rng.uniform(-35, 35)), float(rng.uniform(-45, 45))),
        fill=float(rng.uniform(0.8, 1.0)),
        curl_mm=float(rng.uniform(2, 8)),
        crease_mm=float(rng.uniform(0.5, 2.5)) if rng.random() < 0.5 else 0.0,
        glare=float(rng.uniform(0.4, 0.9)) if rng.random() < 0.5 else 0.0,
        hand=float(rng.uniform(0.3, 0.55)) if rng.random() < 0.5 else 0.0,
        noise=float(rng.uniform(2, 6)),
        blur_px=float(rng.uniform(0, 2.5)),
        quality=int(rng.integers(75, 90)),
    )


@dataclass(frozen=True)
class Mark:
    """What was drawn on rating line LINE (1 = top): KIND, PEN and the true VALUES."""

    line: int
    kind: str
    pen: str
    values: tuple[float, ...]

    @property
    def single(self) -> bool:
        return self.kind in SINGLE


@dataclass(frozen=True)
class TakenPhoto:
    path: Path
    instrument: str
    paper: str
    old_code: bool
    marks: tuple[Mark, ...]
    shot: Shot
    under_glare: tuple[bool, ...]  # per mark: within 1.5 radii of the glare spot's centre
    glare_on_line: tuple[bool, ...]  # per mark: some of its line is, the mark or not


# ---------------------------------------------------------------------------------------------
# The sheet and the pens


@cache
def colour_sheet(folder: Path, instrument: str, paper: str, old_code: bool) -> np.ndarray:
    """The sheet write_forms prints, rendered in colour at DPI as float reflectance (H, W, 3,
    read-only, cached); with OLD_CODE its page code is replaced by the one printed before the
    paper was in it."""
    catalog = Catalog.load()
    header = Header(client_id="C-0042", session="7", date="2026-11-25", clinician="Dr. Rivera")
    pdf = folder / f"sheet-{instrument}-{paper}.pdf"
    if not pdf.exists():
        packet = Packet((catalog.get(instrument),), header)
        write_forms(pdf, [packet], PrintOptions(paper=paper))
    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=DPI / 72)
        rgb = np.array(bitmap.to_pil().convert("RGB"), dtype=np.float32) / 255
    finally:
        document.close()
    if old_code:
        code = page_code(catalog.get(instrument), header, 1, False, paper)
        _paint_code(rgb, replace(code, paper=None), paper)
    rgb.setflags(write=False)
    return rgb


def _paint_code(rgb: np.ndarray, code: PageCode, paper: str) -> None:
    """CODE's QR symbol drawn over the code square of RGB, as paperfit printed it."""
    qr = segno.make_qr(code.payload(), error="m")
    modules = np.array(list(qr.matrix), dtype=np.float32)
    modules = np.pad(modules, 4)
    size = round(CODE_MM * PPM)
    symbol = 1 - cv2.resize(modules, (size, size), interpolation=cv2.INTER_NEAREST)
    right = PAPER_SIZES_MM[paper][0] - MARGIN_SIDE_MM
    x0 = round((right - CODE_SQUARE_MM / 2) * PPM - size / 2)
    y0 = round((MARGIN_TOP_MM + CODE_SQUARE_MM / 2) * PPM - size / 2)
    rgb[y0 : y0 + size, x0 : x0 + size] = symbol[..., None]


def _strokes(kind: str, x: float, y: float, rng: np.random.Generator) -> list[np.ndarray]:
    """The pen's paths (N x 2 page mm) of a mark of KIND whose true place is (X, Y)."""
    if kind == "stroke":
        lean = math.radians(rng.uniform(-20, 20))
        length, along = rng.uniform(6, 10), rng.uniform(-0.25, 0.25)
        t = np.linspace(-0.5 + along, 0.5 + along, 20)[:, None] * length
        return [np.hstack([x + t * math.sin(lean), y + t * math.cos(lean)])]
    if kind in ("x", "x at end"):
        arms = []
        for sign in (1, -1):
            angle = math.radians(sign * rng.uniform(30, 60))
            t = np.linspace(-0.5, 0.5, 12)[:, None] * rng.uniform(4, 7)
            arms.append(np.hstack([x + t * math.sin(angle), y + t * math.cos(angle)]))
        return arms
    if kind == "tick":  # short arm down to the vertex on the line, long arm up and right
        short, long_ = rng.uniform(2, 3.5), rng.uniform(5, 8)
        a, b = math.radians(rng.uniform(30, 50)), math.radians(rng.uniform(20, 40))
        start = (x - short * math.sin(a), y - short * math.cos(a))
        end = (x + long_ * math.sin(b), y - long_ * math.cos(b))
        first = np.linspace(start, (x, y), 8)
        return [np.vstack([first, np.linspace((x, y), end, 16)[1:]])]
    if kind == "circle":
        r = rng.uniform(1.5, 2.5)
        angles = np.linspace(0, 2 * math.pi * rng.uniform(1.0, 1.15), 60) + rng.uniform(0, 6)
        squash = rng.uniform(0.8, 1.0)
        return [np.stack([x + r * np.cos(angles), y + squash * r * np.sin(angles)], 1)]
    raise ValueError(kind)


def _draw(ink: np.ndarray, path: np.ndarray, width: float, pen: str, rng) -> None:
    """PATH (page mm) laid into the coverage map INK (0..1) by PEN: a ballpoint skips (gaps of
    0.3-1 mm where the ball did not turn), a pencil is grainy."""
    kind = PENS[pen][2]
    dense = _resample(path, 0.1)
    keep = np.ones(len(dense), bool)
    if kind == "ballpoint" and rng.random() < 0.6:
        for _ in range(int(rng.integers(1, 3))):
            start = int(rng.integers(0, len(dense)))
            keep[start : start + int(rng.uniform(3, 10))] = False
    layer = np.zeros_like(ink)
    fixed = np.round((dense * PPM - 0.5) * 16).astype(np.int32)
    thickness = max(1, round(width * PPM))
    for i in range(len(dense) - 1):
        if keep[i] and keep[i + 1]:
            p, q = tuple(fixed[i]), tuple(fixed[i + 1])
            cv2.line(layer, p, q, 1.0, thickness, cv2.LINE_AA, 4)
    strength = {"ballpoint": 0.9, "felt": 0.95, "gel": 0.97, "pencil": 0.75}[kind]
    if kind == "pencil":
        grain = rng.random(layer.shape).astype(np.float32)
        layer *= (grain > 0.35) * rng.uniform(0.6, 1.0)
    np.maximum(ink, layer * strength, out=ink)


def _resample(path: np.ndarray, step: float) -> np.ndarray:
    lengths = np.r_[0, np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))]
    at = np.linspace(0, lengths[-1], max(2, int(lengths[-1] / step) + 1))
    return np.stack([np.interp(at, lengths, path[:, 0]), np.interp(at, lengths, path[:, 1])], 1)


def mark_sheet(
    rgb: np.ndarray, places: Sequence[LinePlace], rng: np.random.Generator, ambiguous: float
) -> tuple[np.ndarray, tuple[Mark, ...]]:
    """RGB with one mark on each line (a share AMBIGUOUS of them ambiguous), each in a pen
    drawn at random, and what was drawn."""
    marks = []
    out = rgb.copy()
    for number, place in enumerate(places, 1):
        pen = str(rng.choice(list(PENS)))
        kind = str(rng.choice(AMBIGUOUS if rng.random() < ambiguous else SINGLE))
        (r, g, b), widths, _ = PENS[pen]
        width = float(rng.uniform(*widths))

        def at(value: float, place: LinePlace = place) -> float:
            return place.left + value * (place.right - place.left) / 10

        y = place.y + float(rng.uniform(-0.2, 0.2))
        if kind == "x at end":
            values = (float(rng.choice((rng.uniform(0, 0.3), rng.uniform(9.7, 10)))),)
            paths = _strokes("x", at(values[0]), y, rng)
        elif kind in SINGLE:
            values = (float(rng.uniform(0.4, 9.6)),)
            paths = _strokes(kind, at(values[0]), y, rng)
        elif kind == "double":
            first = float(rng.uniform(0.5, 8.5))
            values = (first, float(rng.uniform(first + 1.0, 9.6)))
            paths = [p for v in values for p in _strokes("stroke", at(v), y, rng)]
        elif kind == "beside":
            values = (float(rng.uniform(0.5, 9.5)),)
            side = float(rng.choice((-1, 1)))
            gap = float(rng.uniform(2.2, 4))
            t = np.linspace(0, rng.uniform(5, 8), 12)[:, None]
            paths = [np.hstack([at(values[0]) + 0 * t, y + side * (gap + t)])]
        else:
            values, paths = (), []
        reach = 12.0
        x0, x1 = int((place.left - reach) * PPM), int((place.right + reach) * PPM)
        y0, y1 = int((place.y - reach) * PPM), int((place.y + reach) * PPM)
        ink = np.zeros((y1 - y0, x1 - x0), np.float32)
        for path in paths:
            _draw(ink, path - (x0 / PPM, y0 / PPM), width, pen, rng)
        colour = np.array([r, g, b], np.float32)
        region = out[y0:y1, x0:x1]
        region *= 1 - ink[..., None] * (1 - colour)
        marks.append(Mark(number, kind, pen, values))
    return out, tuple(marks)


# ---------------------------------------------------------------------------------------------
# The camera


def _blackbody(kelvin: float) -> np.ndarray:
    """A lamp's colour (R, G, B relative to green) at KELVIN, from a small table."""
    table = np.array(
        [
            (2700, 1.0, 0.68, 0.38),
            (3500, 1.0, 0.78, 0.56),
            (4500, 1.0, 0.88, 0.76),
            (5500, 1.0, 0.95, 0.9),
            (6500, 0.96, 1.0, 1.0),
        ]
    )
    rgb = np.array([np.interp(kelvin, table[:, 0], table[:, i]) for i in (1, 2, 3)])
    return rgb / rgb[1]


def _surface(shot: Shot, paper_mm: tuple[float, float], x: np.ndarray, y: np.ndarray):
    """The page's height above the desk (mm) at page points X, Y: a curl lifting both long
    edges, and a fold across the page."""
    width, height = paper_mm
    u = (x - width / 2) / (width / 2)
    z = shot.curl_mm * np.clip(np.abs(u), 0, 1.2) ** 2
    if shot.crease_mm:
        z = z + shot.crease_mm * np.clip(1 - np.abs(y - 0.55 * height) / 15.0, 0, 1)
    return z


class OutOfFrame(ValueError):
    """The shot leaves part of the page's corner squares outside the frame."""


def photograph(
    page: np.ndarray, paper: str, shot: Shot, rng: np.random.Generator
) -> tuple[bytes, tuple[float, float, float] | None]:
    """PAGE (reflectance, rendered at DPI) on a desk, photographed as SHOT says: the file's
    bytes (JPEG or HEIC), and where the glare spot lies on the page (centre x, y and radius,
    page mm; None without glare)."""
    paper_mm = PAPER_SIZES_MM[paper]
    aspect = 4 / 3
    long_px = round(math.sqrt(shot.megapixels * 1e6 * aspect))
    short_px = round(long_px / aspect)
    frame_w, frame_h = (short_px, long_px)  # taken upright (portrait)
    diagonal = math.hypot(frame_w, frame_h)
    focal = shot.focal_mm / FULL_FRAME_DIAGONAL_MM * diagonal
    distance = focal * paper_mm[1] / (shot.fill * frame_h)
    target = np.array([paper_mm[0] / 2 + shot.aim_mm[0], paper_mm[1] / 2 + shot.aim_mm[1], 0])
    tilt, azimuth = math.radians(shot.tilt_deg), math.radians(shot.azimuth_deg)
    lean = np.array([math.sin(tilt) * math.cos(azimuth), math.sin(tilt) * math.sin(azimuth), 0])
    centre = target + distance * (lean - np.array([0, 0, math.cos(tilt)]))
    forward = (target - centre) / np.linalg.norm(target - centre)
    roll = math.radians(shot.roll_deg)
    right = np.array([math.cos(roll), math.sin(roll), 0.0])
    right -= right.dot(forward) * forward
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    rotation = np.stack([right, down, forward])  # world -> camera rows
    square = 8.0 - 2.0  # the corner squares' outer edges, with 2 mm to spare
    corners = np.array(
        [
            (x, y, 0.0)
            for x in (square, paper_mm[0] - square)
            for y in (square, paper_mm[1] - square)
        ]
    )
    seen = (corners - centre) @ rotation.T
    u = focal * seen[:, 0] / seen[:, 2] + frame_w / 2
    v = focal * seen[:, 1] / seen[:, 2] + frame_h / 2
    if u.min() < 0 or v.min() < 0 or u.max() > frame_w or v.max() > frame_h:
        raise OutOfFrame(f"corners at u {u.round()}, v {v.round()}")
    # rays every GRID pixels, onto the page's surface (z up is -Z in these right-handed axes)
    us = np.arange(0, frame_w + GRID, GRID, dtype=np.float64)
    vs = np.arange(0, frame_h + GRID, GRID, dtype=np.float64)
    gu, gv = np.meshgrid(us, vs)
    rays = np.stack([(gu - frame_w / 2) / focal, (gv - frame_h / 2) / focal, np.ones_like(gu)], -1)
    world = rays @ rotation
    heights = np.zeros_like(gu)
    for _ in range(4):  # the ray meets the surface where its depth is the surface's height
        t = (-heights - centre[2]) / world[..., 2]
        px, py = centre[0] + t * world[..., 0], centre[1] + t * world[..., 1]
        heights = _surface(shot, paper_mm, px, py)
    map_x = cv2.resize((px * PPM - 0.5).astype(np.float32), (frame_w, frame_h))
    map_y = cv2.resize((py * PPM - 0.5).astype(np.float32), (frame_w, frame_h))
    # the page, smoothed to the camera's sampling (no aliasing of the print's fine lines)
    px_per_mm = focal / distance
    sigma = max(0.0, 0.5 * PPM / px_per_mm - 0.3)
    texture = cv2.GaussianBlur(page, (0, 0), sigma) if sigma > 0.05 else page
    on_page = cv2.remap(
        np.ascontiguousarray(texture),
        map_x,
        map_y,
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(-1, -1, -1),
    )
    inside = on_page[..., 0] >= 0
    desk = _desk(frame_h, frame_w, shot, rng)
    image = np.where(inside[..., None], on_page, desk)
    image *= _light(shot, paper_mm, (px, py), (frame_w, frame_h), rng)[..., None]
    cast = _blackbody(shot.kelvin) ** (1 - shot.white_balance)
    image = image * cast.astype(np.float32)
    glare_mm = None
    if shot.glare:
        spot, (gx, gy, radius) = _glare(shot, frame_w, frame_h, px_per_mm, rng)
        image += spot[..., None]
        row, column = min(frame_h - 1, round(gy)), min(frame_w - 1, round(gx))
        centre_mm = ((map_x[row, column] + 0.5) / PPM, (map_y[row, column] + 0.5) / PPM)
        glare_mm = (float(centre_mm[0]), float(centre_mm[1]), radius / px_per_mm)
    return _encode(image, shot, rng), glare_mm


def _desk(height: int, width: int, shot: Shot, rng: np.random.Generator) -> np.ndarray:
    """A coloured desk with a grain (wood or cloth): low-frequency noise stretched one way."""
    small = rng.normal(0, 1, (height // 32 + 2, width // 4 + 2)).astype(np.float32)
    grain = cv2.resize(cv2.GaussianBlur(small, (0, 0), 1.5), (width, height))
    base = np.array(shot.desk, np.float32)
    return np.clip(base * (1 + 0.25 * grain[..., None]), 0, 1)


def _light(shot: Shot, paper_mm, points, frame: tuple[int, int], rng) -> np.ndarray:
    """The light on each pixel (POINTS: the page point each grid ray meets): shading by the
    page's slope under a lamp up and to one side, vignetting, a hand's shadow."""
    px, py = points
    width, height = frame
    gx = _surface(shot, paper_mm, px + 0.5, py) - _surface(shot, paper_mm, px - 0.5, py)
    gy = _surface(shot, paper_mm, px, py + 0.5) - _surface(shot, paper_mm, px, py - 0.5)
    lamp = np.array([rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), 1.0])
    lamp /= np.linalg.norm(lamp)
    normal_dot = (-gx * lamp[0] - gy * lamp[1] + lamp[2]) / np.sqrt(gx**2 + gy**2 + 1)
    shade = cv2.resize((normal_dot / lamp[2]).astype(np.float32), (width, height))
    yy, xx = np.mgrid[0:height:8, 0:width:8].astype(np.float32)
    r2 = ((xx - width / 2) ** 2 + (yy - height / 2) ** 2) / ((width / 2) ** 2 + (height / 2) ** 2)
    vignette = cv2.resize(1 - shot.vignette * r2, (width, height))
    light = shade * vignette * float(rng.uniform(0.85, 1.0))
    if shot.hand:
        mask = np.zeros((height // 8, width // 8), np.float32)
        cx, cy = rng.uniform(0.1, 0.9) * width / 8, rng.uniform(0.6, 1.0) * height / 8
        axes = (int(rng.uniform(0.1, 0.2) * width / 8), int(rng.uniform(0.2, 0.35) * height / 8))
        cv2.ellipse(mask, (int(cx), int(cy)), axes, rng.uniform(-40, 40), 0, 360, 1.0, -1)
        mask = cv2.GaussianBlur(mask, (0, 0), width / 8 / 40)
        light *= 1 - shot.hand * cv2.resize(mask, (width, height))
    return light


def _glare(
    shot: Shot, width: int, height: int, px_per_mm: float, rng
) -> tuple[np.ndarray, tuple[float, float, float]]:
    """A lamp's reflection: a bright soft spot 10-25 mm across, somewhere on the page; and its
    centre and radius (image px)."""
    yy, xx = np.mgrid[0:height:4, 0:width:4].astype(np.float32)
    cx, cy = rng.uniform(0.25, 0.75) * width, rng.uniform(0.25, 0.75) * height
    radius = rng.uniform(5, 12.5) * px_per_mm
    spot = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * radius**2)) * shot.glare * 1.5
    return cv2.resize(spot, (width, height)), (float(cx), float(cy), float(radius))


def _encode(image: np.ndarray, shot: Shot, rng: np.random.Generator) -> bytes:
    """The linear IMAGE through the sensor (noise, motion blur, gamma), turned as its EXIF
    orientation will say, and compressed."""
    if shot.blur_px > 0.5:
        size = math.ceil(shot.blur_px) * 2 + 1
        kernel = np.zeros((size, size), np.float32)
        angle = rng.uniform(0, math.pi)
        c = size // 2
        end = (c + shot.blur_px / 2 * math.cos(angle), c + shot.blur_px / 2 * math.sin(angle))
        start = (2 * c - end[0], 2 * c - end[1])
        cv2.line(kernel, (round(start[0]), round(start[1])), (round(end[0]), round(end[1])), 1.0)
        image = cv2.filter2D(image, -1, kernel / kernel.sum())
    encoded = cv2.pow(np.clip(image, 0, 1), 1 / 2.2) * 255
    height, width = encoded.shape[:2]
    noise = rng.standard_normal((height, width), dtype=np.float32)
    encoded += shot.noise * noise[..., None] * np.sqrt(np.maximum(encoded, 1) / 128)
    # colour noise, softened by the phone's denoising: drawn at a quarter of the resolution
    chroma = rng.standard_normal((height // 4, width // 4, 3), dtype=np.float32)
    encoded += cv2.resize(chroma * (shot.noise * 0.4), (width, height))
    rgb = np.clip(encoded, 0, 255).astype(np.uint8)
    # stored as the sensor saw it: an EXIF orientation of 6 means "turn 90 degrees clockwise
    # to show", so the stored picture is the upright one turned counter-clockwise
    turns = {1: 0, 6: 1, 3: 2, 8: 3}[shot.exif]
    stored = np.ascontiguousarray(np.rot90(rgb, turns))
    picture = Image.fromarray(stored)
    exif = Image.Exif()
    exif[0x0112] = shot.exif
    out = io.BytesIO()
    if shot.heic:
        from pillow_heif import register_heif_opener

        register_heif_opener()
        # x265's quickest preset: its default takes minutes on a 12 MP picture
        preset = {"preset": "ultrafast"}
        picture.save(out, "HEIF", quality=shot.quality, exif=exif.tobytes(), enc_params=preset)
    else:
        picture.save(out, "JPEG", quality=shot.quality, exif=exif.tobytes())
    return out.getvalue()


# ---------------------------------------------------------------------------------------------
# Sets and figures


def take_photos(
    folder: Path, shots: Sequence[Shot], seed: int, ambiguous: float = 0.2, first: int = 1
) -> list[TakenPhoto]:
    """One marked form per SHOT (FORMS in turn, a third with the old page code), photographed
    into FOLDER as photo-NN.jpg or .heic, numbered from FIRST; each photo is reproducible from
    SEED and its number."""
    catalog = Catalog.load()
    sheets = Path(folder) / "sheets"
    sheets.mkdir(exist_ok=True)
    taken = []
    for number, shot in enumerate(shots, first):
        rng = np.random.default_rng((seed, number))
        instrument, paper = FORMS[(number - 1) % len(FORMS)]
        old_code = number % 3 == 0
        rgb = colour_sheet(sheets, instrument, paper, old_code)
        places = line_places(catalog.get(instrument), paper, False)
        marked, marks = mark_sheet(rgb, places, rng, ambiguous)
        path = Path(folder) / f"photo-{number:02d}.{'heic' if shot.heic else 'jpg'}"
        for _ in range(40):  # the corner squares in the frame: moved nearer the page's centre
            try:
                data, glare = photograph(marked, paper, shot, rng)
                path.write_bytes(data)
                break
            except OutOfFrame:
                aim = (shot.aim_mm[0] * 0.7, shot.aim_mm[1] * 0.7)
                shot = replace(shot, fill=shot.fill * 0.95, aim_mm=aim)
        else:
            raise OutOfFrame(f"no shot like {shot} shows the whole page")
        hidden = tuple(
            _under(glare, place, mark) for place, mark in zip(places, marks, strict=True)
        )
        crossed = tuple(_crosses(glare, place) for place in places)
        taken.append(TakenPhoto(path, instrument, paper, old_code, marks, shot, hidden, crossed))
    return taken


def _under(glare: tuple[float, float, float] | None, place: LinePlace, mark: Mark) -> bool:
    """Whether MARK (on the line at PLACE) lies where GLARE washes the print out."""
    if glare is None or not mark.values:
        return False
    x = place.left + mark.values[0] * (place.right - place.left) / 10
    return math.hypot(x - glare[0], place.y - glare[1]) <= 1.5 * glare[2]


def _crosses(glare: tuple[float, float, float] | None, place: LinePlace) -> bool:
    """Whether GLARE washes out some of the line at PLACE (within 1.5 radii of its centre)."""
    if glare is None:
        return False
    x = min(max(glare[0], place.left), place.right)  # the line's point nearest the centre
    return math.hypot(x - glare[0], place.y - glare[1]) <= 1.5 * glare[2]


@dataclass(frozen=True)
class Figures:
    """How a set was read: pages read (ok) of pages; clean marks (single marks not under the
    glare spot), those read ok and within 0.1 of the truth; single marks read ok but wrong by
    more than 0.3 (glare or not); ambiguous marks read ok; marks under glare, and of them read
    ok; pencil marks sent to review as too faint; clean marks sent to review because glare
    washed out a stretch of their line elsewhere (UNSEEN); clean marks on lines the glare spot
    does not cross at all, and of them within 0.1 (CLEAR, CLEAR_CLOSE: the reader sends a line
    it cannot see whole to review, as it should); and per pen, clean marks within 0.1 of clean
    marks."""

    pages: int
    pages_read: int
    singles: int
    close: int
    wrong: int
    ambiguous_ok: int
    glare: int
    glare_read: int
    faint: int
    unseen: int
    clear: int
    clear_close: int
    by_pen: dict[str, tuple[int, int]]
    refusals: tuple[str, ...]

    def line(self, title: str) -> str:
        pens = ", ".join(f"{pen} {c}/{n}" for pen, (c, n) in sorted(self.by_pen.items()))
        return (
            f"{title}: {self.pages_read} of {self.pages} pages read; clean marks within 0.1: "
            f"{self.close} of {self.singles} ({self.close / max(1, self.singles):.1%}); "
            f"ok but wrong by > 0.3: {self.wrong}; ambiguous read ok: {self.ambiguous_ok}; "
            f"under glare: {self.glare_read} of {self.glare} read; pencil too faint: "
            f"{self.faint}; line not seen whole: {self.unseen}; on lines no glare crosses: "
            f"{self.clear_close} of {self.clear} ({self.clear_close / max(1, self.clear):.1%}) "
            f"[{pens}]"
        )


def figures(photos: Sequence[TakenPhoto], pages: Sequence) -> Figures:
    """Figures of PHOTOS read as PAGES (ScannedPage, one per photo, in order)."""
    read = singles = close = wrong = ambiguous_ok = glare = glare_read = faint = unseen = 0
    clear = clear_close = 0
    by_pen: dict[str, list[int]] = {}
    refusals = []
    for photo, page in zip(photos, pages, strict=True):
        read += page.status == "ok"
        if page.status != "ok":
            refusals.append(f"{photo.path.name}: {page.status}: {page.reason}")
        values = page.values or (None,) * len(photo.marks)
        readings = [item.reading for item in page.items] or [None] * len(photo.marks)
        for mark, value, hidden, crossed, reading in zip(
            photo.marks, values, photo.under_glare, photo.glare_on_line, readings, strict=True
        ):
            if not mark.single:
                ambiguous_ok += value is not None
                continue
            error = abs(value - mark.values[0]) if value is not None else 0.0
            wrong += error > 0.3
            if hidden:
                glare += 1
                glare_read += value is not None
                continue
            singles += 1
            faint += reading is not None and reading.faint
            unseen += reading is not None and reading.unseen
            tally = by_pen.setdefault(mark.pen, [0, 0])
            tally[1] += 1
            near = value is not None and error <= 0.1 + 1e-9
            close += near
            tally[0] += near
            clear += not crossed
            clear_close += near and not crossed
    pens = {pen: (c, n) for pen, (c, n) in by_pen.items()}
    return Figures(
        len(photos),
        read,
        singles,
        close,
        wrong,
        ambiguous_ok,
        glare,
        glare_read,
        faint,
        unseen,
        clear,
        clear_close,
        pens,
        tuple(refusals),
    )
