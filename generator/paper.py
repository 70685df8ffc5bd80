"""Paper sizes and the fixed geometry of a printed sheet, in millimetres.

Every sheet keeps a 20 mm square in each corner (8 to 28 mm from the edges) and a 24 mm square
beside the header free for machine-readable marks, so the side margins are 30 mm.
"""

from __future__ import annotations

from dataclasses import dataclass

from forms.instrument import Instrument

PAPER_SIZES_MM = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}
MARGIN_SIDE_MM = 30.0
MARGIN_TOP_MM = 10.0
MARGIN_BOTTOM_MM = 10.0
CORNER_SQUARE_MM = (8.0, 28.0)
CODE_SQUARE_MM = 24.0
LINE_MM = 100.0
LINE_CLEAR_MM = 6.0
FACE_SPACE_MM = 12.0


@dataclass(frozen=True)
class Paper:
    """One paper size and the content box inside the margins."""

    name: str
    width: float
    height: float

    @classmethod
    def named(cls, name: str) -> Paper:
        width, height = PAPER_SIZES_MM[name]
        return cls(name, width, height)

    @property
    def content_height(self) -> float:
        return self.height - MARGIN_TOP_MM - MARGIN_BOTTOM_MM


BINDER_MARGINS_MM = (12.0, 12.0, 14.0, 25.0)  # top, right, bottom, left: 25 mm for a punch


def binder_page_setup(paper: str) -> dict[str, object]:
    """The wrapper context of pages that go into a binder or chart (graphs, the report): the
    paper size, a 25 mm left margin and the page's height inside the margins."""
    size = Paper.named(paper)
    top, right, bottom, left = BINDER_MARGINS_MM
    return {
        "paper": size,
        "margins": f"{top}mm {right}mm {bottom}mm {left}mm",
        "page_height": size.height - top - bottom,
        "large_print": False,
    }


@dataclass(frozen=True)
class LinePlace:
    """Where one rating line is printed: its end ticks' x and its y, in mm from the paper's
    top left corner."""

    left: float
    right: float
    y: float


def line_places(instrument: Instrument, paper: str, large_print: bool) -> tuple[LinePlace, ...]:
    """Where INSTRUMENT's rating lines are printed on PAPER, top first: centred across the
    paper, at the rows its file gives for the print size (the same whatever the header,
    language or explanation). The printer draws them there and the scanner reads them there;
    render.check_fits refuses a sheet whose words would run into them."""
    first, step = instrument.line_rows["large" if large_print else "normal"]
    left = (PAPER_SIZES_MM[paper][0] - LINE_MM) / 2
    return tuple(
        LinePlace(left, left + LINE_MM, first + n * step) for n in range(len(instrument.items))
    )


@dataclass(frozen=True)
class LineGeometry:
    """The drawing of one rating line: a 100 mm line with end ticks, room for faces at its ends,
    and 6 mm of clear space above and below (the drawing's own height keeps others away)."""

    line: float = LINE_MM
    side: float = FACE_SPACE_MM
    clear: float = LINE_CLEAR_MM
    tick: float = 2.5
    stroke: float = 0.4

    @property
    def width(self) -> float:
        return self.line + 2 * self.side

    @property
    def height(self) -> float:
        return 2 * self.clear

    @property
    def x0(self) -> float:
        return self.side

    @property
    def x1(self) -> float:
        return self.side + self.line

    @property
    def y(self) -> float:
        return self.clear
