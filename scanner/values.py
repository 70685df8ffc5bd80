"""Turn what people type into cells into numbers and dates, or say plainly what is wrong.

Takes: one raw cell value (text, number, date). Returns: the value, or raises ValueProblem with a
sentence for the person who typed it. Nothing is guessed: 03/04/2026 without a date format is an
error, and a value above 10 is never rescaled unless the unit is given as mm.
"""

from __future__ import annotations

import datetime
import math
import re

UNITS = ("cm", "mm")
_MEASURE = re.compile(r"^\s*([+-]?\d+(?:[.,]\d+)?|[+-]?[.,]\d+)\s*(cm|mm)?\s*$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?\s*$")
_SLASHED = re.compile(r"^\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}\s*$")


class ValueProblem(ValueError):
    """A cell that cannot be read; the message is written for the person who typed it."""


def parse_number(raw: object) -> tuple[float, str | None]:
    """A number typed as 6.4, "6,4" (decimal comma) or "6.4 cm", and the unit typed with it."""
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
                f"{text!r} is not a number. Type the centimetres with one decimal, e.g. 6.4."
            )
        number, unit = float(match.group(1).replace(",", ".")), (match.group(2) or "").lower()
    if not math.isfinite(number):
        raise ValueProblem(f"{raw!r} is not a number. Type the centimetres, e.g. 6.4.")
    return number, unit or None


def parse_measure(raw: object, unit: str = "cm") -> float:
    """A measured mark in centimetres from "6.4", "6,4", "6.4 cm", 6.4 or, with unit mm, 64."""
    number, typed_unit = parse_number(raw)
    if (typed_unit or unit) == "mm":
        number = number / 10
    if not 0 <= number <= 10:
        hint = (
            " If it was measured in millimetres, divide by 10 or read the file with --unit mm."
            if 10.5 < number <= 100
            else ""
        )
        raise ValueProblem(
            f"{_show(raw)} is outside the line: a mark is 0.0 to 10.0 cm from the left end.{hint}"
        )
    return number


def parse_total(raw: object) -> float:
    """A total typed beside the items: a number from 0 to 40."""
    number, _unit = parse_number(raw)
    if not 0 <= number <= 40:
        raise ValueProblem(f"{_show(raw)} is not a total: a total is 0 to 40.")
    return number


def parse_date(raw: object, date_format: str | None = None) -> datetime.date:
    """A date from an Excel date, ISO text (2026-11-25), or text in DATE_FORMAT."""
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise ValueProblem(
            f"{_show(raw)} is a number, not a date. Format the cell as a date, or type YYYY-MM-DD."
        )
    text = str(raw).strip()
    if date_format:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            raise ValueProblem(
                f"{text!r} does not match the date format {date_format!r}."
            ) from None
    match = _ISO_DATE.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            raise ValueProblem(f"{text!r} is not a real date.") from None
    if _SLASHED.match(text):
        raise ValueProblem(
            f"{text!r} could be read two ways (day/month or month/day). Type it as YYYY-MM-DD, "
            "or give the format, e.g. --date-format %d/%m/%Y."
        )
    raise ValueProblem(f"{text!r} is not a date. Type it as YYYY-MM-DD, e.g. 2026-11-25.")


def parse_session(raw: object) -> int:
    """A session number: a whole number from 1 up ("3", 3, 3.0)."""
    if isinstance(raw, bool):
        raise ValueProblem(f"{raw!r} is not a session number. Type a whole number such as 3.")
    text = str(raw).strip().lstrip("#").strip()
    if "_" in text:  # float() would read "1_0" as 10
        raise ValueProblem(f"{_show(raw)} is not a session number. Type a whole number such as 3.")
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        raise ValueProblem(
            f"{_show(raw)} is not a session number. Type a whole number such as 3."
        ) from None
    if not math.isfinite(number) or number != int(number) or not 1 <= number <= 9999:
        raise ValueProblem(f"{_show(raw)} is not a session number: use a whole number from 1 up.")
    return int(number)


def _show(raw: object) -> str:
    return repr(raw) if isinstance(raw, str) else f"{raw:g}" if isinstance(raw, float) else str(raw)
