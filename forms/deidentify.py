"""De-identified outcome totals, for pooling expected courses across practices.

Takes: scored forms and the practice's secret key. Returns: one row per complete outcome form
with the client ID replaced by a keyed hash (HMAC-SHA256: the same client gets the same code
with the same key, and nobody without the key can test a guess), no names, no clinicians, and
the date replaced by the week counted from the client's first dated session (0 = that week).
Pure: no files.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from paperfit.forms.scoring import ScoredForm, by_client
from paperfit.forms.trajectories import Course

COLUMNS = ("client_code", "age_group", "instrument", "session", "week", "total")
CODE_LENGTH = 16  # hex digits of the keyed hash kept: 64 bits, no collision in any practice


@dataclass(frozen=True)
class DeidentifiedRow:
    client_code: str
    age_group: str
    instrument: str
    session: int
    week: int | None
    total: float

    def values(self) -> tuple[object, ...]:
        return (
            self.client_code,
            self.age_group,
            self.instrument,
            self.session,
            self.week,
            self.total,
        )


def client_code(client_id: str, key: bytes) -> str:
    """CLIENT_ID's keyed hash."""
    return hmac.new(key, client_id.encode("utf-8"), hashlib.sha256).hexdigest()[:CODE_LENGTH]


def deidentified_rows(scored: Sequence[ScoredForm], key: bytes) -> list[DeidentifiedRow]:
    """The complete outcome totals of SCORED, de-identified with KEY, in code and session
    order (so the row order says nothing about the client IDs)."""
    rows = []
    for client_id, entries in by_client(scored).items():
        code = client_code(client_id, key)
        dates = [e.form.date for e in entries if e.form.date is not None]
        first = min(dates, default=None)
        for entry in entries:
            if entry.kind != "outcome" or entry.total is None:
                continue
            date = entry.form.date
            week = (date - first).days // 7 if date is not None and first is not None else None
            rows.append(
                DeidentifiedRow(
                    code,
                    entry.age_group,
                    entry.form.instrument,
                    entry.form.session,
                    week,
                    entry.total,
                )
            )
    return sorted(rows, key=lambda row: (row.client_code, row.session, row.instrument))


def keyed_courses(courses: Sequence[Course], key: bytes | None) -> list[Course]:
    """COURSES (keyed by client ID) keyed by their de-identified codes under KEY, so that the
    practice's own clients and its own de-identified export are one client each when pooled;
    without a KEY, by "own:" and the client ID (no export of this practice can match them)."""
    return [
        Course(client_code(c.key, key) if key else f"own:{c.key}", c.age_group, c.points)
        for c in courses
    ]
