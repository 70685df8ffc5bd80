"""The records that flow from the readers (scanner/) to scoring (forms/) and the writers.

A Form is one completed instrument for one client at one session; a Client carries what the
client list says; a Problem is one thing wrong with the input, at a known place; a Reading is
everything read from a set of files; an Appointment is one row of a day's schedule.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from paperfit.forms.errors import Location

ITEM_COUNT = 4
MAX_ITEM = 10.0  # cm: the length of a rating line
MAX_TOTAL = ITEM_COUNT * MAX_ITEM
# What a value may be wherever it is typed (a cell, a PDF field, an option), so that nothing a
# reader accepts is refused by the page code, a form's header or a file name, and the reverse.
MAX_CLIENT_ID = 64
MAX_TEXT = 100  # a clinician's or client's name, who filled the form in: one header line
MAX_SESSION = 9999


@dataclass(frozen=True)
class Client:
    """One row of the client list."""

    client_id: str
    age_group: str = "adult"
    clinician: str = ""
    start_date: datetime.date | None = None
    status: str = "open"
    name: str = ""


@dataclass(frozen=True)
class Form:
    """One completed form: four measured items in centimetres (None where missing)."""

    client_id: str
    instrument: str
    session: int
    date: datetime.date | None
    items: tuple[float | None, ...]
    source: Location
    filled_by: str = ""
    notes: str = ""
    entered_total: float | None = field(default=None, compare=False)
    # Each item's status where the row comes from a scan ("ok" when measured); empty when typed.
    scan_statuses: tuple[str, ...] = field(default=(), compare=False)
    # Each item in millimetres as measured, where it was given in mm (typed "64 mm", or read
    # with --unit mm); empty when none was. Kept in the practice's record as the raw value.
    mm: tuple[float | None, ...] = field(default=(), compare=False)

    @property
    def complete(self) -> bool:
        return all(value is not None for value in self.items)

    @property
    def total(self) -> float | None:
        """The sum of the four items, or None when one is missing: never prorated."""
        return total_of(self.items)

    def same_values(self, other: Form) -> bool:
        """True when OTHER records the same form with the same numbers (a harmless copy). Who
        filled it in counts only when both say (a scanned copy does not read the boxes)."""
        who = self.filled_by == other.filled_by or not (self.filled_by and other.filled_by)
        return (self.items, self.date) == (other.items, other.date) and who


def total_of(items: Sequence[float | None]) -> float | None:
    """The sum of the items, or None when one is missing (or there are none): never prorated."""
    if not items or any(value is None for value in items):
        return None
    return round(sum(value for value in items if value is not None), 1)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input. Errors leave a value out; warnings keep it. The message
    is for anyone (staff read it in the report); the hint, for the person running the command
    (an option to give), is shown on the terminal after it and left off pages for staff."""

    location: Location
    message: str
    severity: str = "error"
    hint: str = field(default="", compare=False)

    def __str__(self) -> str:
        label = "" if self.severity == "error" else f"{self.severity}: "
        hint = f" {self.hint}" if self.hint else ""
        return f"{self.location}: {label}{self.message}{hint}"


@dataclass(frozen=True)
class Appointment:
    """One row of the schedule: who is seen, when, and which forms to print for them."""

    client_id: str
    date: datetime.date
    session: int
    clinician: str
    age_group: str
    format: str
    name: str = ""
    instruments: tuple[str, ...] = ()
    row: int = 0
    # Where the instruments cell is, so the caller can point at it when an id is unknown.
    instruments_at: Location | None = field(default=None, compare=False, repr=False)
    time: str = ""  # HH:MM when the schedule says


@dataclass
class Reading:
    """What was read: valid forms, the client list, and every problem with its place."""

    forms: list[Form] = field(default_factory=list)
    clients: dict[str, Client] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    merged_duplicates: int = 0
    client_list_given: bool = False
    skipped_outputs: list[Path] = field(default_factory=list)  # paperfit's own, in folders
    # Copies of one form that disagree, per client: "ORS session 2, item 4: 8 (…) and 7 (…)"
    disagreements: dict[str, list[str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def summary(self) -> list[str]:
        """What was read, in a few lines for the person who ran the command."""
        per_instrument: dict[str, set[str]] = defaultdict(set)
        counts: dict[str, int] = defaultdict(int)
        for form in self.forms:
            per_instrument[form.instrument].add(form.client_id)
            counts[form.instrument] += 1
        clients = {form.client_id for form in self.forms} | set(self.clients)
        listed = "" if self.client_list_given else " (no client list: all taken as adults)"
        errors = len(self.errors)
        warnings = len(self.problems) - errors
        lines = [
            f"files read: {len(self.files)}",
            f"clients: {len(clients)}{listed}",
            f"forms: {len(self.forms)}"
            + (
                f", {plural(self.merged_duplicates, 'identical copy', 'identical copies')} merged"
                if self.merged_duplicates
                else ""
            ),
        ]
        lines += [
            f"  {ident}: {plural(counts[ident], 'session')} from "
            f"{plural(len(per_instrument[ident]), 'client')}"
            for ident in sorted(counts)
        ]
        lines.append(f"problems: {plural(errors, 'error')}, {plural(warnings, 'warning')}")
        if self.skipped_outputs:
            lines.append(skip_note(self.skipped_outputs))
        return lines


def plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else many or one + 's'}"


def skip_note(skipped: Sequence[Path]) -> str:
    """One line saying which of paperfit's own outputs found in the input folders were not
    read (they would be read back as data)."""
    names = ", ".join(str(path) for path in skipped[:3])
    more = f" and {len(skipped) - 3} more" if len(skipped) > 3 else ""
    return (
        f"not read: {len(skipped)} of paperfit's own output files found in the folders "
        f"({names}{more}); name a file on its own to read it"
    )
