"""Score completed forms: totals, change from intake, change class and flags.

Takes: Forms, the client list, the instrument catalog and the practice's thresholds.
Returns: one ScoredForm per form, in client and session order. Pure: no files, no printing.
Rules and their sources: cutoffs and RCI on the outcome total (Miller & Duncan; PCOMS), an SRS
total below 36 (CORC, OpenFIT), an SRS item below 9 and a drop from the last SRS (vendor
heuristics), no reliable improvement by session 3-4 (PCOMS training materials).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from paperfit.forms.instrument import AGE_GROUPS, Catalog
from paperfit.forms.records import Client, Form

RELIABLE_IMPROVEMENT = "reliable improvement"
CLINICALLY_SIGNIFICANT = "clinically significant improvement"
NO_RELIABLE_CHANGE = "no reliable change"
RELIABLE_DETERIORATION = "reliable deterioration"
INTAKE_ABOVE_CUTOFF = "intake above cutoff"
INTAKE = "intake"
CLASSES = (
    CLINICALLY_SIGNIFICANT,
    RELIABLE_IMPROVEMENT,
    NO_RELIABLE_CHANGE,
    RELIABLE_DETERIORATION,
    INTAKE_ABOVE_CUTOFF,
)
# The words of each flag as records, exports and the report give them; a page in another
# language says them with its own [graph.flag_words] (templates/text/).
FLAG_WORDS = {
    "deterioration": RELIABLE_DETERIORATION,
    "no_improvement": "no reliable improvement by session {value}",
    "alliance_total": "{instrument} total below {value}",
    "alliance_item": "{instrument} item below {value}",
    "alliance_drop": "{instrument} lower than last session",
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


DEFAULT_REVIEW_SESSION = ScoringSettings.no_improvement_by_session
# Where a threshold came from (Threshold.origin): the instrument's file, the practice's
# settings, or paperfit's own default.
FROM_INSTRUMENT, FROM_SETTINGS, FROM_DEFAULT = "instrument", "settings", "default"


@dataclass(frozen=True)
class Flag:
    """Why a form needs a look: the rule that raised it (CODE, a key of FLAG_WORDS) and the
    instrument and number its words name. Kept as data so that each page can say it in its
    own language; str() gives the English words."""

    code: str
    instrument: str = ""
    value: float = 0.0

    def say(self, words: str) -> str:
        """WORDS (a FLAG_WORDS-style text) filled in with this flag's instrument and value."""
        return words.format(instrument=self.instrument, value=f"{self.value:g}")

    def __str__(self) -> str:
        return self.say(FLAG_WORDS[self.code])


@dataclass(frozen=True)
class Threshold:
    """One value used in scoring and where it came from, recorded in every output."""

    name: str
    value: float
    source: str
    origin: str = FROM_INSTRUMENT


@dataclass(frozen=True)
class Thresholds:
    """The values scoring uses: the instrument files' defaults, overridden by paperfit.toml."""

    cutoffs: Mapping[str, float]
    rci: float
    alert_total: float
    alert_item: float
    review_session: int
    used: tuple[Threshold, ...]

    @classmethod
    def resolve(
        cls, catalog: Catalog, settings: ScoringSettings, settings_file: str = "paperfit.toml"
    ) -> Thresholds:
        used: list[Threshold] = []

        def pick(name: str, override: float | None, default: float | None, origin: str) -> float:
            if override is not None:
                used.append(Threshold(name, override, settings_file, FROM_SETTINGS))
                return override
            if default is None:
                raise ValueError(f"no value for {name}")
            used.append(Threshold(name, default, origin))
            return default

        cutoffs = {}
        for group in AGE_GROUPS:
            instrument = catalog.for_client(group, "outcome", "individual", "en")
            cutoffs[group] = pick(
                f"cutoff_{group}",
                getattr(settings, f"cutoff_{group}"),
                instrument.scoring.cutoff.get(group),
                instrument.source.name,
            )
        ors, srs = catalog.get("ORS"), catalog.get("SRS")
        rci = pick("rci", settings.rci, ors.scoring.rci, ors.source.name)
        total = pick(
            "srs_alert_total", settings.srs_alert_total, srs.scoring.alert_total, srs.source.name
        )
        item = pick(
            "srs_alert_item", settings.srs_alert_item, srs.scoring.alert_item, srs.source.name
        )
        review = settings.no_improvement_by_session
        # Set or not, the default value is paperfit's default: no settings file to name.
        origin = FROM_DEFAULT if review == DEFAULT_REVIEW_SESSION else FROM_SETTINGS
        source = settings_file if origin == FROM_SETTINGS else FROM_DEFAULT
        used.append(Threshold("no_improvement_by_session", review, source, origin))
        return cls(cutoffs, rci, total, item, review, tuple(used))


@dataclass(frozen=True)
class ScoredForm:
    """A form with its score: total, change from the intake outcome total, class and flags."""

    form: Form
    kind: str
    age_group: str
    total: float | None
    change_from_intake: float | None
    classification: str
    flags: tuple[Flag, ...]


def classify(intake: float, latest: float, cutoff: float, rci: float) -> str:
    """The change class of LATEST against INTAKE (outcome totals). At or below CUTOFF is the
    clinical range; a change of at least RCI is reliable. Deterioration is named even when the
    intake was above the cutoff, because it always needs a conversation."""
    change = latest - intake
    if change <= -rci:
        return RELIABLE_DETERIORATION
    if intake > cutoff:
        return INTAKE_ABOVE_CUTOFF
    if change >= rci:
        return CLINICALLY_SIGNIFICANT if latest > cutoff else RELIABLE_IMPROVEMENT
    return NO_RELIABLE_CHANGE


def score(
    forms: Iterable[Form], clients: Mapping[str, Client], catalog: Catalog, thresholds: Thresholds
) -> list[ScoredForm]:
    """Score every form, grouped by client (in client ID order) and sorted by session."""
    by_client: dict[str, list[Form]] = defaultdict(list)
    for form in forms:
        by_client[form.client_id].append(form)
    scored: list[ScoredForm] = []
    for client_id in sorted(by_client):
        client = clients.get(client_id, Client(client_id))
        ordered = sorted(by_client[client_id], key=lambda f: (f.session, f.instrument))
        scored.extend(_score_client(ordered, client, catalog, thresholds))
    return scored


def _score_client(
    forms: Sequence[Form], client: Client, catalog: Catalog, t: Thresholds
) -> list[ScoredForm]:
    cutoff = t.cutoffs[client.age_group]
    intake: float | None = None
    last_alliance: dict[str, float] = {}
    result = []
    for form in forms:
        kind = catalog.get(form.instrument).kind
        total = form.total
        change, classification = None, ""
        flags: list[Flag] = []
        if kind == "outcome" and total is not None:
            if intake is None:
                intake = total
                classification = INTAKE_ABOVE_CUTOFF if total > cutoff else INTAKE
            else:
                change = round(total - intake, 1)
                classification = classify(intake, total, cutoff, t.rci)
                if classification == RELIABLE_DETERIORATION:
                    flags.append(Flag("deterioration"))
                elif (
                    form.session >= t.review_session
                    and change < t.rci
                    and classification != INTAKE_ABOVE_CUTOFF
                ):
                    flags.append(Flag("no_improvement", value=t.review_session))
        elif kind == "alliance":
            flags.extend(_alliance_flags(form, total, last_alliance.get(form.instrument), t))
            if total is not None:
                last_alliance[form.instrument] = total
        result.append(
            ScoredForm(form, kind, client.age_group, total, change, classification, tuple(flags))
        )
    return result


def _alliance_flags(
    form: Form, total: float | None, previous: float | None, t: Thresholds
) -> list[Flag]:
    flags = []
    if total is not None and total < t.alert_total:
        flags.append(Flag("alliance_total", form.instrument, t.alert_total))
    if any(value is not None and value < t.alert_item for value in form.items):
        flags.append(Flag("alliance_item", form.instrument, t.alert_item))
    if total is not None and previous is not None and total < previous:
        flags.append(Flag("alliance_drop", form.instrument))
    return flags


def by_client(scored: Sequence[ScoredForm]) -> dict[str, list[ScoredForm]]:
    """Each client's forms in session order."""
    groups: dict[str, list[ScoredForm]] = defaultdict(list)
    for entry in scored:
        groups[entry.form.client_id].append(entry)
    for entries in groups.values():
        entries.sort(key=lambda e: e.form.session)
    return dict(groups)
