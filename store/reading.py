"""Read the practice's record: the current value of every form after the precedence rule, the
clients, each value's history, the open conflicts, a day's appointments.

Takes: a connection. Returns: forms.records values (Reading, Client, Appointment) and the
store's own (Version, Conflict). A form is never lost because one of its copies has an item to
review (forms.precedence); a withdrawn form is left out of the reading but kept in its history.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from paperfit.forms.errors import Location
from paperfit.forms.precedence import Copy, Rank, merge
from paperfit.forms.records import Appointment, Client, Form, Problem, Reading
from paperfit.store.records import Conflict
from paperfit.store.schema import (
    ITEMS,
    RANKS,
    appointments,
    client_versions,
    clients,
    form_versions,
    forms,
    sources,
)
from sqlalchemy import Connection, Select, func, select

CORRECTION = "correction"  # the origin of staff corrections and withdrawals
ENTERED = "entered"  # the origin of forms typed in at the desk


def utc(moment: datetime.datetime) -> datetime.datetime:
    """MOMENT in UTC (SQLite gives back the UTC time it was given, without its zone)."""
    return moment.replace(tzinfo=datetime.UTC) if moment.tzinfo is None else moment


def versions_query(current_only: bool) -> Select[Any]:
    """Form versions with their form, client and source file."""
    query = (
        select(
            form_versions,
            forms.c.instrument,
            forms.c.session,
            clients.c.client_id,
            sources.c.path,
        )
        .join(forms, forms.c.id == form_versions.c.form_pk)
        .join(clients, clients.c.id == forms.c.client_pk)
        .outerjoin(sources, sources.c.id == form_versions.c.source_pk)
    )
    return query.where(form_versions.c.current) if current_only else query


def location(row: Any) -> Location:
    """Where a version came from: file › sheet › row (or page), or who corrected it."""
    if row.origin in (CORRECTION, ENTERED) or row.path is None:
        return Location(f"{row.origin} by {row.added_by}")
    file = row.origin if row.origin.startswith(row.path) else row.path
    return Location(file, row.sheet, row.row, key=None if row.page is None else f"page {row.page}")


def copy_of(row: Any) -> Copy:
    """A version row as one copy of its form, for forms.precedence.merge."""
    items = tuple(getattr(row, name) for name in ITEMS)
    ranks = tuple(Rank(getattr(row, name) or Rank.SCANNED_REVIEW) for name in RANKS)
    where = location(row)
    form = Form(
        row.client_id, row.instrument, row.session, row.date, items, where, row.filled_by, row.notes
    )
    return Copy(form, ranks, str(where), utc(row.added_at).timestamp() + row.id * 1e-9)


def merged(rows: Sequence[Any]) -> tuple[list[Form], list[Conflict]]:
    """The current form of each form key in ROWS (current versions), and the conflicts."""
    by_form: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_form[row.form_pk].append(row)
    found, conflicts = [], []
    for copies in by_form.values():
        if any(row.withdrawn for row in copies):
            continue
        if len(copies) == 1:  # most forms: one copy, nothing to weigh
            found.append(copy_of(copies[0]).form)
            continue
        form, disagreements = merge([copy_of(row) for row in copies])
        found.append(form)
        conflicts += [
            Conflict(form.client_id, form.instrument, form.session, str(d), d.brief())
            for d in disagreements
        ]
    return found, conflicts


def read_record(conn: Connection, client_ids: Sequence[str] | None) -> Reading:
    """Everything current in the record (or only CLIENT_IDS'), as the file readers give it."""
    query = versions_query(current_only=True)
    if client_ids is not None:
        query = query.where(clients.c.client_id.in_(client_ids))
    found, conflicts = merged(conn.execute(query).all())
    reading = Reading()
    reading.forms = sorted(found, key=lambda f: (f.client_id, f.session, f.instrument))
    listed = client_rows(conn, client_ids)
    reading.clients = {client.client_id: client for client, _ in listed}
    reading.client_list_given = any(was_listed for _, was_listed in listed)
    reading.files = [path for (path,) in conn.execute(select(sources.c.path).distinct()).tuples()]
    places = {(f.client_id, f.instrument, f.session): f.source for f in found}
    reading.problems = [
        Problem(places[(c.client_id, c.instrument, c.session)], f"{c}.", "warning")
        for c in conflicts
    ]
    for c in conflicts:
        reading.disagreements.setdefault(c.client_id, []).append(
            f"{c.instrument} session {c.session}, {c.brief}"
        )
    return reading


def client_rows(
    conn: Connection, client_ids: Sequence[str] | None = None, search: str = ""
) -> list[tuple[Client, bool]]:
    """The clients' current details, and whether they came from a client list."""
    query = (
        select(client_versions, clients.c.client_id)
        .join(clients, clients.c.id == client_versions.c.client_pk)
        .where(client_versions.c.current)
        .order_by(clients.c.client_id)
    )
    if client_ids is not None:
        query = query.where(clients.c.client_id.in_(client_ids))
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            func.lower(clients.c.client_id).like(pattern)
            | func.lower(client_versions.c.name).like(pattern)
        )
    return [
        (
            Client(
                row.client_id, row.age_group, row.clinician, row.start_date, row.status, row.name
            ),
            row.listed,
        )
        for row in conn.execute(query)
    ]


def next_session(conn: Connection, client_id: str, instrument: str | None = None) -> int:
    """One more than the highest session number the client has (of INSTRUMENT when given);
    a withdrawn form does not count."""
    withdrawn = (  # asked of the client's own forms only (by form_pk), not of every form
        select(form_versions.c.id)
        .where(
            form_versions.c.form_pk == forms.c.id,
            form_versions.c.current,
            form_versions.c.withdrawn,
        )
        .exists()
    )
    query = (
        select(func.max(forms.c.session))
        .join(clients, clients.c.id == forms.c.client_pk)
        .where(clients.c.client_id == client_id, ~withdrawn)
    )
    if instrument is not None:
        query = query.where(forms.c.instrument == instrument)
    return (conn.execute(query).scalar() or 0) + 1


def session_on(conn: Connection, client_id: str, day: datetime.date) -> int | None:
    """The session number of the client's form dated DAY (the highest of them), or None: a
    day whose forms are in already keeps its own session, not the one after it."""
    query = (
        select(func.max(forms.c.session))
        .join(clients, clients.c.id == forms.c.client_pk)
        .join(form_versions, form_versions.c.form_pk == forms.c.id)
        .where(
            clients.c.client_id == client_id,
            form_versions.c.current,
            form_versions.c.date == day,
            ~form_versions.c.withdrawn,
        )
    )
    return conn.execute(query).scalar()


def day_appointments(conn: Connection, day: datetime.date) -> list[Appointment]:
    """DAY's appointments in time order, each with the client's details and next session."""
    query = (
        select(appointments, clients.c.client_id)
        .join(clients, clients.c.id == appointments.c.client_pk)
        .where(appointments.c.day == day)
        .order_by(appointments.c.time.asc().nulls_last(), appointments.c.id)
    )
    rows = conn.execute(query).all()
    details = {c.client_id: c for c, _ in client_rows(conn, [r.client_id for r in rows])}
    found = []
    for number, row in enumerate(rows, start=1):
        client = details.get(row.client_id, Client(row.client_id))
        found.append(
            Appointment(
                client_id=row.client_id,
                date=row.day,
                session=session_on(conn, row.client_id, row.day)
                or next_session(conn, row.client_id),
                clinician=client.clinician,
                age_group=client.age_group,
                format=row.format,
                name=client.name,
                instruments=tuple(row.instruments.split()),
                row=number,
                time=row.time or "",
            )
        )
    return found
