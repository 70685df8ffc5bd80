"""The demo caseload: deterministic, realistic in its proportions, and showing every class,
flag, gap and typing mistake the demo is meant to show."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Form
from paperfit.forms.scoring import CLASSES, ScoredForm, ScoringSettings, Thresholds, score
from paperfit.forms.sheet import AFTER_ITEMS, BEFORE_ITEMS
from paperfit.generator.workbook import write_workbook
from paperfit.scanner.measurements import ReadOptions, read_inputs
from paperfit.scanner.values import (
    ValueProblem,
    parse_date,
    parse_measure,
    parse_session,
    parse_total,
)

from paperfit.caseload import DEFAULT_END, KINDS, Caseload, make_caseload, split

END = DEFAULT_END
FLAGS = (
    "no reliable improvement by session 4",
    "SRS total below 36",
    "SRS item below 9",
    "SRS lower than last session",
)


@pytest.fixture(scope="module")
def caseload(catalog: Catalog) -> Caseload:
    return make_caseload(catalog=catalog)


@pytest.fixture(scope="module")
def scored(caseload: Caseload, catalog: Catalog) -> list[ScoredForm]:
    thresholds = Thresholds.resolve(catalog, ScoringSettings())
    return score(caseload.forms, {c.client_id: c for c in caseload.clients}, catalog, thresholds)


def by_client(forms: tuple[Form, ...]) -> dict[str, list[Form]]:
    grouped: dict[str, list[Form]] = defaultdict(list)
    for form in forms:
        grouped[form.client_id].append(form)
    return grouped


def latest_classes(scored: list[ScoredForm]) -> Counter[str]:
    """The change class of each client's last complete outcome form."""
    latest = {s.form.client_id: s for s in scored if s.kind == "outcome" and s.total is not None}
    return Counter(s.classification for s in latest.values())


def tenths(value: float) -> int:
    assert abs(value * 10 - round(value * 10)) < 1e-9, value
    return round(value * 10)


# Determinism


def test_same_seed_gives_the_same_caseload(catalog: Catalog) -> None:
    assert make_caseload(7, 20, catalog=catalog) == make_caseload(7, 20, catalog=catalog)


def test_another_seed_gives_another_caseload(catalog: Catalog) -> None:
    assert make_caseload(7, 20, catalog=catalog) != make_caseload(8, 20, catalog=catalog)


def test_too_few_clients_for_every_kind_is_refused(catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="at least 14"):
        make_caseload(clients=2 * len(KINDS) - 1, catalog=catalog)


# Clients


def test_counts_and_proportions(caseload: Caseload) -> None:
    clients = caseload.clients
    assert len(clients) == 48
    assert len({c.client_id for c in clients}) == 48
    groups = Counter(c.age_group for c in clients)
    assert 0.5 <= groups["adult"] / 48 <= 0.7
    assert 0.1 <= groups["adolescent"] / 48 <= 0.3
    assert 0.1 <= groups["child"] / 48 <= 0.3
    assert len({c.clinician for c in clients}) == 4
    group_members = [c for c in clients if c.client_id.startswith("G-")]
    assert 1 <= len(group_members) <= 0.15 * groups["adult"]
    assert {c.age_group for c in group_members} == {"adult"}
    assert {c.status for c in clients} == {"open", "closed"}


def test_ids_and_names(caseload: Caseload) -> None:
    for client in caseload.clients:
        prefix = "K" if client.age_group == "child" else "[CG]"
        assert re.fullmatch(rf"{prefix}-\d{{4}}", client.client_id), client
    named = [c.name for c in caseload.clients if c.name]
    assert len(named) == 3
    assert any("Zoë" in name for name in named)


def test_start_dates_span_about_six_months(caseload: Caseload) -> None:
    starts = sorted(c.start_date for c in caseload.clients if c.start_date)
    assert len(starts) == 48
    recent = [day for day in starts if (END - day).days <= 190]
    assert len(recent) >= 0.85 * 48
    assert (recent[-1] - recent[0]).days >= 120


def test_session_counts(caseload: Caseload) -> None:
    counts = [max(f.session for f in forms) for forms in by_client(caseload.forms).values()]
    assert all(2 <= n <= 16 or 30 <= n <= 45 for n in counts), counts
    assert sum(n >= 30 for n in counts) >= 1
    assert sum(n <= 3 for n in counts) >= 2


# Forms


def test_items_are_tenths_on_the_line_and_add_up(caseload: Caseload) -> None:
    for form in caseload.forms:
        assert len(form.items) == 4
        for value in form.items:
            assert value is None or 0 <= tenths(value) <= 100
        if form.complete:
            assert form.total is not None
            assert tenths(form.total) == sum(tenths(v) for v in form.items if v is not None)
            assert 0 <= form.total <= 40
        assert form.source.file == "demo caseload"


@given(
    st.integers(0, 400),
    st.lists(st.floats(-50, 150, allow_nan=False), min_size=4, max_size=4),
)
def test_split_adds_up_exactly_and_stays_on_the_line(total: int, targets: list[float]) -> None:
    items = split(total, targets)
    assert sum(items) == total
    assert all(0 <= item <= 100 for item in items)


def test_split_keeps_targets_that_already_add_up() -> None:
    assert split(295, [80.2, 61, 74, 79.8]) == (80, 61, 74, 80)


def test_alliance_totals_are_mostly_high(caseload: Caseload, catalog: Catalog) -> None:
    totals = [
        f.total
        for f in caseload.forms
        if catalog.get(f.instrument).kind == "alliance" and f.total is not None
    ]
    assert sum(total >= 35 for total in totals) >= 0.85 * len(totals)
    assert any(total < 36 for total in totals)


def test_dates_never_after_the_end_and_rising_with_session(caseload: Caseload) -> None:
    starts = {c.client_id: c.start_date for c in caseload.clients}
    series: dict[tuple[str, str], list[Form]] = defaultdict(list)
    for form in caseload.forms:
        assert form.date is not None and form.date <= END
        series[(form.client_id, form.instrument)].append(form)
    for forms in series.values():
        ordered = sorted(forms, key=lambda f: f.session)
        for earlier, later in pairwise(ordered):
            assert earlier.date is not None and later.date is not None
            days, sessions = (later.date - earlier.date).days, later.session - earlier.session
            assert days % 7 == 0 and 7 * sessions <= days <= 14 * sessions  # weekly, fortnightly
    for client_id, forms in by_client(caseload.forms).items():
        assert min(f.date for f in forms if f.date) == starts[client_id]


def test_closed_clients_have_not_been_seen_for_weeks(caseload: Caseload) -> None:
    last = {cid: max(f.date for f in fs if f.date) for cid, fs in by_client(caseload.forms).items()}
    for client in caseload.clients:
        seen = (END - last[client.client_id]).days
        assert (client.status == "closed") == (seen > 28), client


def test_instruments_follow_age_group_and_format(caseload: Caseload) -> None:
    expected = {"adult": {"ORS", "SRS"}, "adolescent": {"ORS", "SRS"}, "child": {"CORS", "CSRS"}}
    used = defaultdict(set)
    for form in caseload.forms:
        used[form.client_id].add(form.instrument)
    for client in caseload.clients:
        want = {"ORS", "GSRS"} if client.client_id.startswith("G-") else expected[client.age_group]
        assert used[client.client_id] == want, client


def test_who_filled_the_forms_in(caseload: Caseload) -> None:
    answers = defaultdict(Counter)
    for form in caseload.forms:
        answers[form.instrument][form.filled_by] += 1
    assert set(answers["CORS"]) == {"child", "caretaker"}
    assert answers["CORS"]["child"] > answers["CORS"]["caretaker"]
    assert set(answers["ORS"]) == {"self", "other"}
    assert answers["ORS"]["other"] < 0.1 * answers["ORS"]["self"]
    for alliance in ("SRS", "CSRS", "GSRS"):
        assert set(answers[alliance]) == {"self"}


# Trajectories and flags


def test_every_class_shows_up_at_least_twice(scored: list[ScoredForm]) -> None:
    classes = latest_classes(scored)
    for name in CLASSES:
        assert classes[name] >= 2, (name, classes)


def test_dropouts_stopped_early_and_months_ago(caseload: Caseload) -> None:
    status = {c.client_id: c.status for c in caseload.clients}
    dropouts = [
        client_id
        for client_id, forms in by_client(caseload.forms).items()
        if max(f.session for f in forms) <= 3
        and (END - max(f.date for f in forms if f.date)).days >= 60
    ]
    assert len(dropouts) >= 2
    assert {status[client_id] for client_id in dropouts} == {"closed"}


def test_every_flag_fires(scored: list[ScoredForm]) -> None:
    fired = Counter(str(flag) for s in scored for flag in s.flags)
    for flag in FLAGS:
        assert fired[flag] >= 1, (flag, fired)


@pytest.mark.parametrize("seed, clients", [(1, 48), (2, 14), (3, 20)])
def test_other_seeds_keep_the_classes_and_flags(catalog: Catalog, seed: int, clients: int) -> None:
    caseload = make_caseload(seed, clients, catalog=catalog)
    thresholds = Thresholds.resolve(catalog, ScoringSettings())
    clients_by_id = {c.client_id: c for c in caseload.clients}
    result = score(caseload.forms, clients_by_id, catalog, thresholds)
    assert all(latest_classes(result)[name] >= 2 for name in CLASSES)
    fired = {str(flag) for s in result for flag in s.flags}
    assert set(FLAGS) <= fired


# Missing data


def test_some_sessions_are_skipped(caseload: Caseload) -> None:
    skipped = [
        client_id
        for client_id, forms in by_client(caseload.forms).items()
        if {f.session for f in forms} != set(range(1, max(f.session for f in forms) + 1))
    ]
    assert 1 <= len(skipped) <= 6


def test_some_sessions_have_only_the_outcome_form(caseload: Caseload, catalog: Catalog) -> None:
    kinds = defaultdict(set)
    for form in caseload.forms:
        kinds[(form.client_id, form.session)].add(catalog.get(form.instrument).kind)
    assert 1 <= sum(found == {"outcome"} for found in kinds.values()) <= 8
    assert all("outcome" in found for found in kinds.values())


def test_some_forms_are_incomplete_but_never_the_first_or_last(caseload: Caseload) -> None:
    incomplete = [f for f in caseload.forms if not f.complete]
    assert 1 <= len(incomplete) <= 8
    assert all(sum(v is None for v in f.items) == 1 and f.notes for f in incomplete)
    for forms in by_client(caseload.forms).values():
        sessions = [f.session for f in forms]
        ends = [f for f in forms if f.session in (min(sessions), max(sessions))]
        assert all(f.complete for f in ends)


# Typing mistakes


def test_mistakes_name_existing_forms_and_columns(caseload: Caseload, catalog: Catalog) -> None:
    forms = {(f.client_id, f.instrument, f.session): f for f in caseload.forms}
    assert 4 <= len(caseload.mistakes) <= 6
    assert len({(m.client_id, m.session) for m in caseload.mistakes}) == len(caseload.mistakes)
    for mistake in caseload.mistakes:
        form = forms[(mistake.client_id, mistake.instrument, mistake.session)]
        labels = [item.label for item in catalog.get(form.instrument).items]
        assert mistake.column in (*BEFORE_ITEMS, *labels, *AFTER_ITEMS)
        assert mistake.reason


def test_mistakes_are_really_wrong(caseload: Caseload, catalog: Catalog) -> None:
    """Each typed value is refused by the reader, or (a total) disagrees with the items."""
    forms = {(f.client_id, f.instrument, f.session): f for f in caseload.forms}
    columns = set()
    for mistake in caseload.mistakes:
        form = forms[(mistake.client_id, mistake.instrument, mistake.session)]
        labels = [item.label for item in catalog.get(form.instrument).items]
        columns.add("item" if mistake.column in labels else mistake.column)
        if mistake.column == "total":
            assert parse_total(mistake.typed) != form.total
            continue
        parser = {"date": parse_date, "session": parse_session}.get(mistake.column, parse_measure)
        with pytest.raises(ValueProblem):
            parser(mistake.typed)
    assert {"item", "date", "session", "total"} <= columns
    typed = [m.typed for m in caseload.mistakes]
    assert "n/a" in typed
    assert any(isinstance(t, str) and re.fullmatch(r"\d{2,3}", t) for t in typed)  # millimetres


def test_the_caseload_fills_the_entry_workbook(
    caseload: Caseload, catalog: Catalog, tmp_path: Path
) -> None:
    thresholds = Thresholds.resolve(catalog, ScoringSettings())
    instruments = [catalog.get(ident) for ident in catalog.ids]
    path = write_workbook(
        tmp_path / "entry.xlsx", instruments, thresholds, caseload.clients, caseload.forms
    )
    reading = read_inputs([path], catalog, ReadOptions(today=END))
    assert reading.errors == []
    assert len(reading.forms) == len(caseload.forms)
    read = {(f.client_id, f.instrument, f.session): f.items for f in reading.forms}
    assert read == {(f.client_id, f.instrument, f.session): f.items for f in caseload.forms}
