"""Write a full set of sample output, so a new user sees what paperfit prints.

Takes: a folder. Returns: the paths written, in the order a person would look at them.
Everything is made from made-up clients; nothing here reads real data.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import openpyxl

from forms.instrument import Catalog
from forms.records import Client, Form
from forms.scoring import Thresholds, score
from generator.export import write_export
from generator.handouts import write_guide, write_handout
from generator.output import write_atomic
from generator.sheets import Header, Packet, PrintOptions, packets_for_schedule, write_forms
from generator.texts import AUDIENCES
from generator.workbook import write_workbook
from paperfit.errors import Location
from paperfit.settings import LANGUAGES, Settings
from scanner.measurements import ReadOptions, read_inputs
from scanner.schedule import read_schedule

SAMPLE_SCHEDULE = [
    # client_id, session, clinician, age_group, format, name
    ("C-1001", 1, "Dr. Ana Rivera", "adult", "individual", ""),
    ("C-1002", 6, "Dr. Ana Rivera", "adolescent", "individual", ""),
    ("K-2001", 3, "Sam Lee", "child", "individual", "Zoë"),
    ("G-3001", 4, "Sam Lee", "adult", "group", ""),
    ("C-1003", 12, "Dr. Ana Rivera", "adult", "individual", ""),
]


def write_sample_schedule(path: Path, day: datetime.date) -> Path:
    """A small day's schedule as CSV, in the columns `paperfit forms --schedule` reads."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["client_id", "date", "session", "clinician", "age_group", "format", "name"])
    for client, session, clinician, group, fmt, name in SAMPLE_SCHEDULE:
        writer.writerow([client, day.isoformat(), session, clinician, group, fmt, name])
    data = buffer.getvalue().encode("utf-8")
    return write_atomic(path, lambda stream: stream.write(data))


def write_demo(
    folder: Path,
    catalog: Catalog,
    settings: Settings,
    thresholds: Thresholds,
    day: datetime.date | None = None,
) -> list[Path]:
    """Print sample forms, a schedule pack, the handouts and the guide into FOLDER."""
    day = day or datetime.date.today()
    base = PrintOptions(
        paper=settings.paper, practice_name=settings.practice_name, privacy=settings.privacy
    )
    pair = (catalog.get("ORS"), catalog.get("SRS"))
    children = (catalog.get("CORS"), catalog.get("CSRS"))
    one_client = Header(
        client_id="C-1001", session="2", date=day.isoformat(), clinician="Dr. Ana Rivera"
    )
    written = [
        write_forms(folder / "forms-blank.pdf", [Packet(pair)], base),
        write_forms(folder / "forms-client.pdf", [Packet(pair, one_client)], base),
        write_forms(folder / "forms-child.pdf", [Packet(children, one_client)], base),
        write_forms(folder / "forms-group.pdf", [Packet((catalog.get("GSRS"),))], base),
        write_forms(
            folder / "forms-large-print-a4.pdf",
            [Packet(pair)],
            PrintOptions(paper="a4", large_print=True, explain="page"),
        ),
    ]
    for language in LANGUAGES[1:]:
        options = PrintOptions(
            paper=settings.paper,
            language=language,
            practice_name=settings.practice_name,
            privacy=settings.privacy,
        )
        written.append(write_forms(folder / f"forms-{language}.pdf", [Packet(pair)], options))
    schedule = write_sample_schedule(folder / "schedule.csv", day)
    packets = packets_for_schedule(read_schedule(schedule), catalog, base.language)
    written += [schedule, write_forms(folder / "forms-schedule.pdf", packets, base)]
    for language in LANGUAGES:
        for audience in AUDIENCES:
            written.append(
                write_handout(
                    folder / f"handout-{audience}-{language}.pdf",
                    audience,
                    language,
                    settings.paper,
                    False,
                    settings,
                )
            )
        written.append(
            write_guide(
                folder / f"guide-{language}.pdf", language, settings.paper, thresholds, settings
            )
        )
    return written + write_sample_measurements(folder, catalog, thresholds, day)


# (client, age group, clinician, outcome totals by session, alliance totals by session)
SAMPLE_CASELOAD = [
    (
        "C-1001",
        "adult",
        "Dr. Ana Rivera",
        [18.2, 21.0, 24.6, 27.9, 30.1],
        [37.5, 38.0, 36.4, 38.8, 39.0],
    ),
    ("C-1002", "adolescent", "Dr. Ana Rivera", [22.5, 22.0, 23.1, 21.7], [33.0, 35.5, 34.0, 36.5]),
    ("K-2001", "child", "Sam Lee", [24.0, 27.5, 31.0], [36.0, 38.5, 39.2]),
    ("C-1003", "adult", "Sam Lee", [29.0, 28.5, 22.6], [38.0, 37.0, 34.5]),
]


def sample_forms(catalog: Catalog, day: datetime.date) -> tuple[list[Client], list[Form]]:
    """A few made-up clients, weekly sessions ending at DAY, items spread around each total."""
    clients, forms = [], []
    for client_id, group, clinician, outcome, alliance in SAMPLE_CASELOAD:
        start = day - datetime.timedelta(weeks=len(outcome) - 1)
        clients.append(Client(client_id, group, clinician, start))
        outcome_id = catalog.for_client(group, "outcome", "individual", "en").id
        alliance_id = catalog.for_client(group, "alliance", "individual", "en").id
        for session, (o_total, a_total) in enumerate(zip(outcome, alliance, strict=True), 1):
            date = start + datetime.timedelta(weeks=session - 1)
            for ident, total in ((outcome_id, o_total), (alliance_id, a_total)):
                items = _spread(total, session)
                forms.append(Form(client_id, ident, session, date, items, Location("demo")))
    return clients, forms


def _spread(total: float, seed: int) -> tuple[float, ...]:
    """Four items adding up to TOTAL, not all equal, each within 0 to 10."""
    offsets = [(0.4, -0.2, -0.5, 0.3), (-0.3, 0.5, 0.1, -0.3)][seed % 2]
    items = [min(10.0, max(0.0, round(total / 4 + o, 1))) for o in offsets]
    for index in range(4):  # hand what is left to the items that have room for it
        rest = round(total - sum(items), 1)
        items[index] = min(10.0, max(0.0, round(items[index] + rest, 1)))
    return tuple(items)


def write_sample_measurements(
    folder: Path, catalog: Catalog, thresholds: Thresholds, day: datetime.date
) -> list[Path]:
    """A blank entry workbook, a filled one with two typing mistakes, and its export."""
    instruments = [catalog.get(ident) for ident in catalog.ids]
    blank = write_workbook(folder / "entry-blank.xlsx", instruments, thresholds)
    clients, forms = sample_forms(catalog, day)
    filled = folder / "entry-filled.xlsx"
    write_workbook(filled, instruments, thresholds, clients, forms)
    _type_mistakes(filled)
    reading = read_inputs([filled], catalog, ReadOptions(today=day))
    scored = score(reading.forms, reading.clients, catalog, thresholds)
    return [blank, filled, write_export(folder / "export.csv", scored, thresholds)]


def _type_mistakes(path: Path) -> None:
    """Two mistakes staff really make, so that the demo shows how they are reported."""
    workbook = openpyxl.load_workbook(path)
    workbook["ORS"]["D3"] = "64"  # millimetres typed into a centimetre column
    workbook["SRS"]["E4"] = "n/a"  # text in a number cell
    data = io.BytesIO()
    workbook.save(data)
    write_atomic(path, lambda stream: stream.write(data.getvalue()))
