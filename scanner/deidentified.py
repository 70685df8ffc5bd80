"""Read de-identified outcome totals (written by `paperfit export --deidentify`) as courses.

Takes: the paths of such CSV files (and the practice's own courses, keyed the same way).
Returns: forms.trajectories Courses, one per client code, with copies of the same client (the
same file twice, a renamed copy, the practice's own export beside its own files) counted once
and counted. A file that is not such a file, or a row that is wrong (not an outcome form, a
session or total out of range, two different totals for one client's session), raises
InputProblem naming the file, row and column; a file is read only up to pooled_bytes and a
field only up to FIELD_CHARS, so a hostile file cannot take the machine's memory or time.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from paperfit.forms.deidentify import CODE_LENGTH, COLUMNS
from paperfit.forms.errors import InputProblem, Location
from paperfit.forms.instrument import AGE_GROUPS
from paperfit.forms.limits import DEFAULT_LIMITS, Limits
from paperfit.forms.text import show
from paperfit.forms.trajectories import Course

LINE_BYTES = 1_000  # a row of a de-identified export is about 40 bytes
MAX_SESSION = 200
AGAIN = "Write the file again with paperfit export --deidentify."


def is_deidentified(path: Path) -> bool:
    """Whether PATH is a CSV file whose header is that of a de-identified export."""
    if not path.is_file() or path.suffix.lower() != ".csv":
        return False
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            header = next(csv.reader([stream.readline(4096)]), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return tuple(cell.strip() for cell in header) == COLUMNS


def read_deidentified(
    path: Path, outcomes: Iterable[str] = ("ORS", "CORS"), limits: Limits = DEFAULT_LIMITS
) -> list[Course]:
    """The courses in PATH, one per client code (the code is the course's key). OUTCOMES: the
    instruments whose totals are outcome totals (an alliance form's row is refused)."""
    where = Location(str(path))
    try:
        size = path.stat().st_size
    except OSError as error:
        raise InputProblem(where, f"cannot be read ({error.strerror}).") from None
    if size > limits.pooled_bytes:
        raise InputProblem(
            where,
            f"is {size:,} bytes, more than the {limits.pooled_bytes:,} a pooled file may have "
            "(pooled_bytes in paperfit.toml's [limits]). Split it, or raise the limit.",
        )
    points: dict[str, dict[int, tuple[float, int]]] = defaultdict(dict)
    groups: dict[str, str] = {}
    wanted = set(outcomes)
    try:
        with path.open("rb") as stream:
            for number, row in enumerate(csv.reader(_lines(path, stream)), start=1):
                if number == 1:
                    continue  # the header, checked by is_deidentified
                code, group, session, total = _row(path, number, row, wanted)
                if groups.setdefault(code, group) != group:
                    raise _fail(path, number, "age_group", f"{show(group)} differs from before.")
                earlier = points[code].setdefault(session, (total, number))
                if earlier[0] != total:
                    raise _fail(
                        path,
                        number,
                        "total",
                        f"client {code} has two different totals at session {session} (rows "
                        f"{earlier[1]} and {number}: {earlier[0]:g} and {total:g}).",
                    )
    except OSError as error:
        raise InputProblem(where, f"cannot be read ({error.strerror}).") from None
    except csv.Error:
        raise InputProblem(
            where, f"is not a CSV file a de-identified export writes. {AGAIN}"
        ) from None
    return [
        Course(code, groups[code], tuple((s, t) for s, (t, _) in sorted(points[code].items())))
        for code in sorted(points)
    ]


def _lines(path: Path, stream: BinaryIO) -> Iterator[str]:
    """The file's lines as text, each checked on its own: UTF-8 (a BOM at the start is
    dropped) and at most LINE_BYTES long, so a bad byte or a huge field is refused at its row."""
    for number, line in enumerate(iter(lambda: stream.readline(LINE_BYTES + 1), b""), start=1):
        if len(line) > LINE_BYTES:
            raise InputProblem(
                Location(str(path), row=number),
                f"is longer than any row a de-identified export writes ({LINE_BYTES:,} bytes). "
                + AGAIN,
            )
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise InputProblem(
                Location(str(path), row=number), f"is not UTF-8 text. {AGAIN}"
            ) from None
        yield text.removeprefix("\ufeff") if number == 1 else text


def _fail(path: Path, number: int, column: str, reason: str) -> InputProblem:
    return InputProblem(Location(str(path), row=number, column=column), f"{reason} {AGAIN}")


def _row(
    path: Path, number: int, row: list[str], outcomes: set[str]
) -> tuple[str, str, int, float]:
    if len(row) != len(COLUMNS):
        raise _fail(path, number, "client_code", f"has {len(row)} fields, not {len(COLUMNS)}.")
    code, group, instrument, session_text, _, total_text = (cell.strip() for cell in row)
    if not re.fullmatch(f"[0-9a-f]{{{CODE_LENGTH}}}", code):
        raise _fail(path, number, "client_code", f"{show(code)} is not a client code.")
    if group not in AGE_GROUPS:
        raise _fail(
            path, number, "age_group", f"{show(group)} is not one of {', '.join(AGE_GROUPS)}."
        )
    if instrument not in outcomes:
        raise _fail(
            path,
            number,
            "instrument",
            f"{show(instrument)} is not an outcome form ({', '.join(sorted(outcomes))}): only "
            "outcome totals are pooled.",
        )
    if not re.fullmatch(r"\d{1,3}", session_text) or not 1 <= int(session_text) <= MAX_SESSION:
        raise _fail(
            path, number, "session", f"{show(session_text)} is not a session 1 to {MAX_SESSION}."
        )
    if not re.fullmatch(r"\d{1,2}(\.\d)?", total_text) or not 0 <= float(total_text) <= 40:
        raise _fail(path, number, "total", f"{show(total_text)} is not a total 0 to 40.")
    return code, group, int(session_text), float(total_text)


def pool(sources: Sequence[tuple[str, Sequence[Course]]]) -> tuple[list[Course], int]:
    """The courses of every SOURCE (its name, its courses keyed by client code), with copies
    of one client merged: the same code in several sources is one client, its forms the union
    (a later export holds more sessions). Returns the courses and how many copies were merged.
    InputProblem when two sources give the same client different totals at one session."""
    merged: dict[str, dict[int, float]] = {}
    groups: dict[str, str] = {}
    seen_in: dict[str, str] = {}
    copies = 0
    for name, courses in sources:
        for course in courses:
            if course.key in merged:
                copies += 1
                for session, total in course.points:
                    kept = merged[course.key].setdefault(session, total)
                    if kept != total:
                        raise InputProblem(
                            Location(name),
                            f"gives client {course.key} a total of {total:g} at session "
                            f"{session}, and {seen_in[course.key]} {kept:g}: the same client "
                            "(same key) with different forms. Give each practice's files once.",
                        )
            else:
                merged[course.key] = dict(course.points)
                groups[course.key] = course.age_group
                seen_in[course.key] = name
    return [
        Course(key, groups[key], tuple(sorted(points.items()))) for key, points in merged.items()
    ], copies
