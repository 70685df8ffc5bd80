"""Write a full set of sample output, so a new user sees what paperfit prints.

Takes: a folder. Returns: the paths written, in the order a person would look at them.
Everything is made from made-up clients; nothing here reads real data.
"""

from __future__ import annotations

import csv
import datetime
import io
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl

from paperfit.caseload import Caseload, Mistake, make_caseload
from paperfit.forms.errors import PaperfitError
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Client, Form
from paperfit.forms.scoring import Thresholds, score
from paperfit.forms.sheet import LANGUAGES, line_places
from paperfit.forms.trajectories import MADE_UP, Model, fit
from paperfit.generator.export import write_export
from paperfit.generator.graphs import GraphOptions, build_graphs, write_graphs
from paperfit.generator.handouts import write_guide, write_handout
from paperfit.generator.output import write_atomic
from paperfit.generator.report import write_report
from paperfit.generator.scan_results import write_scan_results
from paperfit.generator.sheets import (
    Header,
    Packet,
    PrintOptions,
    packets_for_schedule,
    write_forms,
)
from paperfit.generator.texts import AUDIENCES
from paperfit.generator.trajectories import write_trajectories
from paperfit.generator.workbook import write_workbook
from paperfit.made_up_scans import made_up_scan
from paperfit.practices import CHILDREN, INFORMATIVE, MIXED, TEENS
from paperfit.scanner.measurements import ReadOptions, read_inputs
from paperfit.scanner.scan_reading import scan
from paperfit.scanner.schedule import read_schedule
from paperfit.settings import Settings

SCAN_DPI = 200
# The demo's made-up "today": fixed, so that make demo writes the same files every time and
# the README shows what it prints.
DEMO_DAY = datetime.date(2026, 11, 25)
DEMO_PRACTICE = "Made-up past practice for the demo: not real clients"
DEMO_CLIENTS = "Made-up clients for the demo (expected courses: a made-up past practice)"

# client_id, format: the day's appointments; the rest comes from the made-up client list
SAMPLE_SCHEDULE = [
    ("C-1001", "individual"),
    ("C-1002", "individual"),
    ("K-2001", "individual"),
    ("G-3001", "group"),
    ("C-1003", "individual"),
]
CHILD = "K-2001"  # whose forms forms-child.pdf is printed for


def write_sample_schedule(path: Path, day: datetime.date, caseload: Caseload) -> Path:
    """A small day's schedule as CSV, in the columns `paperfit forms --schedule` reads: each
    client as in the made-up CASELOAD's client list, at their session on DAY in its history,
    or the one after their last."""
    rows = [["client_id", "date", "session", "clinician", "age_group", "format", "name"]]
    for client_id, fmt in SAMPLE_SCHEDULE:
        client = _client(caseload, client_id)
        session = _session_on(day, client_id, caseload.forms)
        date = day.isoformat()
        row = [client_id, date, session, client.clinician, client.age_group, fmt, client.name]
        rows.append(row)
    return _write_csv(path, rows)


def _write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    data = buffer.getvalue().encode("utf-8")
    return write_atomic(path, lambda stream: stream.write(data))


def write_schedule_mistakes(path: Path, schedule: Path) -> Path:
    """SCHEDULE with two typing mistakes in its second appointment (a date paperfit will not
    guess at, a session typed in words), to show how `forms --schedule` reports them."""
    rows = list(csv.reader(io.StringIO(schedule.read_text(encoding="utf-8"))))
    day = datetime.date.fromisoformat(rows[2][1])
    rows[2][1:3] = [day.strftime("%d/%m/%Y"), "two"]
    return _write_csv(path, rows)


def _client(caseload: Caseload, client_id: str) -> Client:
    return next(client for client in caseload.clients if client.client_id == client_id)


def _session_on(day: datetime.date, client_id: str, history: Sequence[Form]) -> int:
    """CLIENT_ID's session on DAY in HISTORY, or the one after their last."""
    mine = [form for form in history if form.client_id == client_id]
    today = [form.session for form in mine if form.date == day]
    return today[0] if today else max((form.session for form in mine), default=0) + 1


def write_demo(
    folder: Path,
    catalog: Catalog,
    settings: Settings,
    thresholds: Thresholds,
    day: datetime.date | None = None,
    say: Callable[[str], None] = lambda step: None,
) -> list[Path]:
    """Print sample forms, a schedule pack, the handouts and the guide into FOLDER, then the
    measurements and the pages made from them, as on DAY (default DEMO_DAY); SAY is told each
    step as it starts (the whole takes a minute or two)."""
    day = day or DEMO_DAY
    _demo_record(folder)  # refused before any work, not at the end
    caseload = make_caseload(end=day, catalog=catalog)
    say("Printing sample forms: blank, for an adult, for a child, group, large print, es, fr")
    written = write_sample_forms(folder, catalog, settings, caseload, day)
    say("Fitting expected courses on a made-up past practice of 1,540 clients")
    model, curves = write_sample_trajectories(folder / "trajectories", settings, day)
    written += curves
    say("Writing a day's schedule and printing its pack of forms")
    base = PrintOptions(
        paper=settings.paper, practice_name=settings.practice_name, privacy=settings.privacy
    )
    schedule = write_sample_schedule(folder / "schedule.csv", day, caseload)
    packets = packets_for_schedule(read_schedule(schedule), catalog, base.language)
    pack = write_forms(folder / "forms-schedule.pdf", packets, base)
    written += [schedule, write_schedule_mistakes(folder / "schedule-mistakes.csv", schedule), pack]
    say("Marking the pack as clients would, scanning it and reading the scan back")
    written += write_sample_scan(
        folder, pack, packets, catalog, settings, thresholds, caseload.forms
    )
    say("Printing the handouts and the clinician's guide in English, Spanish and French")
    written += write_sample_handouts(folder, settings, thresholds)
    written += write_sample_measurements(
        folder, catalog, settings, thresholds, day, caseload, model, say
    )
    say("Putting the filled workbook, the schedule and the scan into a practice record")
    return [*written, write_sample_store(folder, catalog, settings, day)]


def write_sample_forms(
    folder: Path, catalog: Catalog, settings: Settings, caseload: Caseload, day: datetime.date
) -> list[Path]:
    """Blank forms, an adult's and a child's (clients of the made-up CASELOAD, at their session
    on DAY), the group form, large print on A4, and the other languages."""
    base = PrintOptions(
        paper=settings.paper, practice_name=settings.practice_name, privacy=settings.privacy
    )
    pair = (catalog.get("ORS"), catalog.get("SRS"))
    children = (catalog.get("CORS"), catalog.get("CSRS"))
    adult, child = (_header(caseload, client_id, day) for client_id in ("C-1001", CHILD))
    written = [
        write_forms(folder / "forms-blank.pdf", [Packet(pair)], base),
        write_forms(folder / "forms-client.pdf", [Packet(pair, adult)], base),
        write_forms(folder / "forms-child.pdf", [Packet(children, child)], base),
        write_forms(folder / "forms-group.pdf", [Packet((catalog.get("GSRS"),))], base),
        write_forms(
            folder / "forms-large-print-a4.pdf",
            [Packet(pair)],
            PrintOptions(paper="a4", large_print=True, explain="page"),
        ),
    ]
    for language in LANGUAGES[1:]:
        options = replace(base, language=language)
        written.append(write_forms(folder / f"forms-{language}.pdf", [Packet(pair)], options))
    return written


def _header(caseload: Caseload, client_id: str, day: datetime.date) -> Header:
    """The header of CLIENT_ID's forms for their session on DAY, as the client list has them."""
    client = _client(caseload, client_id)
    return Header(
        client_id=client_id,
        name=client.name,
        session=str(_session_on(day, client_id, caseload.forms)),
        date=day.isoformat(),
        clinician=client.clinician,
    )


def write_sample_handouts(folder: Path, settings: Settings, thresholds: Thresholds) -> list[Path]:
    """Every handout and the guide, in every language."""
    written = []
    for language in LANGUAGES:
        for audience in AUDIENCES:
            written.append(
                write_handout(
                    folder / f"handout-{audience}-{language}.pdf",
                    audience,
                    language,
                    settings.paper,
                    False,
                    settings.practice_name,
                    settings.privacy,
                )
            )
        written.append(
            write_guide(
                folder / f"guide-{language}.pdf",
                language,
                settings.paper,
                thresholds,
                settings.practice_name,
            )
        )
    return written


def write_sample_trajectories(
    folder: Path, settings: Settings, day: datetime.date
) -> tuple[Model, Sequence[Path]]:
    """Expected courses fitted on a made-up past practice, labelled as made up on its page:
    the demo's caseload of 48 clients is far too few for a curve. Adults with a mix of fast and
    slow responders, children whose course levels off, and too few adolescents, so the page
    also shows a group without a curve."""
    courses = (
        MIXED.courses(1200, seed=11, dropout=INFORMATIVE)
        + CHILDREN.courses(300, 12, dropout=INFORMATIVE)
        + TEENS.courses(40, 13)
    )
    model = fit(courses, day, kind=MADE_UP)
    paths = write_trajectories(folder, model, settings.language, settings.paper, DEMO_PRACTICE)
    return model, paths


def write_sample_scan(
    folder: Path,
    pack: Path,
    packets: Sequence[Packet],
    catalog: Catalog,
    settings: Settings,
    thresholds: Thresholds,
    history: Sequence[Form],
) -> list[Path]:
    """The day's PACK as if the clients had marked it and the copier had scanned it (200 dpi,
    grey, a little crooked; one line marked twice and one left blank, to show the review),
    then what `paperfit scan` makes of it. A form already in the made-up HISTORY is marked
    with its values there, as if typed in and scanned both."""
    rng = np.random.default_rng(2026)
    typed = {(form.instrument, form.client_id, form.session): form.items for form in history}
    sheets = [
        (instrument, packet.header) for packet in packets for instrument in packet.instruments
    ]
    pages = []
    for index, (instrument, header) in enumerate(sheets):
        known = typed.get((instrument.id, header.client_id, int(header.session)), ())
        low = 6.5 if instrument.kind == "alliance" else 1.0  # sessions mostly rated high
        lines = []
        for number, place in enumerate(line_places(instrument, settings.paper, False), 1):
            value = known[number - 1] if len(known) >= number else None
            value = rng.uniform(low, 9.7) if value is None else value
            marks = {(1, 3): (value, value - 4.0), (2, 2): ()}.get((index, number), (value,))
            lines.append((place, marks))  # above: a double mark, a blank line
        pages.append(lines)
    data = made_up_scan(pack, pages, SCAN_DPI, seed=2026)
    scanned = write_atomic(folder / "scan-sample.pdf", lambda stream: stream.write(data))
    files = write_scan_results(
        folder / "scan", scan([scanned], catalog), catalog, thresholds, True, settings.paper
    )
    return [scanned, files.workbook, files.proof, *([files.csv] if files.csv else [])]


def write_sample_measurements(
    folder: Path,
    catalog: Catalog,
    settings: Settings,
    thresholds: Thresholds,
    day: datetime.date,
    caseload: Caseload,
    model: Model,
    say: Callable[[str], None],
) -> list[Path]:
    """A made-up CASELOAD as a filled entry workbook (with typing mistakes), then everything
    paperfit makes from it: the export, every client's graph (with the expected courses of
    MODEL), the bundle and the report, each page saying that its clients are made up."""
    say("Writing a blank and a filled entry workbook (with five typing mistakes)")
    instruments = [catalog.get(ident) for ident in catalog.ids]
    blank = write_workbook(folder / "entry-blank.xlsx", instruments, thresholds)
    filled = folder / "entry-filled.xlsx"
    write_workbook(filled, instruments, thresholds, caseload.clients, caseload.forms)
    _type_mistakes(filled, caseload.mistakes)
    reading = read_inputs([filled], catalog, ReadOptions(today=day))
    scored = score(reading.forms, reading.clients, catalog, thresholds)
    graphs = build_graphs(
        scored, reading.clients, thresholds, catalog, settings.language, (), model
    )
    options = GraphOptions(
        paper=settings.paper, language=settings.language, practice_name=DEMO_CLIENTS, printed=day
    )
    say(f"Drawing every client's progress graph ({len(graphs)} clients) and the bundle")
    files = write_graphs(folder / "graphs", graphs, options)
    say("Printing the practice report and writing the export")
    report = write_report(
        folder / "report.pdf",
        reading,
        scored,
        thresholds,
        DEMO_CLIENTS,
        settings.paper,
        day,
        language=settings.language,
        model=model,
    )
    export = write_export(folder / "export.csv", scored, thresholds)
    return [blank, filled, export, report, files.bundle, *files.clients]


def write_sample_store(
    folder: Path, catalog: Catalog, settings: Settings, day: datetime.date
) -> Path:
    """The practice's record the desk opens (paperfit desk --db output/demo/paperfit.db):
    the filled workbook, the day's schedule, and the sample scan with its marks to review.
    Made afresh each time: it holds only the demo's made-up clients."""
    from paperfit.record import import_files, import_schedule
    from paperfit.scan_intake import take_in
    from paperfit.store import open_store

    path = _demo_record(folder)
    for old in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        old.unlink(missing_ok=True)
    store = open_store(str(path.absolute()), folder)  # a plain path is read from FOLDER
    try:
        filled = folder / "entry-filled.xlsx"
        list(import_files(store, [filled], catalog, ReadOptions(today=day), by="demo"))
        import_schedule(store, folder / "schedule.csv", catalog, by="demo")
        scan_file = folder / "scan-sample.pdf"
        take_in(store, scan_file.read_bytes(), scan_file.name, catalog, settings.limits, by="demo")
    finally:
        store.close()
    return path


def _demo_record(folder: Path) -> Path:
    """Where the demo's record goes in FOLDER; PaperfitError when a record the demo did not
    make is there already (the demo never replaces a practice's record)."""
    path = folder / "paperfit.db"
    if path.exists() and not _made_by_demo(path):
        raise PaperfitError(
            f"{path} is a practice's record, not one the demo made: the demo writes its own "
            "record there and never replaces a practice's. Give the demo another folder (-o)."
        )
    return path


def _made_by_demo(path: Path) -> bool:
    """Whether the record at PATH holds only what the demo put in it (every client and form
    version added "by demo"); a file that is not a readable record is not the demo's."""
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            others = sum(
                db.execute(f"SELECT COUNT(*) FROM {table} WHERE added_by != 'demo'").fetchone()[0]
                for table in ("client_versions", "form_versions")
            )
    except sqlite3.Error:
        return False
    return others == 0


def _type_mistakes(path: Path, mistakes: Sequence[Mistake]) -> None:
    """Type the caseload's mistakes into the workbook, as staff sometimes do, so that the demo
    shows how each is reported."""
    workbook = openpyxl.load_workbook(path)
    for mistake in mistakes:
        sheet = workbook[mistake.instrument]
        header = [cell.value for cell in sheet[1]]
        column = header.index(mistake.column) + 1
        for row in sheet.iter_rows(min_row=2):
            if row[0].value == mistake.client_id and row[1].value == mistake.session:
                sheet.cell(row[0].row, column, mistake.typed)
                break
    data = io.BytesIO()
    workbook.save(data)
    write_atomic(path, lambda stream: stream.write(data.getvalue()))
