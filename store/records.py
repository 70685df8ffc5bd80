"""What the store hands back: the result of an import, a value's versions, an open conflict."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from paperfit.forms.errors import PaperfitError
from paperfit.forms.precedence import Rank
from paperfit.forms.records import plural


class StoreError(PaperfitError):
    """The practice's record cannot be opened or changed; the message says what to do."""


@dataclass(frozen=True)
class Conflict:
    """Copies of equal rank of one form that disagree: both values and both sources."""

    client_id: str
    instrument: str
    session: int
    what: str  # "item 2: 5.1 (a.xlsx › row 3, the most recent, is used) and 6 (b.csv › row 2)"
    brief: str = ""  # "item 2: 5.1 / 6", for a page's notes

    def __str__(self) -> str:
        return (
            f"client {self.client_id} {self.instrument} session {self.session}: copies "
            f"disagree on {self.what}"
        )


@dataclass
class ImportResult:
    """What one import (or one entry) did to the record."""

    new: int = 0
    copies: int = 0  # new copies of forms already in the record (a scan of a typed form)
    changed: int = 0
    unchanged: int = 0
    new_clients: int = 0
    changed_clients: int = 0
    appointments: int = 0
    changes: list[str] = field(default_factory=list)  # "client C-1 ORS session 2: item 3 4 → 5"
    conflicts: list[Conflict] = field(default_factory=list)

    def summary(self) -> list[str]:
        """What was added, changed and left as it was, then every change and conflict."""
        lines = [
            f"{plural(self.new, 'new form')}, {self.changed} changed, {self.unchanged} unchanged"
            + (
                f", {plural(self.copies, 'new copy', 'new copies')} of known forms"
                if self.copies
                else ""
            )
            + (f"; {plural(self.new_clients, 'new client')}" if self.new_clients else "")
            + (
                f", {plural(self.changed_clients, 'client')} with new details"
                if self.changed_clients
                else ""
            )
            + (f"; {plural(self.appointments, 'appointment')} kept" if self.appointments else "")
        ]
        lines += [f"  changed: {change}" for change in self.changes]
        lines += [f"  conflict: {conflict}" for conflict in self.conflicts]
        return lines


@dataclass(frozen=True)
class Version:
    """One version of one value of a form (item None: the whole form, its date or who filled
    it in: FIELD says which), with its source, who added it, when and why."""

    instrument: str
    session: int
    item: int | None
    value: float | None
    rank: Rank | None
    source: str
    by: str
    when: datetime.datetime
    why: str
    replaces: int | None
    withdrawn: bool = False
    id: int = 0
    field: str = ""  # "item 1", "date", "filled by", "notes", "withdrawn"
    text: str = ""  # the value as shown
