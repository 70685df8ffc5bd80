"""Named logins for the desk on the practice's network: add one, check a password, and slow
down whoever keeps guessing.

Takes: the store's engine and a name, role and password. Passwords are kept only as
werkzeug.security hashes (scrypt, salted); the `paperfit user add` command and the login page
call these functions.
"""

from __future__ import annotations

import datetime
import threading
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from werkzeug.security import check_password_hash, generate_password_hash

from paperfit.desk.config import ROLES
from paperfit.desk.tables import users
from paperfit.forms.errors import PaperfitError, UsageProblem
from paperfit.forms.records import MAX_TEXT
from paperfit.forms.text import ValueProblem, parse_text

MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # longer is refused unhashed: hashing megabytes would stall the desk
# A name or address that failed this many times in a row waits before the next try; the wait
# doubles with each further failure, up to MAX_WAIT seconds.
FREE_FAILURES = 3
MAX_WAIT = 300.0
# A hash to check against when the name is unknown, so that a wrong name takes as long as a
# wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone's")


def add_user(engine: Engine, name: str, role: str, password: str, by: str) -> None:
    """Add a login NAME with ROLE; UsageProblem for a bad name, role, short password, or a
    name that is taken (logins are never replaced or deleted here)."""
    try:
        name = parse_text(name, MAX_TEXT)
    except ValueProblem as problem:
        raise UsageProblem(f"The name {problem}") from None
    if not name:
        raise UsageProblem("Give the person's name.")
    if role not in ROLES:
        raise UsageProblem(f"Unknown role {role!r}: use one of {', '.join(ROLES)}.")
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise UsageProblem(
            f"The password is too short or too long: use {MIN_PASSWORD} to {MAX_PASSWORD} "
            "characters."
        )
    with engine.begin() as connection:
        taken = connection.execute(sa.select(users.c.name).where(users.c.name == name)).first()
        if taken:
            raise PaperfitError(f"There is already a login named {name!r}.")
        connection.execute(
            users.insert().values(
                name=name,
                role=role,
                password_hash=generate_password_hash(password),
                added_by=by,
                added_at=datetime.datetime.now(datetime.UTC),
                active=True,
            )
        )


def check_login(engine: Engine, name: str, password: str) -> str | None:
    """The role of NAME when PASSWORD is theirs, else None (a wrong name costs as much time as
    a wrong password)."""
    if len(password) > MAX_PASSWORD:
        return None
    with engine.connect() as connection:
        row = connection.execute(
            sa.select(users.c.role, users.c.password_hash).where(
                users.c.name == name, users.c.active.is_(True)
            )
        ).first()
    if row is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return row.role if check_password_hash(row.password_hash, password) else None


def count_users(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(users)).scalar_one()


class Throttle:
    """Failed logins per name and per address: after FREE_FAILURES in a row, the next try is
    refused until a wait that doubles with each failure (a right password clears it)."""

    def __init__(self) -> None:
        self._failures: dict[str, tuple[int, float]] = {}
        self._lock = threading.Lock()

    def wait(self, *keys: str) -> float:
        """Seconds before KEYS may try again (0 when they may now)."""
        now = time.monotonic()
        with self._lock:
            return (
                max(
                    (until - now for _, until in (self._failures.get(k, (0, 0.0)) for k in keys)),
                    default=0.0,
                )
                if keys
                else 0.0
            )

    def failed(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                count = self._failures.get(key, (0, 0.0))[0] + 1
                wait = (
                    0.0 if count < FREE_FAILURES else min(2.0 ** (count - FREE_FAILURES), MAX_WAIT)
                )
                self._failures[key] = (count, now + wait)

    def succeeded(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
