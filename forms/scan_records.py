"""What a scan read: the records scanner/ makes of scanned pages and generator/ writes out.

Takes and returns plain data. A LineReading is what was found on one rating line (value,
status, ends, best guess); an ItemReading adds the line's picture and where it lies; a
ScannedPage is one page of the input with its status and items; a ScanResult is every page of
one run. The statuses are words, as the scan workbook, its CSV and the proof sheet show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from paperfit.forms.instrument import Instrument
from paperfit.forms.records import plural, total_of
from paperfit.forms.sheet import PageCode

# How one line was read (scanner/pen.py decides).
LINE_OK = "ok"
NO_MARK = "no mark"
SEVERAL_MARKS = "more than one mark"
AWAY_FROM_LINE = "mark away from the line"
OUTSIDE_ENDS = "mark outside the ends"
LINE_UNREADABLE = "unreadable"

# Page statuses. Anything but PAGE_OK (or BLANK) sends the page to review, its values empty.
PAGE_OK = "ok"
NO_MARKERS = "no markers"
NO_PAGE_CODE = "no page code"
POOR_REGISTRATION = "poor registration"
UNKNOWN_FORM = "unknown form"
UNREADABLE = "unreadable"
BLANK = "blank page"  # nothing on it (the back of a sheet in a two-sided scan): not reviewed
POOR_PHOTO = "poor photo"  # a photo too blurred, shadowed or bent to measure to 1 mm


@dataclass(frozen=True)
class LineReading:
    """What scanner/pen.py found on one line: the value (cm) when it is sure, the status, the
    tick-to-tick length, a best guess, how many marks, where the mark and the ticks are (mm),
    whether the mark is too faint to measure (a pencil's, in a photo: FAINT_MARK), and
    whether a stretch of the line could not be seen (UNSEEN: washed out by glare, so that a
    mark may lie there unseen)."""

    value: float | None
    status: str
    length_mm: float | None
    guess: float | None
    marks: int
    mark_x_mm: float | None
    ticks_mm: tuple[float, float] | None
    faint: bool = False
    unseen: bool = False


FAINT_MARK = "pencil: too faint to measure"  # why a faint mark's line goes to review


@dataclass(frozen=True, eq=False)
class LineCut:
    """One line's picture and how it was found.

    picture: upright greyscale, px_per_mm pixels per page mm, of the box asked for (its rows
    following the line where it was followed); followed: whether the line was found and
    followed (always False for a scan: it is cut where the mapping puts it);
    shift_mm: the largest distance between the line found and its mapped place; sag_mm: how far
    the line bows from a straight chord between its ends; paper: the paper's brightness along
    the line before the light was evened out (grey level; None for a scan); curve: the line's
    offset in mm from its mapped row against mm from the picture's left (np.polyval
    coefficients; None when not followed).
    """

    picture: np.ndarray
    px_per_mm: float
    followed: bool = False
    shift_mm: float = 0.0
    sag_mm: float = 0.0
    paper: float | None = None
    curve: tuple[float, ...] | None = None


@dataclass(frozen=True, eq=False)
class ItemReading:
    """One rating line of a scanned form.

    reading: what scanner.pen found (value, status, best guess, tick-to-tick length).
    picture: the line's region, upright, PROOF_PX_PER_MM pixels per layout mm, for the proof.
    mark_at, ticks_at: where the mark and the end ticks were found, as fractions of the
    picture's width (None where not found).
    local_scale: the line's tick-to-tick length found against the length the page's mapping
    gives (1.0: as mapped; a bent page or lens stretches or shrinks it), None if not found.
    cut: how the line was found (scanner.lines: followed, shift, sag, paper brightness).
    """

    number: int
    reading: LineReading
    picture: np.ndarray
    mark_at: float | None
    ticks_at: tuple[float, float] | None
    local_scale: float | None = None
    cut: LineCut | None = field(default=None, repr=False)

    @property
    def status(self) -> str:
        return self.reading.status


@dataclass(frozen=True, eq=False)
class ScannedPage:
    """One page of the input and what was read from it.

    status: PAGE_OK, NO_MARKERS, NO_PAGE_CODE, POOR_REGISTRATION, UNKNOWN_FORM or UNREADABLE;
    reason: the status in words for the person checking (empty when ok).
    code: the page code when it was read; instrument: the form it names, when known.
    scale: the printed scale (1.0 = 100 %), from the lines' tick-to-tick lengths (else from
    the markers); notes: what else the reader should know (printer scaling, assumed dpi);
    residual_mm: how far the corner markers lie from the page's fitted mapping (RMS, mm), a
    quality figure of the registration; blur_mm: how soft the corner markers' edges are
    (scanner.quality; Gaussian sigma, mm); photo: whether the page was read as a photo (no
    stored resolution, or a perspective mapping); thumbnail: a small picture of a page whose lines
    could not be read, so that staff can find the sheet; problems: what else needs a person
    (a blank form's missing client ID, the same form scanned twice).
    """

    source: str
    page: int | None
    status: str
    reason: str = ""
    code: PageCode | None = None
    instrument: Instrument | None = None
    items: tuple[ItemReading, ...] = ()
    scale: float | None = None
    notes: tuple[str, ...] = ()
    residual_mm: float | None = None
    thumbnail: np.ndarray | None = field(default=None, repr=False)
    problems: tuple[str, ...] = ()
    blur_mm: float | None = None
    photo: bool = False

    @property
    def needs_review(self) -> bool:
        return (
            self.status not in (PAGE_OK, BLANK)
            or bool(self.problems)
            or any(item.status != LINE_OK for item in self.items)
        )

    @property
    def values(self) -> tuple[float | None, ...]:
        """The items' values in cm; all None unless the page itself is ok."""
        if self.status != PAGE_OK:
            return tuple(None for _ in self.items)
        return tuple(item.reading.value for item in self.items)

    @property
    def total(self) -> float | None:
        """The sum of the four values, only when every one of them was read."""
        return total_of(self.values)

    @property
    def where(self) -> str:
        return self.source if self.page is None else f"{self.source} › page {self.page}"


@dataclass(frozen=True)
class ScanResult:
    pages: tuple[ScannedPage, ...]

    @property
    def read_any(self) -> bool:
        """Whether any page could be read at all (a page that is no form counts)."""
        return any(page.status != UNREADABLE for page in self.pages)

    @property
    def forms(self) -> tuple[ScannedPage, ...]:
        """The pages whose form is known (an instrument was named by a readable page code)."""
        return tuple(page for page in self.pages if page.instrument is not None)

    def counts(self) -> dict[str, int]:
        """How many pages were read, forms found, marks measured of all marks, pages to review
        and blank pages left out (files that could not be opened are not pages)."""
        pages = [page for page in self.pages if page.page is not None]
        return {
            "pages": len(pages),
            "forms": len(self.forms),
            "measured": sum(
                item.status == LINE_OK
                for page in pages
                if page.status == PAGE_OK
                for item in page.items
            ),
            "marks": sum(len(page.items) for page in pages),
            "review": sum(page.needs_review for page in pages),
            "blank": sum(page.status == BLANK for page in pages),
        }

    def summary(self) -> list[str]:
        """What was read, in a few lines for the terminal: pages, then files that could not
        be opened at all (which are not pages)."""
        pages = [page for page in self.pages if page.page is not None]
        files = [page for page in self.pages if page.page is None]
        review = [page for page in pages if page.needs_review]
        n = self.counts()
        lines = [
            f"{plural(n['pages'], 'page')} read: {plural(n['forms'], 'form')}, "
            f"{n['measured']} of {plural(n['marks'], 'mark')} measured, "
            f"{plural(n['review'], 'page')} to review."
        ]
        if n["blank"]:
            lines[0] = lines[0][:-1] + f"; {plural(n['blank'], 'blank page')} left out."
        lines += [f"  {page.where}: {_review_reason(page)}" for page in review]
        if files:
            lines.append(f"{plural(len(files), 'file')} not read:")
            lines += [f"  {page.where}: {page.reason}" for page in files]
        return lines


def _review_reason(page: ScannedPage) -> str:
    if page.status != PAGE_OK:
        return page.reason or page.status
    items = [f"item {item.number} {item.status}" for item in page.items if item.status != LINE_OK]
    return "; ".join([*page.problems, *items])
