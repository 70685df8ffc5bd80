"""Commands that turn what was read into pages for clinicians: graphs, report, trajectories."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from paperfit.cli.common import (
    Context,
    expected_option,
    input_options,
    out_option,
    pass_context,
    progress_bar,
    replace_option,
    text_option,
)
from paperfit.forms.errors import UsageProblem
from paperfit.forms.records import (
    MAX_CLIENT_ID,
    plural,
)
from paperfit.forms.scoring import score
from paperfit.forms.sheet import LANGUAGES, PAPERS
from paperfit.forms.trajectories import courses_from_scored, fit, period_of
from paperfit.generator.graphs import (
    GraphOptions,
    Scheduled,
    build_graphs,
    day_entries,
    write_day,
    write_graphs,
)
from paperfit.generator.report import write_report
from paperfit.generator.trajectories import model_summary, write_trajectories
from paperfit.outputs import check_not_input, check_output, replace_check
from paperfit.scanner.deidentified import is_deidentified, read_deidentified


@click.command()
@input_options
@out_option("graphs", "Folder to write into.", folder=True)
@click.option(
    "--client",
    "only",
    multiple=True,
    metavar="ID",
    callback=text_option(MAX_CLIENT_ID),
    help="Only this client (repeat for more).",
)
@click.option("--paper", type=click.Choice(PAPERS), help="Paper size.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the captions.")
@click.option("--png", is_flag=True, help="Also write a 300 dpi PNG of every page.")
@click.option("--archival", is_flag=True, help="Write PDF/A-2b files for long-term records.")
@replace_option
@expected_option
@click.option(
    "--schedule",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A day's schedule (.csv or .xlsx): that day's clients' graphs in one PDF, in order.",
)
@pass_context
def graphs(
    obj: Context,
    inputs: tuple[Path, ...],
    db: str | None,
    unit: str,
    date_format: str | None,
    out: Path,
    only: tuple[str, ...],
    paper: str | None,
    lang: str | None,
    png: bool,
    archival: bool,
    replace: bool,
    expected: str | None,
    schedule: Path | None,
) -> None:
    """Print a progress graph for each client's chart, and the caseload in one bundle.

    With --schedule, the graphs of the day's clients in appointment order, as one PDF to
    look at before each session (a client without forms gets a short page saying so).

    \b
    Examples:
      paperfit graphs output/demo/entry-filled.xlsx
      paperfit graphs entry.xlsx --client C-1001 --png
      paperfit graphs entry.xlsx --schedule today.csv
    """
    check_not_input(out, inputs, folder=True)
    settings = obj.settings
    scheduled = _scheduled(obj, schedule, only, db) if schedule else None
    wanted = only if scheduled is None else tuple(s.client_id for s in scheduled)
    reading = obj.read(inputs, unit, date_format, db, wanted)
    thresholds = obj.thresholds
    scored = score(reading.forms, reading.clients, obj.catalog, thresholds)
    options = GraphOptions(
        paper=paper or settings.paper,
        language=lang or settings.language,
        practice_name=settings.practice_name,
        png=png,
        archival=archival,
    )
    model = obj.expected_model(expected, scored)
    chosen = build_graphs(
        scored,
        reading.clients,
        thresholds,
        obj.catalog,
        options.language,
        wanted,
        model,
        reading.disagreements,
    )
    if scheduled is not None:
        path = out / f"day-{scheduled[0].date.isoformat()}.pdf"
        check_output(path, (*inputs, schedule), replace)
        with progress_bar(len(scheduled), "Drawing graphs") as advance:
            pages = write_day(path, day_entries(scheduled, chosen), options, advance)
        click.echo(f"{len(scheduled)} appointments, {pages} pages: {path}")
        return
    missing = sorted(set(only) - {graph.client.client_id for graph in chosen})
    if missing:
        raise UsageProblem(f"No forms were read for client {', '.join(missing)}.")
    with progress_bar(len(chosen), "Drawing graphs") as advance:
        files = write_graphs(out, chosen, options, advance, replace_check(replace))
    click.echo(
        f"{plural(len(files.clients), 'client')}, {plural(files.pages, 'page')}: {out}/ "
        f"(one PDF per client, listed in {files.index.name})"
    )
    click.echo(files.bundle)


def _scheduled(
    obj: Context, schedule: Path, only: tuple[str, ...], db: str | None
) -> list[Scheduled]:
    """The clients on SCHEDULE, in appointment order (with the practice's record, a short
    schedule's missing columns taken from it)."""
    if only:
        raise UsageProblem("--schedule gives the clients: leave out --client.")
    return [
        Scheduled(a.client_id, a.date, a.session, a.clinician, a.name)
        for a in obj.appointments(schedule, db, with_catalog=False)
    ]


@click.command()
@input_options
@out_option("report.pdf", "Where to write it.")
@click.option("--paper", type=click.Choice(PAPERS), help="Paper size.")
@replace_option
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the report.")
@expected_option
@pass_context
def report(
    obj: Context,
    inputs: tuple[Path, ...],
    db: str | None,
    unit: str,
    date_format: str | None,
    out: Path,
    paper: str | None,
    replace: bool,
    lang: str | None,
    expected: str | None,
) -> None:
    """Print the practice report: outcomes by clinician, who to review, data problems."""
    check_output(out, inputs, replace)
    settings = obj.settings
    reading = obj.read(inputs, unit, date_format, db)
    thresholds = obj.thresholds
    scored = score(reading.forms, reading.clients, obj.catalog, thresholds)
    click.echo(
        write_report(
            out,
            reading,
            scored,
            thresholds,
            settings.practice_name,
            paper or settings.paper,
            datetime.date.today(),
            language=lang or settings.language,
            model=obj.expected_model(expected, scored),
            cell_chars=settings.limits.cell_chars,
        )
    )


@click.command()
@input_options
@out_option("trajectories", "Folder to write into.", folder=True)
@click.option(
    "--min-clients",
    type=click.IntRange(10, 100_000),
    help="Fewest clients (with 3 or more outcome forms) a curve rests on (default 100).",
)
@click.option("--paper", type=click.Choice(PAPERS), help="Paper size.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the page.")
@replace_option
@pass_context
def trajectories(
    obj: Context,
    inputs: tuple[Path, ...],
    db: str | None,
    unit: str,
    date_format: str | None,
    out: Path,
    min_clients: int | None,
    paper: str | None,
    lang: str | None,
    replace: bool,
) -> None:
    """Fit the expected course of the outcome total on the practice's own past clients.

    Writes model.json (no client data), expected.csv and trajectories.pdf into the folder.
    INPUT may also be de-identified files from paperfit export --deidentify, from this and
    other practices: they are pooled into one model.

    \b
    Example:
      paperfit trajectories output/demo/entry-filled.xlsx -o output/trajectories
    """
    check_not_input(out, inputs, folder=True)
    settings = obj.settings
    pooled = [path for path in inputs if is_deidentified(path)]
    own = tuple(path for path in inputs if path not in pooled)
    courses, period = [], ""
    if own or not inputs:  # the practice's own files, or with no INPUT its record
        reading = obj.read(own, unit, date_format, db)
        scored = score(reading.forms, reading.clients, obj.catalog, obj.thresholds)
        courses, period = courses_from_scored(scored, "0:"), period_of(scored)
    for number, path in enumerate(pooled, start=1):
        courses += read_deidentified(path, f"{number}:")
    minimum = min_clients or settings.trajectories.min_clients
    model = fit(courses, datetime.date.today(), minimum, period="" if pooled else period)
    language = lang or settings.language
    for path in write_trajectories(
        out,
        model,
        language,
        paper or settings.paper,
        settings.practice_name,
        replace_check(replace),
    ):
        click.echo(path)
    for line in model_summary(model):
        click.echo(line)
