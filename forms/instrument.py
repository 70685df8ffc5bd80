"""Load instrument definitions from TOML into Instrument objects.

Takes: the TOML files shipped in forms/ and any in the practice's own folder.
Returns: a Catalog of Instrument, looked up by id (any case) and language.
All instrument wording lives in the TOML files; nothing here knows what an item says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from paperfit.forms import BUILTIN_DIR
from paperfit.forms.errors import InputProblem, Location, UsageProblem
from paperfit.forms.records import MAX_ITEM, MAX_TOTAL
from paperfit.forms.tomlfile import Table, read_toml

KINDS = ("outcome", "alliance")
FORMATS = ("individual", "group")
AGE_GROUPS = ("adult", "adolescent", "child")
HEADER_FIELDS = ("client", "age", "session", "date", "clinician", "filled_by")
FACES = ("frown", "smile", "neutral")
THERAPIST = "[therapist]"
PRINT_SIZES = ("normal", "large")
# Where an instrument's rating lines are printed unless its file says otherwise: mm from the
# paper's top edge to the first line, and from one line to the next, by print size.
DEFAULT_LINE_ROWS = {"normal": (104.0, 33.0), "large": (122.0, 28.0)}
LINE_ROW_LIMITS = {"first": (40.0, 200.0), "step": (15.0, 60.0)}
# What each scoring value is compared with: a total (0-40) or an item (0-10).
THRESHOLD_RANGES = {
    "cutoff": MAX_TOTAL,
    "rci": MAX_TOTAL,
    "alert_total": MAX_TOTAL,
    "alert_item": MAX_ITEM,
}


def threshold_problem(kind: str, value: float) -> str | None:
    """Why VALUE cannot be the scoring value KIND (a key of THRESHOLD_RANGES), or None.

    A cutoff or alert value lies within the range of what it is compared with; the reliable
    change index is more than 0 (at 0 every change, however small, would be "reliable")."""
    high = THRESHOLD_RANGES[kind]
    if not math.isfinite(value):
        return f"must be a number from 0 to {high:g}, not {value}."
    if kind == "rci" and value <= 0:
        return f"must be more than 0 (and at most {high:g}), not {value:g}."
    if not 0 <= value <= high:
        return f"must be between 0 and {high:g}, not {value:g}."
    return None


@dataclass(frozen=True)
class Item:
    """One visual analogue line: its label, an optional description and end anchors."""

    label: str
    description: str = ""
    left: str = ""
    right: str = ""


@dataclass(frozen=True)
class FilledBy:
    """The header question about who filled the form in."""

    question: str
    choices: tuple[str, ...]
    other: str


@dataclass(frozen=True)
class Scoring:
    """Default scoring values from the instrument's file; paperfit.toml may override them."""

    cutoff: dict[str, float]
    rci: float | None
    alert_total: float | None
    alert_item: float | None


@dataclass(frozen=True)
class Instrument:
    """One form: its wording, layout version and scoring values."""

    id: str
    name: str
    title: str
    version: str
    layout: int
    language: str
    kind: str
    format: str
    ages: str
    age_groups: tuple[str, ...]
    instructions: str
    copyright: str
    header: tuple[str, ...]
    items: tuple[Item, ...]
    filled_by: FilledBy | None
    faces: tuple[str, str] | None
    scoring: Scoring
    verified: bool
    source: Path
    # print size -> (first line, distance between lines) in mm from the paper's top edge: part
    # of the layout version, because a scan is read at these places (generator.paper)
    line_rows: dict[str, tuple[float, float]] = field(
        default_factory=lambda: dict(DEFAULT_LINE_ROWS)
    )

    @property
    def has_anchors(self) -> bool:
        return any(item.left or item.right for item in self.items)


def load_instrument(path: Path) -> Instrument:
    """Read one instrument file; a mistake raises InputProblem naming the file and key."""
    top = Table(path, read_toml(path))
    top.only(
        {
            "id",
            "name",
            "title",
            "version",
            "layout",
            "language",
            "kind",
            "format",
            "ages",
            "age_groups",
            "instructions",
            "copyright",
            "header",
            "filled_by",
            "faces",
            "items",
            "scoring",
            "verified",
            "lines",
        }
    )
    ident = top.text("id")
    if not ident.replace("-", "").replace("_", "").isalnum():
        raise top.fail("id", f"must be letters, digits, - or _ only, not {ident!r}.")
    header = top.texts("header")
    for name in header:
        if name not in HEADER_FIELDS:
            raise top.fail("header", f"{name!r} is not one of {', '.join(HEADER_FIELDS)}.")
    age_groups = top.texts("age_groups")
    for group in age_groups:
        if group not in AGE_GROUPS:
            raise top.fail("age_groups", f"{group!r} is not one of {', '.join(AGE_GROUPS)}.")
    items = tuple(_item(table) for table in top.tables("items"))
    if len(items) != 4:
        raise top.fail("items", f"must list exactly 4 items, not {len(items)}.")
    filled_by = _filled_by(top.table("filled_by", required=False))
    if ("filled_by" in header) != (filled_by is not None):
        raise top.fail("filled_by", "is needed exactly when header lists 'filled_by'.")
    layout = top.get("layout", int)
    if layout < 1:
        raise top.fail("layout", "must be 1 or more.")
    return Instrument(
        id=ident.upper(),
        name=top.text("name"),
        title=top.text("title", top.data.get("name", "")),
        version=top.text("version"),
        layout=layout,
        language=top.text("language").lower(),
        kind=top.choice("kind", KINDS),
        format=top.choice("format", FORMATS, "individual"),
        ages=top.text("ages"),
        age_groups=tuple(age_groups),
        instructions=top.text("instructions"),
        copyright=top.text("copyright"),
        header=tuple(header),
        items=items,
        filled_by=filled_by,
        faces=_faces(top.table("faces", required=False)),
        scoring=_scoring(top.table("scoring")),
        verified=top.get("verified", bool, True),
        source=path,
        line_rows=_line_rows(top.table("lines", required=False)),
    )


def _item(table: Table) -> Item:
    table.only({"label", "description", "left", "right"})
    return Item(
        label=table.text("label"),
        description=table.text("description", ""),
        left=table.text("left", ""),
        right=table.text("right", ""),
    )


def _filled_by(table: Table | None) -> FilledBy | None:
    if table is None:
        return None
    table.only({"question", "choices", "other"})
    choices = table.texts("choices")
    if len(choices) < 2:
        raise table.fail("choices", "must list at least two answers.")
    return FilledBy(table.text("question"), tuple(choices), table.text("other", ""))


def _line_rows(table: Table | None) -> dict[str, tuple[float, float]]:
    rows = dict(DEFAULT_LINE_ROWS)
    if table is None:
        return rows
    table.only(PRINT_SIZES)
    for size in table.data:
        pair = table.get(size, list)
        if len(pair) != 2 or not all(
            isinstance(value, (int, float)) and not isinstance(value, bool) for value in pair
        ):
            raise table.fail(size, "must be [first line, distance between lines] in mm.")
        for (name, (low, high)), value in zip(LINE_ROW_LIMITS.items(), pair, strict=True):
            if not low <= value <= high:
                raise table.fail(size, f"{name} must be between {low:g} and {high:g} mm.")
        rows[size] = (float(pair[0]), float(pair[1]))
    return rows


def _faces(table: Table | None) -> tuple[str, str] | None:
    if table is None:
        return None
    table.only({"left", "right"})
    return table.choice("left", FACES), table.choice("right", FACES)


def _scoring(table: Table) -> Scoring:
    table.only({"cutoff", "rci", "alert_total", "alert_item"})
    cutoff_table = table.table("cutoff", required=False)
    cutoff: dict[str, float] = {}
    if cutoff_table is not None:
        cutoff_table.only(AGE_GROUPS)
        cutoff = {
            group: float(cutoff_table.get(group, (int, float))) for group in cutoff_table.data
        }
        for group, value in cutoff.items():
            if reason := threshold_problem("cutoff", value):
                raise cutoff_table.fail(group, reason)
    number = (int, float)
    values = {key: table.get(key, number, None) for key in ("rci", "alert_total", "alert_item")}
    for key, value in values.items():
        if value is not None and (reason := threshold_problem(key, float(value))):
            raise table.fail(key, reason)
    return Scoring(cutoff=cutoff, **{k: None if v is None else float(v) for k, v in values.items()})


class Catalog:
    """Every instrument available: the shipped ones, then the practice's own folder."""

    def __init__(self, instruments: list[Instrument]) -> None:
        self._by_key: dict[tuple[str, str], Instrument] = {}
        for instrument in instruments:
            self._by_key[(instrument.id, instrument.language)] = instrument

    @classmethod
    def load(cls, extra_dir: Path | None = None) -> Catalog:
        """Load the shipped instruments and those in EXTRA_DIR; later files replace earlier ones."""
        paths = sorted(BUILTIN_DIR.glob("*.toml"))
        if extra_dir is not None:
            if not extra_dir.is_dir():
                raise InputProblem(
                    Location(str(extra_dir)),
                    "is not a folder. Check instrument_dir in paperfit.toml.",
                )
            paths += sorted(extra_dir.glob("*.toml"))
        return cls([load_instrument(path) for path in paths])

    @property
    def ids(self) -> list[str]:
        return sorted({ident for ident, _ in self._by_key})

    def get(self, ident: str, language: str = "en") -> Instrument:
        """The instrument ID in LANGUAGE when a translation exists, else in English."""
        key = ident.strip().upper()
        for lang in (language, "en"):
            if (key, lang) in self._by_key:
                return self._by_key[(key, lang)]
        for (found, _), instrument in sorted(self._by_key.items()):
            if found == key:
                return instrument
        raise UsageProblem(
            f"Unknown instrument {ident!r}. Known instruments: {', '.join(self.ids)}."
        )

    def for_client(self, age_group: str, kind: str, fmt: str, language: str) -> Instrument:
        """The form of KIND for a client of AGE_GROUP in a session of format FMT."""
        candidates = [
            instrument
            for (_, lang), instrument in sorted(self._by_key.items())
            if lang == "en" and instrument.kind == kind and age_group in instrument.age_groups
        ]
        if kind == "alliance":
            matching = [i for i in candidates if i.format == fmt]
            candidates = matching or candidates
        if not candidates:
            raise UsageProblem(f"No {kind} form is defined for age group {age_group!r}.")
        return self.get(candidates[0].id, language)
