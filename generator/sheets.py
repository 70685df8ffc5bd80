"""Lay out packs of printed forms: blank sets, one client's set, or a whole day's schedule.

Takes: Packets (which instruments, for whom) and PrintOptions. Returns: one PDF.
Identical pages (blank copies, the explanation page) are laid out once and repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from forms.instrument import THERAPIST, Catalog, Instrument, Item
from generator.output import write_atomic
from generator.paper import LineGeometry, Paper
from generator.render import pages_to_pdf, render_html
from generator.texts import privacy_sentence, texts
from paperfit.errors import InputProblem, Location, UsageProblem
from scanner.schedule import Appointment, ScheduleProblems

EXPLAIN_MODES = ("panel", "page", "none")
BLANK_TO_WRITE_ON = "\u00a0" * 14


@dataclass(frozen=True)
class Header:
    """What is known about the client before the form is filled in; empty means a blank line."""

    client_id: str = ""
    name: str = ""
    age: str = ""
    session: str = ""
    date: str = ""
    clinician: str = ""


@dataclass(frozen=True)
class Packet:
    """The sheets one client gets together; with duplex printing it starts on a new sheet."""

    instruments: tuple[Instrument, ...]
    header: Header = field(default_factory=Header)


@dataclass(frozen=True)
class PrintOptions:
    paper: str = "letter"
    language: str = "en"
    explain: str = "panel"
    large_print: bool = False
    duplex: bool = False
    practice_name: str = ""
    privacy: str = ""


def audience_of(instrument: Instrument) -> str:
    """Child forms speak to the child; all others to an adult."""
    return "child" if set(instrument.age_groups) == {"child"} else "adult"


def packets_for_schedule(
    appointments: Sequence[Appointment], catalog: Catalog, language: str
) -> list[Packet]:
    """One packet per appointment, in appointment order: outcome form, then alliance form.

    An unknown instrument in the schedule's instruments column is reported with its cell, all
    of them at once, and no packet is returned.
    """
    packets, problems = [], []
    for appointment in appointments:
        try:
            packets.append(
                Packet(
                    _instruments_for(appointment, catalog, language),
                    Header(
                        client_id=appointment.client_id,
                        name=appointment.name,
                        session=str(appointment.session),
                        date=appointment.date.isoformat(),
                        clinician=appointment.clinician,
                    ),
                )
            )
        except UsageProblem as error:
            where = appointment.instruments_at or Location("schedule", row=appointment.row)
            problems.append(InputProblem(where, str(error)))
    if problems:
        raise ScheduleProblems(problems)
    return packets


def _instruments_for(
    appointment: Appointment, catalog: Catalog, language: str
) -> tuple[Instrument, ...]:
    if appointment.instruments:
        return tuple(catalog.get(i, language) for i in appointment.instruments)
    return tuple(
        catalog.for_client(appointment.age_group, kind, appointment.format, language)
        for kind in ("outcome", "alliance")
    )


def _items(instrument: Instrument, clinician: str) -> list[Item]:
    """The instrument's items with the therapist's name put in where the form asks for it."""
    name = clinician or BLANK_TO_WRITE_ON
    return [
        Item(
            item.label,
            item.description,
            item.left.replace(THERAPIST, name),
            item.right.replace(THERAPIST, name),
        )
        for item in instrument.items
    ]


def _fields(instrument: Instrument, header: Header, captions: dict[str, str]) -> list[dict]:
    values = {
        "client": header.client_id,
        "age": header.age,
        "session": header.session,
        "date": header.date,
        "clinician": header.clinician,
    }
    fields = []
    for key in instrument.header:
        if key == "filled_by":
            continue
        fields.append({"caption": captions[key], "value": values[key]})
        if key == "client" and header.name:
            fields.append({"caption": captions["name"], "value": header.name})
    return fields


def _form_page(instrument: Instrument, header: Header, options: PrintOptions) -> str:
    text = texts(options.language)
    audience = audience_of(instrument)
    panel = text["panel"][f"{audience}_{instrument.kind}"] if options.explain == "panel" else ""
    sheet = {
        "instrument": instrument,
        "fields": _fields(instrument, header, text["captions"]),
        "lines": _items(instrument, header.clinician),
        "panel": panel,
    }
    return render_html(
        "_form.html",
        sheet=sheet,
        text=text,
        geometry=LineGeometry(),
        practice_name=options.practice_name,
    )


def _explain_page(audience: str, options: PrintOptions) -> str:
    return render_html(
        "_explain.html",
        explain=texts(options.language)["explain_page"][audience],
        privacy=privacy_sentence(options.language, options.privacy),
    )


def page_sequence(packets: Sequence[Packet], options: PrintOptions) -> list[str]:
    """The HTML of every page in print order (identical pages are equal strings)."""
    if options.explain not in EXPLAIN_MODES:
        raise ValueError(f"explain must be one of {EXPLAIN_MODES}")
    pages: list[str] = []
    for packet in packets:
        if options.duplex and len(pages) % 2:
            pages.append(render_html("_blank.html"))
        if options.explain == "page" and packet.instruments:
            pages.append(_explain_page(audience_of(packet.instruments[0]), options))
        pages.extend(_form_page(i, packet.header, options) for i in packet.instruments)
    return pages


def write_forms(out: Path, packets: Sequence[Packet], options: PrintOptions) -> Path:
    """Write the forms for PACKETS to OUT as one PDF; return its path."""
    pdf = pages_to_pdf(
        page_sequence(packets, options),
        "pack.html",
        title="paperfit forms",
        lang=options.language,
        paper=Paper.named(options.paper),
        large_print=options.large_print,
    )
    return write_atomic(out, lambda stream: stream.write(pdf))
