"""Open the practice's record: its URL, the database's own settings, and its migrations.

Takes: a URL (or a plain path, a SQLite file; or None, paperfit.db in the given folder).
Returns: an Engine on a store at the program's schema, migrated on open (and said so). Refuses,
with a message a practice can act on, a store newer than the program, a database paperfit does
not support, and a SQLite file on a network share (several PCs writing one SQLite file over a
share corrupt it: a group uses the desk or PostgreSQL).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from paperfit.store.records import StoreError
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

if TYPE_CHECKING:  # Alembic loads only when a store must be made or migrated
    from alembic.config import Config

DEFAULT_NAME = "paperfit.db"
MIGRATIONS = Path(__file__).parent / "migrations"
NETWORK_FILESYSTEMS = {
    "cifs",
    "smb3",
    "smbfs",
    "nfs",
    "nfs4",
    "afpfs",
    "davfs",
    "fuse.sshfs",
    "fuse.rclone",
    "9p",
    "ncpfs",
    "webdav",
}
BUSY_MS = 60_000  # how long a writer waits for another (an import takes seconds)
NETWORK_ADVICE = (
    "is on a network share. Several computers writing one SQLite file over a share corrupt "
    "it. Keep paperfit.db on this computer's own disk, or, for a group, run the desk (paperfit "
    "desk) on one computer or use PostgreSQL ([store] url = "
    '"postgresql+psycopg://…" in paperfit.toml).'
)


def store_url(url: str | None, folder: Path) -> str:
    """URL as SQLAlchemy reads it: None → FOLDER/paperfit.db; a plain path → a SQLite file
    (relative to FOLDER)."""
    if url is None:
        return f"sqlite:///{(Path(folder) / DEFAULT_NAME).absolute()}"
    if "://" not in url:
        return f"sqlite:///{(Path(folder) / url).absolute()}"
    return url


def make_engine(url: str) -> Engine:
    """An Engine for URL with the database's own settings: SQLite in WAL mode with foreign
    keys and a writer that waits its turn; PostgreSQL through psycopg."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise StoreError(
            f"{re.sub(r'//[^/@]*@', '//…@', url)!r} is not a database URL (shown without "
            "its user and password): give a file path (a SQLite file) or "
            "postgresql+psycopg://user@host/database."
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:"):
            raise StoreError("the practice's record must be a file: give a path.")
        refuse_network_share(Path(database))
        Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": BUSY_MS / 1000})
        _sqlite_settings(engine)
        return engine
    if backend == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True)
    raise StoreError(
        f"paperfit keeps its record in SQLite or PostgreSQL, not {backend}: give a file path "
        "or a postgresql+psycopg:// URL."
    )


def _sqlite_settings(engine: Engine) -> None:
    """WAL once, foreign keys on every connection, and transactions paperfit begins itself,
    so that a writer takes the lock at BEGIN (BEGIN IMMEDIATE) and waits for another writer
    instead of failing half-way."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # paperfit says BEGIN itself (below)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")  # safe in WAL mode
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MB: an import of a year's forms
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def refuse_network_share(path: Path) -> None:
    """StoreError when PATH (a SQLite file) lies on a network share."""
    if on_network_share(path.absolute(), _mounts(), sys.platform):
        raise StoreError(f"{path} {NETWORK_ADVICE}")


def _mounts() -> str:
    try:
        return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def on_network_share(path: Path, mounts: str, platform: str) -> bool:
    """Whether PATH is on a network share: a Windows UNC path or a mapped network drive, or
    on Linux a mount (from MOUNTS, /proc/mounts) of a network filesystem."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return True
    if platform == "win32":
        return _windows_remote_drive(text)
    best, kind = "", ""
    for line in mounts.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        inside = text == point or text.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind in NETWORK_FILESYSTEMS


def _windows_remote_drive(text: str) -> bool:  # pragma: no cover - Windows only
    import ctypes

    root = os.path.splitdrive(text)[0] + "\\"
    return ctypes.windll.kernel32.GetDriveTypeW(root) == 4  # DRIVE_REMOTE


def alembic_config(connection: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision among the shipped migrations (the one no other revises), read from
    their files without loading Alembic: a store already at it opens without it."""
    found, revised = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found.update(re.findall(r'^revision = "([^"]+)"', source, re.MULTILINE))
        revised.update(re.findall(r'^down_revision = "([^"]+)"', source, re.MULTILINE))
    heads = found - revised
    return heads.pop() if len(heads) == 1 else ""


def _current_revision(engine: Engine) -> str | None:
    """The store's revision, or None when it has none yet (or cannot say)."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def migrate(engine: Engine, say: Callable[[str], None]) -> None:
    """Bring the store to the program's schema in one transaction, saying so; StoreError when
    the store is newer than the program."""
    if _current_revision(engine) == head_revision() != "":
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    try:
        with engine.connect().execution_options(write=True) as connection, connection.begin():
            lock_for_writing(connection)
            config = alembic_config(connection)
            script = ScriptDirectory.from_config(config)
            head = script.get_current_head()
            current = MigrationContext.configure(connection).get_current_revision()
            if current == head:
                return
            if current is not None and current not in {r.revision for r in script.walk_revisions()}:
                raise StoreError(
                    f"The practice's record ({_shown(engine)}) was written by a newer paperfit "
                    f"(schema {current}; this one knows up to {head}). Install the newer "
                    "paperfit; nothing was changed."
                )
            command.upgrade(config, "head")
        if current is None:
            say(f"A new practice record was made: {_shown(engine)}")
        else:
            say(f"The practice's record was updated from schema {current} to {head}.")
    except OperationalError as error:
        raise StoreError(
            f"The practice's record ({_shown(engine)}) cannot be opened: {error.orig}."
        ) from None


WRITE_LOCK = 16_016  # PostgreSQL advisory lock key: one writer of the record at a time


def lock_for_writing(connection: Connection) -> None:
    """Wait for any other writer: SQLite did at BEGIN IMMEDIATE; PostgreSQL takes a lock held
    to the end of the transaction, so two imports never race to add the same client or form."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")


def _shown(engine: Engine) -> str:
    """The store's URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)
