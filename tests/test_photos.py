"""`paperfit scan` on phone photos of the project's own forms (paperfit/made_up_scans.photograph):
perspective up to 15 % keystone, turned up to 12 degrees, barrel distortion, a page bent across
its width by 3-6 mm, light falling off and a soft shadow down to half the light, dark or
coloured desks, JPEG 80-92, the page filling about 60 % of the frame; and photos that must go
to review (a corner cut off by the frame, a thumb over a corner square, strong blur).

Fewer and smaller photos than bench/scan.py reads (24 hard and 24 moderate 12 MP photos, whose
figures the README gives), to keep the suite quick; the same simulator and the same bars.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from paperfit.forms.instrument import Catalog
from paperfit.forms.scan_records import (
    FAINT_MARK,
    LINE_OK,
    NO_MARKERS,
    NO_PAGE_CODE,
    PAGE_OK,
    POOR_PHOTO,
    LineReading,
)
from paperfit.scanner.pages import ScanPage, load_pages
from paperfit.scanner.scan_reading import scan
from PIL import Image

from paperfit.made_up_photos import easy_shot, figures, hard_shot, take_photos
from paperfit.made_up_scans import (
    AMBIGUOUS_MARKS,
    failure_cameras,
    hard_camera,
    moderate_camera,
    photo_figures,
    photo_set,
)


def test_hard_photos_are_read_and_never_misread(tmp_path: Path, catalog: Catalog) -> None:
    rng = np.random.default_rng(21)
    photos = photo_set(tmp_path, [hard_camera(rng, 8.0) for _ in range(6)], seed=21)
    result = scan([tmp_path], catalog, workers=1)
    figures = photo_figures(photos, result.pages)
    print(figures.line("hard photos, 8 MP"))
    assert figures.pages_read >= 5
    assert figures.singles_close >= 0.97 * figures.singles * figures.pages_read / figures.pages
    assert figures.ambiguous_ok == 0
    for page in result.pages:
        assert page.photo and page.blur_mm is not None and page.residual_mm is not None
        assert any("read from a photo" in note for note in page.notes) or page.status != PAGE_OK
        for item in page.items:
            if item.reading.ticks_mm is not None:
                assert item.local_scale is not None and 0.9 < item.local_scale < 1.1


def test_moderate_photos_are_all_read(tmp_path: Path, catalog: Catalog) -> None:
    rng = np.random.default_rng(22)
    photos = photo_set(tmp_path, [moderate_camera(rng) for _ in range(3)], seed=22)
    result = scan([tmp_path], catalog, workers=1)
    figures = photo_figures(photos, result.pages)
    print(figures.line("moderate photos, 12 MP"))
    assert figures.pages_read == figures.pages
    assert figures.singles_close >= 0.97 * figures.singles
    assert figures.ambiguous_ok == 0
    for photo, page in zip(photos, result.pages, strict=True):
        for mark, item in zip(photo.marks, page.items, strict=True):
            if mark.kind in AMBIGUOUS_MARKS:
                assert item.status != LINE_OK


@pytest.mark.parametrize("case", ["corner cut off", "thumb over a marker"])
def test_one_marker_short_the_line_ends_give_the_perspective(
    case: str, tmp_path: Path, catalog: Catalog
) -> None:
    """A corner square outside the photo or under a thumb: the three others and the printed
    line ends map the page as four markers would, and every mark is read to 1 mm."""
    camera = failure_cameras(np.random.default_rng(23), 6.0)[case]
    (photo,) = photo_set(tmp_path, [camera], seed=23, ambiguous=0)
    (page,) = scan([tmp_path], catalog, workers=1).pages
    assert page.status == PAGE_OK, page.reason
    assert any("mapped from 3 markers and the line ends" in note for note in page.notes)
    for mark, value in zip(photo.marks, page.values, strict=True):
        assert value is not None and abs(value - mark.value) <= 0.1, (mark, value)


@pytest.mark.parametrize(("case", "reason"), [("strong blur", "the photo is blurred")])
def test_bad_photos_go_to_review_with_a_plain_reason(
    case: str, reason: str, tmp_path: Path, catalog: Catalog
) -> None:
    camera = failure_cameras(np.random.default_rng(23), 6.0)[case]
    photo_set(tmp_path, [camera], seed=23, ambiguous=0)
    (page,) = scan([tmp_path], catalog, workers=1).pages
    assert page.status in (NO_MARKERS, NO_PAGE_CODE, POOR_PHOTO) and page.needs_review
    assert reason in page.reason, page.reason
    assert page.values == (None,) * len(page.values)


def test_exif_orientation_and_heic(tmp_path: Path) -> None:
    (photo,) = photo_set(tmp_path, [moderate_camera(np.random.default_rng(25), 3.0)], seed=25)
    upright = np.asarray(Image.open(photo.path).convert("L"))
    sideways = Image.fromarray(np.ascontiguousarray(np.rot90(upright)))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned left; to be shown turned 90 degrees clockwise
    sideways.save(tmp_path / "sideways.jpg", exif=exif, quality=95)
    pytest.importorskip("pillow_heif").register_heif_opener()
    Image.fromarray(upright).save(tmp_path / "photo.heic", quality=90)
    pages = {Path(p.source).name: p for p in load_pages(tmp_path)}
    assert list(pages) == ["photo-01.jpg", "photo.heic", "sideways.jpg"]  # file-name order
    for name in ("sideways.jpg", "photo.heic"):
        page = pages[name]
        assert isinstance(page, ScanPage) and not page.dpi_stored
        assert page.image.shape == upright.shape, name
        assert np.mean(np.abs(page.image.astype(float) - upright)) < 4, name


def test_a_heic_photo_without_pillow_heif_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import paperfit.scanner.pages as scanner_pages

    heic = tmp_path / "IMG_0001.HEIC"
    heic.write_bytes(b"\0\0\0\x18ftypheic" + bytes(64))
    monkeypatch.setattr(scanner_pages, "_heif_opener", lambda: False)
    (problem,) = load_pages(heic)
    assert "pillow-heif" in problem.reason and "JPEG" in problem.reason


def test_a_48_mp_photo_is_decoded_at_a_quarter_of_its_pixels(tmp_path: Path) -> None:
    data = io.BytesIO()
    Image.new("L", (8000, 6000), 200).save(data, "JPEG", quality=80)
    (tmp_path / "big.jpg").write_bytes(data.getvalue())
    (page,) = load_pages(tmp_path / "big.jpg")
    assert page.image.shape == (3000, 4000)


def test_each_quality_problem_is_named_in_plain_words() -> None:
    """Shadow, bend and blur, as read_page finds them on a photographed page's lines."""
    from types import SimpleNamespace

    from paperfit.scanner.lines import LineCut
    from paperfit.scanner.scan_reading import ItemReading, _photo_problems

    def item(number: int, paper: float, scale: float, followed: bool = True) -> ItemReading:
        reading = LineReading(5.0, LINE_OK, 100.0, None, 1, 60.0, (14.0, 114.0))
        cut = LineCut(np.zeros((2, 2), np.uint8), 12.0, followed, paper=paper)
        return ItemReading(number, reading, cut.picture, 0.5, (0.1, 0.9), scale, cut)

    flat = SimpleNamespace(markers_found=(0, 1, 2, 3), fitted_to_lines=False)
    good = [item(n, 200, 1.02) for n in range(1, 5)]  # every line alike 2 % long: no problem
    assert _photo_problems(flat, good, 0.1) == []
    shadowed = [*good[:2], item(3, 50, 1.02), item(4, 30, 1.02)]
    assert _photo_problems(flat, shadowed, 0.1) == ["part of the page is in shadow (line 3, 4)"]
    bent = [*good[:2], item(3, 200, 1.05), item(4, 200, 1.02, followed=False)]
    assert _photo_problems(flat, bent, 0.1) == ["the page is bent near line 3, 4: lay it flat"]
    (blurred,) = _photo_problems(flat, good, 0.4)
    assert blurred.startswith("the photo is blurred")
    covered = SimpleNamespace(markers_found=(0, 1, 3), fitted_to_lines=False)
    assert _photo_problems(covered, bent, 0.1)[0].startswith("a corner square is covered")


# ---------------------------------------------------------------------------------------------
# The second generator (paperfit.made_up_photos): a pinhole camera, colour, pens and pencil


def test_photos_of_the_second_generator_are_read_and_never_misread(
    tmp_path: Path, catalog: Catalog
) -> None:
    """Two easy and one hard photo (8 MP, colour; the third carries the page code printed
    before the paper was in it, so its paper is told from its printed lines). The full sets
    (24 and 24) are read by bench/scan.py and their figures are in the README."""
    rng = np.random.default_rng(41)
    shots = [
        replace(easy_shot(rng), megapixels=8.0),
        replace(easy_shot(rng), megapixels=8.0),
        replace(hard_shot(rng), megapixels=8.0),
    ]
    photos = take_photos(tmp_path, shots, seed=41)
    assert photos[2].old_code and not photos[0].old_code
    result = scan([photo.path for photo in photos], catalog, workers=1)
    made = figures(photos, result.pages)
    print(made.line("second generator"))
    assert made.pages_read == made.pages, made.refusals
    assert made.wrong == 0 and made.ambiguous_ok == 0
    for photo, page in zip(photos, result.pages, strict=True):
        assert page.code is not None and page.code.paper == (
            None if photo.old_code else photo.paper
        )
        for mark, item in zip(photo.marks, page.items, strict=True):
            if item.reading.value is not None and mark.single:
                assert abs(item.reading.value - mark.values[0]) <= 0.15, (photo.path, mark)
            if item.reading.faint:
                assert FAINT_MARK in "; ".join(page.problems)


def test_a_pencil_mark_too_faint_to_measure_goes_to_review() -> None:
    """A faint ring in pencil, half lost in the paper's grain, is not read from the half
    that shows: the line goes to review, saying why; the same ring in pen is read."""
    from paperfit.scanner.pen import measure_line

    def line_with(grey: int, start: int, stop: int) -> np.ndarray:
        crop = _printed_line()
        cv2.ellipse(crop, (400, 55), (18, 18), 0, start, stop, grey, 4)
        noise = np.random.default_rng(3).normal(0, 2, crop.shape)
        return np.clip(cv2.GaussianBlur(crop, (0, 0), 1.0) + noise, 0, 255).astype(np.uint8)

    reading = measure_line(line_with(185, 100, 260), 10.0, photo=True)  # the ring's left half
    assert reading.value is None and reading.faint, reading
    reading = measure_line(line_with(60, 0, 360), 10.0, photo=True)
    assert reading.value == pytest.approx(2.6, abs=0.1) and not reading.faint, reading


def _printed_line() -> np.ndarray:
    """A photo's crop of a printed line at 10 px/mm, its end ticks at 140 and 1140, unmarked."""
    crop = np.full((110, 1280), 234, np.uint8)
    cv2.line(crop, (140, 55), (1140, 55), 20, 3)
    for x in (140, 1140):
        cv2.line(crop, (x, 30), (x, 80), 20, 3)
    return crop


def _pencil_line(*strokes: tuple[tuple[int, int], tuple[int, int]], depth: int = 28) -> np.ndarray:
    """A photo's crop of a printed line (10 px/mm, ticks at 140 and 1140) with grainy pencil
    STROKES DEPTH grey levels below the paper, blurred, with the sensor's noise."""
    crop = _printed_line()
    pencil = np.zeros(crop.shape, np.uint8)
    for start, stop in strokes:
        cv2.line(pencil, start, stop, 1, 5)
    grain = np.random.default_rng(5).random(crop.shape) > 0.35
    drawn = (pencil > 0) & grain
    crop[drawn] = np.minimum(crop[drawn], 234 - depth)  # pencil over the print leaves it dark
    noise = np.random.default_rng(3).normal(0, 2, crop.shape)
    return np.clip(cv2.GaussianBlur(crop, (0, 0), 1.0) + noise, 0, 255).astype(np.uint8)


def test_a_pencil_stroke_fainter_than_the_pen_is_read_only_when_straight() -> None:
    """A grainy pencil stroke too faint for the pen's threshold, crossing the line once and
    straight, is read where its centre line crosses; a whole tick at its vertex (where its
    two arms meet); half a tick, one arm that never crosses the line, goes to review as
    too faint, and so does a pencil scribble."""
    from paperfit.scanner.pen import measure_line

    reading = measure_line(_pencil_line(((395, 20), (405, 90))), 10.0, photo=True)
    assert reading.value == pytest.approx(2.6, abs=0.1) and not reading.faint, reading
    tick = ((385, 32), (400, 56)), ((400, 56), (440, 15))
    reading = measure_line(_pencil_line(*tick), 10.0, photo=True)
    assert reading.value == pytest.approx(2.6, abs=0.1) and not reading.faint, reading
    reading = measure_line(_pencil_line(tick[1]), 10.0, photo=True)
    assert reading.value is None and reading.faint, reading
    scribble = tuple(((x, 80), (x + 25, 30)) for x in (590, 608, 626))  # hatching
    reading = measure_line(_pencil_line(*scribble), 10.0, photo=True)
    assert reading.value is None and reading.faint, reading


def test_a_faint_pencil_x_at_a_lines_end_is_read_where_its_arms_meet() -> None:
    """A pencil X drawn over an end tick, its middle 1.5 mm inside the line, is read there
    (0.2, not 0.0) though the tick hides part of it; the same at the right end (9.8)."""
    from paperfit.scanner.pen import measure_line

    def x_at(x: int) -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
        return ((x - 22, 33), (x + 22, 77)), ((x - 22, 77), (x + 22, 33))

    reading = measure_line(_pencil_line(*x_at(155)), 10.0, photo=True)
    assert reading.value == pytest.approx(0.15, abs=0.06) and not reading.faint, reading
    reading = measure_line(_pencil_line(*x_at(1125)), 10.0, photo=True)
    assert reading.value == pytest.approx(9.85, abs=0.06) and not reading.faint, reading


def test_a_blank_grainy_line_has_no_mark() -> None:
    """Smoothing a photo's faint ink finds no mark on a line with none, however grainy the
    paper, and after JPEG."""
    from paperfit.scanner.pen import measure_line

    crop = _pencil_line()
    paper = np.random.default_rng(8).normal(0, 4, crop.shape)
    grainy = np.clip(crop + paper, 0, 255).astype(np.uint8)
    ok, jpeg = cv2.imencode(".jpg", grainy, [cv2.IMWRITE_JPEG_QUALITY, 70])
    assert ok
    for crop in (grainy, cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)):
        reading = measure_line(crop, 10.0, photo=True)
        assert reading.status == "no mark" and reading.value is None, reading


def test_a_line_under_glare_is_read_only_where_it_is_seen_whole() -> None:
    """Glare leaves the right end of a line a seventh as dark as the rest: the print's
    contrast is evened out and the pen mark read. Where it washes a stretch of the line out
    entirely, a second mark could lie there unseen: the line goes to review, the mark seen
    kept as a guess; and with the end tick gone too, there is no guess."""
    from paperfit.scanner.pen import measure_line

    crop = _pencil_line()
    cv2.line(crop, (400, 20), (400, 90), 30, 4)  # a pen stroke at 2.6
    light = np.ones(crop.shape[1], np.float32)

    def under_glare() -> np.ndarray:
        washed = 234 - (234 - crop.astype(np.float32)) * light[None, :]
        return np.rint(washed).astype(np.uint8)

    light[800:900], light[900:] = np.linspace(1, 1 / 7, 100), 1 / 7  # glare's soft edge
    reading = measure_line(under_glare(), 10.0, photo=True)
    assert reading.value == pytest.approx(2.6, abs=0.1) and not reading.unseen, reading
    light[600:800] = 0.0
    reading = measure_line(under_glare(), 10.0, photo=True)
    assert reading.value is None and reading.unseen, reading
    assert reading.guess == pytest.approx(2.6, abs=0.1), reading
    light[800:] = 0.0
    reading = measure_line(under_glare(), 10.0, photo=True)
    assert reading.value is None and reading.guess is None, reading
