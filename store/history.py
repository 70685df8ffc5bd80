"""Each value's versions, oldest first: what it was, from which source, who added it, when and
why, and the version it replaced.

Takes: a connection, a client ID, optionally an instrument. Returns: a list of Version, one per
value that a version stated or changed (a version that changes one item gives one entry).
"""

from __future__ import annotations

from typing import Any

from paperfit.forms.precedence import Rank
from paperfit.store.reading import location, utc, versions_query
from paperfit.store.records import Version
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
from sqlalchemy import Connection, select

OTHER_FIELDS = ("date", "filled_by", "notes")


def history(conn: Connection, client_id: str, instrument: str | None) -> list[Version]:
    query = versions_query(current_only=False).where(clients.c.client_id == client_id)
    if instrument is not None:
        query = query.where(forms.c.instrument == instrument)
    previous: dict[tuple[int, str], Any] = {}
    found: list[tuple[tuple[Any, ...], Version]] = []
    for row in conn.execute(query.order_by(form_versions.c.id)):
        before = previous.get((row.form_pk, row.origin))
        previous[(row.form_pk, row.origin)] = row
        for order, version in _changes(row, before):
            found.append(((row.instrument, row.session, order, row.id), version))
    return [version for _, version in sorted(found, key=lambda pair: pair[0])]


def _changes(row: Any, before: Any) -> list[tuple[int, Version]]:
    """The values ROW states or changes against BEFORE (the same copy's previous version)."""
    common = {
        "instrument": row.instrument,
        "session": row.session,
        "source": str(location(row)),
        "by": row.added_by,
        "when": utc(row.added_at),
        "why": row.why,
        "replaces": row.replaces,
        "withdrawn": row.withdrawn,
        "id": row.id,
    }
    changes = []
    for number, (item, rank) in enumerate(zip(ITEMS, RANKS, strict=True), start=1):
        value = getattr(row, item)
        if (before is None and value is None) or (
            before is not None and getattr(before, item) == value
        ):
            continue
        shown = "(empty)" if value is None else f"{value:g}"
        ranked = None if getattr(row, rank) is None else Rank(getattr(row, rank))
        changes.append(
            (
                number,
                Version(
                    item=number,
                    value=value,
                    rank=ranked,
                    field=f"item {number}",
                    text=shown,
                    **common,
                ),
            )
        )
    for order, name in enumerate(OTHER_FIELDS, start=10):
        value = getattr(row, name)
        if (before is None and value in (None, "")) or (
            before is not None and getattr(before, name) == value
        ):
            continue
        text = "(empty)" if value in (None, "") else str(value)
        changes.append(
            (
                order,
                Version(
                    item=None,
                    value=None,
                    rank=None,
                    field=name.replace("_", " "),
                    text=text,
                    **common,
                ),
            )
        )
    if row.withdrawn and (before is None or not before.withdrawn):
        changes.append(
            (
                0,
                Version(
                    item=None,
                    value=None,
                    rank=Rank.CORRECTION,
                    field="withdrawn",
                    text="withdrawn",
                    **common,
                ),
            )
        )
    return changes


def record_tables(conn: Connection) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Every table of the record with the client ID, instrument and session written out beside
    each version (its keys mean nothing to a person)."""
    queries = {
        "Forms": select(clients.c.client_id, forms.c.instrument, forms.c.session, form_versions)
        .join(forms, forms.c.id == form_versions.c.form_pk)
        .join(clients, clients.c.id == forms.c.client_pk)
        .order_by(clients.c.client_id, forms.c.instrument, forms.c.session, form_versions.c.id),
        "Clients": select(clients.c.client_id, client_versions)
        .join(clients, clients.c.id == client_versions.c.client_pk)
        .order_by(clients.c.client_id, client_versions.c.id),
        "Appointments": select(clients.c.client_id, appointments)
        .join(clients, clients.c.id == appointments.c.client_pk)
        .order_by(appointments.c.day, appointments.c.time),
        "Sources": select(sources).order_by(sources.c.id),
    }
    tables = {}
    for name, query in queries.items():
        result = conn.execute(query)
        tables[name] = (list(result.keys()), [tuple(row) for row in result])
    return tables
