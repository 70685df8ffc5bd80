"""Practice settings from an optional paperfit.toml; every setting has a default.

Takes: the path of paperfit.toml (or none). Returns: a Settings object. An unknown key, a wrong
type or a bad value raises InputProblem naming the file and key.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING

from paperfit.forms.errors import InputProblem, Location
from paperfit.forms.instrument import threshold_problem
from paperfit.forms.limits import LIMIT_RANGES, Limits
from paperfit.forms.records import MAX_TEXT
from paperfit.forms.scoring import ScoringSettings
from paperfit.forms.sheet import LANGUAGES, PAPERS
from paperfit.forms.text import ValueProblem, parse_text
from paperfit.forms.tomlfile import Table, read_toml
from paperfit.generator.output import file_lock

if TYPE_CHECKING:  # the fit loads numpy: only a command that fits imports it
    from paperfit.forms.scoring import Thresholds
    from paperfit.forms.trajectories import FitOptions

DEFAULT_FILE = Path("paperfit.toml")
# Each scoring setting and the kind of value it is (forms.instrument.THRESHOLD_RANGES).
THRESHOLD_KINDS = {
    "cutoff_adult": "cutoff",
    "cutoff_adolescent": "cutoff",
    "cutoff_child": "cutoff",
    "rci": "rci",
    "srs_alert_total": "alert_total",
    "srs_alert_item": "alert_item",
}


EXPECTED_MODES = ("auto", "none")


@dataclass(frozen=True)
class TrajectorySettings:
    """Expected courses: where graphs and the report take them from ("auto": fitted from the
    inputs when there are enough clients; "none"; or the path of a model.json), and the
    fewest clients (with at least 3 complete outcome forms) an age group's curve rests on,
    and the fewest past clients near the intake a cell of a curve rests on."""

    expected: str = "auto"
    min_clients: int = 100
    min_support: int = 20


@dataclass(frozen=True)
class Settings:
    """What a practice can set once instead of on every command."""

    practice_name: str = ""
    paper: str = "letter"
    language: str = "en"
    privacy: str = ""
    instrument_dir: Path | None = None
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    limits: Limits = field(default_factory=Limits)
    trajectories: TrajectorySettings = field(default_factory=TrajectorySettings)
    deidentify_key: str = ""  # hex; the secret of de-identified exports ([deidentify] key)
    desk_inbox: Path | None = None  # [desk] inbox: a folder the desk reads scans from
    source: Path | None = None
    # The practice's record ([store] url): a database URL or a SQLite file's path (relative to
    # this file); None: paperfit.db beside paperfit.toml, or in the current folder.
    store_url: str | None = None

    @property
    def store_folder(self) -> Path:
        """Where the record's file lives by default: beside paperfit.toml, or here."""
        return self.source.parent if self.source is not None else Path()


def _instrument_dir(path: Path, given: str) -> Path | None:
    """The folder GIVEN as instrument_dir in the settings file PATH, relative to that file (not
    to where the command runs); InputProblem naming the file when it is not a folder."""
    if not given:
        return None
    folder = path.parent / given
    if not folder.is_dir():
        raise InputProblem(
            Location(str(path), key="instrument_dir"),
            f"{given!r} is not a folder (looked for {folder}). Make the folder and put your own "
            "instrument files in it, or leave instrument_dir out.",
        )
    return folder


def load_settings(path: Path | None = None) -> Settings:
    """Read PATH, or ./paperfit.toml when it exists, or return the defaults."""
    if path is None:
        if not DEFAULT_FILE.is_file():
            return Settings()
        path = DEFAULT_FILE
    top = Table(path, read_toml(path))
    top.only(
        {
            "practice_name",
            "paper",
            "language",
            "privacy",
            "instrument_dir",
            "scoring",
            "trajectories",
            "deidentify",
            "limits",
            "desk",
            "store",
        }
    )
    defaults = Settings()
    instrument_dir = top.text("instrument_dir", "")
    return Settings(
        practice_name=_text(top, "practice_name", MAX_TEXT),
        paper=top.choice("paper", PAPERS, defaults.paper),
        language=top.choice("language", LANGUAGES, defaults.language),
        privacy=_text(top, "privacy", None),
        instrument_dir=_instrument_dir(path, instrument_dir),
        scoring=_scoring(top.table("scoring", required=False)),
        limits=_limits(top.table("limits", required=False)),
        trajectories=_trajectories(top.table("trajectories", required=False), path),
        deidentify_key=_deidentify_key(top.table("deidentify", required=False)),
        desk_inbox=_desk_inbox(top.table("desk", required=False), path),
        source=path,
        store_url=_store_url(top.table("store", required=False)),
    )


def _text(table: Table, key: str, limit: int | None) -> str:
    """A text setting printed on pages, under the rule every text paperfit reads is held to
    (forms.text.parse_text); line breaks are allowed where there is no LIMIT (a paragraph)."""
    try:
        return parse_text(table.text(key, ""), limit, lines=limit is None)
    except ValueProblem as problem:
        raise table.fail(key, str(problem)) from None


def _scoring(table: Table | None) -> ScoringSettings:
    if table is None:
        return ScoringSettings()
    names = [f.name for f in fields(ScoringSettings)]
    table.only(names)
    values: dict[str, float | int] = {}
    for name in names:
        if name not in table.data:
            continue
        if name == "no_improvement_by_session":
            value = table.get(name, int)
            if not 1 <= value <= 100:
                raise table.fail(name, f"must be a session number from 1 to 100, not {value}.")
        else:
            value = float(table.get(name, (int, float)))
            if reason := threshold_problem(THRESHOLD_KINDS[name], value):
                raise table.fail(name, reason)
        values[name] = value
    return ScoringSettings(**values)


def _limits(table: Table | None) -> Limits:
    if table is None:
        return Limits()
    table.only(list(LIMIT_RANGES))
    values: dict[str, float | int] = {}
    for name, (low, high) in LIMIT_RANGES.items():
        if name not in table.data:
            continue
        value = table.get(name, (int, float) if isinstance(low, float) else int)
        if not low <= value <= high:
            raise table.fail(name, f"must be from {low:,} to {high:,}, not {value:,}.")
        values[name] = value
    return Limits(**values)


def _trajectories(table: Table | None, path: Path) -> TrajectorySettings:
    if table is None:
        return TrajectorySettings()
    table.only({"expected", "min_clients", "min_support"})
    expected = table.text("expected", "auto")
    if not expected:
        raise table.fail("expected", "is empty: give auto, none or the path of a model.json.")
    if expected not in EXPECTED_MODES:  # a model file, relative to the settings file
        expected = str(path.parent / expected)
    # below 100 clients a curve's thin cells were off by 5 points on made-up practices
    min_clients = table.get("min_clients", int, 100)
    if not 100 <= min_clients <= 100_000:
        raise table.fail("min_clients", f"must be from 100 to 100000, not {min_clients}.")
    min_support = table.get("min_support", int, 20)
    if not 5 <= min_support <= 100_000:
        raise table.fail("min_support", f"must be from 5 to 100000, not {min_support}.")
    return TrajectorySettings(expected, min_clients, min_support)


def _desk_inbox(table: Table | None, path: Path) -> Path | None:
    """[desk] inbox: a folder, relative to the settings file, that must exist."""
    if table is None:
        return None
    table.only({"inbox"})
    inbox = table.text("inbox", "")
    if not inbox:
        return None
    folder = path.parent / inbox
    if not folder.is_dir():
        raise table.fail("inbox", f"{folder} is not a folder: make it, or correct the path.")
    return folder


def _store_url(table: Table | None) -> str | None:
    if table is None:
        return None
    table.only({"url"})
    url = table.text("url", "").strip()
    if not url:
        raise table.fail("url", 'is empty: give a file (url = "paperfit.db") or a database URL.')
    return url


KEY_HEX = 64  # 32 bytes


def _deidentify_key(table: Table | None) -> str:
    if table is None:
        return ""
    table.only({"key"})
    key = table.text("key", "")
    if key and (len(key) != KEY_HEX or any(c not in "0123456789abcdef" for c in key)):
        raise table.fail("key", f"must be {KEY_HEX} hex digits, as paperfit wrote it.")
    return key


KEY_FILE = "paperfit.key"
KEY_WAIT = 10.0  # seconds a run waits for another making the key at the same moment
KEY_TEXT = """\
# The secret key of de-identified exports (paperfit export --deidentify). Keep it, and never
# share it or send it with an export: with it, anyone can test guessed client IDs against the
# codes in an export (short IDs in seconds). With the same key a client keeps the same code in
# every export. This file is readable by its owner only (mode 600); keep it so.
key = "{key}"
"""


def fit_options(
    settings: Settings, thresholds: Thresholds, folds: int, min_clients: int | None = None
) -> FitOptions:
    """How expected courses are fitted, the same for the command line and the desk:
    paperfit.toml's minimums (MIN_CLIENTS when given instead), the practice's cutoffs and RCI,
    and FOLDS calibration folds (0: none)."""
    from paperfit.forms.trajectories import FitOptions

    chosen = settings.trajectories
    return FitOptions(
        min_clients=min_clients or chosen.min_clients,
        min_support=chosen.min_support,
        folds=folds,
        cutoffs=dict(thresholds.cutoffs),
        rci=thresholds.rci,
    )


def key_file(settings: Settings) -> Path:
    """Where the key of de-identified exports is kept: paperfit.key beside the settings file
    (or in the folder the command runs in), apart from the settings, which staff copy and
    share, and only paperfit writes it."""
    folder = settings.source.parent if settings.source is not None else Path()
    return folder / KEY_FILE


def deidentify_key(settings: Settings) -> tuple[bytes, Path | None]:
    """The key of de-identified exports, and the key file it was just written to (None when
    it was already there). A key in paperfit.toml's [deidentify] table (written by earlier
    versions) is used as it is. A new key is made once, under a lock and looked for again
    inside it (two exports at the same moment use one key), in a file only its owner can
    read, so the same client keeps the same code in every export."""
    if settings.deidentify_key:
        return bytes.fromhex(settings.deidentify_key), None
    path = key_file(settings)
    key = _read_key(path)
    if key is not None:
        return key, None
    lock = path.with_name(f".{path.name}.paperfit-lock")
    with file_lock(lock, f"making the key {path}", wait=KEY_WAIT):
        key = _read_key(path)  # another run may have made it while this one waited
        if key is not None:
            return key, None
        key = secrets.token_bytes(KEY_HEX // 2)
        _write_private(path, KEY_TEXT.format(key=key.hex()))
    return key, path


def known_key(settings: Settings) -> bytes | None:
    """The key of de-identified exports when the practice has one already (never made here):
    its own files are then matched with its own export given beside them."""
    if settings.deidentify_key:
        return bytes.fromhex(settings.deidentify_key)
    return _read_key(key_file(settings))


def _read_key(path: Path) -> bytes | None:
    """The key in the key file PATH, or None when there is none yet."""
    if path.is_symlink() and not path.exists():
        raise InputProblem(Location(str(path)), "is a link to a file that does not exist.")
    if not path.exists():
        return None
    table = Table(path, read_toml(path))
    table.only({"key"})
    key = table.text("key")
    if len(key) != KEY_HEX or any(c not in "0123456789abcdef" for c in key):
        raise table.fail("key", f"must be {KEY_HEX} hex digits, as paperfit wrote it.")
    return bytes.fromhex(key)


def _write_private(path: Path, text: str) -> None:
    """TEXT into a new file PATH that only its owner can read or write (mode 600 from its
    creation, whatever the umask), whole or not at all."""
    temporary = path.with_name(f".{path.name}.part")
    try:
        temporary.unlink(missing_ok=True)  # left by an interrupted run (under the lock now)
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise InputProblem(Location(str(path)), f"cannot be written ({error.strerror}).") from None


def key_exposed(settings: Settings) -> str | None:
    """A warning when the file that holds the key of de-identified exports can be read by
    other users of this machine (paperfit never changes its permissions), else None."""
    path = settings.source if settings.deidentify_key else key_file(settings)
    try:
        mode = path.stat().st_mode if path is not None else 0
    except OSError:
        return None
    if os.name != "posix" or not mode & 0o077:
        return None
    return (
        f"warning: {path} holds the de-identification key and other users of this machine "
        f"can read it: make it private (chmod 600 {path})."
    )
