"""Benchmark: progress graphs for 1,000 clients with 12 sessions each, one PDF per client plus
the caseload bundle, in pages per second.

Baseline, measured in the same run: the naive way, one WeasyPrint document per client (an
ordinary HTML page linking its stylesheet), laid out and written one after another, timed on the
first BASELINE_CLIENTS clients, enough for a steady rate. paperfit instead parses the stylesheet
once, lays out many clients per document and uses every core.
It also times paperfit's own layout and writing on one core for the same clients as the
baseline, which separates what laying out many clients per document gains from what the
second core gains.
Every graph shows its expected course, from a model fitted (before the clock starts) on a
made-up past practice of 1,500 clients.
Run: .venv/bin/python bench/graphs.py [CLIENTS]
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

from markupsafe import Markup
from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Client, Form
from paperfit.forms.scoring import ScoringSettings, Thresholds, score
from paperfit.forms.trajectories import fit
from paperfit.generator.graphs import GraphOptions, build_graphs, graph_pages, write_graphs
from paperfit.generator.paper import binder_page_setup
from paperfit.generator.render import ProjectFetcher, groups_to_pdfs, render_html
from paperfit.templates import TEMPLATE_DIR
from weasyprint import HTML

from paperfit.practices import MIXED

SESSIONS = 12
BASELINE_CLIENTS = 60


def caseload(count: int) -> tuple[dict[str, Client], list[Form]]:
    """COUNT adult clients with SESSIONS weekly ORS and SRS forms each (made-up, varied)."""
    start = datetime.date(2026, 1, 5)
    clients, forms = {}, []
    for n in range(count):
        client_id = f"C-{n:04d}"
        clients[client_id] = Client(client_id, "adult", f"Clinician {n % 7}")
        for session in range(1, SESSIONS + 1):
            date = start + datetime.timedelta(weeks=session - 1)
            outcome = min(10.0, 3.0 + (n % 5) * 0.3 + session * 0.25)
            alliance = min(10.0, 8.6 + ((n + session) % 5) * 0.3)
            forms.append(
                Form(
                    client_id,
                    "ORS",
                    session,
                    date,
                    (outcome, outcome - 0.4, outcome + 0.3, outcome),
                    Location("bench"),
                )
            )
            forms.append(
                Form(
                    client_id,
                    "SRS",
                    session,
                    date,
                    (alliance, alliance, alliance - 0.2, alliance),
                    Location("bench"),
                )
            )
    return clients, forms


def naive(graphs: list, options: GraphOptions) -> tuple[int, float]:
    """One WeasyPrint document per client, one after another, each an ordinary HTML page
    that links its stylesheet: (pages, seconds). paperfit's own pages, charts included."""
    pages, start = 0, time.perf_counter()
    for graph in graphs:
        own = graph_pages(graph, options.paper, options.language, "", options.printed)
        html = render_html(
            "pack.html",
            pages=[Markup(page) for page in own],
            title="t",
            lang="en",
            **binder_page_setup(options.paper),
        )
        html = html.replace("</head>", '<link rel="stylesheet" href="print.css"></head>')
        document = HTML(
            string=html, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=ProjectFetcher()
        ).render()
        document.write_pdf()
        pages += len(document.pages)
    return pages, time.perf_counter() - start


def one_core(graphs: list, options: GraphOptions) -> tuple[int, float]:
    """paperfit's way on one process: many clients per document, a PDF each: (pages, s)."""
    groups = [graph_pages(g, options.paper, options.language, "", options.printed) for g in graphs]
    start = time.perf_counter()
    groups_to_pdfs(
        groups, "pack.html", workers=1, title="t", lang="en", **binder_page_setup(options.paper)
    )
    return sum(len(g) for g in groups), time.perf_counter() - start


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    catalog = Catalog.load()
    thresholds = Thresholds.resolve(catalog, ScoringSettings())
    clients, forms = caseload(count)
    options = GraphOptions(printed=datetime.date(2026, 11, 25))
    model = fit(MIXED.courses(1500, seed=1), options.printed, folds=0)
    start = time.perf_counter()
    scored = score(forms, clients, catalog, thresholds)
    graphs = build_graphs(scored, clients, thresholds, catalog, "en", (), model)
    shown = sum(bool(g.main.courses) for g in graphs)
    with tempfile.TemporaryDirectory() as folder:
        files = write_graphs(Path(folder), graphs, options)
        ours = time.perf_counter() - start
    naive_pages, naive_seconds = naive(graphs[:BASELINE_CLIENTS], options)
    one_pages, one_seconds = one_core(graphs[:BASELINE_CLIENTS], options)
    ours_rate, naive_rate = files.pages / ours, naive_pages / naive_seconds
    one_rate = one_pages / one_seconds
    print(f"cores: {os.cpu_count()}, load average: {os.getloadavg()[0]:.1f}")
    print(f"expected course drawn on {shown} of {len(graphs)} graphs")
    print(
        f"paperfit graphs: {count} clients, {files.pages} pages (one PDF per client and the "
        f"bundle) in {ours:.1f} s = {ours_rate:.1f} pages/s"
    )
    print(
        f"naive, one WeasyPrint document per client: {naive_pages} pages in "
        f"{naive_seconds:.1f} s = {naive_rate:.1f} pages/s"
    )
    print(
        f"paperfit's layout and writing on one core, same clients: {one_pages} pages in "
        f"{one_seconds:.1f} s = {one_rate:.1f} pages/s ({one_rate / naive_rate:.2f}x naive)"
    )
    print(f"ratio: {ours_rate / naive_rate:.1f}x")


if __name__ == "__main__":
    main()
