"""The databases the store's tests run against: a SQLite file, and a real PostgreSQL server.

The server is a throwaway cluster made by initdb in a temporary folder, listening only on a
Unix socket in that folder, started once per test session and stopped at the end. As root
(CI), the cluster is made and run as the postgres user, since initdb refuses root. Where the
PostgreSQL binaries are absent, the PostgreSQL cases are skipped with the reason printed.
A test module uses them with `pytest_plugins = ["tests.store_servers"]`.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy

BACKENDS = ("sqlite", "postgresql")


def _bin_folder() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: p.parts)
    return versions[-1].parent if versions else None


def _as_server_user() -> tuple[list[str], int | None]:
    """The command prefix that runs the server's programs, and the uid to give its folder."""
    if os.getuid() != 0:
        return [], None
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres user to run PostgreSQL as")
    return ["runuser", "-u", "postgres", "--"], user.pw_uid


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of a fresh PostgreSQL server (its postgres database), for this test session."""
    folder_of_bin = _bin_folder()
    if folder_of_bin is None:
        reason = "PostgreSQL is not installed (no initdb): the store's PostgreSQL tests skipped"
        print(reason)
        pytest.skip(reason)
    prefix, uid = _as_server_user()
    folder = Path(tempfile.mkdtemp(prefix="pf-pg-"))  # short: a socket path has ~100 chars
    if uid is not None:
        os.chown(folder, uid, -1)
    data = folder / "data"

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)

    run(
        str(folder_of_bin / "initdb"),
        "-D",
        str(data),
        "-A",
        "trust",
        "-U",
        "paperfit",
        "-E",
        "UTF8",
        "--no-sync",
    )
    options = f"-k {folder} -c listen_addresses='' -F"
    run(
        str(folder_of_bin / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-l",
        str(folder / "log"),
        "-w",
        "start",
    )
    try:
        yield f"postgresql+psycopg://paperfit@/postgres?host={folder}"
    finally:
        run(str(folder_of_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server: str) -> str:
    """An empty database on SERVER; returns its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    engine.dispose()
    return server.replace("/postgres?", f"/{name}?")


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store's URL: a SQLite file, then a database on the PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "paperfit.db")
    return new_database(request.getfixturevalue("postgres_server"))
