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

from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog, Instrument
from paperfit.forms.records import Client, Form

DEFAULT_END = datetime.date(2026, 6, 30)
SOURCE = Location("demo caseload")
CLINICIANS = ("Dr. Ana Rivera", "Sam Lee", "Dr. Priya Natarajan", "Jordan Okafor")
GROUP_LEADER = "Jordan Okafor"
NAMES = ("Zoë Lindqvist", "Malik Osei", "Hana Brooks")
ADULT_SHARE, ADOLESCENT_SHARE = 0.6, 0.2  # children get the rest
GROUP_SHARE = 0.1  # of adult clients, who fill in the GSRS in a group
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
LOW_ALLIANCE_SHARE = 0.08  # of clients whose alliance starts below 36 (at least one SRS client)
DIP_SHARE = 0.08  # of sessions rated lower than the client's usual alliance


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
    Kind("improving", 0.32, (5, 14), (-9, -6), (11, 13), 0.6, (0, 60)),
    Kind("slowly improving", 0.14, (6, 16), (-16, -13), (8, 9.5), 1.0, (0, 14)),
    Kind("flat", 0.18, (5, 12), (-10, -3), (-1, 1), 1.0, (0, 30)),
    Kind("deteriorating", 0.08, (4, 10), (-8, -2), (-10, -8), 1.0, (0, 14)),
    Kind("dropped out", 0.14, (2, 3), (-10, -3), (-2, 2), 1.0, (60, 150)),
    Kind("high intake", 0.12, (3, 10), (2, 7), (-1, 2), 1.0, (0, 40)),
    Kind("long course", 0.02, (30, 45), (-12, -8), (9, 12), 0.5, (0, 7)),
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
    low_alliance: bool = False


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
    forms = _missing_data(rng, forms, catalog)
    forms.sort(key=lambda f: (f.client_id, f.session, _is_alliance(f, catalog)))
    return Caseload(
        clients=tuple(sorted((plan.client for plan in plans), key=lambda c: c.client_id)),
        forms=tuple(forms),
        mistakes=_mistakes(rng, forms, catalog),
    )


# Clients


def _plan(rng: random.Random, count: int, end: datetime.date, catalog: Catalog) -> list[_Plan]:
    """Age groups and formats by quota, kinds by weighted draw, dates, then IDs by start date."""
    adults = round(count * ADULT_SHARE)
    adolescents = round(count * ADOLESCENT_SHARE)
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
    for (age_group, fmt), kind in zip(places, kinds, strict=True):
        dates = _dates(rng, kind, end)
        status = "closed" if (end - dates[-1]).days > CLOSED_AFTER_DAYS else "open"
        clinician = GROUP_LEADER if fmt == "group" else rng.choice(CLINICIANS)
        client = Client("", age_group, clinician, dates[0], status)
        outcome = catalog.for_client(age_group, "outcome", "individual", "en")
        alliance = catalog.for_client(age_group, "alliance", fmt, "en")
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
    low = _low_alliance(rng, plans)
    return [replace(plan, low_alliance=index in low) for index, plan in enumerate(plans)]


def _low_alliance(rng: random.Random, plans: Sequence[_Plan]) -> set[int]:
    """The positions of the few clients whose alliance starts low: one of them an adult or
    adolescent in individual sessions (the SRS), so the SRS alerts always have an example."""
    individual = [
        index
        for index, plan in enumerate(plans)
        if plan.alliance.format == "individual" and plan.client.age_group != "child"
    ]
    first = rng.choice(individual)
    others = [index for index in range(len(plans)) if index != first]
    count = max(1, round(len(plans) * LOW_ALLIANCE_SHARE))
    return {first, *rng.sample(others, count - 1)}


def _prefix(age_group: str, fmt: str) -> str:
    """C- for individual clients, K- for children, G- for group members."""
    if fmt == "group":
        return "G-"
    return "K-" if age_group == "child" else "C-"


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
    alliance = _alliance_totals(rng, len(plan.dates), plan.low_alliance)
    profile = [rng.randint(-12, 12) for _ in ITEM_PACE]
    lean = [rng.randint(-2, 2) for _ in ITEM_PACE]
    usual, other, sometimes = _filled_by(rng, plan.outcome)
    forms = []
    for session, (date, o_total, a_total) in enumerate(
        zip(plan.dates, outcome, alliance, strict=True), start=1
    ):
        moved = o_total - intake
        targets = [
            intake / 4 + offset + pace * moved / 4 + rng.randint(-ITEM_NOISE, ITEM_NOISE)
            for offset, pace in zip(profile, ITEM_PACE, strict=True)
        ]
        o_items = split(o_total, targets)
        a_items = split(a_total, [a_total / 4 + shift + rng.randint(-1, 1) for shift in lean])
        filled_by = usual if rng.random() >= sometimes else other
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


def _alliance_totals(rng: random.Random, sessions: int, low: bool) -> list[int]:
    """Alliance totals in tenths: mostly 37 to 40 and creeping up; a LOW start (below 36) is
    repaired over the next sessions; now and then a dip below the session before."""
    level = rng.randint(325, 355) if low else rng.randint(368, 392)
    rise = (3, 10) if low else (0, 3)
    totals = []
    for _ in range(sessions):
        dip = rng.randint(5, 25) if rng.random() < DIP_SHARE else 0
        totals.append(_clamp(level - dip, MAX_TOTAL))
        level = min(MAX_TOTAL, level + rng.randint(*rise))
    return totals


def _filled_by(rng: random.Random, instrument: Instrument) -> tuple[str, str, float]:
    """Who usually fills in a client's outcome form, who else sometimes does, and how often:
    the client, rarely someone else; for a child, the child or (for some children) a caretaker."""
    choices = [c.lower() for c in instrument.filled_by.choices] if instrument.filled_by else []
    if "caretaker" in choices:
        pair = ("caretaker", "child") if rng.random() < 0.3 else ("child", "caretaker")
        return (*pair, 0.1)
    return "self", "other", 0.03


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


# Typing mistakes


def _millimetres(rng: random.Random, form: Form, instrument: Instrument) -> Mistake | None:
    """An item measured in millimetres and typed into the centimetre column: 6.4 as "64"."""
    # 1.1 cm and up, so the millimetres (11 and up) cannot pass for centimetres
    choices = [(i, v) for i, v in enumerate(form.items) if v is not None and v >= 1.1]
    if instrument.kind != "outcome" or not choices:
        return None
    index, value = rng.choice(choices)
    typed = str(round(value * TENTHS))
    return _mistake(form, instrument.items[index].label, typed, f"{value:g} cm typed in mm")


def _not_a_number(rng: random.Random, form: Form, instrument: Instrument) -> Mistake | None:
    """Text typed into a number cell."""
    if instrument.kind != "alliance":
        return None
    label = rng.choice(instrument.items).label
    return _mistake(form, label, "n/a", "text typed in a number cell")


def _day_first_date(rng: random.Random, form: Form, instrument: Instrument) -> Mistake | None:
    """A date typed day first, which reads two ways: 3 April as "03/04/2026"."""
    date = form.date
    if date is None or date.day > 12 or date.day == date.month:
        return None
    typed = f"{date.day:02d}/{date.month:02d}/{date.year}"
    return _mistake(form, "date", typed, f"{date.isoformat()} typed day first")


def _wrong_total(rng: random.Random, form: Form, instrument: Instrument) -> Mistake | None:
    """A total typed over the formula that disagrees with the items."""
    total = form.total
    if total is None or total > 38.5:
        return None
    typed = round(total + rng.choice((1, 1.5, 2)), 1)
    reason = f"total typed as {typed:g}, the items add up to {total:g}"
    return _mistake(form, "total", typed, reason)


def _session_letter(rng: random.Random, form: Form, instrument: Instrument) -> Mistake | None:
    """A letter typed after the session number."""
    return _mistake(form, "session", f"{form.session}a", "a letter typed after the session number")


def _mistake(form: Form, column: str, typed: object, reason: str) -> Mistake:
    return Mistake(form.client_id, form.instrument, form.session, column, typed, reason)


MISTAKES = (_millimetres, _not_a_number, _day_first_date, _wrong_total, _session_letter)


def _mistakes(rng: random.Random, forms: Sequence[Form], catalog: Catalog) -> tuple[Mistake, ...]:
    """One of each mistake in MISTAKES, each on a complete form of a different session between a
    client's first and last, so the demo's scoring keeps every client's intake and latest form."""
    middle = set(_middle_sessions(forms))
    candidates = [form for form in forms if form.complete and _key(form) in middle]
    mistakes = []
    for make in MISTAKES:
        rng.shuffle(candidates)
        for form in candidates:
            mistake = make(rng, form, catalog.get(form.instrument))
            if mistake is not None:
                mistakes.append(mistake)
                candidates = [f for f in candidates if _key(f) != _key(form)]
                break
    return tuple(mistakes)
