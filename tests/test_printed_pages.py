"""Measure the printed pages: render real PDFs with write_forms and check the project's quality
bars on the raster (line length, stroke, clear space, blank margins and squares, faces) and on
the text (instrument wording, captions, header values).

Each PDF is rendered once per module (the `pdf` fixture caches by options); pages are rasterised
with pypdfium2 at 600 dpi where the precision matters (line length) and lower elsewhere.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pytest
from paperfit.forms.instrument import THERAPIST, Catalog, Instrument
from paperfit.forms.sheet import PAPER_SIZES_MM, line_places
from paperfit.generator.sheets import BLANK_TO_WRITE_ON, Header, Packet, PrintOptions, write_forms
from paperfit.templates import TEXT_DIR
from pypdf import PdfReader

IDS = ("ORS", "SRS", "CORS", "CSRS", "GSRS")
PAPERS = ("letter", "a4")
SIZES = [(paper, large) for paper in PAPERS for large in (False, True)]
SIZE_IDS = [f"{paper}-{'large' if large else 'normal'}" for paper, large in SIZES]

LINE_DPI = 600  # line length and stroke: 1 px = 0.042 mm
PAGE_DPI = 300  # clear space and faces
BLANK_DPI = 150  # margins and blank squares
DARK = 128  # a grey value below this is a dark pixel (ink)
INK = 250  # for areas that must be completely blank: any visible mark, even a faint edge

LINE_MM = 100.0
LINE_TOLERANCE_MM = 0.2
STROKE_MM = (0.3, 0.5)
CLEAR_MM = 6.0
FACE_SPACE_MM = 12.0
EDGE_MM = 6.0
CORNER_MM = (8.0, 28.0)
CODE_SQUARE_MM = 24.0
MARKER_MM = (12.0, 22.0)  # each corner marker, from both paper edges
QR_MM = 16.5  # the QR code with its quiet zone, at the top of the code square
SIDE_MARGIN_MM = 30.0
TOP_MARGIN_MM = 10.0

PERSONAL = Header(
    client_id="C-0042", session="7", date="2026-11-25", clinician="Dr. Ana Rivera", name="Zoë Ñúñez"
)
LONG = Header(
    client_id="CLIENT-2026-000000000000000042",
    name="Maria-Fernanda de los Ángeles Castillo-Villanueva Rodríguez",
    clinician="Dr. Alexandrina Konstantinopoulou-Wetherington, PsyD, LMFT",
)
HEADERS = {"blank": Header(), "personal": PERSONAL, "long": LONG}


# ---------------------------------------------------------------------------------------------
# Units and rasters


def px(mm: float, dpi: int) -> float:
    """Millimetres to pixels at DPI."""
    return mm * dpi / 25.4


def mm(pixels: float, dpi: int) -> float:
    """Pixels to millimetres at DPI."""
    return pixels * 25.4 / dpi


def page_count(path: Path) -> int:
    """The number of pages of the PDF at PATH."""
    return len(pdfium.PdfDocument(path))


def grey_page(path: Path, index: int, dpi: int) -> np.ndarray:
    """Page INDEX of the PDF at PATH as a 2-D uint8 grey raster (255 = white) at DPI."""
    bitmap = pdfium.PdfDocument(path)[index].render(scale=dpi / 72, grayscale=True)
    grey = bitmap.to_numpy()
    return grey[..., 0] if grey.ndim == 3 else grey


def page_texts(path: Path) -> list[str]:
    """The raw text of each page of the PDF at PATH, as pdfium extracts it."""
    document = pdfium.PdfDocument(path)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def normalise(text: str) -> str:
    """NFC, with every run of whitespace (no-break spaces and line breaks too) one space."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def squeeze(text: str) -> str:
    """NFC with all whitespace removed: equal however the lines were wrapped."""
    return "".join(unicodedata.normalize("NFC", text).split())


def shows(page_text: str, wording: str) -> bool:
    """Whether WORDING is printed in PAGE_TEXT, however either was wrapped."""
    return normalise(wording) in normalise(page_text) or squeeze(wording) in squeeze(page_text)


# ---------------------------------------------------------------------------------------------
# Finding the drawn lines


@dataclass(frozen=True)
class Rule:
    """A group of adjacent pixel rows each with a dark run of 90 mm or more.

    top and bottom are the first and last row; start and end the first and last dark column of
    the run in the middle row.
    """

    top: int
    bottom: int
    start: int
    end: int
    dpi: int

    @property
    def thickness_mm(self) -> float:
        return mm(self.bottom - self.top + 1, self.dpi)

    @property
    def length_mm(self) -> float:
        return mm(self.end - self.start + 1, self.dpi)

    @property
    def centre(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Line:
    """A rating line: its stroke (a Rule) and the column ranges of its two end ticks."""

    stroke: Rule
    left_tick: tuple[int, int]
    right_tick: tuple[int, int]

    @property
    def left(self) -> float:
        """The centre column of the left tick."""
        return sum(self.left_tick) / 2

    @property
    def right(self) -> float:
        """The centre column of the right tick."""
        return sum(self.right_tick) / 2

    @property
    def length_mm(self) -> float:
        """Tick centre to tick centre."""
        return mm(self.right - self.left, self.stroke.dpi)

    @property
    def where(self) -> str:
        return f"line at {mm(self.stroke.centre, self.stroke.dpi):.1f} mm from the top"


def longest_run(row: np.ndarray) -> tuple[int, int]:
    """The first and last column of the longest run of True in the 1-D boolean ROW."""
    edges = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not len(starts):
        return 0, -1
    k = int(np.argmax(ends - starts))
    return int(starts[k]), int(ends[k]) - 1


def find_rules(grey: np.ndarray, dpi: int, min_mm: float = 90.0) -> list[Rule]:
    """Every horizontal rule of MIN_MM or longer: rows whose longest dark run spans MIN_MM or
    more, adjacent rows grouped into one rule."""
    dark = grey < DARK
    need = px(min_mm, dpi)
    candidates = np.flatnonzero(dark.sum(axis=1) >= need)
    rows = []
    for r in candidates:
        start, end = longest_run(dark[r])
        if end - start + 1 >= need:
            rows.append(int(r))
    groups: list[list[int]] = []
    for r in rows:
        if groups and r == groups[-1][-1] + 1:
            groups[-1].append(r)
        else:
            groups.append([r])
    rules = []
    for group in groups:
        start, end = longest_run(dark[group[len(group) // 2]])
        rules.append(Rule(group[0], group[-1], start, end, dpi))
    return rules


def tick_at(dark: np.ndarray, rule: Rule, column: int) -> tuple[int, int] | None:
    """The columns (first, last) of the tick at a run end COLUMN of RULE: the columns within
    0.6 mm of it that are dark from 1.5 mm above to 1.5 mm below the stroke's centre, the
    cluster touching or nearest COLUMN. None when there is no such tick."""
    reach = round(px(1.5, rule.dpi))
    near = round(px(0.6, rule.dpi))
    centre = round(rule.centre)
    lo, hi = max(column - near, 0), min(column + near, dark.shape[1] - 1)
    band = dark[centre - reach : centre + reach + 1, lo : hi + 1]
    columns = np.flatnonzero(band.all(axis=0)) + lo
    if not len(columns):
        return None
    clusters = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
    best = min(clusters, key=lambda c: min(abs(c[0] - column), abs(c[-1] - column)))
    return int(best[0]), int(best[-1])


def find_lines(grey: np.ndarray, dpi: int) -> list[Line]:
    """The rating lines on a page, top to bottom: rules thinner than 1 mm with a tick at each
    end reaching at least 1.5 mm above and below the stroke. The check bar (1.6 mm thick, its
    ticks only below) and plain underlines (no ticks) are not rating lines."""
    dark = grey < DARK
    lines = []
    for rule in find_rules(grey, dpi):
        if rule.thickness_mm >= 1.0:
            continue
        left, right = tick_at(dark, rule, rule.start), tick_at(dark, rule, rule.end)
        if left is not None and right is not None:
            lines.append(Line(rule, left, right))
    return lines


def find_check_bars(grey: np.ndarray, dpi: int) -> list[Rule]:
    """The 10 cm check bars on a page: rules of 90 mm or more that are 1.2 to 2.0 mm thick."""
    return [rule for rule in find_rules(grey, dpi) if 1.2 <= rule.thickness_mm <= 2.0]


# ---------------------------------------------------------------------------------------------
# The PDFs, each rendered once per module


@pytest.fixture(scope="module")
def instruments(catalog: Catalog) -> tuple[Instrument, ...]:
    """The five shipped instruments, in print order."""
    return tuple(catalog.get(ident) for ident in IDS)


@pytest.fixture(scope="module")
def pdf(
    tmp_path_factory: pytest.TempPathFactory, instruments: tuple[Instrument, ...], catalog: Catalog
) -> Callable[..., Path]:
    """A function (paper, large, language, header, explain) -> the PDF of the five instruments
    for one client with HEADERS[header]; with explain="page" it adds a second packet (CORS alone)
    so both explanation pages, adult and child, are printed. Each PDF is rendered once."""
    folder = tmp_path_factory.mktemp("printed")
    made: dict[tuple, Path] = {}

    def make(
        paper: str = "letter",
        large: bool = False,
        language: str = "en",
        header: str = "blank",
        explain: str = "panel",
    ) -> Path:
        key = (paper, large, language, header, explain)
        if key not in made:
            forms = tuple(catalog.get(ident, language) for ident in IDS)
            packets = [Packet(forms, HEADERS[header])]
            if explain == "page":
                packets.append(Packet((catalog.get("CORS", language),), HEADERS[header]))
            options = PrintOptions(
                paper=paper, language=language, large_print=large, explain=explain
            )
            made[key] = write_forms(folder / ("-".join(map(str, key)) + ".pdf"), packets, options)
        return made[key]

    return make


def form_pages(explain: str = "panel") -> list[tuple[int, str]]:
    """(page index, instrument id) of every form page of a PDF made by the `pdf` fixture."""
    if explain == "page":
        # explanation, ORS SRS CORS CSRS GSRS, explanation, CORS
        return [(i + 1, ident) for i, ident in enumerate(IDS)] + [(7, "CORS")]
    return list(enumerate(IDS))


# ---------------------------------------------------------------------------------------------
# 1. Line length, count and stroke; the check bar


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
def test_every_line_is_100_mm_with_a_thin_stroke(pdf, paper: str, large: bool) -> None:
    path = pdf(paper, large)
    assert page_count(path) == len(IDS)
    problems = []
    for index, ident in form_pages():
        lines = find_lines(grey_page(path, index, LINE_DPI), LINE_DPI)
        if len(lines) != 4:
            problems.append(f"{ident}: {len(lines)} rating lines found, not 4")
        for line in lines:
            if abs(line.length_mm - LINE_MM) > LINE_TOLERANCE_MM:
                problems.append(f"{ident} {line.where}: {line.length_mm:.3f} mm long")
            if not STROKE_MM[0] <= line.stroke.thickness_mm <= STROKE_MM[1]:
                problems.append(f"{ident} {line.where}: stroke {line.stroke.thickness_mm:.3f} mm")
    assert not problems, f"{paper}, large print {large}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize(
    ("language", "header", "explain"),
    [("en", "blank", "panel"), ("es", "long", "page"), ("fr", "personal", "none")],
)
def test_lines_are_where_the_scanner_reads_them(
    pdf, instruments, paper: str, large: bool, language: str, header: str, explain: str
) -> None:
    """Whatever the header, language and explanation, each line is printed at the place
    line_places gives for its instrument, paper and print size (what a scan is read by)."""
    path = pdf(paper, large, language, header, explain)
    by_id = {instrument.id: instrument for instrument in instruments}
    problems = []
    for index, ident in form_pages(explain):
        lines = find_lines(grey_page(path, index, PAGE_DPI), PAGE_DPI)
        places = line_places(by_id[ident], paper, large)
        assert len(lines) == len(places), f"{ident}: {len(lines)} lines"
        for line, place in zip(lines, places, strict=True):
            found = (
                mm(line.left, PAGE_DPI),
                mm(line.right, PAGE_DPI),
                mm(line.stroke.centre, PAGE_DPI),
            )
            expected = (place.left, place.right, place.y)
            if max(abs(a - b) for a, b in zip(found, expected, strict=True)) > 0.2:
                problems.append(f"{ident}: line at {found}, expected {expected}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
def test_one_check_bar_per_page(pdf, paper: str, large: bool) -> None:
    path = pdf(paper, large)
    for index, ident in form_pages():
        bars = find_check_bars(grey_page(path, index, LINE_DPI), LINE_DPI)
        assert len(bars) == 1, f"{ident} ({paper}, large {large}): {len(bars)} check bars"
        assert abs(bars[0].thickness_mm - 1.6) <= 0.2, (
            f"{ident}: check bar {bars[0].thickness_mm:.3f} mm thick, not 1.6 mm"
        )


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
def test_check_bar_is_100_mm_long(pdf, paper: str, large: bool) -> None:
    path = pdf(paper, large)
    lengths = {}
    for index, ident in form_pages():
        (bar,) = find_check_bars(grey_page(path, index, LINE_DPI), LINE_DPI)
        lengths[ident] = round(bar.length_mm, 3)
    wrong = {ident: length for ident, length in lengths.items() if abs(length - 100.0) > 0.2}
    assert not wrong, f"check bars not 100.0 ± 0.2 mm long ({paper}, large {large}): {wrong}"


# ---------------------------------------------------------------------------------------------
# 2. Clear space around each line


def stray_ink(grey: np.ndarray, line: Line) -> tuple[int, float | None, float | None]:
    """Dark pixels in the band from 6 mm above to 6 mm below LINE's centre, between its tick
    centres, other than the stroke rows and tick columns (each widened by 1 px for
    anti-aliasing). Returns their number and the distance in mm from the line's centre to the
    nearest of them above and below (None where there is none)."""
    dpi = line.stroke.dpi
    centre = line.stroke.centre
    top, bottom = round(centre - px(CLEAR_MM, dpi)), round(centre + px(CLEAR_MM, dpi))
    left, right = int(np.ceil(line.left)), int(np.floor(line.right))
    band = grey[top : bottom + 1, left : right + 1] < DARK
    band[line.stroke.top - 1 - top : line.stroke.bottom + 2 - top, :] = False
    for first, last in (line.left_tick, line.right_tick):
        band[:, max(first - 1 - left, 0) : max(last + 2 - left, 0)] = False
    rows = np.flatnonzero(band.any(axis=1)) + top
    above = [mm(centre - r, dpi) for r in rows if r < centre]
    below = [mm(r - centre, dpi) for r in rows if r > centre]
    return int(band.sum()), min(above, default=None), min(below, default=None)


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
def test_six_mm_clear_above_and_below_each_line(pdf, paper: str, large: bool) -> None:
    path = pdf(paper, large)
    problems = []
    for index, ident in form_pages():
        grey = grey_page(path, index, PAGE_DPI)
        lines = find_lines(grey, PAGE_DPI)
        assert len(lines) == 4, f"{ident}: {len(lines)} lines found at {PAGE_DPI} dpi"
        for line in lines:
            count, above, below = stray_ink(grey, line)
            if count:
                problems.append(
                    f"{ident} {line.where}: {count} dark px within {CLEAR_MM} mm; nearest at "
                    f"{above or 0:.2f} mm above, {below or 0:.2f} mm below the centre (0: none)"
                )
    assert not problems, f"{paper}, large print {large}:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# 3. Blank margins; corner squares and the code square hold only the markers and the page code


def blank_areas(paper: str) -> dict[str, tuple[float, float, float, float]]:
    """The areas of a sheet of PAPER kept free of the form's content, as (left, top, right,
    bottom) in mm: the 6 mm strips along the edges (always blank), the four corner squares and
    the code square (blank but for the markers and the page code on form sheets)."""
    width, height = PAPER_SIZES_MM[paper]
    near, far = CORNER_MM
    code_right = width - SIDE_MARGIN_MM
    return {
        "top edge": (0, 0, width, EDGE_MM),
        "bottom edge": (0, height - EDGE_MM, width, height),
        "left edge": (0, 0, EDGE_MM, height),
        "right edge": (width - EDGE_MM, 0, width, height),
        "top-left corner square": (near, near, far, far),
        "top-right corner square": (width - far, near, width - near, far),
        "bottom-left corner square": (near, height - far, far, height - near),
        "bottom-right corner square": (width - far, height - far, width - near, height - near),
        "code square": (
            code_right - CODE_SQUARE_MM,
            TOP_MARGIN_MM,
            code_right,
            TOP_MARGIN_MM + CODE_SQUARE_MM,
        ),
    }


def allowed_marks(paper: str) -> dict[str, tuple[float, float, float, float]]:
    """Where a form sheet of PAPER may print inside its corner squares and code square, as
    (left, top, right, bottom) in mm: each corner square's 10 mm marker (12 to 22 mm from both
    edges), and in the code square the 16.5 mm QR code (quiet zone included) at its top,
    centred, with the caption under it."""
    width, height = PAPER_SIZES_MM[paper]
    near, far = MARKER_MM
    code_left = width - SIDE_MARGIN_MM - CODE_SQUARE_MM
    qr_left = code_left + (CODE_SQUARE_MM - QR_MM) / 2
    return {
        "top-left corner square": (near, near, far, far),
        "top-right corner square": (width - far, near, width - near, far),
        "bottom-left corner square": (near, height - far, far, height - near),
        "bottom-right corner square": (width - far, height - far, width - near, height - near),
        "QR code": (qr_left, TOP_MARGIN_MM, qr_left + QR_MM, TOP_MARGIN_MM + QR_MM),
        "code caption": (
            code_left,
            TOP_MARGIN_MM + QR_MM,
            code_left + CODE_SQUARE_MM,
            TOP_MARGIN_MM + CODE_SQUARE_MM,
        ),
    }


def pixel_box(area: tuple[float, float, float, float], dpi: int) -> tuple[int, int, int, int]:
    """The pixels wholly inside AREA (mm): x0, y0, x1, y1 (exclusive)."""
    left, top, right, bottom = area
    return (
        int(np.ceil(px(left, dpi))),
        int(np.ceil(px(top, dpi))),
        int(np.floor(px(right, dpi))),
        int(np.floor(px(bottom, dpi))),
    )


def marks_in(
    grey: np.ndarray,
    area: tuple[float, float, float, float],
    dpi: int,
    allowed: tuple[tuple[float, float, float, float], ...] = (),
) -> str:
    """'' when AREA (mm) of the page raster GREY is blank but for the ALLOWED areas (mm, each
    widened by 1 px for anti-aliasing), else where its other marks are (mm). Only pixels
    wholly inside AREA are looked at."""
    x0, y0, x1, y1 = pixel_box(area, dpi)
    marked = grey[y0:y1, x0:x1] < INK
    for left, top, right, bottom in allowed:
        ax0, ay0 = int(np.floor(px(left, dpi))) - 1, int(np.floor(px(top, dpi))) - 1
        ax1, ay1 = int(np.ceil(px(right, dpi))) + 1, int(np.ceil(px(bottom, dpi))) + 1
        marked[max(ay0 - y0, 0) : max(ay1 - y0, 0), max(ax0 - x0, 0) : max(ax1 - x0, 0)] = False
    ys, xs = np.nonzero(marked)
    if not len(xs):
        return ""
    return (
        f"{len(xs)} marked px, x {mm(x0 + xs.min(), dpi):.1f}-{mm(x0 + xs.max() + 1, dpi):.1f} mm,"
        f" y {mm(y0 + ys.min(), dpi):.1f}-{mm(y0 + ys.max() + 1, dpi):.1f} mm"
    )


def ink_share(grey: np.ndarray, area: tuple[float, float, float, float], dpi: int) -> float:
    """The share of dark pixels inside AREA (mm) of GREY."""
    x0, y0, x1, y1 = pixel_box(area, dpi)
    return float((grey[y0:y1, x0:x1] < DARK).mean())


def check_blank_areas(path: Path, paper: str, pages: list[int], names: list[str]) -> list[str]:
    """Every mark inside the areas NAMES of blank_areas(PAPER), on PAGES of the PDF at PATH."""
    problems = []
    areas = blank_areas(paper)
    for index in pages:
        grey = grey_page(path, index, BLANK_DPI)
        for name in names:
            found = marks_in(grey, areas[name], BLANK_DPI)
            if found:
                problems.append(f"page {index + 1}, {name}: {found}")
    return problems


def check_mark_areas(path: Path, paper: str, pages: list[int], names: list[str]) -> list[str]:
    """On the form sheets PAGES of the PDF at PATH: every mark inside the areas NAMES of
    blank_areas(PAPER) other than the corner markers, the QR code and its caption; and every
    marker and QR code that is missing (a marker is about half black, a QR code a third or
    more)."""
    problems = []
    areas, allowed = blank_areas(paper), allowed_marks(paper)
    for index in pages:
        grey = grey_page(path, index, BLANK_DPI)
        for name in names:
            if name == "code square":
                own = (allowed["QR code"], allowed["code caption"])
                present = ink_share(grey, allowed["QR code"], BLANK_DPI) > 0.2
            else:
                own = (allowed[name],) if name in allowed else ()
                present = not own or ink_share(grey, allowed[name], BLANK_DPI) > 0.3
            found = marks_in(grey, areas[name], BLANK_DPI, own)
            if found:
                problems.append(f"page {index + 1}, {name}: {found}")
            if not present:
                problems.append(f"page {index + 1}, {name}: no marker or code printed")
    return problems


EDGES = ["top edge", "bottom edge", "left edge", "right edge"]
CORNERS = [name for name in blank_areas("a4") if name.endswith("corner square")]
EDGES_AND_CORNERS = EDGES + CORNERS
LONG_FORM_PAGES = [index for index, _ in form_pages(explain="page")]
EXPLANATION_PAGES = [0, 6]


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
def test_margins_blank_corners_and_code_square_hold_only_their_marks(
    pdf, paper: str, large: bool
) -> None:
    path = pdf(paper, large)
    pages = list(range(page_count(path)))
    problems = check_blank_areas(path, paper, pages, EDGES)
    problems += check_mark_areas(path, paper, pages, [*CORNERS, "code square"])
    assert not problems, f"{paper}, large print {large}:\n" + "\n".join(problems)


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
def test_long_header_and_explanation_pages_keep_margins_and_corners_blank(
    pdf, paper: str, large: bool
) -> None:
    path = pdf(paper, large, header="long", explain="page")
    assert page_count(path) == 8, "explanation, five forms, explanation, CORS"
    problems = check_blank_areas(path, paper, list(range(8)), EDGES)
    problems += check_blank_areas(path, paper, EXPLANATION_PAGES, CORNERS)
    problems += check_mark_areas(path, paper, LONG_FORM_PAGES, CORNERS)
    assert not problems, f"{paper}, large print {large}, long header:\n" + "\n".join(problems)


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
def test_long_header_keeps_the_code_square_to_the_code(pdf, paper: str, large: bool) -> None:
    path = pdf(paper, large, header="long", explain="page")
    problems = check_mark_areas(path, paper, LONG_FORM_PAGES, ["code square"])
    assert not problems, f"{paper}, large print {large}, long header:\n" + "\n".join(problems)


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
def test_explanation_page_keeps_the_code_square_blank(pdf, paper: str, large: bool) -> None:
    path = pdf(paper, large, header="long", explain="page")
    problems = check_blank_areas(path, paper, EXPLANATION_PAGES, ["code square"])
    assert not problems, f"{paper}, large print {large}, explanation:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------------------------
# 4. Wording from the TOML files; captions per language


def wording(instrument: Instrument, clinician: str) -> list[str]:
    """Everything of INSTRUMENT's own wording a printed sheet must show, with the therapist's
    name (or the blank to write on) put in as the sheet does."""
    name = clinician or BLANK_TO_WRITE_ON
    texts = [instrument.instructions, instrument.copyright]
    for item in instrument.items:
        texts += [item.label, item.description]
        texts += [item.left.replace(THERAPIST, name), item.right.replace(THERAPIST, name)]
    return [text for text in texts if text.strip()]


def captions(language: str) -> dict[str, str]:
    """The captions of LANGUAGE, read straight from templates/text/<language>.toml."""
    with open(TEXT_DIR / f"{language}.toml", "rb") as file:
        return tomllib.load(file)["captions"]


@pytest.mark.parametrize("header", ["blank", "personal"])
@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_wording_matches_the_toml_files(
    pdf, instruments: tuple[Instrument, ...], language: str, header: str
) -> None:
    texts = page_texts(pdf(language=language, header=header))
    assert len(texts) == len(IDS)
    clinician = HEADERS[header].clinician
    for instrument, text in zip(instruments, texts, strict=True):
        assert shows(text, instrument.title), f"page of {instrument.id} shows another title"
        missing = [w for w in wording(instrument, clinician) if not shows(text, w)]
        assert not missing, f"{instrument.id} ({language}, {header}) page lacks: {missing}"
        assert THERAPIST not in text, f"{instrument.id}: {THERAPIST!r} printed as it stands"
    if clinician:
        assert shows(texts[IDS.index("CSRS")], f"{clinician} listened to me.")
    else:
        # the blank to write on is printed in place of the name
        assert shows(texts[IDS.index("CSRS")], f"{BLANK_TO_WRITE_ON} listened to me.")
        assert f"{BLANK_TO_WRITE_ON} listened" in texts[IDS.index("CSRS")]


@pytest.mark.parametrize("language", ["es", "fr"])
def test_captions_follow_the_language(pdf, language: str) -> None:
    own, english = captions(language), captions("en")
    for ident, text in zip(IDS, page_texts(pdf(language=language)), strict=True):
        for key in ("client", "session", "date", "clinician", "check_bar", "explain_heading"):
            assert shows(text, own[key]), f"{ident} ({language}) lacks caption {own[key]!r}"
            if own[key] == english[key]:
                continue  # "Date" is French too
            assert not shows(text, english[key]), (
                f"{ident} ({language}) still shows the English {english[key]!r}"
            )


# ---------------------------------------------------------------------------------------------
# 5. Header values


def header_pairs(header: Header) -> list[str]:
    """'Caption: value' as printed in the header for each value of HEADER (English captions)."""
    words = captions("en")
    return [
        f"{words['client']}: {header.client_id}",
        f"{words['name']}: {header.name}",
        f"{words['session']}: {header.session}",
        f"{words['date']}: {header.date}",
        f"{words['clinician']}: {header.clinician}",
    ]


def test_personal_sheet_shows_the_header_values(pdf) -> None:
    for ident, text in zip(IDS, page_texts(pdf(header="personal")), strict=True):
        missing = [pair for pair in header_pairs(PERSONAL) if pair not in normalise(text)]
        assert not missing, f"{ident} header lacks {missing}: {normalise(text)[:400]!r}"


def test_blank_sheet_shows_no_header_values(pdf) -> None:
    values = [PERSONAL.client_id, PERSONAL.name, PERSONAL.date, PERSONAL.clinician]
    session = re.compile(re.escape(captions("en")["session"]) + r":\s*7\b")
    for ident, text in zip(IDS, page_texts(pdf(header="blank")), strict=True):
        assert shows(text, captions("en")["session"]), f"{ident}: header not printed at all"
        found = [value for value in values if shows(text, value)]
        assert not found, f"{ident}: a blank sheet shows {found}"
        assert not session.search(normalise(text)), f"{ident}: a blank sheet shows a session"


# ---------------------------------------------------------------------------------------------
# 6. Faces at the line ends


def ink_beside(grey: np.ndarray, line: Line) -> tuple[int, int]:
    """Dark pixels in the face spaces: within 6 mm of LINE's centre vertically, from 12 mm to
    0.6 mm left of the left tick centre, and from 0.6 mm to 12 mm right of the right one."""
    dpi = line.stroke.dpi
    top = round(line.stroke.centre - px(CLEAR_MM, dpi))
    bottom = round(line.stroke.centre + px(CLEAR_MM, dpi))
    gap, space = px(0.6, dpi), px(FACE_SPACE_MM, dpi)
    left = grey[top:bottom, round(line.left - space) : round(line.left - gap)]
    right = grey[top:bottom, round(line.right + gap) : round(line.right + space)]
    return int((left < DARK).sum()), int((right < DARK).sum())


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
def test_faces_beside_the_lines_only_on_forms_with_faces(
    pdf, instruments: tuple[Instrument, ...], paper: str, large: bool
) -> None:
    path = pdf(paper, large)
    assert [i.faces is not None for i in instruments] == [False, False, True, True, False]
    # a face (ring of 0.35 mm around 9.2 mm, eyes, mouth) has far more than 1 mm² of ink
    least = px(1, PAGE_DPI) ** 2
    for (index, ident), instrument in zip(form_pages(), instruments, strict=True):
        grey = grey_page(path, index, PAGE_DPI)
        lines = find_lines(grey, PAGE_DPI)
        assert len(lines) == 4
        for line in lines:
            left, right = ink_beside(grey, line)
            if instrument.faces:
                assert left > least and right > least, (
                    f"{ident} {line.where}: no face? {left} px left, {right} px right"
                )
            else:
                assert left == right == 0, (
                    f"{ident} {line.where}: ink beside the line: {left} px left, {right} px right"
                )


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_long_header_fits_with_the_panel(tmp_path: Path, catalog: Catalog, paper: str) -> None:
    """Long names wrap inside their cells; the sheet still fits with the default panel."""
    instruments = tuple(catalog.get(ident) for ident in catalog.ids)
    out = write_forms(tmp_path / "long.pdf", [Packet(instruments, LONG)], PrintOptions(paper=paper))
    assert len(PdfReader(out).pages) == 5
