"""The printed sheet's contract: what the printer puts where, and what the readers rely on.

Everything a reader of paper or of a paperfit file needs to know about what paperfit printed or
wrote lives here, so that generator/ (which prints) and scanner/ (which reads) agree without
importing each other. Pure data and pure functions: nothing is drawn, written or fetched.

- Paper: the two sizes, the margins, the 20 mm corner squares and the 24 mm code square.
- Rating lines: 100.0 mm long, centred across the paper, at the rows each instrument's TOML file
  gives for normal and large print (line_places).
- Corner markers: four OpenCV ArUco markers (ARUCO_DICTIONARY, MARKER_MM square), one id per
  corner (CORNER_IDS), so that a scan's orientation is known from the ids alone.
- The page code: a QR code (error correction M or better) of CODE_MM including its 4-module
  quiet zone, holding a versioned payload:
      PF2|<instrument>|<layout>|<size>|<paper>|<client_id>|<session>|<date>|<page>   personalised
      PF2|<instrument>|<layout>|<size>|<paper>                                       blank
  <size> is N (normal print) or L (large print), <paper> LT (letter) or A4: with the layout
  version they fix where the rating lines are. Sheets printed before the paper was in the code
  say PF1 and have no <paper> field (still read: the reader then tells the paper from where
  the printed lines are). Free text is percent-encoded where it could break the format ("%" as
  %25, "|" as %7C).
- Fillable PDF fields: s{sheet}_{INSTRUMENT}_v{layout}_{key} (see docs/fillable-fields.md).
- The entry workbook: its sheet names, columns and client statuses, which the workbook writer
  makes and the spreadsheet reader expects (and the sheets the reader passes over).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from paperfit.forms.instrument import Instrument
from paperfit.forms.records import ITEM_COUNT, MAX_CLIENT_ID, MAX_SESSION

LANGUAGES = ("en", "es", "fr")  # the languages paperfit prints its own words in
EXPLAIN_MODES = ("panel", "page", "none")  # a short panel on each sheet, a page before, none

# Paper -------------------------------------------------------------------------------------

PAPER_SIZES_MM = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}
PAPERS = tuple(PAPER_SIZES_MM)
MARGIN_SIDE_MM = 30.0
MARGIN_TOP_MM = 10.0
MARGIN_BOTTOM_MM = 10.0
CORNER_SQUARE_MM = (8.0, 28.0)  # kept free in each corner, from both edges, for the markers
CODE_SQUARE_MM = 24.0  # kept free beside the header for the page code
LINE_MM = 100.0
LINE_CLEAR_MM = 6.0  # kept clear of words above and below every rating line
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
    the printer refuses a sheet whose words would run into them."""
    first, step = instrument.line_rows["large" if large_print else "normal"]
    left = (PAPER_SIZES_MM[paper][0] - LINE_MM) / 2
    return tuple(
        LinePlace(left, left + LINE_MM, first + n * step) for n in range(len(instrument.items))
    )


# Corner markers and the page code ----------------------------------------------------------

ARUCO_DICTIONARY = "DICT_4X4_50"  # the name of the OpenCV ArUco dictionary
MARKER_MM = 10.0
MARKER_CELLS = 6  # 4 x 4 bits inside a one-cell black border
# Marker ids by corner, clockwise from the top left: a scan's orientation follows from them.
CORNER_IDS = {"top-left": 0, "top-right": 1, "bottom-right": 2, "bottom-left": 3}
# Each marker spans 12 to 22 mm from both paper edges: centred in its 8-28 mm corner square.
MARKER_INSET_MM = 12.0
CODE_MM = 16.5  # the QR symbol including its quiet zone
QUIET_ZONE = 4  # modules
PAYLOAD_VERSION = "PF2"  # what paperfit prints now
OLD_PAYLOAD_VERSION = "PF1"  # printed before the paper was in the code: no <paper> field
PAPER_CODES = {"letter": "LT", "a4": "A4"}
_PAPER_OF_CODE = {code: paper for paper, code in PAPER_CODES.items()}
CAPTION_ID_CHARS = 18
SEPARATOR = "|"
SIZE_NORMAL, SIZE_LARGE = "N", "L"
_ESCAPES = (("%", "%25"), ("|", "%7C"), ("\n", "%0A"), ("\r", "%0D"))  # "%" first
_PLAIN = {escaped: plain for plain, escaped in _ESCAPES}
_ESCAPED = re.compile("|".join(_PLAIN), re.IGNORECASE)


@dataclass(frozen=True)
class PageCode:
    """What a sheet's page code says. A blank sheet has only instrument, layout, print size and
    paper (the other fields empty, page None). PAPER is None on a sheet printed before the
    paper was in the code (format PF1)."""

    instrument: str
    layout: int
    large_print: bool = False
    client_id: str = ""
    session: str = ""
    date: str = ""
    page: int | None = None
    paper: str | None = None

    @property
    def version(self) -> str:
        return OLD_PAYLOAD_VERSION if self.paper is None else PAYLOAD_VERSION

    @property
    def personal(self) -> bool:
        return bool(self.client_id or self.session or self.date or self.page is not None)

    def payload(self) -> str:
        """The text in the QR code (format PF1 when no paper is known, as printed before)."""
        size = SIZE_LARGE if self.large_print else SIZE_NORMAL
        fields = [self.version, _escape(self.instrument), str(self.layout), size]
        if self.paper is not None:
            fields.append(PAPER_CODES[self.paper])
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
    paper = None
    if fields[0] == PAYLOAD_VERSION:
        if len(fields) not in (5, 9):
            raise ValueError(f"a {PAYLOAD_VERSION} page code has 5 or 9 fields, not {len(fields)}")
        if fields[4] not in _PAPER_OF_CODE:
            raise ValueError(f"the page code's paper is {fields[4][:10]!r}, not LT or A4")
        paper = _PAPER_OF_CODE[fields.pop(4)]
    elif fields[0] != OLD_PAYLOAD_VERSION:
        raise ValueError(f"not a paperfit page code (format {fields[0][:10]!r}): {text[:60]!r}")
    elif len(fields) not in (4, 8):
        raise ValueError(f"a {OLD_PAYLOAD_VERSION} page code has 4 or 8 fields, not {len(fields)}")
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
        return PageCode(instrument, layout, large_print, paper=paper)
    client_id, session, date = (_unescape(field) for field in fields[4:7])
    _check_fields(instrument, client_id, session, date)
    return PageCode(instrument, layout, large_print, client_id, session, date, page, paper)


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


def _escape(text: str) -> str:
    for plain, escaped in _ESCAPES:
        text = text.replace(plain, escaped)
    return text


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda match: _PLAIN[match[0].upper()], text)


# Fillable PDF fields -----------------------------------------------------------------------

# Put into the PDF's keywords by the writer; the reader goes by the field names alone.
FILLABLE_KEYWORD = "paperfit-fillable 1"
HEADER_KEYS = ("client_id", "name", "age", "session", "date", "clinician", "filled_by")
ITEM_KEYS = tuple(f"item{number}" for number in range(1, ITEM_COUNT + 1))
FIELD_KEYS = HEADER_KEYS + ITEM_KEYS
_FIELD_NAME = re.compile(
    r"^s(?P<sheet>[1-9][0-9]*)_(?P<instrument>[A-Za-z0-9_-]+)_v(?P<layout>[1-9][0-9]*)"
    r"_(?P<key>" + "|".join(FIELD_KEYS) + r")$"
)


@dataclass(frozen=True)
class FieldName:
    """The parts of one paperfit field name."""

    sheet: int
    instrument: str
    layout: int
    key: str

    def __str__(self) -> str:
        return field_name(self.sheet, self.instrument, self.layout, self.key)

    @classmethod
    def parse(cls, name: object) -> FieldName | None:
        """The parts of NAME, or None when it is not a paperfit field name."""
        match = _FIELD_NAME.match(str(name)) if isinstance(name, str) else None
        if match is None:
            return None
        return cls(int(match["sheet"]), match["instrument"], int(match["layout"]), match["key"])


def field_name(sheet: int, instrument: str, layout: int, key: str) -> str:
    """The PDF field name of KEY on form sheet SHEET (1-based) of INSTRUMENT in layout LAYOUT."""
    if key not in FIELD_KEYS:
        raise ValueError(f"{key!r} is not one of {', '.join(FIELD_KEYS)}")
    name = f"s{sheet}_{instrument}_v{layout}_{key}"
    if _FIELD_NAME.match(name) is None:
        raise ValueError(f"{name!r} cannot be a paperfit field name")
    return name


# The entry workbook ------------------------------------------------------------------------

WORKBOOK_LAYOUT = 1  # bump when columns or sheets change, so a reader can tell old workbooks apart
WORKBOOK_KEYWORDS = f"paperfit-workbook {WORKBOOK_LAYOUT}"
README_SHEET = "Read me"
CLIENTS_SHEET = "Clients"
LISTS_SHEET = "Lists"  # hidden: what every drop-down list points at
SCANS_SHEET = "Scans"  # the scan workbook's list of every page read
CLIENT_COLUMNS = ("client_id", "age_group", "clinician", "start_date", "status", "name")
BEFORE_ITEMS = ("client_id", "session", "date")
AFTER_ITEMS = ("total", "filled_by", "notes")
CLIENT_STATUSES = ("open", "closed")
# Sheet names (as normalise_header makes them) that hold no forms: paperfit's own, and the
# instructions sheet practices often add.
IGNORED_SHEETS = frozenset({"read_me", "readme", "lists", "instructions", "scans"})
CLIENT_SHEETS = frozenset({"clients", "client_list", "clients_list"})
