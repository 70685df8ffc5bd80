"""Commands that turn what was read into pages for clinicians: graphs, report, trajectories."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from paperfit.cli.common import (
    Context,
    WholeNumber,
    check_client_ids,
    expected_option,
    input_options,
    lang_option,
    out_option,
    paper_option,
    pass_context,
    progress_bar,
    replace_option,
    warn_missing_glyphs,
)
from paperfit.forms.errors import PaperfitError, UsageProblem
from paperfit.forms.records import plural
from paperfit.forms.text import same_clients

if TYPE_CHECKING:
    from paperfit.forms.scoring import ScoredForm
    from paperfit.forms.trajectories import Course
    from paperfit.generator.graphs import Scheduled

# below 100 clients a curve's thin cells were off by 5 points on made-up practices
MIN_CLIENTS = WholeNumber(100, 100_000)


@click.command()
@input_options
@out_option("graphs", "Folder to write into.", folder=True)
@click.option(
    "--client",
    "only",
    multiple=True,
    metavar="ID",
    callback=check_client_ids,
    help="Only this client (repeat for more).",
)
@paper_option
@lang_option("the captions, key and flags")
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
    from paperfit.forms.scoring import score
    from paperfit.generator.graphs import (
        GraphOptions,
        build_graphs,
        day_entries,
        write_day,
        write_graphs,
    )
    from paperfit.outputs import check_not_input, check_output, replace_check

    scheduled = _scheduled(obj, schedule, only, db) if schedule else None
    reads = obj.also_read(schedule, *obj.model_files(expected))
    check_not_input(out, inputs, folder=True, also=reads)
    settings = obj.settings
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
    read = {form.client_id for form in reading.forms}
    if scheduled is not None:
        scheduled = _as_read(scheduled, read)
    only = tuple(same_clients(list(only), read).values())
    wanted = only if scheduled is None else tuple(s.client_id for s in scheduled)
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
    warn_missing_glyphs(
        {f"client {g.client.client_id}": f"{g.client.client_id}{g.client.name}" for g in chosen}
    )
    if scheduled is not None:
        path = out / f"day-{scheduled[0].date.isoformat()}.pdf"
        check_output(path, inputs, replace, reads)
        with progress_bar(len(scheduled), "Drawing graphs") as advance:
            pages = write_day(path, day_entries(scheduled, chosen), options, advance)
        click.echo(f"{len(scheduled)} appointments, {pages} pages: {path}")
        return
    missing = sorted(set(only) - {graph.client.client_id for graph in chosen})
    if missing:
        raise UsageProblem(f"No forms were read for client {', '.join(missing)}.")
    among = sorted(read) if only else ()
    with progress_bar(len(chosen), "Drawing graphs") as advance:
        files = write_graphs(out, chosen, options, advance, replace_check(replace, reads), among)
    note = (
        "caseload.pdf and index.csv left as they were: they cover every client, without --client"
        if files.index is None
        else f"one PDF per client, listed in {files.index.name}"
    )
    click.echo(
        f"{plural(len(files.clients), 'client')}, {plural(files.pages, 'page')}: {out}/ ({note})"
    )
    if files.bundle is not None:
        click.echo(files.bundle)


def _scheduled(
    obj: Context, schedule: Path, only: tuple[str, ...], db: str | None
) -> list[Scheduled]:
    """The clients on SCHEDULE, in appointment order (with the practice's record, a short
    schedule's missing columns taken from it)."""
    from paperfit.generator.graphs import Scheduled

    if only:
        raise UsageProblem("--schedule gives the clients: leave out --client.")
    return [
        Scheduled(a.client_id, a.date, a.session, a.clinician, a.name)
        for a in obj.appointments(schedule, db, with_catalog=False)
    ]


def _as_read(scheduled: list[Scheduled], read: set[str]) -> list[Scheduled]:
    """SCHEDULED with each client ID as the forms read spell it, when it differs only in
    case (forms.text.same_clients), said on stderr."""
    meant = same_clients([s.client_id for s in scheduled], read)
    for typed, found in sorted(meant.items()):
        if typed != found:
            click.echo(
                f"The schedule's client {typed} is taken as {found}, the forms' spelling.",
                err=True,
            )
    return [replace(s, client_id=meant[s.client_id]) for s in scheduled]


@click.command()
@input_options
@out_option("report.pdf", "Where to write it.")
@paper_option
@replace_option
@lang_option("the report")
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
    from paperfit.forms.scoring import score
    from paperfit.forms.trajectories import FOLDS
    from paperfit.generator.report import write_report
    from paperfit.outputs import check_output

    check_output(out, inputs, replace, obj.also_read(*obj.model_files(expected)))
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
            model=obj.expected_model(expected, scored, FOLDS),
            cell_chars=settings.limits.cell_chars,
        )
    )


@click.command()
@input_options
@out_option("trajectories", "Folder to write into.", folder=True)
@click.option(
    "--min-clients",
    type=MIN_CLIENTS,
    metavar="N",
    help="Fewest clients (with 3 or more outcome forms) a curve rests on: "
    f"{MIN_CLIENTS.words()} (default 100, or paperfit.toml).",
)
@paper_option
@lang_option("the page")
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

    Exit status 1 when no age group had enough clients for a curve (the files, saying why,
    are written all the same).
    """
    from paperfit.forms.scoring import score
    from paperfit.forms.trajectories import FOLDS, POOLED, PRACTICE, fit, period_of
    from paperfit.generator.trajectories import model_summary, write_trajectories
    from paperfit.outputs import check_not_input, replace_check
    from paperfit.scanner.deidentified import is_deidentified, pool, read_deidentified
    from paperfit.settings import known_key

    reads = obj.also_read()
    check_not_input(out, inputs, folder=True, also=reads)
    settings = obj.settings
    pooled = [path for path in inputs if is_deidentified(path)]
    own = tuple(path for path in inputs if path not in pooled)
    sources, period = [], ""
    if own or not inputs:  # the practice's own files, or with no INPUT its record
        reading = obj.read(own, unit, date_format, db)
        scored = score(reading.forms, reading.clients, obj.catalog, obj.thresholds)
        sources.append(own_courses(scored, known_key(settings)))
        period = period_of(scored)
    outcomes = [i for i in obj.catalog.ids if obj.catalog.get(i).kind == "outcome"]
    for path in pooled:
        sources.append((str(path), read_deidentified(path, outcomes, settings.limits)))
    courses, copies = pool(sources)
    model = fit(
        courses,
        datetime.date.today(),
        period="" if pooled else period,
        options=obj.fit_options(FOLDS, min_clients),
        kind=POOLED if pooled else PRACTICE,
        copies_merged=copies,
    )
    language = lang or settings.language
    for path in write_trajectories(
        out,
        model,
        language,
        paper or settings.paper,
        settings.practice_name,
        replace_check(replace, reads),
    ):
        click.echo(path)
    for line in model_summary(model):
        click.echo(line)
    if not model.clients:
        raise PaperfitError(
            f"No expected course was fitted: no age group has enough clients (above). "
            f"{out / 'trajectories.pdf'} says so too."
        )


def own_courses(scored: Sequence[ScoredForm], key: bytes | None) -> tuple[str, list[Course]]:
    """The practice's own courses, keyed by their de-identified codes under the practice's KEY
    (None when it has none), so its own export given beside them is one client each."""
    from paperfit.forms.deidentify import keyed_courses
    from paperfit.forms.trajectories import courses_from_scored

    return "the practice's own files", keyed_courses(courses_from_scored(scored), key)
