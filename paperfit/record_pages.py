"""Pages from the practice's record: one client's graph and flags, the day's pack and graphs,
the practice report, each made by the same generator functions the commands call.

Takes: the store and what scoring needs (catalog, thresholds, an expected-course model).
Returns: records for a page (ClientLook, flags) or PDF bytes. The desk's routes call these,
so a page shows what the command prints.
"""

from __future__ import annotations

import datetime
import logging
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Appointment, Client, Problem, Reading
from paperfit.forms.scoring import ScoredForm, Thresholds, by_client, score
from paperfit.forms.trajectories import FOLDS, Model, fit_scored
from paperfit.generator.graphs import (
    ClientGraph,
    GraphOptions,
    Scheduled,
    build_graph,
    build_graphs,
    client_expectation,
    day_entries,
    write_day,
    write_graphs,
)
from paperfit.generator.report import write_report
from paperfit.generator.sheets import PrintOptions, packets_for_schedule, write_forms
from paperfit.generator.texts import say_flags, texts
from paperfit.scanner.trajectories import read_model
from paperfit.settings import Settings, fit_options

if TYPE_CHECKING:
    from paperfit.store import Store


@dataclass(frozen=True)
class Scoring:
    """What scoring needs, once per desk or command."""

    catalog: Catalog
    thresholds: Thresholds
    model: Model | None = None


@dataclass(frozen=True)
class ClientLook:
    """One client as the clinician looks before a session: the graph (None without forms),
    the latest session's flags in words, and the open conflicts between copies of a form."""

    client: Client
    graph: ClientGraph | None
    scored: tuple[ScoredForm, ...]
    flags: str
    below_expected: bool
    conflicts: tuple[Problem, ...]


def scored_reading(
    store: Store, scoring: Scoring, client_ids: Sequence[str] | None
) -> tuple[Reading, list[ScoredForm]]:
    """The current forms of CLIENT_IDS (all clients with None) from the store, scored."""
    reading = store.reading(client_ids)
    return reading, score(reading.forms, reading.clients, scoring.catalog, scoring.thresholds)


def latest_status(
    scored: Sequence[ScoredForm], scoring: Scoring, language: str
) -> tuple[str, bool]:
    """The latest session's flags in LANGUAGE's words ("" when none), and whether the client's
    latest outcome total is below the expected course."""
    if not scored:
        return "", False
    session = max(e.form.session for e in scored)
    flags = list(dict.fromkeys(f for e in scored if e.form.session == session for f in e.flags))
    expected, _ = client_expectation(scoring.model, scored, session)
    below = bool(expected and session in expected.below)
    return say_flags(flags, language), below


def client_look(store: Store, scoring: Scoring, client_id: str, language: str) -> ClientLook | None:
    """CLIENT_ID's look (None when the store has no such client and no forms for them)."""
    reading, scored = scored_reading(store, scoring, [client_id])
    client = reading.clients.get(client_id) or store.client(client_id)
    if client is None and not scored:
        return None
    client = client or Client(client_id)
    graph = (
        build_graph(client, scored, scoring.thresholds, scoring.catalog, language, scoring.model)
        if scored
        else None
    )
    flags, below = latest_status(scored, scoring, language)
    conflicts = tuple(p for p in reading.problems if p.severity != "error")
    return ClientLook(client, graph, tuple(scored), flags, below, conflicts)


def statuses(
    store: Store, scoring: Scoring, client_ids: Sequence[str], language: str
) -> dict[str, tuple[str, bool, int]]:
    """Each of CLIENT_IDS's latest flags, whether below expected, and the number of sessions."""
    if not client_ids:
        return {}
    _, scored = scored_reading(store, scoring, list(dict.fromkeys(client_ids)))
    groups = by_client(scored)
    return {
        client_id: (
            *latest_status(groups.get(client_id, []), scoring, language),
            len({e.form.session for e in groups.get(client_id, [])}),
        )
        for client_id in client_ids
    }


def graph_options(settings: Settings, language: str) -> GraphOptions:
    return GraphOptions(
        paper=settings.paper, language=language, practice_name=settings.practice_name
    )


def client_graph_pdf(graph: ClientGraph, options: GraphOptions) -> bytes:
    """The paper graph `paperfit graphs --client ID` prints, as bytes."""
    with tempfile.TemporaryDirectory(prefix="paperfit-desk-") as folder:
        files = write_graphs(Path(folder) / "graphs", [graph], options)
        return files.clients[0].read_bytes()


def day_graphs_pdf(
    store: Store,
    scoring: Scoring,
    appointments: Sequence[Appointment],
    options: GraphOptions,
) -> bytes:
    """The day's graphs in appointment order, as `paperfit graphs --schedule` prints them."""
    scheduled = [
        Scheduled(a.client_id, a.date, a.session, a.clinician, a.name) for a in appointments
    ]
    ids = list(dict.fromkeys(s.client_id for s in scheduled))
    reading, scored = scored_reading(store, scoring, ids)
    graphs = build_graphs(
        scored,
        reading.clients,
        scoring.thresholds,
        scoring.catalog,
        options.language,
        ids,
        scoring.model,
    )
    with tempfile.TemporaryDirectory(prefix="paperfit-desk-") as folder:
        path = Path(folder) / "day.pdf"
        write_day(path, day_entries(scheduled, graphs), options)
        return path.read_bytes()


def day_pack_pdf(
    appointments: Sequence[Appointment], catalog: Catalog, options: PrintOptions
) -> bytes:
    """The day's forms, one set per appointment, as `paperfit forms --schedule` prints them."""
    packets = packets_for_schedule(appointments, catalog, options.language)
    with tempfile.TemporaryDirectory(prefix="paperfit-desk-") as folder:
        return write_forms(Path(folder) / "pack.pdf", packets, options).read_bytes()


def report_pdf(
    store: Store, scoring: Scoring, settings: Settings, language: str, today: datetime.date
) -> bytes:
    """The practice report `paperfit report` prints from the store."""
    reading, scored = scored_reading(store, scoring, None)
    with tempfile.TemporaryDirectory(prefix="paperfit-desk-") as folder:
        path = write_report(
            Path(folder) / "report.pdf",
            reading,
            scored,
            scoring.thresholds,
            settings.practice_name,
            settings.paper,
            today,
            language=language,
            model=scoring.model,
            cell_chars=settings.limits.cell_chars,
        )
        return path.read_bytes()


log = logging.getLogger("paperfit.desk")


class ExpectedCourses:
    """The expected-course model the desk draws with: paperfit.toml's model.json, none, or
    (auto) fitted on the whole store once, in the background, so no page waits for it."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._model: Model | None = None
        self._lock = threading.Lock()
        self.state = "none"
        choice = settings.trajectories.expected
        if choice not in ("auto", "none"):
            self._model, self.state = read_model(Path(choice), settings.limits), "ready"

    @property
    def model(self) -> Model | None:
        with self._lock:
            return self._model

    def fit_in_background(self, store: Store, catalog: Catalog, thresholds: Thresholds) -> None:
        if self._settings.trajectories.expected != "auto":
            return
        self.state = "fitting"

        def run() -> None:
            try:
                reading = store.reading(None)
                scored = score(reading.forms, reading.clients, catalog, thresholds)
                # calibrated as paperfit report's is, so /report.pdf gives the rule's record
                options = fit_options(self._settings, thresholds, folds=FOLDS)
                model = fit_scored(scored, datetime.date.today(), options)
            except Exception as error:  # the pages go on without a curve; the log says why
                log.error("desk: expected courses not fitted (%s)", type(error).__name__)
                self.state = "failed"
                return
            with self._lock:
                self._model = model if model.clients else None
            self.state = "ready"

        threading.Thread(target=run, name="paperfit-expected", daemon=True).start()


def text_words(language: str) -> dict:
    """The desk's own words in LANGUAGE ([desk] in templates/text)."""
    return texts(language)["desk"]
