"""How much room text takes on a page, estimated before WeasyPrint lays it out.

Takes: a text, a font size and a box width. Returns: its width, or how many lines it wraps to.
Pages that plan their own breaks (the report) or place labels themselves (the charts) need this
before layout; the estimates err on the wide side, and laid-out pages are checked anyway.
"""

from __future__ import annotations

PT_MM = 25.4 / 72

# Advance widths of DejaVu Sans in em, each rounded up to its group's value; any other
# character counts as 1 em. Bold is at most about 15 % wider on average.
_WIDTH_GROUPS_EM = {
    0.28: "'ijlíìïî",
    0.30: "IJ",
    0.32: ",. ",
    0.34: "/:;\\|",
    0.36: "f-",
    0.40: "t()[]!›",
    0.42: "r",
    0.50: '"*_`–†',
    0.53: "sz“”‘’?",
    0.56: "cçL",
    0.60: "kFvxyP",
    0.62: "aoTYàáâóôöeéèêë",
    0.64: "bdghnpquESúùûñüß0123456789${}",
    0.70: "KAVBRXZCÀÁÉÈ",
    0.79: "UHNDG&OQÓÖÜ",
    0.84: "w#+<=>^~≥≤÷\u2212M",
    1.00: "%mW@—",
}
_WIDTH_EM = {char: em for em, chars in _WIDTH_GROUPS_EM.items() for char in chars}
BOLD = 1.15
WIDTH_SLACK = 0.97  # use a little less than the column's width


def text_width_em(text: str) -> float:
    """How wide TEXT is set in DejaVu Sans, in em (multiply by the font size)."""
    return sum(_WIDTH_EM.get(char, 1.0) for char in text)


def text_width_mm(text: str, size_pt: float = 8.0, bold: bool = False) -> float:
    """How wide TEXT is at SIZE_PT points, in mm."""
    return text_width_em(text) * size_pt * PT_MM * (BOLD if bold else 1.0)


def text_lines(text: str, width_mm: float, size_pt: float = 8.0, bold: bool = False) -> int:
    """How many lines TEXT takes in a box WIDTH_MM wide, greedily wrapped at spaces; a word
    longer than a line is broken (the CSS says overflow-wrap: anywhere)."""
    width = max(width_mm * WIDTH_SLACK, 1.0)
    space = text_width_mm(" ", size_pt, bold)
    lines = 0
    for paragraph in str(text).splitlines() or [""]:
        lines += 1
        used = 0.0
        for word in paragraph.split():
            length = text_width_mm(word, size_pt, bold)
            if used and used + space + length <= width:
                used += space + length
                continue
            if used:
                lines += 1
            while length > width:
                lines += 1
                length -= width
            used = length
    return lines
