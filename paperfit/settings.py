"""Practice settings from an optional paperfit.toml; every setting has a default.

Takes: the path of paperfit.toml (or none). Returns: a Settings object. An unknown key, a wrong
type or a bad value raises InputProblem naming the file and key.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from forms.instrument import threshold_problem
from forms.records import MAX_TEXT
from forms.text import ValueProblem, parse_text
from paperfit.tomlfile import Table, read_toml

PAPERS = ("letter", "a4")
LANGUAGES = ("en", "es", "fr")
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


@dataclass(frozen=True)
class ScoringSettings:
    """Scoring thresholds a practice may set; None means the value in the instrument's file."""

    cutoff_adult: float | None = None
    cutoff_adolescent: float | None = None
    cutoff_child: float | None = None
    rci: float | None = None
    srs_alert_total: float | None = None
    srs_alert_item: float | None = None
    # No reliable improvement by this session is the usual prompt to discuss the plan
    # (PCOMS training materials say session 3 to 4).
    no_improvement_by_session: int = 4


@dataclass(frozen=True)
class Settings:
    """What a practice can set once instead of on every command."""

    practice_name: str = ""
    paper: str = "letter"
    language: str = "en"
    privacy: str = ""
    instrument_dir: Path | None = None
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    source: Path | None = None


def load_settings(path: Path | None = None) -> Settings:
    """Read PATH, or ./paperfit.toml when it exists, or return the defaults."""
    if path is None:
        if not DEFAULT_FILE.is_file():
            return Settings()
        path = DEFAULT_FILE
    top = Table(path, read_toml(path))
    top.only({"practice_name", "paper", "language", "privacy", "instrument_dir", "scoring"})
    defaults = Settings()
    instrument_dir = top.text("instrument_dir", "")
    return Settings(
        practice_name=_text(top, "practice_name", MAX_TEXT),
        paper=top.choice("paper", PAPERS, defaults.paper),
        language=top.choice("language", LANGUAGES, defaults.language),
        privacy=_text(top, "privacy", None),
        # A relative folder is relative to the settings file, not to where the command runs.
        instrument_dir=(path.parent / instrument_dir) if instrument_dir else None,
        scoring=_scoring(top.table("scoring", required=False)),
        source=path,
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
