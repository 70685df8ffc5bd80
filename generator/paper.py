"""How the printer lays out its pages on the paper, in millimetres.

The sheet's fixed geometry (paper sizes, margins, corner squares, line places) is the contract
in forms/sheet.py; this adds what only the printer needs: the drawing of one rating line and the
binder margins of graphs and the report.
"""

from __future__ import annotations

from dataclasses import dataclass

from paperfit.forms.sheet import FACE_SPACE_MM, LINE_CLEAR_MM, LINE_MM, Paper

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
