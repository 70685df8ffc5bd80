"""The one rule for text that paperfit reads: from a cell, a PDF field, a page code or an option.

Takes: one raw value. Returns: the text exactly as typed (spaces at the ends trimmed), or raises
ValueProblem with a sentence for the person who typed it: control characters (which would reach a
terminal or a workbook raw), Excel error values and TRUE/FALSE cells, and text longer than a
form's header or page code holds are refused. show() quotes a value in a message safely.
Client IDs follow one rule more (parse_client_id): the same letters are the same ID however the
keyboard or the copy typed them.
"""

from __future__ import annotations

import datetime
import math
import unicodedata

from paperfit.forms.errors import Location
from paperfit.forms.records import MAX_CLIENT_ID, MAX_TEXT, Problem

# What Excel shows in a cell whose formula failed; read as text, they would become client IDs.
_EXCEL_ERRORS = """
#NULL! #DIV/0! #VALUE! #REF! #NAME? #NUM! #N/A #GETTING_DATA #SPILL! #CALC! #FIELD! #BLOCKED!
#CONNECT! #UNKNOWN! #BUSY! #EXTERNAL! #PYTHON!
"""
EXCEL_ERRORS = frozenset(_EXCEL_ERRORS.split())
# Joiners are part of how some scripts (Persian, Indic) and emoji are written, not controls.
_JOINERS = {"\u200c", "\u200d"}
_LINE_BREAKS = {"\n", "\r", "\t"}
SHOWN_CHARACTERS = 40  # a message quotes at most this much of a value, escaped


class ValueProblem(ValueError):
    """A value that cannot be read. The message is written for the person who typed it (and
    for staff reading a report); the hint, if any, for the person running the command (an
    option to give), so that pages for staff can leave it out. str() is both, as a terminal
    shows it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(f"{message} {hint}" if hint else message)
        self.message = message
        self.hint = hint


def value_problem(
    where: Location, problem: ValueProblem, after: str = "", severity: str = "error"
) -> Problem:
    """The Problem at WHERE for a refused value: its message, then AFTER (what was done about
    it); its hint kept apart for the terminal."""
    return Problem(where, f"{problem.message}{after}", severity, hint=problem.hint)


def parse_text(raw: object, limit: int | None = MAX_TEXT, lines: bool = False) -> str:
    """Text as typed (spaces at the ends trimmed, Unicode spaces read as spaces); "" for None.

    The one rule for every text value paperfit reads, from a cell, a PDF field or an option:
    refused when it is an Excel error value, a TRUE/FALSE or date cell, holds control characters
    (line breaks and tabs too, unless LINES), or is longer than LIMIT characters. A whole number
    typed into a text cell (Excel's 1042.0) reads as "1042".
    """
    if raw is None:
        return ""
    refuse_excel_error(raw, "text")
    if isinstance(raw, bool):
        raise ValueProblem(f"{raw} is a yes/no (TRUE/FALSE) cell, not text. Type the text.")
    if isinstance(raw, float) and not math.isfinite(raw):
        # a number too large for the cell (Excel keeps it as infinity) or not a number
        raise ValueProblem(f"{raw} is not text or a number anyone typed. Type the text.")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime.date | datetime.time):
        raise ValueProblem(
            f"{raw} is a date or time, not text. Format the cell as Text and type it again."
        )
    if not isinstance(raw, str | int | float):
        raise ValueProblem(f"{show(raw)} is not text.")
    text = "".join(" " if unicodedata.category(char) == "Zs" else char for char in str(raw))
    text = text.strip()
    allowed = _JOINERS | (_LINE_BREAKS if lines else set())
    if not all(char.isprintable() or char in allowed for char in text):
        raise ValueProblem(
            f"{show(text)} contains control characters (such as line breaks or terminal "
            "codes); remove them and type the text again."
        )
    if limit is not None and len(text) > limit:
        raise ValueProblem(
            f"is {len(text)} characters long (it starts {text[:20]!r}); the most allowed here is "
            f"{limit}."
        )
    return text


def parse_client_id(raw: object, limit: int = MAX_CLIENT_ID) -> tuple[str, str]:
    """A client ID as every reader takes it, and a note (else "") for a warning at its cell.

    The text rule (parse_text) holds, and more: the ID is compared in Unicode NFC, so "José"
    typed with one letter é or with an e and an accent is one client; and invisible format
    characters (Unicode category Cf: zero-width joiners and spaces, direction marks), which a
    copy from a web page or a chat brings in and no one can see on a page or a screen, are
    removed, and the note says so, so that "S0000" and "S\u200d0000" are one client.
    """
    text = unicodedata.normalize("NFC", raw) if isinstance(raw, str) else raw
    note = ""
    if isinstance(text, str):
        hidden = [char for char in text if unicodedata.category(char) == "Cf"]
        if hidden:
            text = "".join(char for char in text if unicodedata.category(char) != "Cf")
            codes = ", ".join(sorted({f"U+{ord(char):04X}" for char in hidden}))
            note = (
                f"the client ID held invisible characters ({codes}), which were removed: it "
                f"is read as {text.strip()!r}. Type the ID again to remove them from the file."
            )
    return parse_text(text, limit), note


def same_clients(wanted: list[str], known: set[str]) -> dict[str, str]:
    """For each of WANTED (IDs from a schedule or an option), the ID among KNOWN it means: the
    same ID, or else the one known ID that differs from it only in case (s0000 for S0000);
    an ID with no such match, or with two, means itself."""
    folded: dict[str, list[str]] = {}
    for client_id in known:
        folded.setdefault(client_id.casefold(), []).append(client_id)
    found = {}
    for client_id in wanted:
        matches = folded.get(client_id.casefold(), [])
        found[client_id] = client_id if client_id in known or len(matches) != 1 else matches[0]
    return found


def show(raw: object) -> str:
    """RAW as a message quotes it: text in quotes with control characters escaped, and at
    most SHOWN_CHARACTERS of it, so a message never carries a whole page or a terminal code."""
    if isinstance(raw, str):
        if len(raw) > SHOWN_CHARACTERS:
            return f"{raw[:SHOWN_CHARACTERS]!r}… ({len(raw):,} characters)"
        return repr(raw)
    return f"{raw:g}" if isinstance(raw, float) else str(raw)


def refuse_excel_error(raw: object, wanted: str) -> None:
    """Raise ValueProblem when RAW is an Excel error value (#N/A...) where WANTED was typed."""
    if isinstance(raw, str) and raw.strip().upper() in EXCEL_ERRORS:
        raise ValueProblem(
            f"{raw.strip()!r} is an Excel error value, not {wanted}: the cell's formula failed. "
            "Fix the formula or type the value."
        )
