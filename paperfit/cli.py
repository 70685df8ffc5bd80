"""The `paperfit` command: thin Click commands over the library in forms/, generator/, scanner/.

Each command parses its options, calls the library, and reports. Library errors become exit
status 1 (the work failed) or 2 (the command was called wrongly).
"""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from paperfit import __version__
from paperfit.forms.deidentify import deidentified_rows, keyed_courses
from paperfit.forms.errors import PaperfitError, UsageProblem, clip
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import (
    MAX_CLIENT_ID,
    MAX_SESSION,
    MAX_TEXT,
    Problem,
    Reading,
    plural,
    skip_note,
)
from paperfit.forms.scoring import ScoredForm, Thresholds, score
from paperfit.forms.sheet import LANGUAGES, PAPERS
from paperfit.forms.text import ValueProblem, parse_text
from paperfit.forms.trajectories import (
    FOLDS,
    POOLED,
    PRACTICE,
    FitOptions,
    Model,
    courses_from_scored,
    fit,
    fit_scored,
    irregular,
    period_of,
)
from paperfit.generator.export import write_deidentified, write_export
from paperfit.generator.graphs import (
    GraphOptions,
    Scheduled,
    build_graphs,
    day_entries,
    write_day,
    write_graphs,
)
from paperfit.generator.handouts import write_guide, write_handout
from paperfit.generator.output import output_lock
from paperfit.generator.report import write_report
from paperfit.generator.sheets import (
    EXPLAIN_MODES,
    Header,
    Packet,
    PrintOptions,
    packets_for_schedule,
    write_forms,
)
from paperfit.generator.texts import AUDIENCES
from paperfit.generator.trajectories import model_summary, write_trajectories
from paperfit.generator.workbook import write_workbook
from paperfit.outputs import check_not_input, check_output, replace_check
from paperfit.scanner.measurements import ReadOptions, read_inputs
from paperfit.scanner.schedule import read_schedule
from paperfit.scanner.values import UNITS, plausible_date
from paperfit.settings import Settings, load_settings

if TYPE_CHECKING:  # imported by the scan command only: see scan_command
    from paperfit.scanner.scan_reading import ScanResult
from paperfit.scanner.deidentified import is_deidentified, pool, read_deidentified
from paperfit.scanner.trajectories import read_model
from paperfit.settings import deidentify_key

OUTPUT_DIR = Path("output")


class PaperfitGroup(click.Group):
    """Turns paperfit's own exceptions into Click's, so no user ever sees a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageProblem as error:
            raise click.UsageError(str(error), ctx) from None
        except PaperfitError as error:
            raise click.ClickException(str(error)) from None


class Context:
    """What every command needs: the settings and the instrument catalog, loaded on demand."""

    def __init__(self, config: Path | None) -> None:
        self.config = config
        self._settings: Settings | None = None
        self._catalog: Catalog | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config)
        return self._settings

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog.load(self.settings.instrument_dir)
        return self._catalog

    @property
    def thresholds(self) -> Thresholds:
        source = str(self.settings.source or "paperfit.toml")
        return Thresholds.resolve(self.catalog, self.settings.scoring, source)

    def expected_model(
        self, choice: str | None, scored: Sequence[ScoredForm], folds: int = 0
    ) -> Model | None:
        """The model CHOICE names (auto, none or a model.json; default: paperfit.toml's). With
        auto, a model fitted on SCORED (calibrated with FOLDS folds, none below 2), or None,
        said once on stderr, when no group has enough clients; the groups without a curve are
        named there too."""
        choice = self.expected_choice(choice)
        if choice == "none":
            return None
        if choice != "auto":
            return read_model(Path(choice), self.settings.limits)
        model = fit_scored(scored, datetime.date.today(), self.fit_options(folds))
        if not model.groups:
            click.echo("Expected courses: none (no complete outcome forms).", err=True)
        for name, group in sorted(model.groups.items()):
            if not group.fitted:
                click.echo(f"Expected courses: none for {name} clients: {group.refusal}.", err=True)
        return model if model.clients else None

    def expected_choice(self, choice: str | None) -> str:
        """--expected (or paperfit.toml's): auto, none or a model file; "" is refused."""
        if choice is not None and not choice.strip():
            raise UsageProblem(
                "--expected is empty: give auto, none or the path of a model.json "
                "(leave the option out for paperfit.toml's choice)."
            )
        return choice or self.settings.trajectories.expected

    def model_files(self, choice: str | None) -> tuple[Path, ...]:
        """The model file a command reads (to check its outputs against), if any."""
        chosen = self.expected_choice(choice)
        return () if chosen in ("auto", "none") else (Path(chosen),)

    def fit_options(self, folds: int = FOLDS, min_clients: int | None = None) -> FitOptions:
        """How expected courses are fitted: paperfit.toml's minimums, the cutoffs and RCI."""
        settings, thresholds = self.settings.trajectories, self.thresholds
        return FitOptions(
            min_clients=min_clients or settings.min_clients,
            min_support=settings.min_support,
            folds=folds,
            cutoffs=dict(thresholds.cutoffs),
            rci=thresholds.rci,
        )

    def quote(self, problem: Problem) -> str:
        """PROBLEM for the terminal, a long quoted cell cut (its place says where it is)."""
        return clip(str(problem), self.settings.limits.cell_chars)

    def load(self, inputs: tuple[Path, ...], unit: str, date_format: str | None) -> Reading:
        """Read INPUTS; PaperfitError when there was no file to read in them at all."""
        reading = read_inputs(inputs, self.catalog, ReadOptions(unit, date_format))
        if not reading.files:
            for problem in reading.problems:
                click.echo(self.quote(problem), err=True)
            skipped = f" ({skip_note(reading.skipped_outputs)})" if reading.skipped_outputs else ""
            raise PaperfitError(
                f"No file to read in {', '.join(map(str, inputs))}{skipped}: give entry "
                "workbooks, .xlsx or .csv files, filled PDFs, or folders of them."
            )
        return reading

    def read(self, inputs: tuple[Path, ...], unit: str, date_format: str | None) -> Reading:
        """Read INPUTS and tell the user, on stderr, every problem found on the way; a
        PaperfitError (nothing written) when not one valid form was read."""
        reading = self.load(inputs, unit, date_format)
        for problem in reading.problems:
            click.echo(self.quote(problem), err=True)
        if reading.skipped_outputs:
            click.echo(skip_note(reading.skipped_outputs), err=True)
        if not reading.forms:
            raise PaperfitError(
                f"No valid form was read from {plural(len(reading.files), 'file')}, so nothing "
                "was written. Run paperfit check on the same files to see why."
            )
        return reading


pass_context = click.make_pass_decorator(Context)


def print_options(command: Any) -> Any:
    """--paper, --lang and --large-print, shared by every command that prints for clients."""
    command = click.option("--large-print", is_flag=True, help="Bigger type; lines stay 10 cm.")(
        command
    )
    command = click.option(
        "--lang", type=click.Choice(LANGUAGES), help="Language of paperfit's own text."
    )(command)
    return click.option(
        "--paper",
        type=click.Choice(PAPERS),
        help="Paper size (default: letter, or paperfit.toml).",
    )(command)


def text_option(limit: int) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A callback that holds an option's text (or each of its texts) to the rule every text
    value paperfit reads is held to (scanner.values.parse_text), at most LIMIT characters."""

    def check(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        try:
            if isinstance(value, tuple):
                return tuple(parse_text(each, limit) for each in value)
            return None if value is None else parse_text(value, limit)
        except ValueProblem as problem:
            raise click.BadParameter(str(problem)) from None

    return check


def check_date_format(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """A --date-format that reads back the dates it writes: day, month and year, no stray %."""
    if value is None:
        return None
    samples = (datetime.date(2026, 11, 25), datetime.date(1999, 2, 3))
    try:
        read_back = [datetime.datetime.strptime(d.strftime(value), value).date() for d in samples]
    except ValueError:
        read_back = []
    if read_back != list(samples):
        raise click.BadParameter(
            f"{value!r} is not a date format paperfit can read with: it needs the day, month "
            "and year, e.g. %d/%m/%Y or %m/%d/%Y."
        )
    return value


def check_date(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A --date within the window every reader accepts, so the printed form reads back."""
    if value is None:
        return None
    try:
        return plausible_date(value.date(), datetime.date.today())
    except ValueProblem as problem:
        raise click.BadParameter(str(problem)) from None


def input_options(command: Any) -> Any:
    """INPUT... (files or folders), --unit and --date-format, shared by every reading command."""
    command = click.option(
        "--date-format",
        metavar="FORMAT",
        callback=check_date_format,
        help="How text dates are typed, e.g. %d/%m/%Y (default: Excel dates and YYYY-MM-DD).",
    )(command)
    command = click.option(
        "--unit",
        type=click.Choice(UNITS),
        default="cm",
        show_default=True,
        help="The unit the marks were measured in.",
    )(command)
    return click.argument(
        "inputs",
        nargs=-1,
        required=True,
        metavar="INPUT...",
        type=click.Path(exists=True, path_type=Path),
    )(command)


def replace_option(command: Any) -> Any:
    """--replace: write over a file that holds data or that paperfit did not make."""
    return click.option(
        "--replace",
        is_flag=True,
        help="Write over an existing file that holds data (an entry workbook, say) or that "
        "paperfit did not make.",
    )(command)


def expected_option(command: Any) -> Any:
    """--expected auto|none|FILE, shared by graphs and report."""
    return click.option(
        "--expected",
        metavar="auto|none|FILE",
        help="Expected courses: fitted from the inputs (auto: when enough clients), none, or "
        "a model.json from paperfit trajectories (default: auto, or paperfit.toml).",
    )(command)


def out_option(default: str, help: str = "Where to write the PDF.", folder: bool = False) -> Any:
    """-o/--out: a file (or with FOLDER, a folder) under output/ unless given."""
    kind = (
        click.Path(file_okay=False, path_type=Path)
        if folder
        else click.Path(dir_okay=False, path_type=Path)
    )
    return click.option(
        "-o", "--out", type=kind, default=OUTPUT_DIR / default, show_default=True, help=help
    )


@click.group(cls=PaperfitGroup)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Settings file (default: ./paperfit.toml when it exists).",
)
@click.version_option(__version__, prog_name="paperfit")
@click.pass_context
def cli(ctx: click.Context, config: Path | None) -> None:
    """Print, read, score and graph the ORS/SRS family of feedback forms on paper."""
    ctx.obj = Context(config)


@cli.command()
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
) -> None:
    """Print forms as one PDF: blank, for one client, or for a day's schedule.

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
        appointments = read_schedule(schedule, obj.catalog)
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


@cli.command()
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


@cli.command()
@input_options
@click.pass_context
def check(ctx: click.Context, inputs: tuple[Path, ...], unit: str, date_format: str | None) -> None:
    """Check measurement files: a summary, then every problem with its place.

    INPUT is an entry workbook, another .xlsx or .csv file, a filled PDF, or a folder of them.
    Exit status 0 when clean, 1 when problems were found or there was no file to read.
    """
    obj = ctx.find_object(Context)
    reading = obj.load(inputs, unit, date_format)
    for line in reading.summary():
        click.echo(line)
    scored = score(reading.forms, reading.clients, obj.catalog, obj.thresholds)
    for course in irregular(courses_from_scored(scored)):
        click.echo(
            f"Left out of expected courses: client {course.key}: the first outcome form is "
            f"numbered session {course.points[0][0]}, not 1, so the intake is not known. "
            "Number the sessions of each episode from 1 (or give a new episode its own ID)."
        )
    for problem in reading.problems:
        click.echo(obj.quote(problem))
    ctx.exit(1 if reading.problems else 0)


@cli.command()
@input_options
@out_option("export.csv", "A .csv or .xlsx file to write.")
@replace_option
@click.option(
    "--deidentify",
    is_flag=True,
    help="Only outcome totals, client IDs as keyed codes, weeks instead of dates (for pooling).",
)
@pass_context
def export(
    obj: Context,
    inputs: tuple[Path, ...],
    unit: str,
    date_format: str | None,
    out: Path,
    replace: bool,
    deidentify: bool,
) -> None:
    """Export scored forms, one row each, to CSV or Excel.

    Problems in the input are listed on stderr; the valid forms are exported. With
    --deidentify, a CSV file for pooling expected courses with other practices (paperfit
    trajectories reads several): no names, clinicians or dates; the key of the codes is kept
    in paperfit.toml (made there the first time) and must not be shared.
    """
    check_output(out, inputs, replace)
    reading = obj.read(inputs, unit, date_format)
    thresholds = obj.thresholds
    scored = score(reading.forms, reading.clients, obj.catalog, thresholds)
    if not deidentify:
        click.echo(write_export(out, scored, thresholds))
        return
    key, written = deidentify_key(obj.settings)
    if written:
        click.echo(f"A new de-identification key was kept in {written}: keep it secret.", err=True)
    click.echo(write_deidentified(out, deidentified_rows(scored, key)))


@cli.command()
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


@cli.command()
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


@cli.command()
@out_option("demo", "Folder to write into.", folder=True)
@pass_context
def demo(obj: Context, out: Path) -> None:
    """Write sample output for made-up clients: forms, a day's pack, handouts, guide."""
    from paperfit.demo import write_demo  # with the scanning libraries: see scan_command

    for path in write_demo(out, obj.catalog, obj.settings, obj.thresholds):
        click.echo(path)


@cli.command()
def doctor() -> None:
    """Say what paperfit needs on this machine and what is missing (exit 1 if anything is)."""
    from paperfit import doctor as checkup

    sys.exit(checkup.report())


@cli.command()
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
    check_not_input(out, (*inputs, *obj.model_files(expected)), folder=True)
    settings = obj.settings
    scheduled = _scheduled(schedule, only) if schedule else None
    reading = obj.read(inputs, unit, date_format)
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
    wanted = only if scheduled is None else tuple(s.client_id for s in scheduled)
    chosen = build_graphs(
        scored, reading.clients, thresholds, obj.catalog, options.language, wanted, model
    )
    if scheduled is not None:
        path = out / f"day-{scheduled[0].date.isoformat()}.pdf"
        check_output(path, (*inputs, schedule, *obj.model_files(expected)), replace)
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


def _scheduled(schedule: Path, only: tuple[str, ...]) -> list[Scheduled]:
    """The clients on SCHEDULE, in appointment order."""
    if only:
        raise UsageProblem("--schedule gives the clients: leave out --client.")
    return [
        Scheduled(a.client_id, a.date, a.session, a.clinician, a.name)
        for a in read_schedule(schedule)
    ]


@cli.command()
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
    unit: str,
    date_format: str | None,
    out: Path,
    paper: str | None,
    replace: bool,
    lang: str | None,
    expected: str | None,
) -> None:
    """Print the practice report: outcomes by clinician, who to review, data problems."""
    check_output(out, (*inputs, *obj.model_files(expected)), replace)
    settings = obj.settings
    reading = obj.read(inputs, unit, date_format)
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


@cli.command()
@input_options
@out_option("trajectories", "Folder to write into.", folder=True)
@click.option(
    "--min-clients",
    type=click.IntRange(100, 100_000),
    help="Fewest clients (with 3 or more outcome forms) a curve rests on (default 100; "
    "fewer gave curves off by 5 points on made-up practices).",
)
@click.option("--paper", type=click.Choice(PAPERS), help="Paper size.")
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the page.")
@replace_option
@pass_context
def trajectories(
    obj: Context,
    inputs: tuple[Path, ...],
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
    sources, period = [], ""
    if own:
        reading = obj.read(own, unit, date_format)
        scored = score(reading.forms, reading.clients, obj.catalog, obj.thresholds)
        key = bytes.fromhex(settings.deidentify_key) if settings.deidentify_key else None
        sources.append(
            ("the practice's own files", keyed_courses(courses_from_scored(scored), key))
        )
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
        replace_check(replace),
    ):
        click.echo(path)
    for line in model_summary(model):
        click.echo(line)


@cli.command("scan")
@click.argument("scans", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@out_option("scan", "Folder to write into.", folder=True)
@click.option("--csv", "with_csv", is_flag=True, help="Also write measurements.csv.")
@click.option("--paper", type=click.Choice(PAPERS), help="Paper size of the proof sheet.")
@click.option("--replace", is_flag=True, help="Replace an earlier scan's files in the folder.")
@click.option(
    "--lang", type=click.Choice(LANGUAGES), help="Language of the proof sheet and the Read me."
)
@pass_context
def scan_command(
    obj: Context,
    scans: tuple[Path, ...],
    out: Path,
    with_csv: bool,
    paper: str | None,
    replace: bool,
    lang: str | None,
) -> None:
    """Read scanned forms: measure every mark, and write a workbook and a proof sheet.

    SCAN is a PDF from a copier or scanner, a TIFF, PNG or JPEG file, or a folder of them.
    Writes measurements.xlsx (open it with check, export or graphs), proof.pdf (each line
    with the mark read, pages to review first) and, with --csv, measurements.csv. Exit
    status 0 when the files were written, whatever is listed for review.

    \b
    Example:
      paperfit scan scans/2026-11-25.pdf -o output/scan-2026-11-25 --csv
    """
    # Imported here: OpenCV and the rest of the scanning code would slow every other
    # command's start-up.
    from paperfit.generator.scan_results import earlier_results, write_scan_results

    check_not_input(out, scans, folder=True)
    with output_lock(out):  # held from the check of earlier files to the writing of new ones
        earlier = earlier_results(out)
        if earlier and not replace:
            raise UsageProblem(
                f"{out} already holds an earlier scan ({', '.join(p.name for p in earlier)}), "
                "whose workbook may have been corrected by hand. Write to another folder with "
                "-o, or give --replace to write over it."
            )
        result = _read_scans(obj, scans)
        files = write_scan_results(
            out,
            result,
            obj.catalog,
            obj.thresholds,
            with_csv,
            paper or obj.settings.paper,
            replace_check(replace),
            lang or obj.settings.language,
        )
    for line in result.summary():
        click.echo(line)
    for path in (files.workbook, files.csv, files.proof):
        if path is not None:
            click.echo(path)


def _read_scans(obj: Context, scans: tuple[Path, ...]) -> ScanResult:
    """Read SCANS within the settings' limits (paperfit's own proofs in their folders left
    out, and said so); PaperfitError when not one page could be read."""
    from paperfit.scanner.scan_reading import own_outputs_left_out, plan
    from paperfit.scanner.scan_reading import scan as scan_pages

    limits = obj.settings.limits
    planned, skipped = own_outputs_left_out(plan(scans, limits), scans)
    if skipped:
        click.echo(skip_note(skipped), err=True)
    with progress_bar(sum(batch.size for batch in planned), "Reading pages") as advance:
        result = scan_pages(planned, obj.catalog, progress=advance, limits=limits)
    if not result.read_any:
        for line in result.summary():
            click.echo(line, err=True)
        raise PaperfitError(
            f"Nothing could be read in {', '.join(map(str, scans))}: give PDF, TIFF, PNG or "
            "JPEG scans, or a folder of them. Nothing was written."
        )
    return result


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise (logs, pipes, tests)."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
