"""Which value counts when one form reaches paperfit more than once: the precedence rule.

Takes: the copies of one form (a typed row, its scanned copy, a staff correction...), each with
the rank of each of its values and when it was made. Returns: the one form to score, and the
disagreements to list. The rule, for each item on its own: a staff correction beats a typed or
filled value, which beats a scanned value read ok, which beats a scanned value to review. A copy
with no value for an item says nothing about it (a scan leaves a value to review empty), so a
session is never lost because one copy has an item to review. Copies of equal rank that
disagree stay a conflict: the most recent is used and the conflict is named. Both the store
(store/) and the file readers (scanner/measurements.py) use this module, so a graph is the same
whether it is drawn from files or from the practice's record.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import IntEnum

from paperfit.forms.records import ITEM_COUNT, Form

SCAN_OK = "ok"  # an item's (and a page's) status in a scan's workbook or CSV when read


class Rank(IntEnum):
    """How much a value is trusted, lowest first."""

    SCANNED_REVIEW = 1
    SCANNED_OK = 2
    TYPED = 3
    CORRECTION = 4


RANK_WORDS = {
    Rank.SCANNED_REVIEW: "scanned, to review",
    Rank.SCANNED_OK: "scanned",
    Rank.TYPED: "typed",
    Rank.CORRECTION: "correction",
}


def rank_of(form: Form, item: int) -> Rank:
    """The rank of FORM's item ITEM (0-based) as read from a file: a scan's row carries each
    item's status; any other row was typed or filled in."""
    if not form.scan_statuses:
        return Rank.TYPED
    status = form.scan_statuses[item] if item < len(form.scan_statuses) else ""
    return Rank.SCANNED_OK if status == SCAN_OK else Rank.SCANNED_REVIEW


@dataclass(frozen=True)
class Copy:
    """One source's statement of a form: its values, their ranks, where and when it was made."""

    form: Form
    ranks: tuple[Rank, ...]
    source: str
    when: datetime.datetime | float = 0.0  # a time, or any number that orders the copies


@dataclass(frozen=True)
class Disagreement:
    """Copies of equal rank that hold different values for one item (or the date)."""

    what: str  # "item 2" or "the date"
    values: tuple[tuple[str, str], ...]  # (value as shown, source) for each copy, used first

    def brief(self) -> str:
        """What disagrees and the values, without the sources: for a page's notes."""
        return f"{self.what}: {' / '.join(value for value, _ in self.values)}"

    def __str__(self) -> str:
        used, *others = self.values
        rest = " and ".join(f"{value} ({source})" for value, source in others)
        return f"{self.what}: {used[0]} ({used[1]}, the most recent, is used) and {rest}"


def merge(copies: Sequence[Copy]) -> tuple[Form, list[Disagreement]]:
    """The form to score from COPIES (at least one), and every disagreement among the copies
    of the highest rank that hold a value. The date, who filled it in and the notes come from
    the best dated copy (highest rank, then the most recent)."""
    newest_first = sorted(copies, key=lambda c: (c.when, copies.index(c)), reverse=True)
    items: list[float | None] = []
    disagreements: list[Disagreement] = []
    for number in range(ITEM_COUNT):
        stating = [c for c in newest_first if _value(c, number) is not None]
        if not stating:
            items.append(None)
            continue
        top = max(c.ranks[number] for c in stating)
        best = [c for c in stating if c.ranks[number] == top]
        items.append(_value(best[0], number))
        if len({_value(c, number) for c in best}) > 1:
            disagreements.append(
                Disagreement(
                    f"item {number + 1}", tuple((f"{_value(c, number):g}", c.source) for c in best)
                )
            )
    # The date, who filled it in and the notes: from the best copy that has a date (a staff
    # correction states only the values it corrects).
    dated = [c for c in newest_first if c.form.date is not None]
    first = max(dated or newest_first, key=lambda c: max(c.ranks, default=Rank.TYPED))
    same_rank = [c for c in newest_first if max(c.ranks) == max(first.ranks)]
    for what, name in (("the date", "date"), ("who filled it in", "filled_by")):
        stated = [(getattr(c.form, name), c.source) for c in same_rank if getattr(c.form, name)]
        stated.sort(key=lambda pair: pair[1] != first.source)  # the one used first
        if len({value for value, _ in stated}) > 1:
            disagreements.append(
                Disagreement(what, tuple((str(value), source) for value, source in stated))
            )
    return replace(first.form, items=tuple(items)), disagreements


def _value(copy: Copy, number: int) -> float | None:
    return copy.form.items[number] if number < len(copy.form.items) else None
