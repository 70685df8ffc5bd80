"""Scoring rules, with numbers: totals, change classes, flags and thresholds."""

from __future__ import annotations

import datetime

import pytest
from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Client, Form
from paperfit.forms.scoring import (
    CLINICALLY_SIGNIFICANT,
    INTAKE,
    INTAKE_ABOVE_CUTOFF,
    NO_RELIABLE_CHANGE,
    RELIABLE_DETERIORATION,
    RELIABLE_IMPROVEMENT,
    ScoringSettings,
    Thresholds,
    classify,
    score,
)


def make_form(
    client: str = "C-1",
    instrument: str = "ORS",
    session: int = 1,
    items: tuple[float | None, ...] = (5.0, 5.0, 5.0, 5.0),
    **extra,
) -> Form:
    day = datetime.date(2026, 1, 1) + datetime.timedelta(weeks=session)
    return Form(
        client, instrument, session, day, items, Location("test.xlsx", row=session), **extra
    )


def spread(total: float) -> tuple[float, ...]:
    """Four items that add up to TOTAL."""
    return (total / 4,) * 4


@pytest.fixture(scope="module")
def thresholds(catalog: Catalog) -> Thresholds:
    return Thresholds.resolve(catalog, ScoringSettings())


def test_total_is_the_sum_and_never_prorated() -> None:
    assert make_form(items=(1.2, 3.4, 5.6, 7.8)).total == 18.0
    assert make_form(items=(1.2, None, 5.6, 7.8)).total is None
    assert make_form(items=(0.0, 0.0, 0.0, 0.0)).total == 0.0


@pytest.mark.parametrize(
    ("intake", "latest", "expected"),
    [
        (20, 25, RELIABLE_IMPROVEMENT),  # +5 = RCI, still at the cutoff (25 is clinical)
        (20, 25.1, CLINICALLY_SIGNIFICANT),  # +5.1 and above 25
        (20, 24.9, NO_RELIABLE_CHANGE),  # +4.9
        (20, 15, RELIABLE_DETERIORATION),  # -5
        (20, 15.1, NO_RELIABLE_CHANGE),  # -4.9
        (25.1, 35, INTAKE_ABOVE_CUTOFF),  # little room to improve
        (30, 25, RELIABLE_DETERIORATION),  # deterioration is named even above the cutoff
        (25, 30, CLINICALLY_SIGNIFICANT),  # 25 is at the cutoff: clinical at intake
    ],
)
def test_change_classes(intake: float, latest: float, expected: str) -> None:
    assert classify(intake, latest, cutoff=25, rci=5) == expected


def test_thresholds_default_to_the_instrument_files(thresholds: Thresholds) -> None:
    assert thresholds.cutoffs == {"adult": 25, "adolescent": 28, "child": 32}
    assert (thresholds.rci, thresholds.alert_total, thresholds.alert_item) == (5, 36, 9)
    assert thresholds.review_session == 4
    sources = {t.name: t.source for t in thresholds.used}
    assert sources["cutoff_child"] == "cors.toml"
    assert sources["rci"] == "ors.toml"


def test_thresholds_from_settings_override_and_are_recorded(catalog: Catalog) -> None:
    settings = ScoringSettings(cutoff_child=28, rci=6, no_improvement_by_session=3)
    thresholds = Thresholds.resolve(catalog, settings, "clinic.toml")
    assert thresholds.cutoffs["child"] == 28
    assert thresholds.rci == 6
    used = {t.name: (t.value, t.source) for t in thresholds.used}
    assert used["cutoff_child"] == (28, "clinic.toml")
    assert used["cutoff_adult"] == (25, "ors.toml")


def test_a_clients_course_is_scored_against_intake(catalog, thresholds) -> None:
    forms = [make_form(session=s, items=spread(t)) for s, t in [(1, 18), (2, 21), (3, 24.4)]]
    scored = score(forms, {}, catalog, thresholds)
    assert [s.total for s in scored] == [18.0, 21.0, 24.4]
    assert [s.change_from_intake for s in scored] == [None, 3.0, 6.4]
    assert [s.classification for s in scored] == [INTAKE, NO_RELIABLE_CHANGE, RELIABLE_IMPROVEMENT]


def test_the_cutoff_follows_the_clients_age_group(catalog, thresholds) -> None:
    forms = [make_form("K-1", "CORS", 1, spread(26)), make_form("K-1", "CORS", 2, spread(31.6))]
    clients = {"K-1": Client("K-1", "child")}
    child = score(forms, clients, catalog, thresholds)
    assert child[1].classification == RELIABLE_IMPROVEMENT  # 31.6 is below the child cutoff 32
    adult = score(forms, {"K-1": Client("K-1", "adult")}, catalog, thresholds)
    assert adult[0].classification == INTAKE_ABOVE_CUTOFF  # 26 is above the adult cutoff 25


def test_an_incomplete_intake_is_skipped_for_the_next_complete_form(catalog, thresholds) -> None:
    forms = [
        make_form(session=1, items=(5, None, 5, 5)),
        make_form(session=2, items=spread(20)),
        make_form(session=3, items=spread(26)),
    ]
    scored = score(forms, {}, catalog, thresholds)
    assert [s.classification for s in scored] == ["", INTAKE, CLINICALLY_SIGNIFICANT]
    assert scored[2].change_from_intake == 6.0


def test_alliance_flags(catalog, thresholds) -> None:
    forms = [
        make_form(instrument="SRS", session=1, items=(9.5, 9.5, 9.5, 9.5)),
        make_form(instrument="SRS", session=2, items=(9.5, 9.5, 8.9, 9.5)),
        make_form(instrument="SRS", session=3, items=(8.0, 9.0, 9.0, 9.0)),
        make_form(instrument="SRS", session=4, items=(9.0, 9.0, 9.0, 9.0)),
    ]
    flags = [tuple(map(str, s.flags)) for s in score(forms, {}, catalog, thresholds)]
    assert flags[0] == ()
    assert flags[1] == ("SRS item below 9", "SRS lower than last session")
    assert flags[2] == ("SRS total below 36", "SRS item below 9", "SRS lower than last session")
    assert flags[3] == ()  # 36 is not below 36, and it went up


def test_outcome_flags(catalog, thresholds) -> None:
    forms = [
        make_form(session=s, items=spread(t))
        for s, t in [(1, 20), (2, 21), (3, 22), (4, 23), (5, 14)]
    ]
    flags = [tuple(map(str, s.flags)) for s in score(forms, {}, catalog, thresholds)]
    assert flags[:3] == [(), (), ()]
    assert flags[3] == ("no reliable improvement by session 4",)
    assert flags[4] == (RELIABLE_DETERIORATION,)


def test_clients_are_scored_separately_and_in_order(catalog, thresholds) -> None:
    forms = [
        make_form("B", session=2, items=spread(30)),
        make_form("A", session=1),
        make_form("B", session=1, items=spread(20)),
    ]
    scored = score(forms, {}, catalog, thresholds)
    assert [(s.form.client_id, s.form.session) for s in scored] == [("A", 1), ("B", 1), ("B", 2)]
    assert scored[2].change_from_intake == 10.0
