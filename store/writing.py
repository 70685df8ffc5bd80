"""Add to the practice's record: an import of forms read from a file, a typed entry, a staff
correction or withdrawal, an appointment. Every write is one transaction on a connection the
caller opened for writing; versions are only ever added (the old one gets current = false and
its successor, nothing else changes).

Takes: forms.records Forms and Clients, the rank of each value (forms.precedence), who and why.
Returns: an ImportResult saying what was new, changed, unchanged, and every conflict.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from paperfit.forms.precedence import Rank
from paperfit.forms.records import Appointment, Client, Form
from paperfit.store.records import ImportResult
from paperfit.store.schema import (
    ITEMS,
    MMS,
    RANKS,
    appointments,
    client_versions,
    clients,
    form_versions,
    forms,
    sources,
)
from sqlalchemy import Connection, Table, func, select, update

FORM_FIELDS = (*ITEMS, *RANKS, "date", "filled_by", "notes", "withdrawn")
CLIENT_FIELDS = ("age_group", "clinician", "start_date", "status", "name", "listed")
FormKey = tuple[str, str, int]


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def bulk_insert(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ROWS (all with the same keys) in one executemany, each value made ready by its
    column type once per value, not by building a statement per row: an import of 200,000
    forms would otherwise spend most of its time in SQLAlchemy's parameter handling."""
    if not rows:
        return
    names = list(rows[0])
    dialect = conn.dialect
    ready = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names]
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    columns = ", ".join(dialect.identifier_preparer.quote(name) for name in names)
    statement = f"INSERT INTO {table.name} ({columns}) VALUES ({', '.join([marker] * len(names))})"
    get = itemgetter(*names)
    # Only dates, times and (on SQLite) booleans need making ready; their values repeat, so
    # each distinct one is made ready once.
    made = [(index, process, {}) for index, process in enumerate(ready) if process is not None]
    values = []
    for row in rows:
        value = list(get(row)) if len(names) > 1 else [get(row)]
        for index, process, seen in made:
            raw = value[index]
            if raw is not None:
                if raw not in seen:
                    seen[raw] = process(raw)
                value[index] = seen[raw]
        values.append(tuple(value))
    conn.exec_driver_sql(statement, values)


def add_source(conn: Connection, path: str, sha256: str, kind: str, by: str) -> int:
    row = {"path": path, "sha256": sha256, "kind": kind, "imported_at": now(), "imported_by": by}
    return conn.execute(sources.insert().values(**row)).inserted_primary_key[0]


# A write touching at most this many clients or forms reads only theirs (a typed form, a
# correction, a small file); a larger import reads the whole table once, which is quicker.
FEW = 500


def among(column: Any, values: Iterable[Any]) -> list[Any]:
    """A WHERE clause keeping COLUMN to VALUES when they are FEW, else none (the whole table)."""
    chosen = set(values)
    return [column.in_(chosen)] if len(chosen) <= FEW else []


def ensure_clients(
    conn: Connection,
    ids: Iterable[str],
    listed: Mapping[str, Client],
    stamp: dict[str, Any],
    result: ImportResult,
) -> dict[str, int]:
    """Every client in IDS and LISTED in the record (their details as the list says, a new
    version where they changed); returns client ID → key."""
    wanted = set(ids) | set(listed)
    query = select(clients.c.client_id, clients.c.id).where(*among(clients.c.client_id, wanted))
    keys = dict(conn.execute(query).tuples().all())
    missing = sorted(wanted - set(keys))
    if missing:
        bulk_insert(conn, clients, [{"client_id": c} for c in missing])
        keys = dict(conn.execute(query).tuples().all())
        result.new_clients += len(missing)
    mine = among(client_versions.c.client_pk, (keys[c] for c in wanted))
    current = {
        row.client_pk: row
        for row in conn.execute(select(client_versions).where(client_versions.c.current, *mine))
    }
    fresh = []
    for client_id in sorted(wanted):
        pk = keys[client_id]
        given = listed.get(client_id)
        old = current.get(pk)
        if old is not None and (given is None or _client_values(given, True) == _values(old)):
            continue
        values = _client_values(given or Client(client_id), given is not None)
        if old is None:
            fresh.append({"client_pk": pk, **values, **stamp, "replaces": None})
        else:
            supersede(conn, client_versions, old.id, {"client_pk": pk, **values, **stamp})
            result.changed_clients += 1
    if fresh:
        bulk_insert(conn, client_versions, [{**row, "current": True} for row in fresh])
    return keys


def _client_values(client: Client, listed: bool) -> dict[str, Any]:
    return {
        "age_group": client.age_group,
        "clinician": client.clinician,
        "start_date": client.start_date,
        "status": client.status,
        "name": client.name,
        "listed": listed,
    }


def _values(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CLIENT_FIELDS}


def supersede(conn: Connection, table: Any, old_id: int, values: dict[str, Any]) -> int:
    """Add a current version replacing OLD_ID, and mark OLD_ID as replaced by it."""
    new_id = conn.execute(
        table.insert().values(**values, replaces=old_id, current=True)
    ).inserted_primary_key[0]
    conn.execute(update(table).where(table.c.id == old_id).values(current=False, successor=new_id))
    return new_id


def ensure_forms(
    conn: Connection, keys: Iterable[FormKey], client_pks: Mapping[str, int]
) -> tuple[dict[FormKey, int], set[FormKey]]:
    """Every form in KEYS in the record; returns key → form key, and the keys that are new."""
    keys = list(keys)
    owners = {client_pks[c] for c, _, _ in keys}
    known = _form_keys(conn, owners)
    missing = sorted(set(keys) - set(known))  # in key order: the index grows at its end
    if missing:
        bulk_insert(
            conn,
            forms,
            [{"client_pk": client_pks[c], "instrument": i, "session": s} for c, i, s in missing],
        )
        known = _form_keys(conn, owners)
    return known, set(missing)


def _form_keys(conn: Connection, owners: set[int]) -> dict[FormKey, int]:
    """The forms of the clients OWNERS (keys), or of everyone when they are many."""
    query = (
        select(clients.c.client_id, forms.c.instrument, forms.c.session, forms.c.id)
        .join(clients, clients.c.id == forms.c.client_pk)
        .where(*among(forms.c.client_pk, owners))
    )
    return {(c, i, s): pk for c, i, s, pk in conn.execute(query).tuples()}


def form_values(form: Form, rank_of: Callable[[Form, int], Rank]) -> dict[str, Any]:
    """FORM as a version row's values: each stated item with its rank (an empty item states
    nothing, so it has no rank)."""
    items = (*form.items, None, None, None, None)[:4]
    values: dict[str, Any] = dict(zip(ITEMS, items, strict=True))
    for number, (rank, value) in enumerate(zip(RANKS, items, strict=True)):
        values[rank] = None if value is None else int(rank_of(form, number))
    values.update(
        date=form.date,
        filled_by=form.filled_by,
        notes=form.notes,
        withdrawn=False,
        sheet=form.source.sheet,
        row=form.source.row,
        page=None,
    )
    values.update(zip(MMS, (*form.mm, None, None, None, None)[:4], strict=True))
    return values


def same(old: Any, values: Mapping[str, Any]) -> bool:
    return all(getattr(old, name) == values[name] for name in FORM_FIELDS)


def describe(old: Any, values: Mapping[str, Any]) -> str:
    """What changed between version OLD and VALUES, in words."""
    words = []
    for name in FORM_FIELDS:
        if name in RANKS or getattr(old, name) == values[name]:
            continue
        label = f"item {name[4:]}" if name in ITEMS else name.replace("_", " ")
        words.append(f"{label} {_shown(getattr(old, name))} → {_shown(values[name])}")
    return ", ".join(words)


def _shown(value: object) -> str:
    if value is None or value == "":
        return "(empty)"
    return f"{value:g}" if isinstance(value, float) else str(value)


def import_copies(
    conn: Connection,
    forms_in: Sequence[Form],
    origin: str,
    rank_of: Callable[[Form, int], Rank],
    stamp: dict[str, Any],
    result: ImportResult,
    client_pks: Mapping[str, int],
) -> set[int]:
    """Add ORIGIN's copy of each form: new copies in bulk, a version for each changed copy;
    returns the keys of the forms touched. A file holding one form twice keeps both copies
    (the second as ORIGIN (copy 2))."""
    keys = [(f.client_id, f.instrument, f.session) for f in forms_in]
    form_pks, new_keys = ensure_forms(conn, keys, client_pks)
    origins = _origins(keys, origin)
    current = {
        (row.form_pk, row.origin): row
        for row in conn.execute(
            select(form_versions).where(
                form_versions.c.origin.in_(set(origins)),
                form_versions.c.current,
                *among(form_versions.c.form_pk, (form_pks[key] for key in keys)),
            )
        )
    }
    fresh, touched = [], set()
    for form, key, copy_origin in zip(forms_in, keys, origins, strict=True):
        pk = form_pks[key]
        values = form_values(form, rank_of)
        old = current.get((pk, copy_origin))
        if old is not None and same(old, values):
            result.unchanged += 1
            continue
        touched.add(pk)
        values.update(stamp, form_pk=pk, origin=copy_origin)
        if old is None:
            values.update(replaces=None, current=True)
            fresh.append(values)
            result.new += 1 if key in new_keys else 0
            result.copies += 0 if key in new_keys else 1
        else:
            supersede(conn, form_versions, old.id, values)
            result.changed += 1
            result.changes.append(
                f"client {key[0]} {key[1]} session {key[2]}: {describe(old, values)}"
            )
    bulk_insert(conn, form_versions, fresh)
    return touched


def _origins(keys: Sequence[FormKey], origin: str) -> list[str]:
    seen: Counter[FormKey] = Counter()
    origins = []
    for key in keys:
        seen[key] += 1
        origins.append(origin if seen[key] == 1 else f"{origin} (copy {seen[key]})")
    return origins


def multi_copy(conn: Connection, touched: set[int]) -> set[int]:
    """The forms among TOUCHED that have more than one current copy (only those can conflict)."""
    if not touched:
        return set()
    query = (
        select(form_versions.c.form_pk)
        .where(form_versions.c.current, *among(form_versions.c.form_pk, touched))
        .group_by(form_versions.c.form_pk)
        .having(func.count() > 1)
    )
    return {pk for (pk,) in conn.execute(query).tuples()} & touched


def add_appointments(
    conn: Connection,
    given: Sequence[Appointment],
    client_pks: Mapping[str, int],
    source_pk: int | None,
    by: str,
) -> int:
    """Keep each appointment not yet in the record (one per client and day); returns how many
    were added."""
    days = {a.date for a in given}
    kept = {
        (pk, day)
        for pk, day in conn.execute(
            select(appointments.c.client_pk, appointments.c.day).where(appointments.c.day.in_(days))
        ).tuples()
    }
    rows = []
    for appointment in given:
        pk = client_pks[appointment.client_id]
        if (pk, appointment.date) in kept:
            continue
        kept.add((pk, appointment.date))
        rows.append(
            {
                "client_pk": pk,
                "day": appointment.date,
                "time": appointment.time or None,
                "format": appointment.format or "individual",
                "instruments": " ".join(appointment.instruments),
                "source_pk": source_pk,
                "added_by": by,
                "added_at": now(),
            }
        )
    bulk_insert(conn, appointments, rows)
    return len(rows)
