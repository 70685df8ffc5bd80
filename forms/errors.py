"""paperfit's exceptions: each message is written for the person running the command."""

from __future__ import annotations

import re
from dataclasses import dataclass


class PaperfitError(Exception):
    """A failure the user can act on; the CLI prints the message and exits with status 1."""


class UsageProblem(PaperfitError):
    """The command was called wrongly; the CLI exits with status 2."""


@dataclass(frozen=True)
class Location:
    """Where a problem is: file, then sheet, row and column or key when they apply."""

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    key: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        if self.key:
            parts.append(f"key {self.key}")
        return escaped(" › ".join(parts))


def escaped(text: str) -> str:
    """TEXT with control characters written as escapes (\\x1b): a file, sheet or column name
    may hold any character, and a message must never send a terminal code or a line break."""
    if text.isprintable():
        return text
    return "".join(
        char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        for char in text
    )


class InputProblem(PaperfitError):
    """A file the user gave is wrong at a known place."""

    def __init__(self, location: Location, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"{location}: {reason}")


class ScheduleProblems(PaperfitError):
    """Every bad cell in a schedule, one per line as file › row › column: reason."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = tuple(problems)
        count = f"{len(self.problems)} problem{'s' if len(self.problems) != 1 else ''}"
        lines = [f"{count} in the schedule; nothing was printed. Fix them and run again:"]
        super().__init__("\n".join(lines + [str(problem) for problem in self.problems]))


def clip(text: str, limit: int) -> str:
    """TEXT with each quoted value and each word longer than LIMIT characters cut to LIMIT,
    saying how long it was: a cell of Excel's 32,767 characters is named by its place, not
    printed whole (which would flood a terminal and stall a page's layout)."""
    if len(text) <= limit:
        return text

    def cut(found: re.Match[str]) -> str:
        value = found.group(0)
        quote = value[0] if value[0] in "'\"" and value[-1] == value[0] else ""
        shown = value[: limit + len(quote)]
        return f"{shown}…{quote} ({len(value) - 2 * len(quote):,} characters)"

    longer = f"{{{limit + 1},}}"
    return re.sub(rf"'[^'\n]{longer}'|\"[^\"\n]{longer}\"|\S{longer}", cut, text)
