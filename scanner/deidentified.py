"""Read de-identified outcome totals (written by `paperfit export --deidentify`) as courses.

Takes: the path of such a CSV file. Returns: forms.trajectories Courses, one per client code.
A file that is not such a file, or a row that is wrong, raises InputProblem naming the file,
row and column.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from paperfit.forms.deidentify import COLUMNS
from paperfit.forms.errors import InputProblem, Location
from paperfit.forms.instrument import AGE_GROUPS
from paperfit.forms.trajectories import Course


def is_deidentified(path: Path) -> bool:
    """Whether PATH is a CSV file whose header is that of a de-identified export."""
    if not path.is_file() or path.suffix.lower() != ".csv":
        return False
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            header = next(csv.reader(stream), [])
    except (OSError, UnicodeDecodeError):
        return False
    return tuple(cell.strip() for cell in header) == COLUMNS


def read_deidentified(path: Path, prefix: str = "") -> list[Course]:
    """The courses in PATH; PREFIX goes before each client code (files pooled together)."""
    points: dict[str, dict[int, float]] = defaultdict(dict)
    groups: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            for number, row in enumerate(csv.DictReader(stream), start=2):
                code, group, session, total = _row(path, number, row)
                groups.setdefault(code, group)
                points[code].setdefault(session, total)
    except OSError as error:
        raise InputProblem(Location(str(path)), f"cannot be read ({error.strerror}).") from None
    return [
        Course(prefix + code, groups[code], tuple(sorted(points[code].items())))
        for code in sorted(points)
    ]


def _row(path: Path, number: int, row: dict[str, str]) -> tuple[str, str, int, float]:
    def fail(column: str, reason: str) -> InputProblem:
        where = Location(str(path), row=number, column=column)
        return InputProblem(
            where, f"{reason} Write the file again with paperfit export --deidentify."
        )

    code = (row.get("client_code") or "").strip()
    if not code:
        raise fail("client_code", "has no client code.")
    group = (row.get("age_group") or "").strip()
    if group not in AGE_GROUPS:
        raise fail("age_group", f"{group!r} is not one of {', '.join(AGE_GROUPS)}.")
    try:
        session = int(row.get("session") or "")
        total = float(row.get("total") or "")
    except ValueError:
        raise fail("session", "needs a whole session number and a total.") from None
    if session < 1 or not 0 <= total <= 40:
        raise fail("total", f"session {session} with total {total:g} is out of range.")
    return code, group, session, total
