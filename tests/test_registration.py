"""Loading scanned pages and registering them: markers, paper, orientation, scale, page code.

The scans are paperfit's own forms rendered with pypdfium2 and spoilt by paperfit/made_up_scans.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from paperfit.forms.instrument import Catalog
from paperfit.forms.sheet import PAPERS, PageCode, line_places
from paperfit.scanner.lines import paper_by_lines
from paperfit.scanner.pages import PageProblem, ScanPage, load_pages
from paperfit.scanner.registration import (
    NO_MARKERS,
    OK,
    Registration,
    code_box_mm,
    crop,
    detect_markers,
    fit,
    marker_centres_mm,
    marker_corners_mm,
    read_code,
    register,
    to_image,
    to_page,
)
from PIL import Image

from paperfit.made_up_scans import PERSONAL, distort, render_sheet

# (paper, dpi, distortion, expected rotation ccw, expected printed scale)
CASES = [
    ("letter", 200, {}, 0, 1.0),
    ("a4", 300, {}, 0, 1.0),
    ("letter", 150, {}, 0, 1.0),
    ("a4", 200, {"rotate_deg": 5}, 5, 1.0),
    ("letter", 300, {"rotate_deg": -5}, -5, 1.0),
    ("a4", 150, {"upside_down": True}, 180, 1.0),
    ("letter", 200, {"rotate_deg": 90}, 90, 1.0),
    ("a4", 200, {"rotate_deg": -90, "scale": 0.90}, -90, 0.90),
    ("letter", 200, {"scale": 1.05, "rotate_deg": 2}, 2, 1.05),
    ("a4", 200, {"jpeg_quality": 60, "rotate_deg": -3}, -3, 1.0),
    ("letter", 150, {"noise": 12, "blur": 0.8, "jpeg_quality": 60}, 0, 1.0),
    ("a4", 300, {"binarize": True, "upside_down": True, "rotate_deg": 4}, 184, 1.0),
]
CLEAN = {"rotate_deg", "upside_down"}  # distortions that keep a render clean


def case_id(case) -> str:
    paper, dpi, distortion, _, _ = case
    return f"{paper}-{dpi}-" + ("-".join(f"{k}={v}" for k, v in distortion.items()) or "clean")


def angle_between(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


@pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])
def test_registration(case) -> None:
    paper, dpi, distortion, rotation, scale = case
    image, dpi = render_sheet(paper, dpi)
    page = ScanPage("scan", 1, distort(image, **distortion), dpi)
    reg = register(page)
    assert isinstance(reg, Registration), reg
    assert reg.markers_found == (0, 1, 2, 3)
    assert reg.paper == paper
    assert reg.status == OK and not reg.notes
    assert angle_between(reg.rotation_degrees, rotation) < 0.1, reg.rotation_degrees
    assert reg.orientation == round(rotation / 90) % 4 * 90
    assert abs(reg.scale / scale - 1) <= 0.005, reg.scale
    limit = 0.3 if set(distortion) <= CLEAN else 0.5
    assert reg.residual_mm < limit, reg.residual_mm
    px_per_mm = dpi / 25.4
    for ident, centre in marker_centres_mm(paper).items():
        predicted = np.array(to_image(reg, *centre))
        detected = reg.corners[ident].mean(axis=0)
        assert np.linalg.norm(predicted - detected) <= 0.3 * px_per_mm
        assert np.allclose(to_page(reg, *predicted), centre, atol=1e-6)
    code = read_code(page, reg)
    assert code == PageCode(
        "ORS", 1, False, PERSONAL.client_id, PERSONAL.session, PERSONAL.date, 1, paper
    ), code


def test_crop_is_upright_whatever_the_orientation() -> None:
    image, dpi = render_sheet("letter", 200)
    upright = register(ScanPage("scan", 1, image, dpi))
    turned_page = ScanPage("scan", 1, distort(image, rotate_deg=90, upside_down=True), dpi)
    turned = register(turned_page)
    assert isinstance(upright, Registration) and isinstance(turned, Registration)
    assert turned.orientation == 270
    box = code_box_mm("letter")
    first = crop(ScanPage("scan", 1, image, dpi), upright, box, 8).astype(float)
    second = crop(turned_page, turned, box, 8).astype(float)
    assert first.shape == second.shape == (192, 192)
    assert first.min() < 50  # the QR code is in it
    assert np.mean(np.abs(first - second)) < 12


def test_three_markers_give_an_affine_mapping() -> None:
    image, dpi = render_sheet("a4", 200)
    covered = image.copy()
    covered[: round(35 * dpi / 25.4), -round(35 * dpi / 25.4) :] = 255  # marker 1 and the code
    reg = register(ScanPage("scan", 1, covered, dpi))
    assert isinstance(reg, Registration)
    assert reg.markers_found == (0, 2, 3) and reg.paper == "a4"
    assert any("affine" in note for note in reg.notes)
    assert reg.residual_mm < 0.3 and abs(reg.scale - 1) < 0.005


def blank_page() -> np.ndarray:
    return np.full((2200, 1700), 255, np.uint8)


def text_page() -> np.ndarray:
    page = blank_page()
    rng = np.random.default_rng(3)
    for row in range(40):
        words = "".join(chr(c) for c in rng.integers(97, 123, 30))
        cv2.putText(page, words, (60, 80 + 50 * row), cv2.FONT_HERSHEY_SIMPLEX, 1.2, 0, 2)
    return page


@pytest.mark.parametrize("make", [blank_page, text_page])
def test_not_a_form_is_a_clear_problem(make) -> None:
    page = ScanPage("other.png", 2, make(), 200)
    problem = register(page)
    assert problem == PageProblem("other.png", 2, NO_MARKERS)
    assert isinstance(read_code(page, None), PageProblem)


# ---------------------------------------------------------------------------------------------
# Loading pages


def test_pdf_of_page_images_yields_them_at_their_dpi(tmp_path: Path) -> None:
    images = [render_sheet("letter", 200)[0], render_sheet("a4", 150)[0]]
    pictures = [Image.fromarray(image) for image in images]
    pdf = tmp_path / "scan.pdf"
    pictures[0].save(pdf, save_all=True, append_images=pictures[1:], resolution=200)
    pages = list(load_pages(pdf))
    assert [type(p) for p in pages] == [ScanPage, ScanPage]
    for number, (page, image) in enumerate(zip(pages, images, strict=True), start=1):
        assert (page.source, page.page) == (str(pdf), number)
        assert page.image.dtype == np.uint8 and page.image.shape == image.shape
        assert abs(page.dpi - 200) < 0.5  # both embedded at 200 dpi
        assert np.mean(np.abs(page.image.astype(float) - image)) < 3  # JPEG-compressed by PIL
        assert page.notes == ()


def test_pdf_pages_without_images_are_rasterized(tmp_path: Path) -> None:
    from paperfit.made_up_scans import sheet_pdf

    pages = list(load_pages(sheet_pdf("a4")))
    assert len(pages) == 1 and isinstance(pages[0], ScanPage)
    assert pages[0].dpi == 300
    assert np.allclose(pages[0].image.shape, (3508, 2480), atol=1)  # 297 x 210 mm
    reg = register(pages[0])
    assert isinstance(reg, Registration) and reg.paper == "a4"


def test_images_and_folders(tmp_path: Path) -> None:
    image = render_sheet("letter", 150)[0]
    small = cv2.resize(image, None, fx=0.5, fy=0.5)
    (tmp_path / "b").mkdir()
    Image.fromarray(image).save(tmp_path / "b" / "one.png", dpi=(150, 150))
    cv2.imwrite(str(tmp_path / "a.jpg"), image)  # no resolution stored
    frames = [Image.fromarray(image), Image.fromarray(small)]
    frames[0].save(tmp_path / "c.tif", save_all=True, append_images=frames[1:], dpi=(150, 150))
    (tmp_path / "notes.txt").write_text("not a scan")
    (tmp_path / ".hidden.png").write_bytes(b"junk")
    pages = list(load_pages(tmp_path))
    sources = [(Path(p.source).name, p.page) for p in pages]
    assert sources == [
        ("a.jpg", 1),
        ("one.png", 1),
        ("c.tif", 1),
        ("c.tif", 2),
        ("notes.txt", None),
    ]
    jpeg, png, tif1, tif2, text = pages
    assert jpeg.dpi == 300 and not jpeg.dpi_stored and "no resolution" in jpeg.notes[0]
    assert abs(png.dpi - 150) < 0.5 and png.notes == ()
    assert np.array_equal(png.image, image)
    assert np.array_equal(tif1.image, image) and np.array_equal(tif2.image, small)
    assert abs(tif2.dpi - 150) < 0.5
    assert isinstance(text, PageProblem) and "not a PDF, TIFF, PNG or JPEG" in text.reason


@pytest.mark.parametrize("suffix", ["png", "jpg", "pdf", "tif"])
def test_truncated_file_is_a_problem_not_an_exception(tmp_path: Path, suffix: str) -> None:
    image = render_sheet("letter", 150)[0]
    whole = tmp_path / f"whole.{suffix}"
    if suffix == "pdf":
        Image.fromarray(image).save(whole, resolution=150)
    else:
        Image.fromarray(image).save(whole)
    data = whole.read_bytes()
    cut = tmp_path / f"cut.{suffix}"
    cut.write_bytes(data[: len(data) // 2])
    pages = list(load_pages(cut))
    assert pages and all(isinstance(p, PageProblem) for p in pages), pages
    assert all(p.source == str(cut) and p.reason for p in pages)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    assert [p.reason for p in load_pages(tmp_path / "empty.pdf")] == [
        "is named .pdf but is not a PDF file (empty or damaged?)"
    ]
    [missing] = load_pages(tmp_path / "nope.pdf")
    assert isinstance(missing, PageProblem) and "no such file" in missing.reason


def test_rotation_sign_matches_opencv() -> None:
    # a page turned 90 degrees counter-clockwise by np.rot90 reads as +90
    image, dpi = render_sheet("a4", 150)
    reg = register(ScanPage("scan", 1, np.ascontiguousarray(np.rot90(image)), dpi))
    assert isinstance(reg, Registration)
    assert math.isclose(reg.rotation_degrees, 90, abs_tol=0.05)


def test_a_marker_missed_on_the_working_copy_is_found_at_full_size() -> None:
    """A photo's markers are first looked for on a copy 1800 px long; a corner square too
    small there (here printed at a fifth of its size) is looked for again at full size where
    the other three put it."""
    image, dpi = render_sheet("letter", 300)
    picture = np.array(image)
    ppm = dpi / 25.4
    corners = marker_corners_mm("letter")[0]
    (x0, y0), (x1, y1) = (np.round(corners[i] * ppm).astype(int) for i in (0, 2))
    small = cv2.resize(picture[y0:y1, x0:x1], None, fx=0.2, fy=0.2, interpolation=cv2.INTER_AREA)
    picture[y0:y1, x0:x1] = 255
    cx, cy = (x0 + x1) // 2, (y0 + y1) // 2
    h, w = small.shape
    picture[cy - h // 2 : cy - h // 2 + h, cx - w // 2 : cx - w // 2 + w] = small
    found, _ = detect_markers(picture, dpi, False)
    assert sorted(found) == [1, 2, 3]
    reg = register(ScanPage("photo", 1, picture, dpi, (), False))
    assert isinstance(reg, Registration) and reg.markers_found == (0, 1, 2, 3)
    assert "marker 0 found at full size near where the other three put it" in reg.notes


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_printed_lines_tell_the_paper(paper: str, catalog: Catalog) -> None:
    """A sheet printed before the paper was in its page code: mapped through its four markers
    as if on either paper, its rating lines are found only where its own paper puts them."""
    image, dpi = render_sheet(paper, 200, "SRS")
    page = ScanPage("scan", 1, image, dpi)
    reg = register(page)
    assert isinstance(reg, Registration)
    fits = {name: fit(page, reg.corners, name) for name in PAPERS}
    places = {name: line_places(catalog.get("SRS"), name, False) for name in PAPERS}
    assert paper_by_lines(page, fits, places) == paper
    blank = ScanPage("scan", 1, np.full_like(image, 250), dpi)  # no lines: neither paper
    assert paper_by_lines(blank, fits, places) is None
