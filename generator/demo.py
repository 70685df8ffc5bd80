"""Write a full set of sample output, so a new user sees what paperfit prints.

Takes: a folder. Returns: the paths written, in the order a person would look at them.
Everything is made from made-up clients; nothing here reads real data.
"""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

from forms.instrument import Catalog
from generator.handouts import write_guide, write_handout
from generator.output import write_atomic
from generator.sheets import Header, Packet, PrintOptions, packets_for_schedule, write_forms
from generator.texts import AUDIENCES
from paperfit.settings import LANGUAGES, Settings
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
    folder: Path, catalog: Catalog, settings: Settings, day: datetime.date | None = None
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
                folder / f"guide-{language}.pdf", language, settings.paper, catalog, settings
            )
        )
    return written
