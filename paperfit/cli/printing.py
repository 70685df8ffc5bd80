"""Commands that print for clients and staff: forms, the entry workbook, handouts, the guide."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from paperfit.cli.common import (
    Context,
    check_date,
    db_option,
    out_option,
    pass_context,
    print_options,
    replace_option,
    text_option,
)
from paperfit.forms.errors import UsageProblem
from paperfit.forms.records import (
    MAX_CLIENT_ID,
    MAX_SESSION,
    MAX_TEXT,
)
from paperfit.forms.sheet import LANGUAGES, PAPERS
from paperfit.generator.handouts import write_guide, write_handout
from paperfit.generator.sheets import (
    EXPLAIN_MODES,
    Header,
    Packet,
    PrintOptions,
    packets_for_schedule,
    write_forms,
)
from paperfit.generator.texts import AUDIENCES
from paperfit.generator.workbook import write_workbook
from paperfit.outputs import check_output


@click.command()
@click.argument("instruments", nargs=-1, metavar="[INSTRUMENT]...")
@print_options
@click.option("--copies", type=click.IntRange(1, 1000), default=1, help="Sets to print.")
@click.option(
    "--explain",
    type=click.Choice(EXPLAIN_MODES),
    default="panel",
    show_default=True,
    help="A short explanation on each sheet, a half page before the forms, or none.",
)
@click.option(
    "--client",
    "client_id",
    callback=text_option(MAX_CLIENT_ID),
    help="Client ID to print in the header.",
)
@click.option(
    "--name",
    default="",
    callback=text_option(MAX_TEXT),
    help="Client name (printed only when given).",
)
@click.option("--session", type=click.IntRange(1, MAX_SESSION), help="Session number.")
@click.option(
    "--date",
    type=click.DateTime(["%Y-%m-%d"]),
    callback=check_date,
    help="Session date, YYYY-MM-DD.",
)
@click.option("--clinician", default="", callback=text_option(MAX_TEXT), help="Clinician's name.")
@click.option(
    "--schedule",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A day's schedule (.csv or .xlsx): one set per appointment, in order.",
)
@click.option("--duplex", is_flag=True, help="Start each set on a new physical sheet.")
@click.option("--fillable", is_flag=True, help="Add PDF form fields for typing in the marks.")
@out_option("forms.pdf")
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
    out: Path,
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
      paperfit forms cors csrs --client C-102 --session 4 --date 2026-11-25
      paperfit forms --schedule today.xlsx --duplex -o output/today.pdf
    """
    check_output(out, (schedule,) if schedule else (), replace)
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
    if schedule is not None:
        if instruments or client_id or session or date or clinician or name or copies != 1:
            raise UsageProblem(
                "--schedule gives the clients and instruments: leave out "
                "INSTRUMENT, --client, --name, --session, --date, --clinician "
                "and --copies."
            )
        appointments = obj.appointments(schedule, db)
        packets = packets_for_schedule(appointments, obj.catalog, options.language)
    else:
        chosen = tuple(obj.catalog.get(i, options.language) for i in instruments or ("ORS", "SRS"))
        header = Header(
            client_id=client_id or "",
            name=name,
            clinician=clinician,
            session=str(session or ""),
            date=date.isoformat() if date else "",
        )
        packets = [Packet(chosen, header)] * copies
    click.echo(write_forms(out, packets, options))


@click.command()
@out_option("entry.xlsx", "Where to write the workbook.")
@click.option(
    "--instruments",
    default="ORS SRS CORS CSRS GSRS",
    show_default=True,
    help="Which forms get a sheet (space or comma separated).",
)
@replace_option
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the Read me and messages.")
@pass_context
def workbook(obj: Context, out: Path, instruments: str, replace: bool, lang: str | None) -> None:
    """Write an entry workbook (.xlsx) for typing in the measured marks.

    An existing workbook is the practice's data: it is never written over unless --replace.
    """
    check_output(out, (), replace)
    chosen = [obj.catalog.get(ident) for ident in instruments.replace(",", " ").split()]
    language = lang or obj.settings.language
    click.echo(write_workbook(out, chosen, obj.thresholds, language=language))


@click.command()
@click.option("--audience", type=click.Choice(AUDIENCES), default="adult", show_default=True)
@print_options
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
    check_output(out, (), replace)
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
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the card.")
@click.option("--paper", type=click.Choice(PAPERS), help="Paper size.")
@out_option("guide.pdf")
@replace_option
@pass_context
def guide(obj: Context, lang: str | None, paper: str | None, out: Path, replace: bool) -> None:
    """Print the clinician's pocket card on introducing the forms and low scores."""
    check_output(out, (), replace)
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
