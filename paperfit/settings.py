"""Practice settings from an optional paperfit.toml; every setting has a default.

Takes: the path of paperfit.toml (or none). Returns: a Settings object. An unknown key, a wrong
type or a bad value raises InputProblem naming the file and key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from paperfit.tomlfile import Table, read_toml

PAPERS = ("letter", "a4")
LANGUAGES = ("en", "es", "fr")
DEFAULT_FILE = Path("paperfit.toml")


@dataclass(frozen=True)
class Settings:
    """What a practice can set once instead of on every command."""

    practice_name: str = ""
    paper: str = "letter"
    language: str = "en"
    privacy: str = ""
    instrument_dir: Path | None = None
    source: Path | None = None


def load_settings(path: Path | None = None) -> Settings:
    """Read PATH, or ./paperfit.toml when it exists, or return the defaults."""
    if path is None:
        if not DEFAULT_FILE.is_file():
            return Settings()
        path = DEFAULT_FILE
    top = Table(path, read_toml(path))
    top.only({"practice_name", "paper", "language", "privacy", "instrument_dir"})
    defaults = Settings()
    instrument_dir = top.text("instrument_dir", "")
    return Settings(
        practice_name=top.text("practice_name", defaults.practice_name),
        paper=top.choice("paper", PAPERS, defaults.paper),
        language=top.choice("language", LANGUAGES, defaults.language),
        privacy=top.text("privacy", defaults.privacy),
        # A relative folder is relative to the settings file, not to where the command runs.
        instrument_dir=(path.parent / instrument_dir) if instrument_dir else None,
        source=path,
    )
