"""Commands on the practice's record: import files into it, correct it, show a client's
history, back it up."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from paperfit.cli.common import (
    Context,
    WholeNumber,
    client_option,
    db_option,
    pass_context,
    text_option,
    unit_options,
)
from paperfit.forms.errors import InputProblem, PaperfitError, UsageProblem
from paperfit.forms.records import MAX_SESSION, MAX_TEXT, plural, skip_note

by_option = click.option(
    "--by",
    metavar="NAME",
    callback=text_option(MAX_TEXT),
    help="Who does this, kept with every version (default: this computer's user name).",
)


@click.command("import")
@click.argument(
    "files",
    nargs=-1,
    metavar="[INPUT]...",
    type=click.Path(exists=True, path_type=Path),
)
@click.option(
    "--schedule",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A schedule (client_id and date, time optional): keep its appointments.",
)
@by_option
@db_option
@unit_options
@pass_context
def import_command(
    obj: Context,
    files: tuple[Path, ...],
    schedule: Path | None,
    by: str | None,
    db: str | None,
    unit: str,
    date_format: str | None,
) -> None:
    """Keep the forms of INPUT... in the practice's record, once each.

    INPUT is an entry workbook, a .csv or .xlsx file, a filled PDF, a scan's measurements.xlsx
    or .csv, or a folder of them (paperfit's own outputs in it are not read). Importing a file
    again adds nothing; a file changed since adds a version for each changed value. Every
    conflict is listed with both sources. The files are only read.
    """
    from paperfit.record import files_in, import_files, import_schedule, who
    from paperfit.scanner.measurements import ReadOptions

    if not files and schedule is None:
        raise UsageProblem("Give the files to import (or --schedule FILE).")
    found = files_in(files)
    for problem in found.problems:
        click.echo(obj.quote(problem), err=True)
    if found.skipped_outputs:
        click.echo(skip_note(found.skipped_outputs), err=True)
    if files and not found.files:
        raise PaperfitError(
            f"No file to import in {', '.join(map(str, files))}: give entry workbooks, .xlsx "
            "or .csv files, filled PDFs, scans' measurements files, or folders of them."
        )
    store = obj.store(db, create=True)
    person = by or who()
    left_out = sum(problem.severity == "error" for problem in found.problems)
    for done in import_files(
        store, list(map(Path, found.files)), obj.catalog, ReadOptions(unit, date_format), person
    ):
        for problem in done.problems:
            click.echo(obj.quote(problem), err=True)
        left_out += sum(problem.severity == "error" for problem in done.problems)
        for line in done.lines():
            click.echo(line)
    if schedule is not None:
        warnings: list[InputProblem] = []
        kept = import_schedule(store, schedule, obj.catalog, person, warnings=warnings)
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        for line in kept.summary():
            click.echo(f"{schedule}: {line}")
    if left_out:
        raise PaperfitError(
            f"{plural(left_out, 'problem')} kept a value or a row out of the record (listed "
            "above): correct the file and import it again; what was read is kept."
        )


@click.command()
@client_option("Only this client: the ID of the client whose form it is.")
@click.option("--instrument", required=True, help="The form: ORS, SRS, CORS, CSRS or GSRS.")
@click.option(
    "--session", required=True, type=WholeNumber(1, MAX_SESSION), help="The session number."
)
@click.option("--item", type=WholeNumber(1, 4), help="The item to correct (1 to 4).")
@click.option(
    "--value",
    type=float,
    metavar="CM",
    help="Its value in centimetres from the left end of the line (0.0 to 10.0).",
)
@click.option("--withdraw", is_flag=True, help="Withdraw the whole form (kept in its history).")
@by_option
@click.option(
    "--reason", required=True, callback=text_option(MAX_TEXT), help="Why: kept with the change."
)
@db_option
@pass_context
def correct(
    obj: Context,
    client_id: str,
    instrument: str,
    session: int,
    item: int | None,
    value: float | None,
    withdraw: bool,
    by: str | None,
    reason: str,
    db: str | None,
) -> None:
    """Correct one value of a form, or withdraw the form, keeping who, when and why.

    \b
    Examples:
      paperfit correct --client C-1001 --instrument ORS --session 3 --item 2 --value 6.4 \\
        --by "A. Lee" --reason "measured again from the paper form"
      paperfit correct --client C-1001 --instrument ORS --session 4 --withdraw \\
        --by "A. Lee" --reason "another client's form"
    """
    from paperfit.record import who

    if withdraw == (item is not None or value is not None) or (
        not withdraw and (item is None or value is None)
    ):
        raise UsageProblem("Give --item and --value, or --withdraw.")
    instrument = obj.catalog.get(instrument).id
    store = obj.store(db)
    what = f"{instrument} session {session} of client {client_id}"
    if withdraw:
        store.withdraw(client_id, instrument, session, by=by or who(), reason=reason)
        click.echo(f"{what} was withdrawn (kept in its history).")
        return
    assert item is not None and value is not None
    store.correct(client_id, instrument, session, item, value, by=by or who(), reason=reason)
    click.echo(f"{what}: item {item} is now {round(value, 1):g}.")


HISTORY_COLUMNS = (
    "instrument",
    "session",
    "value",
    "shown",
    "rank",
    "source",
    "by",
    "when_utc",
    "why",
    "version",
    "replaces",
)


@click.command()
@client_option("Only this client: the ID whose history to show.")
@click.option("--instrument", help="Only this form (ORS, SRS, …).")
@click.option("--csv", "as_csv", is_flag=True, help="A table (CSV) instead of plain text.")
@db_option
@pass_context
def history(
    obj: Context, client_id: str, instrument: str | None, as_csv: bool, db: str | None
) -> None:
    """Show each value's versions for a client, oldest first: source, who, when and why."""
    ident = obj.catalog.get(instrument).id if instrument else None
    versions = obj.store(db).history(client_id, ident)
    if not versions:
        raise UsageProblem(f"The record holds no forms of client {client_id}.")
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(HISTORY_COLUMNS)
        for v in versions:
            writer.writerow(
                [
                    v.instrument,
                    v.session,
                    v.field,
                    v.text,
                    v.rank.name.lower() if v.rank else "",
                    v.source,
                    v.by,
                    v.when.isoformat(timespec="seconds"),
                    v.why,
                    v.id,
                    v.replaces or "",
                ]
            )
        return
    for v in versions:
        rank = f", {v.rank.name.lower().replace('_', ' ')}" if v.rank else ""
        why = "" if v.why.startswith("imported from ") else f": {v.why}"  # the source says it
        click.echo(
            f"{v.instrument} session {v.session} {v.field}: {v.text} ({v.source}{rank}) "
            f"by {v.by} on {v.when:%Y-%m-%d %H:%M} UTC{why}"
        )


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Write over an existing backup file.")
@db_option
@pass_context
def backup(obj: Context, file: Path, replace: bool, db: str | None) -> None:
    """Copy the whole practice record to FILE while it may be in use (SQLite)."""
    from paperfit.outputs import check_output

    check_output(file, (), replace, obj.also_read())
    obj.store(db).backup(file)
    click.echo(file)
