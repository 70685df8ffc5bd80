"""Commands that read measurement files and say or export what they hold: check, export."""

from __future__ import annotations

from pathlib import Path

import click

from paperfit.cli.common import (
    Context,
    input_options,
    out_option,
    pass_context,
    replace_option,
)
from paperfit.forms.deidentify import deidentified_rows
from paperfit.forms.errors import UsageProblem
from paperfit.forms.scoring import score
from paperfit.generator.export import write_deidentified, write_export, write_tables
from paperfit.outputs import check_output
from paperfit.settings import deidentify_key


@click.command()
@input_options
@click.pass_context
def check(
    ctx: click.Context,
    inputs: tuple[Path, ...],
    db: str | None,
    unit: str,
    date_format: str | None,
) -> None:
    """Check measurement files: a summary, then every problem with its place.

    INPUT is an entry workbook, another .xlsx or .csv file, a filled PDF, or a folder of them;
    with no INPUT, the practice's record (its open conflicts, with both values and sources).
    Exit status 0 when clean, 1 when problems were found or there was no file to read.
    """
    obj = ctx.find_object(Context)
    reading = obj.load(inputs, unit, date_format, db)
    for line in reading.summary():
        click.echo(line)
    for problem in reading.problems:
        click.echo(obj.quote(problem))
    ctx.exit(1 if reading.problems else 0)


@click.command()
@input_options
@out_option("export.csv", "A .csv or .xlsx file to write.")
@replace_option
@click.option(
    "--deidentify",
    is_flag=True,
    help="Only outcome totals, client IDs as keyed codes, weeks instead of dates (for pooling).",
)
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="The practice's whole record, every version of every value, as a .xlsx workbook.",
)
@pass_context
def export(
    obj: Context,
    inputs: tuple[Path, ...],
    db: str | None,
    unit: str,
    date_format: str | None,
    out: Path,
    replace: bool,
    deidentify: bool,
    everything: bool,
) -> None:
    """Export scored forms, one row each, to CSV or Excel.

    With no INPUT, the forms of the practice's record (their current values). With --all, the
    whole record: every version of every value, with its source, who, when and why.
    Problems in the input are listed on stderr; the valid forms are exported. With
    --deidentify, a CSV file for pooling expected courses with other practices (paperfit
    trajectories reads several): no names, clinicians or dates; the key of the codes is kept
    in paperfit.toml (made there the first time) and must not be shared.
    """
    check_output(out, inputs, replace)
    if everything:
        if inputs or deidentify:
            raise UsageProblem(
                "--all exports the practice's record: leave out INPUT and --deidentify."
            )
        click.echo(write_tables(out, obj.store(db).everything()))
        return
    reading = obj.read(inputs, unit, date_format, db)
    thresholds = obj.thresholds
    scored = score(reading.forms, reading.clients, obj.catalog, thresholds)
    if not deidentify:
        click.echo(write_export(out, scored, thresholds))
        return
    key, written = deidentify_key(obj.settings)
    if written:
        click.echo(f"A new de-identification key was kept in {written}: keep it secret.", err=True)
    click.echo(write_deidentified(out, deidentified_rows(scored, key)))
