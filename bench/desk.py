"""Benchmark: the desk's pages on a store of 200,000 forms (10,000 clients x 20 ORS sessions),
through Flask's test client (the page's own work, without the network).

Measured, median of REPEATS requests each: one client's page (/clients/<id>, graph with its
expected course fitted on the whole store, table, flags); Today (/) with 12 appointments;
saving a typed form (POST /entry). Baseline in the same run: the same pages on a store holding
only the day's 12 clients, so the ratio shows what the store's size costs.
Targets (issue 17): /clients/<id> <= 200 ms, / <= 300 ms, a save <= 100 ms.
Run: .venv/bin/python bench/desk.py [CLIENTS]
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog
from paperfit.forms.precedence import rank_of
from paperfit.forms.records import Client, Form
from paperfit.store import open_store

from paperfit.desk.app import create_app, start_background_work
from paperfit.desk.config import DeskConfig
from paperfit.settings import Settings

SESSIONS = 20
REPEATS = 15
DAY = datetime.date(2026, 6, 1)
TOKEN = "bench-token-0123456789abcdefghijklmnop"
CHUNK = 20_000  # forms per import call


def practice(count: int, first: int = 0) -> tuple[dict[str, Client], list[Form]]:
    """COUNT adult clients with SESSIONS weekly ORS forms each (made-up, varied)."""
    start = DAY - datetime.timedelta(weeks=SESSIONS + 1)
    clients, forms = {}, []
    for n in range(first, first + count):
        client_id = f"C-{n:05d}"
        clients[client_id] = Client(client_id, "adult", f"Clinician {n % 9}")
        intake = 3.0 + (n % 7) * 0.4
        for session in range(1, SESSIONS + 1):
            value = round(min(10.0, intake + session * (0.05 + (n % 5) * 0.03)), 1)
            forms.append(
                Form(
                    client_id,
                    "ORS",
                    session,
                    start + datetime.timedelta(weeks=session - 1),
                    (value, value, round(value - 0.3, 1), value),
                    Location("history.csv", row=len(forms) + 2),
                )
            )
    return clients, forms


def make_store(folder: Path, count: int, first: int = 0) -> Any:
    store = open_store(str(folder / "paperfit.db"), folder)
    clients, forms = practice(count, first)
    for n in range(0, len(forms), CHUNK):
        store.import_forms(
            forms[n : n + CHUNK],
            clients,
            source_path=f"history-{n}.csv",
            sha256=f"{n:064d}",
            rank_of=rank_of,
            by="bench",
        )
    return store


def median_ms(call: Callable[[int], Any]) -> float:
    times = []
    for n in range(REPEATS):
        started = time.perf_counter()
        call(n)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def desk(store: Any, appointments: list[str]) -> Any:
    for n, client_id in enumerate(appointments):
        store.add_appointment(client_id, DAY, f"{8 + n // 2:02d}:{(n % 2) * 30:02d}", by="bench")
    config = DeskConfig(settings=Settings(), catalog=Catalog.load(), token=TOKEN, today=lambda: DAY)
    app = create_app(store, dataclasses.replace(config, login_delay=0.0))
    started = time.perf_counter()
    start_background_work(app)
    courses = app.extensions["paperfit_store"]["courses"]
    while courses.state not in ("ready", "failed"):
        time.sleep(0.1)
    if courses.state == "failed":
        raise SystemExit("the expected courses could not be fitted: see the log above")
    fitted = time.perf_counter() - started
    client = app.test_client()
    assert client.get(f"/?token={TOKEN}").status_code == 302
    return client, fitted


def measure(client: Any, client_id: str, next_session: int) -> dict[str, float]:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/entry").text).group(1)

    def page(n: int) -> None:
        assert client.get(f"/clients/{client_id}").status_code == 200

    def today(n: int) -> None:
        assert client.get("/").status_code == 200

    def save(n: int) -> None:
        typed = {
            "client": client_id,
            "instrument": "ORS",
            "session": str(next_session + n),
            "date": DAY.isoformat(),
            **{f"item{i}": "6.5" for i in range(1, 5)},
            "csrf_token": token,
        }
        assert client.post("/entry", data=typed).status_code == 200

    page(0)  # the first request loads templates and fonts
    return {"client": median_ms(page), "today": median_ms(today), "save": median_ms(save)}


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    wanted = f"C-{count // 2:05d}"
    with tempfile.TemporaryDirectory() as big_dir, tempfile.TemporaryDirectory() as one_dir:
        started = time.perf_counter()
        big = make_store(Path(big_dir), count)
        built = time.perf_counter() - started
        day = [f"C-{count // 2 + n:05d}" for n in range(12)]
        one = make_store(Path(one_dir), 12, count // 2)
        big_client, fitted = desk(big, day)
        one_client, _ = desk(one, day)
        large = measure(big_client, wanted, SESSIONS + 1)
        small = measure(one_client, wanted, SESSIONS + 1)
        big.close()
        one.close()
    load = os.getloadavg()[0]
    print(f"store: {count * SESSIONS:,} forms, {count:,} clients, built in {built:.0f} s")
    print(f"expected courses fitted on the whole store in {fitted:.1f} s (in the background)")
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores")
    targets = {"client": 200, "today": 300, "save": 100}
    names = {
        "client": "/clients/<id>",
        "today": "/ (12 appointments)",
        "save": "saving a typed form",
    }
    for key, target in targets.items():
        ratio = large[key] / small[key]
        verdict = "ok" if large[key] <= target else "OVER"
        print(
            f"{names[key]:<22} median {large[key]:6.1f} ms (target {target} ms: {verdict}); "
            f"12-client store {small[key]:6.1f} ms, ratio {ratio:.2f}"
        )


if __name__ == "__main__":
    main()
