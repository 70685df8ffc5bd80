"""Turn what people type into cells into numbers and dates, or say plainly what is wrong.

Takes: one raw cell value (text, number, date), from a cell, a PDF field or an option. Returns:
the value, or raises ValueProblem with a sentence for the person who typed it. Nothing is
guessed: 03/04/2026 without a date format is an error, and a value above 10 is never rescaled
unless the unit is given as mm. Text is read by forms.text.parse_text, the rule for all text.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterable

from paperfit.forms.records import MAX_SESSION
from paperfit.forms.text import ValueProblem, refuse_excel_error, show

UNITS = ("cm", "mm")
_STRPTIME = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d", "M": "%m", "D": "%d"}
_PATTERN_PART = re.compile("YYYY|YY|MM|DD|M|D", re.IGNORECASE)
_MEASURE = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?|[+-]?[.,]\d+)\s*(cm|mm)?\s*$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_SLASHED = re.compile(r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\s*$")
# Sessions and measurements are from paperfit's time; an older date is a slip (1900-01-01 is an
# empty Excel date cell, 0001-01-01 a program's "no date").
EARLIEST_DATE = datetime.date(1970, 1, 1)
DOUBTFUL_BEFORE = datetime.date(1990, 1, 1)  # read, with a warning to check the year
FURTHEST_AHEAD = datetime.timedelta(days=366)  # a form is not printed or filled in further ahead


def parse_number(raw: object) -> tuple[float, str | None]:
    """A number typed as 6.4, "6,4" (decimal comma) or "6.4 cm", and the unit typed with it."""
    refuse_excel_error(raw, "a number")
    if isinstance(raw, bool):
        raise ValueProblem(f"{raw!r} is not a number. Type the centimetres, e.g. 6.4.")
    if isinstance(raw, (int, float)):
        try:
            number, unit = float(raw), None
        except OverflowError:  # an integer too large for a float is no measurement
            raise ValueProblem(
                "This number is far too large to be a measurement. Type the centimetres, e.g. 6.4."
            ) from None
    else:
        text = str(raw).strip()
        match = _MEASURE.match(text)
        if not match:
            raise ValueProblem(
                f"{show(text)} is not a number. Type the centimetres with one decimal, e.g. 6.4."
            )
        number, unit = float(match.group(1).replace(",", ".")), (match.group(2) or "").lower()
    if not math.isfinite(number):
        raise ValueProblem(f"{show(raw)} is not a number. Type the centimetres, e.g. 6.4.")
    return number, unit or None


def parse_measure(raw: object, unit: str = "cm") -> float:
    """A measured mark in centimetres from "6.4", "6,4", "6.4 cm", 6.4 or, with unit mm, 64."""
    return parse_measured(raw, unit)[0]


def parse_measured(raw: object, unit: str = "cm") -> tuple[float, float | None]:
    """A measured mark in centimetres (as parse_measure), and the millimetres as measured when
    it was given in mm ("64 mm", or 64 with unit mm), kept as the raw measurement; else None."""
    number, typed_unit = parse_number(raw)
    mm = number if (typed_unit or unit) == "mm" else None
    cm = number if mm is None else number / 10
    if not 0 <= cm <= 10:
        hint = (
            "If it was measured in millimetres, divide by 10 or read the file with --unit mm."
            if 10.5 < cm <= 100
            else ""
        )
        raise ValueProblem(
            f"{show(raw)} is outside the line: a mark is 0.0 to 10.0 cm from the left end.", hint
        )
    return cm, mm


def split_measures(
    measured: Iterable[tuple[float, float | None] | None],
) -> tuple[tuple[float | None, ...], tuple[float | None, ...]]:
    """The items in centimetres and in millimetres (Form.items and Form.mm) of MEASURED, each
    parse_measured's answer or None where missing; the millimetres are () when none was."""
    pairs = [(None, None) if pair is None else pair for pair in measured]
    items = tuple(cm for cm, _mm in pairs)
    mm = tuple(mm for _cm, mm in pairs)
    return items, mm if any(value is not None for value in mm) else ()


def parse_total(raw: object) -> float:
    """A total typed beside the items: a number from 0 to 40."""
    number, _unit = parse_number(raw)
    if not 0 <= number <= 40:
        raise ValueProblem(f"{show(raw)} is not a total: a total is 0 to 40.")
    return number


def parse_date(
    raw: object, date_format: str | None = None, today: datetime.date | None = None
) -> datetime.date:
    """A date from an Excel date, ISO text (2026-11-25), or text in DATE_FORMAT, within the
    window plausible_date allows."""
    return plausible_date(_date(raw, date_format), today)


def plausible_date(date: datetime.date, today: datetime.date | None = None) -> datetime.date:
    """DATE, unless it is before EARLIEST_DATE (an empty Excel date cell, a wrong year) or,
    given TODAY, more than FURTHEST_AHEAD after it (a wrong year)."""
    if date < EARLIEST_DATE:
        raise ValueProblem(
            f"{date.isoformat()} is too early to be a session date (paperfit reads dates from "
            f"{EARLIEST_DATE.year} on): an empty Excel date cell shows as 1900-01-00. "
            "Type the real date, YYYY-MM-DD."
        )
    if today is not None and date > today + FURTHEST_AHEAD:
        raise ValueProblem(
            f"{date.isoformat()} is more than a year ahead: check the year, and type the date "
            "as YYYY-MM-DD."
        )
    return date


def _date(raw: object, date_format: str | None) -> datetime.date:
    refuse_excel_error(raw, "a date")
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, bool):
        raise ValueProblem(f"{show(raw)} is not a date. Type it as YYYY-MM-DD, e.g. 2026-11-25.")
    if isinstance(raw, (int, float)):
        raise ValueProblem(
            f"{show(raw)} is a number, not a date. Format the cell as a date, or type YYYY-MM-DD."
        )
    text = str(raw).strip()
    if date_format:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            raise ValueProblem(
                f"{show(text)} does not match the date format {format_in_words(date_format)}."
            ) from None
    match = _ISO_DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise ValueProblem(f"{show(text)} is not a real date.") from None
    if _SLASHED.match(text):
        raise ValueProblem(
            f"{show(text)} could be read two ways (day/month or month/day). Type it as YYYY-MM-DD.",
            "Or give its format, e.g. --date-format DD/MM/YYYY.",
        )
    raise ValueProblem(f"{show(text)} is not a date. Type it as YYYY-MM-DD, e.g. 2026-11-25.")


def strptime_format(pattern: str) -> str:
    """A date format as people write it (DD/MM/YYYY, MM/DD/YY, D.M.YYYY) in strptime's
    terms (%d/%m/%Y, ...); one already in strptime's terms is kept as it is."""
    if "%" in pattern:
        return pattern
    return _PATTERN_PART.sub(lambda part: _STRPTIME[part.group().upper()], pattern)


def format_in_words(date_format: str) -> str:
    """A strptime date format as people write it (%d/%m/%Y as DD/MM/YYYY), for messages."""
    words = {code: word for word, code in _STRPTIME.items() if len(word) > 1}
    return re.sub(r"%[dmYy]", lambda code: words[code.group()], date_format)


def parse_session(raw: object) -> int:
    """A session number: a whole number from 1 to MAX_SESSION ("3", 3, 3.0)."""
    refuse_excel_error(raw, "a session number")
    if isinstance(raw, bool):
        raise ValueProblem(f"{raw!r} is not a session number. Type a whole number such as 3.")
    text = str(raw).strip().lstrip("#").strip()
    if "_" in text:  # float() would read "1_0" as 10
        raise ValueProblem(f"{show(raw)} is not a session number. Type a whole number such as 3.")
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ValueProblem(
            f"{show(raw)} is not a session number. Type a whole number such as 3."
        ) from None
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= MAX_SESSION:
        raise ValueProblem(
            f"{show(raw)} is not a session number: use a whole number from 1 to {MAX_SESSION}."
        )
    return int(number)
