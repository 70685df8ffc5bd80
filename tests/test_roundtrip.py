"""Round trips: an entry workbook written, filled in, saved, and read back unchanged."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Client, Form
from paperfit.forms.scoring import ScoringSettings, Thresholds
from paperfit.generator.workbook import write_workbook
from paperfit.scanner.measurements import ReadOptions, read_inputs

TYPED = {
    "ORS": [
        ("C-1", 1, datetime.date(2026, 1, 5), (4.5, 5.0, 6.1, 5.5), "self", ""),
        ("C-1", 2, datetime.date(2026, 1, 12), (6.0, 6.2, 7.0, 6.6), "other", "mother"),
    ],
    "SRS": [("C-1", 1, datetime.date(2026, 1, 5), (9.5, 9.1, 8.7, 9.9), "", "")],
    "CORS": [("K-2", 1, datetime.date(2026, 1, 6), (0.0, 10.0, 3.3, None), "caretaker", "")],
}
CLIENTS = [
    Client("C-1", "adult", "Dr. Rivera", datetime.date(2026, 1, 5), "open", "Zoë"),
    Client("K-2", "child", "Sam Lee", datetime.date(2026, 1, 6), "open", ""),
]


def fill(path: Path) -> None:
    """Type clients and measurements into the workbook, as staff would, and save it."""
    workbook = openpyxl.load_workbook(path)
    for row, client in enumerate(CLIENTS, start=2):
        for column, value in enumerate(
            [
                client.client_id,
                client.age_group,
                client.clinician,
                client.start_date,
                client.status,
                client.name,
            ],
            start=1,
        ):
            workbook["Clients"].cell(row, column, value or None)
    for ident, rows in TYPED.items():
        for row, (client, session, day, items, filled_by, notes) in enumerate(rows, start=2):
            values = [client, session, day, *items]
            for column, value in enumerate(values, start=1):
                workbook[ident].cell(row, column, value)
            workbook[ident].cell(row, 9, filled_by or None)
            workbook[ident].cell(row, 10, notes or None)
    workbook.save(path)


def test_written_filled_and_read_back_equal(tmp_path: Path, catalog: Catalog) -> None:
    path = tmp_path / "entry.xlsx"
    instruments = [catalog.get(i) for i in ("ORS", "SRS", "CORS", "CSRS", "GSRS")]
    write_workbook(path, instruments, Thresholds.resolve(catalog, ScoringSettings()))
    fill(path)
    reading = read_inputs([path], catalog, ReadOptions(today=datetime.date(2026, 11, 25)))
    assert [str(p) for p in reading.problems] == [
        f"{path} › sheet CORS › row 2: warning: item 4 missing: the form is incomplete, so it "
        "has no total."
    ]
    assert reading.clients == {client.client_id: client for client in CLIENTS}
    expected = sorted(
        (
            Form(
                client,
                ident,
                session,
                day,
                items,
                Location(str(path), ident, row),
                filled_by,
                notes,
            )
            for ident, rows in TYPED.items()
            for row, (client, session, day, items, filled_by, notes) in enumerate(rows, start=2)
        ),
        key=lambda f: (f.client_id, f.session, f.instrument),
    )
    assert reading.forms == expected
    assert [f.source for f in reading.forms] == [f.source for f in expected]


def test_a_prefilled_workbook_reads_back_what_was_written(tmp_path, catalog) -> None:
    path = tmp_path / "sample.xlsx"
    forms = [
        Form(
            "C-1",
            "ORS",
            1,
            datetime.date(2026, 1, 5),
            (1.1, 2.2, 3.3, 4.4),
            Location("x"),
            "self",
            "first visit",
        )
    ]
    write_workbook(
        path,
        [catalog.get("ORS")],
        Thresholds.resolve(catalog, ScoringSettings()),
        clients=CLIENTS[:1],
        forms=forms,
    )
    reading = read_inputs([path], catalog)
    assert [(f.client_id, f.items, f.total, f.notes) for f in reading.forms] == [
        ("C-1", (1.1, 2.2, 3.3, 4.4), 11.0, "first visit")
    ]
    assert reading.problems == []
