"""Commands that print for clients and staff: forms, the entry workbook, handouts, the guide."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from paperfit.cli.common import (
    OUTPUT_DIR,
    Context,
    IsoDate,
    WholeNumber,
    check_client_ids,
    check_date,
    db_option,
    lang_option,
    out_option,
    paper_option,
    pass_context,
    print_options,
    replace_option,
    text_option,
    warn_missing_glyphs,
)
from paperfit.forms.errors import UsageProblem
from paperfit.forms.records import MAX_SESSION, MAX_TEXT
from paperfit.forms.sheet import EXPLAIN_MODES
from paperfit.generator.texts import AUDIENCES

if TYPE_CHECKING:
    from paperfit.forms.instrument import Instrument

COPIES = WholeNumber(1, 1000)
SESSIONS = WholeNumber(1, MAX_SESSION)


@click.command()
@click.argument("instruments", nargs=-1, metavar="[INSTRUMENT]...")
@print_options()
@click.option(
    "--copies",
    type=COPIES,
    default=1,
    metavar="N",
    help=f"How many sets to print: {COPIES.words()} (default 1).",
)
@click.option(
    "--explain",
    type=click.Choice(EXPLAIN_MODES),
    default="panel",
    show_default=True,
    help="A short explanation on each sheet, a half page before the forms, or none.",
)
@click.option(
    "--for-client",
    "client_id",
    metavar="ID",
    callback=check_client_ids,
    help="The client ID to print in the header (the forms are for this client).",
)
@click.option(
    "--name",
    default="",
    metavar="NAME",
    callback=text_option(MAX_TEXT),
    help="The client's name to print in the header (left out unless given).",
)
@click.option(
    "--session",
    type=SESSIONS,
    metavar="N",
    help=f"The session number to print in the header: {SESSIONS.words()}.",
)
@click.option(
    "--date",
    type=IsoDate(),
    metavar="YYYY-MM-DD",
    callback=check_date,
    help="The session date to print in the header, e.g. 2026-11-25.",
)
@click.option(
    "--clinician",
    default="",
    metavar="NAME",
    callback=text_option(MAX_TEXT),
    help="The clinician's name to print in the header.",
)
@click.option(
    "--schedule",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A day's schedule (.csv or .xlsx): one set per appointment, in order.",
)
@click.option("--duplex", is_flag=True, help="Start each set on a new physical sheet.")
@click.option(
    "--fillable",
    is_flag=True,
    help="Add PDF form fields for typing in the marks (written to output/forms-fillable.pdf "
    "unless -o is given).",
)
@out_option(None, "Where to write the PDF (default: output/forms.pdf).")
@replace_option
@db_option
@pass_context
def forms(
    obj: Context,
    instruments: tuple[str, ...],
    paper: str | None,
    lang: str | None,
    large_print: bool,
    copies: int,
    explain: str,
    client_id: str | None,
    name: str,
    session: int | None,
    date: datetime.date | None,
    clinician: str,
    schedule: Path | None,
    duplex: bool,
    fillable: bool,
    out: Path | None,
    replace: bool,
    db: str | None,
) -> None:
    """Print forms as one PDF: blank, for one client, or for a day's schedule.

    With the practice's record (paperfit.db here, [store] url, or --db), a schedule needs only
    client_id and date (time optional): the clinician, age group and next session come from
    the record.

    INSTRUMENT is any of ORS, SRS, CORS, CSRS, GSRS (any case; default: ORS SRS).

    \b
    Examples:
      paperfit forms
      paperfit forms cors csrs --for-client C-102 --session 4 --date 2026-11-25
      paperfit forms --schedule today.xlsx --duplex -o output/today.pdf
    """
    from paperfit.generator.sheets import (
        Header,
        Packet,
        PrintOptions,
        packets_for_schedule,
        write_forms,
    )
    from paperfit.outputs import check_output

    settings = obj.settings
    options = PrintOptions(
        paper=paper or settings.paper,
        language=lang or settings.language,
        explain=explain,
        large_print=large_print,
        fillable=fillable,
        duplex=duplex,
        practice_name=settings.practice_name,
        privacy=settings.privacy,
    )
    if schedule is not None and (
        instruments or client_id or session or date or clinician or name or copies != 1
    ):
        raise UsageProblem(
            "--schedule gives the clients and instruments: leave out INSTRUMENT, --for-client, "
            "--name, --session, --date, --clinician and --copies."
        )
    chosen = tuple(obj.catalog.get(i, options.language) for i in instruments or ("ORS", "SRS"))
    out = out or OUTPUT_DIR / ("forms-fillable.pdf" if fillable else "forms.pdf")
    check_output(out, (), replace, obj.also_read(schedule))  # once the arguments are known
    if schedule is not None:
        appointments = obj.appointments(schedule, db)
        packets = packets_for_schedule(appointments, obj.catalog, options.language)
    else:
        header = Header(
            client_id=client_id or "",
            name=name,
            clinician=clinician,
            session=str(session or ""),
            date=date.isoformat() if date else "",
        )
        packets = [Packet(chosen, header)] * copies
    warn_missing_glyphs(
        {
            f"the client {packet.header.client_id or packet.header.name}": (
                f"{packet.header.client_id}{packet.header.name}{packet.header.clinician}"
            )
            for packet in packets
        }
    )
    _say_wording(options.language, [i for packet in packets for i in packet.instruments])
    click.echo(write_forms(out, packets, options))


def _say_wording(language: str, instruments: Sequence[Instrument]) -> None:
    """Say on stderr which INSTRUMENTS keep their English wording under --lang LANGUAGE (no
    licensed translation in the catalog), and how to add one."""
    english = sorted({i.id for i in instruments if i.language != language})
    if not english:
        return
    click.echo(
        f"{', '.join(english)}: the instrument's own wording is printed in English (no licensed "
        f"{language} translation found); paperfit's own words are in {language}. To add a "
        "licensed translation, copy the instrument's file from forms/ into your instrument_dir "
        f'(paperfit.toml), put in the licensed wording and set language = "{language}".',
        err=True,
    )


@click.command()
@out_option("entry.xlsx", "Where to write the workbook.")
@click.option(
    "--instruments",
    default="ORS SRS CORS CSRS GSRS",
    show_default=True,
    help="Which forms get a sheet (space or comma separated).",
)
@replace_option
@lang_option("the Read me sheet and of Excel's messages")
@pass_context
def workbook(obj: Context, out: Path, instruments: str, replace: bool, lang: str | None) -> None:
    """Write an entry workbook (.xlsx) for typing in the measured marks.

    An existing workbook is the practice's data: it is never written over unless --replace.
    """
    from paperfit.generator.workbook import write_workbook
    from paperfit.outputs import check_output

    chosen = [obj.catalog.get(ident) for ident in instruments.replace(",", " ").split()]
    check_output(out, (), replace, obj.also_read())
    language = lang or obj.settings.language
    click.echo(write_workbook(out, chosen, obj.thresholds, language=language))


@click.command()
@click.option(
    "--audience",
    type=click.Choice(AUDIENCES),
    default="adult",
    show_default=True,
    help="Who the handout speaks to: an adult client, a child, or a child's caretaker.",
)
@print_options("Bigger type, for clients who read small print with difficulty.")
@out_option("handout.pdf")
@replace_option
@pass_context
def handout(
    obj: Context,
    audience: str,
    paper: str | None,
    lang: str | None,
    large_print: bool,
    out: Path,
    replace: bool,
) -> None:
    """Print the client handout: "your feedback shapes your care", on one page."""
    from paperfit.generator.handouts import write_handout
    from paperfit.outputs import check_output

    check_output(out, (), replace, obj.also_read())
    settings = obj.settings
    click.echo(
        write_handout(
            out,
            audience,
            lang or settings.language,
            paper or settings.paper,
            large_print,
            settings.practice_name,
            settings.privacy,
        )
    )


@click.command()
@lang_option("the card")
@paper_option
@out_option("guide.pdf")
@replace_option
@pass_context
def guide(obj: Context, lang: str | None, paper: str | None, out: Path, replace: bool) -> None:
    """Print the clinician's pocket card on introducing the forms and low scores."""
    from paperfit.generator.handouts import write_guide
    from paperfit.outputs import check_output

    check_output(out, (), replace, obj.also_read())
    settings = obj.settings
    click.echo(
        write_guide(
            out,
            lang or settings.language,
            paper or settings.paper,
            obj.thresholds,
            settings.practice_name,
        )
    )
