"""Lay out packs of printed forms: blank sets, one client's set, or a whole day's schedule.

Takes: Packets (which instruments, for whom) and PrintOptions. Returns: one PDF.
Identical pages (blank copies, the explanation page) are laid out once and repeated.
With PrintOptions(fillable=True) every form sheet also carries PDF form fields named as in
scanner.pdf_fields (s{sheet}_{INSTRUMENT}_v{layout}_{field}); see docs/fillable-fields.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from paperfit.forms.errors import InputProblem, Location, ScheduleProblems, UsageProblem
from paperfit.forms.instrument import THERAPIST, Catalog, Instrument, Item
from paperfit.forms.outputs import FILLABLE, FORMS, mark
from paperfit.forms.records import Appointment
from paperfit.forms.sheet import (
    CORNER_IDS,
    EXPLAIN_MODES,
    FILLABLE_KEYWORD,
    MARGIN_BOTTOM_MM,
    MARGIN_TOP_MM,
    LinePlace,
    PageCode,
    Paper,
    field_name,
    line_places,
)
from paperfit.generator.markers import code_svg, marker_svg
from paperfit.generator.output import write_atomic
from paperfit.generator.paper import LineGeometry
from paperfit.generator.render import pages_to_pdf, render_html
from paperfit.generator.texts import privacy_sentence, texts

BLANK_TO_WRITE_ON = "\u00a0" * 14
# The measured-value field of a fillable sheet, in mm: level with its line, at the right edge
# of the content box, so it is right of the line's end face and of the widest (large print)
# anchors, and never in the clear band, a corner square or the side margins.
MEASURE_FIELD_MM = (11.0, 6.0)  # width, height (outer, border included)
MEASURE_INSET_MM = 0.5  # from the right edge of the content box
UNIT_GAP_MM = 0.3  # from the bottom of the field to its "cm" caption
MULTILINE_KEYS = ("client_id", "name", "clinician")
# Under the last line's clear band: its anchors, then at least the foot's copyright line.
BELOW_LAST_LINE_MM = 16.0


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
    fillable: bool = False


def panel_key(instrument: Instrument) -> str:
    """The [panel] text for INSTRUMENT: a group's alliance form speaks of the leader, as the
    form does; otherwise the text for its audience and kind."""
    if instrument.format == "group" and instrument.kind == "alliance":
        return "group_alliance"
    return f"{audience_of(instrument)}_{instrument.kind}"


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


def _fields(
    instrument: Instrument,
    header: Header,
    captions: dict[str, str],
    name_of: Callable[[str], str] | None = None,
) -> list[dict]:
    """The header's caption/value pairs; with NAME_OF (fillable sheets) each also gets the name
    of its PDF field, and the client's name gets a line even when it is not known."""
    values = {
        "client": header.client_id,
        "age": header.age,
        "session": header.session,
        "date": header.date,
        "clinician": header.clinician,
    }
    field_keys = {"client": "client_id"}
    fields = []
    for key in instrument.header:
        if key == "filled_by":
            continue
        fields.append(_field(captions[key], values[key], name_of, field_keys.get(key, key)))
        if key == "client" and (header.name or name_of):
            fields.append(_field(captions["name"], header.name, name_of, "name"))
    return fields


def _field(caption: str, value: str, name_of: Callable[[str], str] | None, key: str) -> dict:
    # Free text can wrap onto more lines on paper; its field wraps too (a multiline field).
    return {
        "caption": caption,
        "value": value,
        "name": name_of(key) if name_of else "",
        "multiline": key in MULTILINE_KEYS,
    }


def _fillable(instrument: Instrument, sheet_number: int, geometry: LineGeometry) -> dict:
    """The PDF field names of one fillable sheet and where the measured-value fields go."""

    def name_of(key: str) -> str:
        return field_name(sheet_number, instrument.id, instrument.layout, key)

    width, height = MEASURE_FIELD_MM
    line = geometry.y - geometry.height  # the line, from the bottom of its drawing
    return {
        "name_of": name_of,
        "items": [name_of(f"item{n}") for n in range(1, len(instrument.items) + 1)],
        "filled_by": name_of("filled_by") if "filled_by" in instrument.header else "",
        "keywords": FILLABLE_KEYWORD,
        # From the bottom of the line's drawing and the right edge of the content box.
        "measure": {
            "right": MEASURE_INSET_MM,
            "top": line - height / 2,
            "width": width,
            "height": height,
            "unit_top": line + height / 2 + UNIT_GAP_MM,
        },
    }


def page_code(
    instrument: Instrument,
    header: Header,
    sheet_number: int,
    large_print: bool = False,
    paper: str = "letter",
) -> PageCode:
    """What the sheet's QR code says: instrument, layout, print size and paper, and for a sheet
    printed for a client (client ID, session or date known) also those and SHEET_NUMBER, the
    sheet's number among the form sheets of the print run (as in the fillable field names)."""
    if not (header.client_id or header.session or header.date):
        return PageCode(instrument.id, instrument.layout, large_print, paper=paper)
    return PageCode(
        instrument.id,
        instrument.layout,
        large_print,
        header.client_id,
        header.session,
        header.date,
        sheet_number,
        paper,
    )


def _machine_readable(code: PageCode) -> dict:
    """The drawings a scanner reads on the sheet: the page code and its caption, and
    the four corner markers (the same on every sheet)."""
    return {
        "code": code_svg(code.payload()),
        "caption": code.caption(),
        "markers": {corner: marker_svg(ident) for corner, ident in CORNER_IDS.items()},
    }


def _form_page(
    instrument: Instrument, header: Header, options: PrintOptions, sheet_number: int = 1
) -> str:
    """One form sheet; SHEET_NUMBER (1-based among the form sheets) names its PDF fields."""
    text = texts(options.language)
    panel = text["panel"][panel_key(instrument)] if options.explain == "panel" else ""
    geometry = LineGeometry()
    fillable = _fillable(instrument, sheet_number, geometry) if options.fillable else None
    places = line_places(instrument, options.paper, options.large_print)
    _check_lines_on_paper(instrument, places, options, geometry)
    sheet = {
        "instrument": instrument,
        "fields": _fields(
            instrument, header, text["captions"], fillable["name_of"] if fillable else None
        ),
        "lines": _items(instrument, header.clinician),
        # each line's drawing, from the top of the page box (inside the top margin)
        "tops": [place.y - MARGIN_TOP_MM - geometry.clear for place in places],
        "panel": panel,
        "fillable": fillable,
        "machine_readable": _machine_readable(
            page_code(instrument, header, sheet_number, options.large_print, options.paper)
        ),
    }
    return render_html(
        "_form.html",
        sheet=sheet,
        text=text,
        geometry=geometry,
        practice_name=options.practice_name,
    )


def _check_lines_on_paper(
    instrument: Instrument,
    places: Sequence[LinePlace],
    options: PrintOptions,
    geometry: LineGeometry,
) -> None:
    """InputProblem naming the instrument's file when its rating lines (PLACES) run off the
    paper or into its foot, which no print option could change."""
    paper = Paper.named(options.paper)
    lowest = paper.height - MARGIN_BOTTOM_MM - BELOW_LAST_LINE_MM - geometry.clear
    if places[-1].y <= lowest:
        return
    size = "large" if options.large_print else "normal"
    raise InputProblem(
        Location(str(instrument.source), key=f"lines.{size}"),
        f"the last rating line would be printed {places[-1].y:g} mm from the top of the "
        f"paper, below the {lowest:g} mm where it must end on {paper.name} paper (room for "
        "its anchors and the copyright line). Move the lines up: a smaller first line or "
        "distance between lines.",
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
    sheet_number = 0
    for packet in packets:
        if options.duplex and len(pages) % 2:
            pages.append(render_html("_blank.html"))
        if options.explain == "page" and packet.instruments:
            pages.append(_explain_page(audience_of(packet.instruments[0]), options))
        for instrument in packet.instruments:
            sheet_number += 1
            pages.append(_form_page(instrument, packet.header, options, sheet_number))
    return pages


def write_forms(out: Path, packets: Sequence[Packet], options: PrintOptions) -> Path:
    """Write the forms for PACKETS to OUT as one PDF; return its path."""
    pdf = pages_to_pdf(
        page_sequence(packets, options),
        "pack.html",
        title="paperfit forms",
        output_mark=mark(FILLABLE if options.fillable else FORMS),
        lang=options.language,
        paper=Paper.named(options.paper),
        large_print=options.large_print,
        pdf_options={"pdf_forms": True} if options.fillable else None,
    )
    return write_atomic(out, lambda stream: stream.write(pdf))
