"""A realistic made-up caseload for the demo: clients, their forms and a few typing mistakes.

Takes: a seed, a number of clients, the last day of the caseload and the instrument catalog.
Returns: a Caseload. Pure and deterministic: every draw comes from random.Random(seed), so one
seed always gives the same caseload. Nothing here reads real data; all names are made up.

Values are worked out in tenths of a centimetre as whole numbers, so the four items of a form add
up exactly to the total drawn for it. The trajectory ranges below leave room for the noise, so
each kind keeps its change class with the default cutoffs and an RCI of 5.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from forms.instrument import Catalog, Instrument
from forms.records import Client, Form
from paperfit.errors import Location

DEFAULT_END = datetime.date(2026, 6, 30)
SOURCE = Location("demo caseload")
CLINICIANS = ("Dr. Ana Rivera", "Sam Lee", "Dr. Priya Natarajan", "Jordan Okafor")
GROUP_LEADER = "Jordan Okafor"
NAMES = ("Zoë Lindqvist", "Malik Osei", "Hana Brooks")
AGE_SHARES = (("adult", 0.6), ("adolescent", 0.2))  # children get the rest
GROUP_SHARE = 0.1  # of adult clients, who fill in the GSRS in a group
PREFIXES = {"individual": "C-", "child": "K-", "group": "G-"}
FIRST_NUMBER = {"C-": 1001, "K-": 2001, "G-": 3001}

WINDOW_DAYS = 182  # start dates fall in about six months before the end (long courses earlier)
CLOSED_AFTER_DAYS = 28  # no session for this long: the client finished or dropped out
FORTNIGHT_SHARE = 0.15  # of gaps between sessions that are two weeks instead of one

TENTHS = 10
MAX_ITEM = 10 * TENTHS
MAX_TOTAL = 4 * MAX_ITEM
OUTCOME_NOISE = 15  # ±1.5 points on every outcome total
ITEM_NOISE = 4  # ±0.4 on each outcome item around its share
# How much of the change in the total each outcome item carries (they add up to 4): the second
# item (Interpersonally / Family) lags behind, the last (Overall) leads.
ITEM_PACE = (1.15, 0.55, 1.0, 1.3)

SKIPPED_SESSIONS = 4  # clients with one session number missing (no forms at all)
ALLIANCE_NOT_DONE = 5  # sessions with an outcome form but no alliance form
BLANK_ITEMS = 5  # forms with one line left unmarked
LOW_ITEMS = 4  # alliance forms with one item below 9 while the total stays high


@dataclass(frozen=True)
class Kind:
    """One kind of course. INTAKE is in points from the age group's cutoff, CHANGE in points from
    the intake to the last session; PACE bends the curve (below 1: most change comes early);
    ENDED is how many days before the end the last session was."""

    name: str
    weight: float
    sessions: tuple[int, int]
    intake: tuple[float, float]
    change: tuple[float, float]
    pace: float
    ended: tuple[int, int]


KINDS = (
    Kind("improving", 0.30, (5, 14), (-9, -6), (11, 13), 0.6, (0, 60)),
    Kind("slowly improving", 0.14, (6, 16), (-16, -13), (8, 9.5), 1.0, (0, 14)),
    Kind("flat", 0.18, (5, 12), (-10, -3), (-1, 1), 1.0, (0, 30)),
    Kind("deteriorating", 0.08, (4, 10), (-8, -2), (-10, -8), 1.0, (0, 14)),
    Kind("dropped out", 0.14, (2, 3), (-10, -3), (-2, 2), 1.0, (60, 150)),
    Kind("high intake", 0.12, (3, 10), (2, 7), (-1, 2), 1.0, (0, 40)),
    Kind("long course", 0.04, (30, 45), (-12, -8), (9, 12), 0.5, (0, 7)),
)
EACH_KIND_AT_LEAST = 2


@dataclass(frozen=True)
class Mistake:
    """A typing mistake to put into the entry workbook: in the row of the form named by client,
    instrument and session, type TYPED into the column headed COLUMN."""

    client_id: str
    instrument: str
    session: int
    column: str
    typed: object
    reason: str


@dataclass(frozen=True)
class Caseload:
    """Made-up clients, their forms in client and session order, and mistakes to type in."""

    clients: tuple[Client, ...]
    forms: tuple[Form, ...]
    mistakes: tuple[Mistake, ...]


@dataclass(frozen=True)
class _Plan:
    """One client before the forms are drawn."""

    client: Client
    kind: Kind
    outcome: Instrument
    alliance: Instrument
    dates: tuple[datetime.date, ...]


def make_caseload(
    seed: int = 2026, clients: int = 48, end: datetime.date = DEFAULT_END, *, catalog: Catalog
) -> Caseload:
    """A caseload of CLIENTS made-up clients whose last sessions fall on or before END.

    Every kind of course in KINDS appears at least twice, so CLIENTS must be at least 14.
    """
    needed = EACH_KIND_AT_LEAST * len(KINDS)
    if clients < needed:
        raise ValueError(f"A caseload needs at least {needed} clients, not {clients}.")
    rng = random.Random(seed)
    plans = _plan(rng, clients, end, catalog)
    forms = [form for plan in plans for form in _course(rng, plan)]
    forms = _missing_data(rng, forms)
    mistakes = _mistakes(rng, forms, catalog)
    forms.sort(key=lambda f: (f.client_id, f.session, f.instrument != _outcome_id(plans, f)))
    return Caseload(
        clients=tuple(sorted((plan.client for plan in plans), key=lambda c: c.client_id)),
        forms=tuple(forms),
        mistakes=mistakes,
    )


def _outcome_id(plans: Sequence[_Plan], form: Form) -> str:
    """The outcome instrument of FORM's client (outcome forms sort before alliance forms)."""
    return next(p.outcome.id for p in plans if p.client.client_id == form.client_id)


# Clients


def _plan(rng: random.Random, count: int, end: datetime.date, catalog: Catalog) -> list[_Plan]:
    """Age groups and formats by quota, kinds by weighted draw, dates, then IDs by start date."""
    adults = round(count * AGE_SHARES[0][1])
    adolescents = round(count * AGE_SHARES[1][1])
    groups = max(1, round(adults * GROUP_SHARE))
    places = (
        [("adult", "group")] * groups
        + [("adult", "individual")] * (adults - groups)
        + [("adolescent", "individual")] * adolescents
        + [("child", "individual")] * (count - adults - adolescents)
    )
    kinds = [kind for kind in KINDS for _ in range(EACH_KIND_AT_LEAST)]
    kinds += rng.choices(KINDS, [kind.weight for kind in KINDS], k=count - len(kinds))
    rng.shuffle(places)
    rng.shuffle(kinds)
    drafts = []
    for (group, fmt), kind in zip(places, kinds, strict=True):
        dates = _dates(rng, kind, end)
        status = "closed" if (end - dates[-1]).days > CLOSED_AFTER_DAYS else "open"
        clinician = GROUP_LEADER if fmt == "group" else rng.choice(CLINICIANS)
        client = Client("", group, clinician, dates[0], status)
        outcome = catalog.for_client(group, "outcome", "individual", "en")
        alliance = catalog.for_client(group, "alliance", fmt, "en")
        drafts.append(_Plan(client, kind, outcome, alliance, dates))
    drafts.sort(key=lambda plan: plan.dates[0])  # stable: ties keep their draw order
    named = dict(zip(rng.sample(range(count), len(NAMES)), NAMES, strict=True))
    numbers = dict(FIRST_NUMBER)
    plans = []
    for index, plan in enumerate(drafts):
        prefix = _prefix(plan.client.age_group, plan.alliance.format)
        client_id, numbers[prefix] = f"{prefix}{numbers[prefix]}", numbers[prefix] + 1
        client = replace(plan.client, client_id=client_id, name=named.get(index, ""))
        plans.append(replace(plan, client=client))
    return plans


def _prefix(age_group: str, fmt: str) -> str:
    """C- for individual clients, K- for children, G- for group members."""
    return PREFIXES["group" if fmt == "group" else "child" if age_group == "child" else "individual"]


def _dates(rng: random.Random, kind: Kind, end: datetime.date) -> tuple[datetime.date, ...]:
    """Session dates a week apart, sometimes two, the last one KIND.ended days before END."""
    sessions = rng.randint(*kind.sessions)
    gaps = [14 if rng.random() < FORTNIGHT_SHARE else 7 for _ in range(sessions - 1)]
    span = sum(gaps)
    ended = min(rng.randint(*kind.ended), max(kind.ended[0], WINDOW_DAYS - span))
    day = end - datetime.timedelta(days=ended + span)
    dates = [day]
    for gap in gaps:
        day += datetime.timedelta(days=gap)
        dates.append(day)
    return tuple(dates)


# Forms


def _course(rng: random.Random, plan: _Plan) -> list[Form]:
    """The outcome and alliance form of every session of one client."""
    client = plan.client
    cutoff = round(plan.outcome.scoring.cutoff[client.age_group] * TENTHS)
    intake = cutoff + _tenths(rng, plan.kind.intake)
    outcome = _outcome_totals(rng, plan.kind, len(plan.dates), intake)
    alliance = _alliance_totals(rng, len(plan.dates))
    profile = [rng.randint(-12, 12) for _ in ITEM_PACE]
    lean = [rng.randint(-2, 2) for _ in ITEM_PACE]
    forms = []
    for session, (date, o_total, a_total) in enumerate(
        zip(plan.dates, outcome, alliance, strict=True), start=1
    ):
        targets = [
            intake / 4 + offset + pace * (o_total - intake) / 4 + rng.randint(-ITEM_NOISE, ITEM_NOISE)
            for offset, pace in zip(profile, ITEM_PACE, strict=True)
        ]
        o_items = split(o_total, targets)
        a_items = split(a_total, [a_total / 4 + shift + rng.randint(-1, 1) for shift in lean])
        filled_by = _outcome_filled_by(rng, plan.outcome)
        forms += [
            Form(client.client_id, plan.outcome.id, session, date, _cm(o_items), SOURCE, filled_by),
            Form(client.client_id, plan.alliance.id, session, date, _cm(a_items), SOURCE, "self"),
        ]
    return forms


def _outcome_totals(rng: random.Random, kind: Kind, sessions: int, intake: int) -> list[int]:
    """Outcome totals in tenths: INTAKE moving by the kind's change along its curve, with noise."""
    change = _tenths(rng, kind.change)
    totals = []
    for index in range(sessions):
        progress = (index / (sessions - 1)) ** kind.pace if sessions > 1 else 0.0
        noise = rng.randint(-OUTCOME_NOISE, OUTCOME_NOISE)
        totals.append(_clamp(intake + round(change * progress) + noise, MAX_TOTAL))
    return totals


def _alliance_totals(rng: random.Random, sessions: int) -> list[int]:
    """Alliance totals in tenths: mostly 35 to 40 and creeping up, a low start for about one
    client in eight, and now and then a session rated lower than the one before."""
    low = rng.random() < 0.12
    total = rng.randint(325, 352) if low else rng.randint(360, 385)
    totals = [total]
    for _ in range(sessions - 1):
        if rng.random() < 0.1:
            total -= rng.randint(5, 25)
        else:
            total += rng.randint(0, 8 if low else 3)
        total = _clamp(total, MAX_TOTAL)
        totals.append(total)
    return totals


def _outcome_filled_by(rng: random.Random, instrument: Instrument) -> str:
    """Who filled the outcome form in: mostly the client; a caretaker for some child forms."""
    choices = [c.lower() for c in instrument.filled_by.choices] if instrument.filled_by else []
    if "caretaker" in choices:
        return "caretaker" if rng.random() < 0.25 else "child"
    return "other" if rng.random() < 0.03 else "self"


def split(total: int, targets: Sequence[float]) -> tuple[int, ...]:
    """Items in tenths, each 0 to 100, close to TARGETS and adding up exactly to TOTAL."""
    if not 0 <= total <= MAX_ITEM * len(targets):
        raise ValueError(f"{total} tenths cannot be split into {len(targets)} items")
    items = [_clamp(round(target), MAX_ITEM) for target in targets]
    index = 0
    while (rest := total - sum(items)) != 0:  # one tenth at a time, round the items with room
        step = 1 if rest > 0 else -1
        if 0 <= items[index] + step <= MAX_ITEM:
            items[index] += step
        index = (index + 1) % len(items)
    return tuple(items)


def _tenths(rng: random.Random, points: tuple[float, float]) -> int:
    """A whole number of tenths drawn between two values given in points."""
    return rng.randint(round(points[0] * TENTHS), round(points[1] * TENTHS))


def _clamp(value: int, top: int) -> int:
    return min(top, max(0, value))


def _cm(tenths: Sequence[int]) -> tuple[float, ...]:
    return tuple(value / TENTHS for value in tenths)


# Missing data and flags


def _missing_data(rng: random.Random, forms: list[Form], catalog: Catalog) -> list[Form]:
    """Skip a few session numbers, leave out a few alliance forms, leave a line blank on a few
    forms and give a few alliance forms one low item. Only sessions between a client's first and
    last are touched, so every client keeps an intake and a latest outcome form."""
    middle = _middle_sessions(forms)
    long_enough = sorted({client for client, session in middle if session >= 4})
    skipped = {
        (client, rng.choice([s for c, s in middle if c == client and s >= 3]))
        for client in rng.sample(long_enough, min(SKIPPED_SESSIONS, len(long_enough)))
    }
    rest = [pair for pair in middle if pair not in skipped]
    not_done = set(rng.sample(rest, min(ALLIANCE_NOT_DONE, len(rest))))
    kept = [
        form
        for form in forms
        if _key(form) not in skipped
        and not (_key(form) in not_done and _is_alliance(form, catalog))
    ]
    untouched = set(rest) - not_done
    blank = _sample(rng, kept, BLANK_ITEMS, lambda f: _key(f) in untouched)
    low = _sample(
        rng,
        kept,
        LOW_ITEMS,
        lambda f: _is_alliance(f, catalog) and 365 <= _total_tenths(f) <= 388,
    )
    for index in sorted(blank):
        items = list(kept[index].items)
        items[rng.randrange(len(items))] = None
        kept[index] = replace(kept[index], items=tuple(items), notes="one line left blank")
    for index in sorted(low - blank):
        items = _one_low_item(rng, _total_tenths(kept[index]))
        kept[index] = replace(kept[index], items=_cm(items))
    return kept


def _one_low_item(rng: random.Random, total: int) -> tuple[int, ...]:
    """Four items adding up to TOTAL (36.5 to 38.8) with one of them below 9."""
    low = rng.randint(max(70, total - 3 * MAX_ITEM), 88)
    items = list(split(total - low, [(total - low) / 3] * 3))
    items.insert(rng.randrange(4), low)
    return tuple(items)


def _sample(
    rng: random.Random, forms: Sequence[Form], count: int, fits: Callable[[Form], bool]
) -> set[int]:
    """The positions of COUNT forms drawn from those that FIT."""
    candidates = [index for index, form in enumerate(forms) if fits(form)]
    return set(rng.sample(candidates, min(count, len(candidates))))


def _middle_sessions(forms: Sequence[Form]) -> list[tuple[str, int]]:
    """(client, session) of every session after a client's first and before their last."""
    last: dict[str, int] = {}
    for form in forms:
        last[form.client_id] = max(last.get(form.client_id, 0), form.session)
    return sorted({_key(f) for f in forms if 1 < f.session < last[f.client_id]})


def _key(form: Form) -> tuple[str, int]:
    return form.client_id, form.session


def _is_alliance(form: Form, catalog: Catalog) -> bool:
    return catalog.get(form.instrument).kind == "alliance"


def _total_tenths(form: Form) -> int:
    return round(sum(v for v in form.items if v is not None) * TENTHS)
