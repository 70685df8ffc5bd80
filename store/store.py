"""The practice's record as one object: open it, import into it, correct it, read it.

Takes: what the readers (scanner/) made, or what a person typed or corrected, with who and why.
Returns: forms.records values for scoring and pages, and the record's own answers (ImportResult,
Version, Conflict). Every write is one transaction that waits for any other writer, so two
imports at the same time lose nothing.
"""

from __future__ import annotations

import datetime
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from paperfit.forms.errors import Location
from paperfit.forms.precedence import Rank
from paperfit.forms.records import ITEM_COUNT, MAX_ITEM, Appointment, Client, Form, Reading
from paperfit.store import writing
from paperfit.store.connect import lock_for_writing, make_engine, migrate, store_url
from paperfit.store.history import history, record_tables
from paperfit.store.reading import (
    CORRECTION,
    ENTERED,
    client_rows,
    day_appointments,
    merged,
    next_session,
    read_record,
    versions_query,
)
from paperfit.store.records import Conflict, ImportResult, StoreError, Version
from paperfit.store.schema import clients, form_versions, forms, sources
from sqlalchemy import Connection, Engine, func, select


def open_store(url: str | None, folder: Path, say: Callable[[str], None] = lambda s: None) -> Store:
    """The record at URL (None: FOLDER/paperfit.db; a plain path: a SQLite file), migrated to
    the program's schema on open (said through SAY)."""
    engine = make_engine(store_url(url, folder))
    migrate(engine, say)
    return Store(engine)


class Store:
    """One practice's record."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """One write transaction, after any other writer's."""
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            lock_for_writing(conn)
            yield conn

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def imported(self, sha256: str) -> int | None:
        """How many form copies a file with these contents brought when it was imported, or
        None when it never was (importing it again would add nothing)."""
        with self._reading() as conn:
            keys = [
                pk
                for (pk,) in conn.execute(
                    select(sources.c.id).where(sources.c.sha256 == sha256)
                ).tuples()
            ]
            if not keys:
                return None
            query = select(func.count()).where(form_versions.c.source_pk.in_(keys))
            return conn.execute(query).scalar() or 0

    def everything(self) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
        """The whole record, every version, table by table (columns, rows): for a workbook a
        person can read without paperfit."""
        with self._reading() as conn:
            return record_tables(conn)

    def import_forms(
        self,
        forms: Sequence[Form],
        clients: Mapping[str, Client],
        *,
        source_path: str,
        sha256: str,
        rank_of: Callable[[Form, int], Rank],
        by: str,
        appointments: Sequence[Appointment] = (),
    ) -> ImportResult:
        """Keep SOURCE_PATH's copy of each form (a version for each changed value), its client
        list and its appointments."""
        result = ImportResult()
        with self._writing() as conn:
            source_pk = writing.add_source(conn, source_path, sha256, "file", by)
            stamp = {
                "source_pk": source_pk,
                "added_by": by,
                "added_at": writing.now(),
                "why": f"imported from {source_path}",
            }
            ids = {f.client_id for f in forms} | {a.client_id for a in appointments}
            client_pks = writing.ensure_clients(conn, ids, clients, stamp, result)
            touched = writing.import_copies(
                conn, forms, source_path, rank_of, stamp, result, client_pks
            )
            result.conflicts = self._conflicts_of(conn, writing.multi_copy(conn, touched))
            result.appointments = writing.add_appointments(
                conn, appointments, client_pks, source_pk, by
            )
        return result

    def enter_form(self, form: Form, *, by: str, reason: str) -> ImportResult:
        """Keep a form typed in by BY (the typed copy of that form, replacing an earlier one)."""
        result = ImportResult()
        with self._writing() as conn:
            stamp = {"source_pk": None, "added_by": by, "added_at": writing.now(), "why": reason}
            client_pks = writing.ensure_clients(conn, {form.client_id}, {}, stamp, result)
            touched = writing.import_copies(
                conn, [form], ENTERED, lambda f, n: Rank.TYPED, stamp, result, client_pks
            )
            result.conflicts = self._conflicts_of(conn, writing.multi_copy(conn, touched))
        return result

    def correct(
        self,
        client_id: str,
        instrument: str,
        session: int,
        item: int,
        value: float,
        *,
        by: str,
        reason: str,
    ) -> None:
        """A staff correction of one item: it beats every other copy of that value."""
        if not 1 <= item <= ITEM_COUNT:
            raise StoreError(f"item must be 1 to {ITEM_COUNT}, not {item}.")
        if not 0 <= value <= MAX_ITEM:
            raise StoreError(f"a value is 0 to {MAX_ITEM:g} (cm), not {value:g}.")
        with self._writing() as conn:
            old = self._correction_base(conn, client_id, instrument, session, reason)
            items = list(old.items) if old is not None else [None] * ITEM_COUNT
            items[item - 1] = round(value, 1)
            self._add_correction(conn, client_id, instrument, session, items, False, by, reason)

    def withdraw(
        self, client_id: str, instrument: str, session: int, *, by: str, reason: str
    ) -> None:
        """Withdraw a form: it leaves the reading, and stays in the record with who and why."""
        with self._writing() as conn:
            old = self._correction_base(conn, client_id, instrument, session, reason)
            items = list(old.items) if old is not None else [None] * ITEM_COUNT
            self._add_correction(conn, client_id, instrument, session, items, True, by, reason)

    def _correction_base(
        self, conn: Connection, client_id: str, instrument: str, session: int, reason: str
    ) -> Form | None:
        """The staff corrections already made to the form (None if none); StoreError when
        the form is not in the record, is withdrawn, or there is no reason."""
        if not reason.strip():
            raise StoreError("say why (--reason): every change in the record keeps its reason.")
        rows = conn.execute(
            versions_query(current_only=True).where(
                clients.c.client_id == client_id,
                forms.c.instrument == instrument,
                forms.c.session == session,
            )
        ).all()
        if not rows:
            raise StoreError(
                f"{instrument} session {session} of client {client_id} is not in the record: "
                f"check the client, instrument and session (paperfit history --client {client_id})."
            )
        if any(row.withdrawn for row in rows):
            raise StoreError(
                f"{instrument} session {session} of client {client_id} was withdrawn: it can "
                "no longer be corrected."
            )
        own = [row for row in rows if row.origin == CORRECTION]
        if not own:
            return None
        return Form(
            client_id,
            instrument,
            session,
            None,
            tuple(getattr(own[0], f"item{n}") for n in range(1, 5)),
            Location(CORRECTION),
        )

    def _add_correction(
        self,
        conn: Connection,
        client_id: str,
        instrument: str,
        session: int,
        items: list[float | None],
        withdrawn: bool,
        by: str,
        reason: str,
    ) -> None:
        form = Form(client_id, instrument, session, None, tuple(items), Location(CORRECTION))
        values = writing.form_values(form, lambda f, n: Rank.CORRECTION)
        values["withdrawn"] = withdrawn
        stamp = {"source_pk": None, "added_by": by, "added_at": writing.now(), "why": reason}
        pk = conn.execute(
            select(forms.c.id)
            .join(clients, clients.c.id == forms.c.client_pk)
            .where(
                clients.c.client_id == client_id,
                forms.c.instrument == instrument,
                forms.c.session == session,
            )
        ).scalar_one()
        row = {"form_pk": pk, "origin": CORRECTION, **values, **stamp}
        old = conn.execute(
            select(form_versions.c.id).where(
                form_versions.c.form_pk == pk,
                form_versions.c.origin == CORRECTION,
                form_versions.c.current,
            )
        ).scalar()
        if old is None:
            conn.execute(form_versions.insert().values(**row, replaces=None, current=True))
        else:
            writing.supersede(conn, form_versions, old, row)

    def reading(self, client_ids: Sequence[str] | None = None) -> Reading:
        """The current value of every form (of CLIENT_IDS when given) after precedence, the
        clients, and each open conflict as a warning naming both values and sources."""
        with self._reading() as conn:
            return read_record(conn, client_ids)

    def clients(self, search: str = "", open_only: bool = False) -> list[Client]:
        with self._reading() as conn:
            found = [client for client, _ in client_rows(conn, None, search)]
        return [c for c in found if c.status == "open"] if open_only else found

    def client(self, client_id: str) -> Client | None:
        with self._reading() as conn:
            found = client_rows(conn, [client_id])
        return found[0][0] if found else None

    def next_session(self, client_id: str, instrument: str | None = None) -> int:
        """The session number after the client's last form (of INSTRUMENT; None: of any)."""
        with self._reading() as conn:
            return next_session(conn, client_id, instrument)

    def add_appointment(
        self, client_id: str, day: datetime.date, time: str | None, *, by: str
    ) -> None:
        with self._writing() as conn:
            stamp = {
                "source_pk": None,
                "added_by": by,
                "added_at": writing.now(),
                "why": "appointment",
            }
            client_pks = writing.ensure_clients(conn, {client_id}, {}, stamp, ImportResult())
            appointment = Appointment(client_id, day, 0, "", "", "individual", time=time or "")
            writing.add_appointments(conn, [appointment], client_pks, None, by)

    def appointments(self, day: datetime.date) -> list[Appointment]:
        with self._reading() as conn:
            return day_appointments(conn, day)

    def history(self, client_id: str, instrument: str | None = None) -> list[Version]:
        with self._reading() as conn:
            return history(conn, client_id, instrument)

    def conflicts(self, client_id: str | None = None) -> list[Conflict]:
        with self._reading() as conn:
            query = versions_query(current_only=True)
            if client_id is not None:
                query = query.where(clients.c.client_id == client_id)
            return merged(conn.execute(query).all())[1]

    def _conflicts_of(self, conn: Connection, form_pks: set[int]) -> list[Conflict]:
        if not form_pks:
            return []
        query = versions_query(current_only=True).where(form_versions.c.form_pk.in_(form_pks))
        return merged(conn.execute(query).all())[1]

    def backup(self, path: Path) -> None:
        """A copy of the whole record at PATH, made while it may be in use (SQLite's online
        backup), whole or not at all."""
        if self.engine.dialect.name != "sqlite":
            raise StoreError(
                "paperfit backs up SQLite records; back up a PostgreSQL record with pg_dump "
                "(see the README, The practice's record)."
            )
        path = Path(path)
        if path.resolve() == Path(self.engine.url.database or "").resolve():
            raise StoreError(f"{path} is the record itself: back it up to another file.")
        partial = path.with_name(f".{path.name}.part")
        try:
            target = sqlite3.connect(partial)
            try:
                with self.engine.connect() as conn:
                    raw: Any = conn.connection.dbapi_connection
                    raw.backup(target)
            finally:
                target.close()  # before the file is renamed or removed (Windows holds it)
            os.replace(partial, path)
        except (OSError, sqlite3.Error) as error:
            partial.unlink(missing_ok=True)
            raise StoreError(f"{path} could not be written: {error}.") from None
