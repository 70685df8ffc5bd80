"""Test scans made from paperfit's own forms: render a printed sheet, then spoil it like a
scanner, a copier or a careless feed would.

render_sheet: write_forms + pypdfium2 -> (greyscale uint8 image, dpi).
distort: rotate (any angle; multiples of 90 exactly), skew, scale about the centre, blur, noise,
binarize and JPEG-compress an image, on a white background, reproducibly (SEED).
"""

from __future__ import annotations

import math
import tempfile
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium

from forms.instrument import Catalog
from generator.sheets import Header, Packet, PrintOptions, write_forms

PERSONAL = Header(client_id="C-0042", session="7", date="2026-11-25", clinician="Dr. Rivera")


@cache
def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="paperfit-scans-"))


@cache
def sheet_pdf(paper: str = "letter", instrument: str = "ORS", header: Header = PERSONAL) -> Path:
    """The PDF write_forms makes for one INSTRUMENT sheet on PAPER with HEADER (cached)."""
    catalog = Catalog.load()
    name = f"{paper}-{instrument}-{abs(hash(header))}.pdf"
    packet = Packet((catalog.get(instrument),), header)
    return write_forms(_folder() / name, [packet], PrintOptions(paper=paper))


@cache
def _render(paper: str, instrument: str, header: Header, dpi: float) -> np.ndarray:
    document = pdfium.PdfDocument(sheet_pdf(paper, instrument, header))
    try:
        bitmap = document[0].render(scale=dpi / 72, grayscale=True)
        grey = bitmap.to_numpy()
        grey = np.array(grey[..., 0] if grey.ndim == 3 else grey, dtype=np.uint8)
    finally:
        document.close()
    grey.setflags(write=False)
    return grey


def render_sheet(
    paper: str = "letter", dpi: float = 200, instrument: str = "ORS", header: Header = PERSONAL
) -> tuple[np.ndarray, float]:
    """The first page of an INSTRUMENT form on PAPER with HEADER, rendered at DPI as a greyscale
    uint8 image (a fresh copy), and DPI."""
    return _render(paper, instrument, header, float(dpi)).copy(), float(dpi)


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
