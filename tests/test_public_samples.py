"""The mark reader on real scans it was not made for: vas-reader's three sample forms.

koeunlim-nro/vas-reader (MIT) publishes three scans of its printed visual-analogue-scale form,
marked with a pen: thin strokes, an X, a scribble, heavy retraced bars, two of them on the end
ticks. tests/corpus/public/vas-reader/ holds each line's region cut from them at 300 dpi (see
its README.md and cut.py). The reference values come from outside paperfit: each tick's and
mark's place read by eye on a zoomed pixel grid, and for sample 01 vas-reader's own published
readings.

The form is not laid out like paperfit's: words stand 5.3 mm beyond the end ticks and the ticks
reach 3.8 mm above and below the line (paperfit prints nothing but a child form's faces within
14 mm of the ends, and ticks of 2.5 mm). The reader is given each crop whole (it must never read
the words or a tick's end as the mark), and the part of it laid out as paperfit's forms are:
4.5 mm beyond the ticks, 3.2 mm above and below the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from click.testing import CliRunner
from paperfit.forms.scan_records import LINE_OK, LineReading
from paperfit.scanner.pen import measure_line
from paperfit.scanner.registration import NO_MARKERS
from PIL import Image

from paperfit.cli import cli

CORPUS = Path(__file__).parent / "corpus" / "public" / "vas-reader"
PX_PER_MM = 300 / 25.4  # the crops' resolution
CUT_BEYOND_MM = 14.0  # how far beyond each end tick cut.py cut
BEYOND_MM = 4.5  # the window laid out as paperfit's forms: short of the words (5.3 mm out)
ACROSS_MM = 3.2  # and short of the ticks' ends (3.8 mm), within the reader's 3 mm tick mask
CLEAN = ("stroke", "X")  # one mark, drawn once; the others are scribbled over


@dataclass(frozen=True)
class Line:
    """One rating line: the mark's kind, and the places read by eye on the crop (pixels from
    its left edge, pixel centres) of the left tick, the mark's crossing and the right tick;
    vas-reader's own reading (0-10) where it published one."""

    name: str
    kind: str
    left: float
    mark: float
    right: float
    vas_reader: float | None = None

    @property
    def value(self) -> float:
        return 10.0 * (self.mark - self.left) / (self.right - self.left)


LINES = (
    Line("sample_01_line_1", "stroke", 165.5, 408.8, 1310.4, vas_reader=2.14),
    Line("sample_01_line_2", "X", 165.4, 1014.8, 1310.9, vas_reader=7.45),
    Line("sample_01_line_3", "scribble", 165.5, 513.0, 1312.1, vas_reader=3.07),
    Line("sample_02_line_1", "retraced bar", 165.2, 320.5, 1308.3),
    # on the left tick, which it hides: the tick is put 1143.1 px (line 1's length) left of
    # the right tick
    Line("sample_02_line_2", "retraced bar", 165.9, 166.5, 1309.0),
    # on the right tick, which it hides (put 1143.1 px right of the left tick), with a second
    # thin stroke just beyond it
    Line("sample_02_line_3", "retraced bar", 165.3, 1304.3, 1308.4),
    Line("sample_03_line_1", "stroke", 164.5, 1132.4, 1346.6),
    Line("sample_03_line_2", "stroke", 165.5, 457.5, 1347.4),
    Line("sample_03_line_3", "stroke", 164.5, 1047.5, 1346.9),
)
CLEAN_LINES = [line for line in LINES if line.kind in CLEAN]
SCRIBBLED_LINES = [line for line in LINES if line.kind not in CLEAN]


def crop(line: Line) -> np.ndarray:
    image = cv2.imread(str(CORPUS / f"{line.name}.png"), cv2.IMREAD_GRAYSCALE)
    assert image is not None, f"{line.name}.png is missing from {CORPUS}"
    return image


def window(image: np.ndarray) -> tuple[np.ndarray, float]:
    """The part of a crop laid out as paperfit's forms, and its left edge in the crop (px)."""
    side = round((CUT_BEYOND_MM - BEYOND_MM) * PX_PER_MM)
    middle, half = image.shape[0] // 2, round(ACROSS_MM * PX_PER_MM)
    return image[middle - half : middle + half + 1, side : image.shape[1] - side], float(side)


def read(line: Line) -> tuple[LineReading, float]:
    part, offset = window(crop(line))
    return measure_line(part, PX_PER_MM, photo=False), offset


def test_the_references_agree_with_each_other() -> None:
    """The two independent readings of sample 01 (by eye here, by vas-reader there) agree to
    within 0.1 on the clean marks and 0.05 on the scribble's middle."""
    for line in LINES:
        if line.vas_reader is not None:
            tolerance = 0.1 if line.kind in CLEAN else 0.05
            assert abs(line.value - line.vas_reader) <= tolerance, line.name


@pytest.mark.parametrize("line", CLEAN_LINES, ids=lambda line: line.name)
def test_a_clean_mark_is_read_within_a_tenth(line: Line) -> None:
    reading, offset = read(line)
    assert reading.status == LINE_OK, reading
    assert reading.value is not None and abs(reading.value - line.value) <= 0.1, reading
    if line.vas_reader is not None:
        assert abs(reading.value - line.vas_reader) <= 0.1, reading
    # the ends found are the printed ticks, as placed by eye (0.2 mm = 2.4 px)
    assert reading.ticks_mm is not None
    found = [offset + end * PX_PER_MM for end in reading.ticks_mm]
    assert found == pytest.approx([line.left, line.right], abs=0.2 * PX_PER_MM)


@pytest.mark.parametrize("line", SCRIBBLED_LINES, ids=lambda line: line.name)
def test_a_scribbled_mark_is_read_near_or_sent_to_review(line: Line) -> None:
    reading, _ = read(line)
    if reading.status == LINE_OK:
        assert reading.value is not None and abs(reading.value - line.value) <= 0.3, reading
    else:
        assert reading.value is None
        if reading.guess is not None:
            assert abs(reading.guess - line.value) <= 0.3, reading


@pytest.mark.parametrize("line", LINES, ids=lambda line: line.name)
def test_the_words_and_long_ticks_beside_a_line_are_never_read_as_its_mark(line: Line) -> None:
    """The whole crop, as paperfit would cut it from its own form: words 5.3 mm beyond the ends
    and ticks longer than paperfit's. A value may be given only where it is right."""
    reading = measure_line(crop(line), PX_PER_MM, photo=False)
    if reading.status == LINE_OK:
        assert reading.value is not None and abs(reading.value - line.value) <= 0.1, reading
    else:
        assert reading.value is None


def test_scanning_another_tools_form_says_it_is_not_a_paperfit_form(tmp_path: Path) -> None:
    """A whole page of the sample form, as a PDF (the samples are PDFs), through the command:
    a plain message and no traceback."""
    pdf = tmp_path / "VAS_sample_01.pdf"
    Image.open(CORPUS / "page_01.png").save(pdf, resolution=100.0)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["scan", str(pdf), "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[:2] == [
        "1 page read: 0 forms, 0 of 0 marks measured, 1 page to review.",
        f"  {pdf} › page 1: {NO_MARKERS}",
    ]
    assert "is this a paperfit form?" in NO_MARKERS
    assert (out / "proof.pdf").exists() and (out / "measurements.xlsx").exists()
