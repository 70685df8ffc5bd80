"""A small practice in a fresh store, and a desk over it, for the desk's tests.

make_desk(tmp_path, lan=False, **config) opens a SQLite store in TMP_PATH with two clients'
forms and one appointment today, and returns the Flask app and the store.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from pathlib import Path
from typing import Any

from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog
from paperfit.forms.precedence import rank_of
from paperfit.forms.records import Client, Form
from paperfit.store import open_store

from paperfit.desk.app import create_app
from paperfit.desk.config import DeskConfig
from paperfit.settings import Settings

TODAY = datetime.date(2026, 3, 16)
TOKEN = "a-token-for-the-tests-only-0123456789"
# C-1: four weeks of ORS and SRS, going down (reliable deterioration); C-2: two ORS, going up.
C1_ORS = [(5.0, 5.0, 5.0, 5.0), (4.5, 4.5, 4.5, 4.5), (4.0, 4.0, 4.0, 4.0), (3.0, 3.0, 3.5, 3.5)]
C2_ORS = [(4.0, 4.0, 4.0, 4.0), (6.0, 6.0, 6.0, 6.0)]


def form(client_id: str, instrument: str, session: int, items: tuple[float, ...]) -> Form:
    return Form(
        client_id,
        instrument,
        session,
        TODAY - datetime.timedelta(weeks=5 - session),
        items,
        Location("entry.xlsx", instrument, session + 1),
    )


def seed(store: Any) -> None:
    forms = [form("C-1", "ORS", n, items) for n, items in enumerate(C1_ORS, start=1)]
    forms += [form("C-1", "SRS", n, (9.5, 9.5, 9.5, 9.5)) for n in range(1, 5)]
    forms += [form("C-2", "ORS", n, items) for n, items in enumerate(C2_ORS, start=1)]
    clients = {
        "C-1": Client("C-1", "adult", "Dr. Rivera"),
        "C-2": Client("C-2", "adult", "Dr. Chen"),
    }
    store.import_forms(
        forms, clients, source_path="entry.xlsx", sha256="e" * 64, rank_of=rank_of, by="Ann"
    )
    store.add_appointment("C-1", TODAY, "09:30", by="Ann")


def make_desk(tmp_path: Path, lan: bool = False, **config: Any) -> tuple[Any, Any]:
    """A desk over a seeded store in TMP_PATH (token TOKEN in local mode)."""
    store = open_store(str(tmp_path / "paperfit.db"), tmp_path)
    seed(store)
    desk = DeskConfig(
        settings=Settings(),
        catalog=Catalog.load(),
        lan=lan,
        token=None if lan else TOKEN,
        login_delay=0.0,
        today=lambda: TODAY,
    )
    app = create_app(store, dataclasses.replace(desk, **config))
    return app, store


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def scanned_form(
    client_id: str, session: int, values: list[tuple[float, ...]], instrument: str = "ORS"
) -> bytes:
    """A PDF scan of INSTRUMENT's sheet printed for CLIENT_ID's SESSION, each line marked at
    its VALUES (two values: marked twice, so it goes to review), at 200 dpi."""
    from paperfit.forms.sheet import line_places
    from paperfit.generator.sheets import Header

    from paperfit.made_up_scans import made_up_scan, sheet_pdf

    header = Header(client_id=client_id, session=str(session), date=TODAY.isoformat())
    pack = sheet_pdf("letter", instrument, header)
    places = line_places(Catalog.load().get(instrument), "letter", False)
    return made_up_scan(pack, [list(zip(places, values, strict=True))], 200, seed=3)


def model_file(folder: Path) -> Path:
    """A model.json of expected courses fitted on a made-up past practice of 300 adults."""
    from paperfit.forms.trajectories import fit
    from paperfit.generator.trajectories import model_json

    from paperfit.practices import MIXED

    path = folder / "model.json"
    path.write_bytes(model_json(fit(MIXED.courses(300, seed=17), TODAY, folds=0)))
    return path


def with_model(folder: Path) -> Settings:
    """Settings whose graphs draw the expected courses of model_file(FOLDER)."""
    from paperfit.settings import TrajectorySettings

    return Settings(trajectories=TrajectorySettings(expected=str(model_file(folder))))
