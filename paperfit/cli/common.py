"""What the commands share: the Context (settings and catalog, loaded on demand), the option
decorators used by several commands, and the progress bar."""

from __future__ import annotations

import datetime
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from paperfit.forms.errors import PaperfitError, UsageProblem, clip
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import (
    Appointment,
    Problem,
    Reading,
    plural,
    skip_note,
)
from paperfit.forms.scoring import ScoredForm, Thresholds
from paperfit.forms.sheet import LANGUAGES, PAPERS
from paperfit.forms.text import ValueProblem, parse_text
from paperfit.forms.trajectories import Model, fit_scored
from paperfit.scanner.measurements import ReadOptions, read_inputs
from paperfit.scanner.schedule import SHORT, read_schedule
from paperfit.scanner.trajectories import read_model
from paperfit.scanner.values import UNITS, plausible_date
from paperfit.settings import Settings, load_settings

if TYPE_CHECKING:  # SQLAlchemy and Alembic load only for a command that opens the record
    from paperfit.store import Store

OUTPUT_DIR = Path("output")


class Context:
    """What every command needs: the settings and the instrument catalog, loaded on demand."""

    def __init__(self, config: Path | None) -> None:
        self.config = config
        self._settings: Settings | None = None
        self._catalog: Catalog | None = None
        self._store: Store | None = None

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

    def expected_model(self, choice: str | None, scored: Sequence[ScoredForm]) -> Model | None:
        """The model CHOICE names (auto, none or a model.json; default: paperfit.toml's). With
        auto, a model fitted on SCORED, or None, said once on stderr, when no group has enough
        clients; the groups without a curve are named there too."""
        choice = choice or self.settings.trajectories.expected
        if choice == "none":
            return None
        if choice != "auto":
            return read_model(Path(choice))
        minimum = self.settings.trajectories.min_clients
        model = fit_scored(scored, datetime.date.today(), minimum, folds=0)
        if not model.groups:
            click.echo("Expected courses: none (no complete outcome forms).", err=True)
        for name, group in sorted(model.groups.items()):
            if not group.fitted:
                click.echo(f"Expected courses: none for {name} clients: {group.refusal}.", err=True)
        return model if model.clients else None

    def quote(self, problem: Problem) -> str:
        """PROBLEM for the terminal, a long quoted cell cut (its place says where it is)."""
        return clip(str(problem), self.settings.limits.cell_chars)

    def store(self, db: str | None, create: bool = False) -> Store:
        """The practice's record: --db, else [store] url in paperfit.toml, else paperfit.db
        beside paperfit.toml (or here). Unless CREATE, a SQLite file that does not exist yet
        is refused (a command that only reads must not leave an empty record behind)."""
        from paperfit.store import open_store
        from paperfit.store.connect import store_url

        if self._store is None:
            url = db or self.settings.store_url
            folder = Path() if db else self.settings.store_folder
            resolved = store_url(url, folder)
            file = resolved.removeprefix("sqlite:///") if resolved.startswith("sqlite:///") else ""
            if file and not create and not Path(file).exists():
                raise UsageProblem(
                    f"There is no practice record at {file}: give INPUT files, import them "
                    "first (paperfit import FILE...), or name the record with --db."
                )
            self._store = open_store(url, folder, lambda line: click.echo(line, err=True))
        return self._store

    def has_store(self, db: str | None) -> bool:
        """Whether a record is named (--db, [store] url) or paperfit.db is already here."""
        from paperfit.store.connect import DEFAULT_NAME

        if db or self.settings.store_url:
            return True
        return (self.settings.store_folder / DEFAULT_NAME).exists()

    def appointments(
        self, schedule: Path, db: str | None, with_catalog: bool = True
    ) -> list[Appointment]:
        """SCHEDULE's appointments (instruments checked against the catalog unless not
        WITH_CATALOG); with the practice's record, what a short schedule (client_id and date)
        leaves out is taken from it."""
        catalog = self.catalog if with_catalog else None
        if not self.has_store(db):
            return read_schedule(schedule, catalog)
        from paperfit.record import complete_schedule

        found = read_schedule(schedule, catalog, SHORT)
        return complete_schedule(found, self.store(db), schedule)

    def load(
        self,
        inputs: tuple[Path, ...],
        unit: str,
        date_format: str | None,
        db: str | None = None,
        only: tuple[str, ...] = (),
    ) -> Reading:
        """Read INPUTS, or the practice's record when there are none (only ONLY's clients
        when given); PaperfitError when there was no file to read in them at all."""
        if not inputs:
            from paperfit.record import record_reading

            return record_reading(self.store(db), only)
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

    def read(
        self,
        inputs: tuple[Path, ...],
        unit: str,
        date_format: str | None,
        db: str | None = None,
        only: tuple[str, ...] = (),
    ) -> Reading:
        """Read INPUTS (or the record, see load) and tell the user, on stderr, every problem
        found on the way; a PaperfitError (nothing written) when not one valid form was read."""
        reading = self.load(inputs, unit, date_format, db, only)
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


def db_option(command: Any) -> Any:
    """--db URL: the practice's record to use, shared by every command that reads or writes it."""
    return click.option(
        "--db",
        metavar="URL",
        help="The practice's record: a SQLite file or postgresql+psycopg://… (default: [store] "
        "url in paperfit.toml, else paperfit.db beside it or here).",
    )(command)


def input_options(command: Any) -> Any:
    """[INPUT]... (files or folders; none: the practice's record), --db, --unit and
    --date-format, shared by every reading command."""
    command = db_option(command)
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
        metavar="[INPUT]...",
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


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise (logs, pipes, tests)."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
