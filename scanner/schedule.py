"""Read the day's appointment schedule, from which the forms are printed.

Takes: a .csv or .xlsx file with one appointment per row, in appointment order.
Returns: a list of Appointment in file order, or raises ScheduleProblems listing every bad cell,
so staff can fix the whole file at once; a partial list is never returned.
Given the catalog, instrument ids are checked against it in the same pass as every other cell.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from paperfit.forms.errors import InputProblem, Location, ScheduleProblems, UsageProblem
from paperfit.forms.instrument import AGE_GROUPS, FORMATS, Catalog
from paperfit.forms.records import MAX_CLIENT_ID, MAX_SESSION, MAX_TEXT, Appointment
from paperfit.forms.text import ValueProblem, parse_text, show
from paperfit.scanner.tables import Row, read_rows
from paperfit.scanner.values import plausible_date

REQUIRED = ("client_id", "date", "session", "clinician", "age_group", "format")
# With the practice's record at hand, a schedule needs only who and when: the record knows each
# client's clinician, age group and next session (paperfit/record.py fills them in).
SHORT = ("client_id", "date")

# Normalised header (see tables.normalise_header) -> canonical key.
ALIASES = {
    "client": "client_id",
    "clientid": "client_id",
    "client_no": "client_id",
    "client_number": "client_id",
    "id": "client_id",
    "appointment_date": "date",
    "day": "date",
    "session_number": "session",
    "session_no": "session",
    "session_nr": "session",
    "sess": "session",
    "therapist": "clinician",
    "counselor": "clinician",
    "counsellor": "clinician",
    "age": "age_group",
    "agegroup": "age_group",
    "type": "format",
    "session_type": "format",
    "forms": "instruments",
    "instrument": "instruments",
    "client_name": "name",
    "appointment_time": "time",
    "start_time": "time",
    "hour": "time",
}
_TIME = re.compile(r"([01]?\d|2[0-3])[:.h]([0-5]\d)(?::\d{2})?")

_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


class _Bad(Exception):
    """A cell's value is wrong; carries the reason only, the row adds the place."""


def read_schedule(
    path: Path, catalog: Catalog | None = None, required: tuple[str, ...] = REQUIRED
) -> list[Appointment]:
    """Read and check every row of PATH; raise ScheduleProblems if any cell is wrong.

    With CATALOG, an instrument it does not know is one of those problems. With REQUIRED as
    SHORT, a column that is absent leaves its value empty (session 0) for the caller to fill."""
    rows = read_rows(path, ALIASES, required)
    if not rows:
        raise InputProblem(
            Location(str(path)),
            "has a header row but no appointments below it. Add one row per appointment.",
        )
    problems: list[InputProblem] = []
    problems.extend(overflow for overflow in (row.overflow() for row in rows) if overflow)
    appointments = [_appointment(row, problems, catalog, required) for row in rows if not row.extra]
    if problems:
        raise ScheduleProblems(problems)
    return [appointment for appointment in appointments if appointment is not None]


def _appointment(
    row: Row, problems: list[InputProblem], catalog: Catalog | None, required: tuple[str, ...]
) -> Appointment | None:
    """Check each cell of ROW, adding a problem per bad cell; None if any cell was bad. A
    column of REQUIRED' that the file lacks leaves its value empty."""
    values: dict[str, object] = {"session": 0, "clinician": "", "age_group": "", "format": ""}
    checks = {
        "client_id": lambda value: _text(value, MAX_CLIENT_ID, "a client ID"),
        "date": _date,
        "session": _session,
        "clinician": lambda value: _text(value, MAX_TEXT, "the clinician"),
        "age_group": lambda value: _choice(value, AGE_GROUPS),
        "format": lambda value: _choice(value, FORMATS),
        "name": lambda value: _text(value, MAX_TEXT, "", required=False),
        "instruments": lambda value: _instruments(value, catalog),
        "time": _time,
    }
    for key in set(REQUIRED) - set(required) - set(row.columns):
        del checks[key]
    before = len(problems)
    order = list(row.columns)  # report a row's problems left to right, as the user reads them
    for key in sorted(checks, key=lambda key: order.index(key) if key in order else len(order)):
        check = checks[key]
        try:
            values[key] = check(row.get(key))
        except _Bad as bad:
            problems.append(InputProblem(row.where(key), str(bad)))
    if len(problems) > before:
        return None
    return Appointment(
        **values,  # type: ignore[arg-type]
        row=row.number,
        instruments_at=row.where("instruments"),
    )


def _text(value: object, limit: int, what: str, required: bool = True) -> str:
    try:
        text = parse_text(value, limit)
    except ValueProblem as problem:
        raise _Bad(str(problem)) from None
    if not text and required:
        raise _Bad(f"is empty; every appointment needs {what}.")
    return text


def _time(value: object) -> str:
    """HH:MM, from a time cell or text like 9:30, 09.30 or 14h05; empty when not given."""
    if value is None:
        return ""
    if isinstance(value, datetime.time | datetime.datetime):
        return f"{value.hour:02d}:{value.minute:02d}"
    match = _TIME.fullmatch(str(value).strip())
    if match is None:
        raise _Bad(f"{_show(value)} is not a time: write it as HH:MM, for example 09:30.")
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _date(value: object) -> datetime.date:
    try:
        return plausible_date(_calendar_date(value), datetime.date.today())
    except ValueProblem as problem:
        raise _Bad(str(problem)) from None


def _calendar_date(value: object) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    hint = "Write it as YYYY-MM-DD, for example 2024-03-05, or format the cell as a date."
    if value is None:
        raise _Bad(f"is empty. {hint}")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise _Bad(f"is the number {value}, not a date. {hint}")
    if not isinstance(value, str):
        raise _Bad(f"{value!r} is not a date. {hint}")
    match = _ISO_DATE.fullmatch(value.strip())
    if match is None:
        raise _Bad(f"{value.strip()!r} is not a date paperfit can read without guessing. {hint}")
    try:
        return datetime.date.fromisoformat(match.group(1))
    except ValueError:
        raise _Bad(f"{match.group(1)!r} is not a real date on the calendar. {hint}") from None


def _session(value: object) -> int:
    hint = f"It must be a whole number from 1 to {MAX_SESSION}."
    if value is None:
        raise _Bad(f"is empty. {hint}")
    number: float
    if isinstance(value, bool):
        raise _Bad(f"is {value}, not a number. {hint}")
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise _Bad(f"{value.strip()!r} is not a number. {hint}") from None
    else:
        raise _Bad(f"{value!r} is not a number. {hint}")
    if not float(number).is_integer() or not 1 <= number <= MAX_SESSION:
        raise _Bad(f"{_show(value)} is not a session number. {hint}")
    return int(number)


def _show(value: object) -> str:
    return show(value.strip() if isinstance(value, str) else value)


def _choice(value: object, choices: tuple[str, ...]) -> str:
    allowed = ", ".join(choices)
    text = _text(value, MAX_TEXT, "", required=False).casefold()
    if not text:
        raise _Bad(f"is empty; write one of {allowed}.")
    if text not in choices:
        raise _Bad(f"{_show(value)} is not one of {allowed}.")
    return text


def _instruments(value: object, catalog: Catalog | None) -> tuple[str, ...]:
    """Split 'ORS SRS' or 'ors, srs' into ('ORS', 'SRS'), each known to CATALOG when given."""
    text = _text(value, MAX_TEXT, "", required=False)
    idents = tuple(part.upper() for part in re.split(r"[\s,;]+", text) if part)
    for ident in idents if catalog is not None else ():
        try:
            catalog.get(ident)
        except UsageProblem as problem:
            raise _Bad(str(problem)) from None
    return idents
