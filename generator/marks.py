"""The machine-readable marks of a printed form sheet: registration markers and the page code.

Takes: a marker id, or what a sheet is (instrument, layout, client, session, date, page).
Returns: SVG drawings as strings, the page code's payload and caption, and the reader of a
payload (parse_payload). Pure functions: nothing is written or fetched.

- Four OpenCV ArUco markers (dictionary DICT_4X4_50, MARKER_MM square), one id per corner
  (CORNER_IDS), so that a scan's orientation is known from the ids alone.
- The page code: a QR code (error correction M or better) of CODE_MM including its 4-module
  quiet zone, holding a versioned payload:
      PF1|<instrument>|<layout>|<size>|<client_id>|<session>|<date>|<page>   a personalised sheet
      PF1|<instrument>|<layout>|<size>                                       a blank sheet
  <size> is N (normal print) or L (large print): with the layout version it fixes where the
  rating lines are (generator.paper.line_places). Free text is percent-encoded where it could
  break the format ("%" as %25, "|" as %7C).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache

import segno

from forms.records import MAX_CLIENT_ID, MAX_SESSION

PAYLOAD_VERSION = "PF1"
CAPTION_ID_CHARS = 18
MARKER_MM = 10.0
MARKER_CELLS = 6  # 4 x 4 bits inside a one-cell black border
# Marker ids by corner, clockwise from the top left: a scan's orientation follows from them.
CORNER_IDS = {"top-left": 0, "top-right": 1, "bottom-right": 2, "bottom-left": 3}
# Each marker spans 12 to 22 mm from both paper edges: centred in its 8-28 mm corner square.
MARKER_INSET_MM = 12.0
CODE_MM = 16.5  # the QR symbol including its quiet zone
QUIET_ZONE = 4  # modules
SEPARATOR = "|"
SIZE_NORMAL, SIZE_LARGE = "N", "L"
_ESCAPES = (("%", "%25"), ("|", "%7C"), ("\n", "%0A"), ("\r", "%0D"))  # "%" first
_PLAIN = {escaped: plain for plain, escaped in _ESCAPES}
_ESCAPED = re.compile("|".join(_PLAIN), re.IGNORECASE)


@cache
def marker_bits(marker_id: int) -> tuple[tuple[bool, ...], ...]:
    """The MARKER_CELLS x MARKER_CELLS cells of ArUco marker MARKER_ID of DICT_4X4_50, border
    included, top row first; True is black."""
    import cv2  # only needed here; keeps printing's start-up light

    dictionary = cv2.aruco.getPredefinedDictionary(cv2.aruco.DICT_4X4_50)
    if not 0 <= marker_id < len(dictionary.bytesList):
        raise ValueError(f"no marker {marker_id} in DICT_4X4_50")
    image = cv2.aruco.generateImageMarker(dictionary, marker_id, MARKER_CELLS)
    return tuple(tuple(bool(value < 128) for value in row) for row in image)


def marker_svg(marker_id: int, size_mm: float = MARKER_MM) -> str:
    """ArUco marker MARKER_ID as a SIZE_MM square SVG: one filled path, one rectangle per run
    of black cells in a row (one path, so no seams between cells)."""
    runs = []
    for y, row in enumerate(marker_bits(marker_id)):
        x = 0
        while x < len(row):
            if row[x]:
                end = x
                while end < len(row) and row[end]:
                    end += 1
                runs.append(f"M{x} {y}h{end - x}v1h{x - end}z")
                x = end
            else:
                x += 1
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm}mm" height="{size_mm}mm" '
        f'viewBox="0 0 {MARKER_CELLS} {MARKER_CELLS}" shape-rendering="crispEdges">'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


@dataclass(frozen=True)
class PageCode:
    """What a sheet's page code says. A blank sheet has only instrument and layout (the other
    fields empty, page None)."""

    instrument: str
    layout: int
    large_print: bool = False
    client_id: str = ""
    session: str = ""
    date: str = ""
    page: int | None = None
    version: str = PAYLOAD_VERSION

    @property
    def personal(self) -> bool:
        return bool(self.client_id or self.session or self.date or self.page is not None)

    def payload(self) -> str:
        """The text in the QR code."""
        size = SIZE_LARGE if self.large_print else SIZE_NORMAL
        fields = [self.version, _escape(self.instrument), str(self.layout), size]
        if self.personal:
            page = "" if self.page is None else str(self.page)
            fields += [_escape(self.client_id), _escape(self.session), _escape(self.date), page]
        return SEPARATOR.join(fields)

    def caption(self) -> list[str]:
        """The same information in words, as lines printed beside the code."""
        first = f"{self.version} {self.instrument} v{self.layout}"
        if self.large_print:
            first += " L"
        if not self.personal:
            return [first]
        if self.page is not None:
            first += f" p{self.page}"
        lines = [first]
        if self.client_id:  # shortened to one line of the square; the code holds all of it
            short = self.client_id
            lines.append(
                short if len(short) <= CAPTION_ID_CHARS else short[: CAPTION_ID_CHARS - 1] + "…"
            )
        session = f"s{self.session}" if self.session else ""
        when = " ".join(part for part in (session, self.date) if part)
        if when:
            lines.append(when)
        return lines


def parse_payload(text: str) -> PageCode:
    """The PageCode in TEXT, a payload made by PageCode.payload. ValueError for anything else,
    an unknown format version included."""
    fields = text.split(SEPARATOR)
    if fields[0] != PAYLOAD_VERSION:
        raise ValueError(f"not a paperfit page code (format {fields[0][:10]!r}): {text[:60]!r}")
    if len(fields) not in (4, 8):
        raise ValueError(f"a {PAYLOAD_VERSION} page code has 4 or 8 fields, not {len(fields)}")
    instrument = _unescape(fields[1])
    if not instrument:
        raise ValueError("the page code names no instrument")
    if fields[3] not in (SIZE_NORMAL, SIZE_LARGE):
        raise ValueError(f"the page code's print size is {fields[3][:10]!r}, not N or L")
    large_print = fields[3] == SIZE_LARGE
    try:
        layout = int(fields[2])
        page = int(fields[7]) if len(fields) == 8 and fields[7] else None
    except ValueError:
        raise ValueError(f"layout or page of the page code is not a number: {text!r}") from None
    if len(fields) == 4:
        return PageCode(instrument, layout, large_print)
    client_id, session, date = (_unescape(field) for field in fields[4:7])
    _check_fields(instrument, client_id, session, date)
    return PageCode(instrument, layout, large_print, client_id, session, date, page)


def _check_fields(instrument: str, client_id: str, session: str, date: str) -> None:
    """Refuse what paperfit never prints in a page code: control characters, a client ID
    longer than any reader takes, a session that is not 1 to MAX_SESSION."""
    if not all(field.isprintable() for field in (instrument, client_id, session, date)):
        raise ValueError("the page code holds control characters: it was not made by paperfit")
    if len(client_id) > MAX_CLIENT_ID:
        raise ValueError(f"the page code's client ID is longer than {MAX_CLIENT_ID} characters")
    if session and not (
        session.isascii() and session.isdigit() and 1 <= int(session) <= MAX_SESSION
    ):
        raise ValueError(f"the page code's session {session[:10]!r} is not 1 to {MAX_SESSION}")


def code_svg(payload: str, size_mm: float = CODE_MM) -> str:
    """PAYLOAD as a QR code (error correction M, raised where that costs no size) drawn as an
    SVG of SIZE_MM square including a 4-module quiet zone."""
    qr = segno.make_qr(payload, error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=1, border=QUIET_ZONE, omitsize=True, xmldecl=False)
    svg = out.getvalue().decode()
    return svg.replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" ', 1)


def _escape(text: str) -> str:
    for plain, escaped in _ESCAPES:
        text = text.replace(plain, escaped)
    return text


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda match: _PLAIN[match[0].upper()], text)
