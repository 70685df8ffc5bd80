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

from paperfit.forms.errors import InputProblem, PaperfitError, UsageProblem, clip
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import (
    MAX_CLIENT_ID,
    Appointment,
    Problem,
    Reading,
    plural,
    skip_note,
)
from paperfit.forms.sheet import LANGUAGES, PAPERS
from paperfit.forms.text import ValueProblem, parse_client_id, parse_text
from paperfit.scanner.values import UNITS, plausible_date, strptime_format
from paperfit.settings import Settings, fit_options, key_file, load_settings

if TYPE_CHECKING:  # the scoring, the fit and the readers are imported by the commands that use them
    from paperfit.forms.scoring import ScoredForm, Thresholds
    from paperfit.forms.trajectories import FitOptions, Model
    from paperfit.store import Store  # SQLAlchemy loads only for a command that opens the record

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
        from paperfit.forms.scoring import Thresholds

        source = str(self.settings.source or "paperfit.toml")
        return Thresholds.resolve(self.catalog, self.settings.scoring, source)

    def also_read(self, *paths: Path | None) -> tuple[Path, ...]:
        """What a command reads besides its INPUT, which no output may replace: PATHS (a
        schedule, a model; None left out), the settings file, the instrument folder and the
        key of de-identified exports (replaced, every code would change)."""
        settings = self.settings
        found = [*paths, settings.source, settings.instrument_dir, key_file(settings)]
        return tuple(Path(path) for path in found if path is not None)

    def expected_model(
        self, choice: str | None, scored: Sequence[ScoredForm], folds: int = 0
    ) -> Model | None:
        """The model CHOICE names (auto, none or a model.json; default: paperfit.toml's). With
        auto, a model fitted on SCORED (calibrated with FOLDS folds, none below 2), or None,
        said once on stderr, when no group has enough clients; the groups without a curve are
        named there too."""
        from paperfit.forms.trajectories import fit_scored
        from paperfit.scanner.trajectories import read_model

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

    def fit_options(self, folds: int, min_clients: int | None = None) -> FitOptions:
        """How expected courses are fitted (settings.fit_options)."""
        return fit_options(self.settings, self.thresholds, folds, min_clients)

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
        from paperfit.scanner.schedule import SHORT

        catalog = self.catalog if with_catalog else None
        if not self.has_store(db):
            return schedule_of(schedule, catalog)
        from paperfit.record import complete_schedule

        found = schedule_of(schedule, catalog, SHORT)
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
        when given); PaperfitError when there was no file to read in them at all, or when
        the files hold nothing (an entry workbook nobody has typed into yet)."""
        if not inputs:
            from paperfit.record import record_reading

            return record_reading(self.store(db), only)
        from paperfit.scanner.measurements import ReadOptions, read_inputs

        reading = read_inputs(inputs, self.catalog, ReadOptions(unit, date_format))
        if not reading.files:
            for problem in reading.problems:
                click.echo(self.quote(problem), err=True)
            skipped = f" ({skip_note(reading.skipped_outputs)})" if reading.skipped_outputs else ""
            raise PaperfitError(
                f"No file to read in {', '.join(map(str, inputs))}{skipped}: give entry "
                "workbooks, .xlsx or .csv files, filled PDFs, or folders of them."
            )
        if not reading.forms and not reading.problems:
            holds = "holds" if len(reading.files) == 1 else "hold"
            raise PaperfitError(
                f"{', '.join(reading.files)} {holds} no forms yet: nothing was read, and nothing "
                "written. An entry workbook is empty until the measured marks are typed into "
                "its form sheets (ORS, SRS, ...): type them in, save it, and run again."
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


def warn_missing_glyphs(texts: dict[str, str]) -> None:
    """Say on stderr which of TEXTS (what each is: the text) hold characters no font on this
    machine has, which print as empty boxes, and how to get a font that has them."""
    from paperfit.generator.glyphs import missing_glyphs

    for what, text in texts.items():
        missing = missing_glyphs([text])
        if missing:
            codes = ", ".join(f"{char} (U+{ord(char):04X})" for char in missing)
            click.echo(
                f"warning: {what} has characters no font on this machine has: {codes}. They "
                "print as empty boxes. Install a font that has them (Debian and Ubuntu: "
                "fonts-noto-color-emoji for emoji, fonts-noto-cjk for Chinese, Japanese and "
                "Korean) and print again.",
                err=True,
            )


def schedule_of(
    path: Path, catalog: Catalog | None = None, required: tuple[str, ...] | None = None
) -> list[Appointment]:
    """The appointments on the schedule at PATH (scanner.schedule.read_schedule, with the
    REQUIRED columns: default all but time), its warnings said on stderr."""
    from paperfit.scanner.schedule import REQUIRED, read_schedule

    warnings: list[InputProblem] = []
    appointments = read_schedule(path, catalog, required or REQUIRED, warnings)
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    return appointments


def print_options(large_print: str = "Bigger type; the rating lines stay 10 cm.") -> Any:
    """--paper, --lang and --large-print (its help LARGE_PRINT), shared by every command that
    prints for clients."""

    def add(command: Any) -> Any:
        command = click.option("--large-print", is_flag=True, help=large_print)(command)
        command = lang_option("paperfit's own words")(command)
        return paper_option(command)

    return add


def lang_option(what: str) -> Any:
    """--lang en|es|fr, said of WHAT ("the report", "the card"...)."""
    return click.option(
        "--lang",
        type=click.Choice(LANGUAGES),
        help=f"Language of {what} (default: en, or paperfit.toml).",
    )


def paper_option(command: Any) -> Any:
    """--paper letter|a4."""
    return click.option(
        "--paper",
        type=click.Choice(PAPERS),
        help="Paper size (default: letter, or paperfit.toml).",
    )(command)


class WholeNumber(click.ParamType):
    """A whole number from LOW to HIGH, said in words in the help and the error."""

    name = "whole number"

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not self.low <= number <= self.high:
            self.fail(f"{value!r} is not {self.words()}.", param, ctx)
        return number

    def words(self) -> str:
        low, high = (f"{n:,}" if n >= 10_000 else str(n) for n in (self.low, self.high))
        return f"a whole number from {low} to {high}"


class IsoDate(click.ParamType):
    """A date typed as YYYY-MM-DD."""

    name = "date"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime.date:
        if isinstance(value, datetime.date):
            return value
        try:
            return datetime.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date written YYYY-MM-DD, e.g. 2026-11-25.", param, ctx)


def client_option(text: str) -> Any:
    """--client ID (required), held to the rule for client IDs; TEXT says what it picks."""
    return click.option(
        "--client",
        "client_id",
        required=True,
        callback=text_option(MAX_CLIENT_ID),
        help=text,
    )


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


def check_client_ids(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A --client (or each) under the client ID rule every reader follows
    (forms.text.parse_client_id); invisible characters removed are said on stderr."""
    found: list[str | None] = []
    for each in value if isinstance(value, tuple) else (value,):
        try:
            client_id, note = parse_client_id(each) if each is not None else (None, "")
        except ValueProblem as problem:
            raise click.BadParameter(str(problem)) from None
        if note:
            click.echo(f"warning: --client: {note}", err=True)
        found.append(client_id)
    return tuple(found) if isinstance(value, tuple) else found[0]


def check_date_format(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    """A --date-format, as people write it (DD/MM/YYYY) or in strptime's terms (%d/%m/%Y), that
    reads back the dates it writes: day, month and year, no stray %."""
    if value is None:
        return None
    given, value = value, strptime_format(value)
    samples = (datetime.date(2026, 11, 25), datetime.date(1999, 2, 3))
    try:
        read_back = [datetime.datetime.strptime(d.strftime(value), value).date() for d in samples]
    except ValueError:
        read_back = []
    if read_back != list(samples):
        raise click.BadParameter(
            f"{given!r} is not a date format paperfit can read with: it needs "
            "the day, month and year, e.g. DD/MM/YYYY or MM/DD/YYYY."
        )
    return value


def check_date(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A --date within the window every reader accepts, so the printed form reads back."""
    if value is None:
        return None
    try:
        return plausible_date(value, datetime.date.today())
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


def unit_options(command: Any) -> Any:
    """--unit and --date-format: how the files' marks and dates were typed."""
    command = click.option(
        "--date-format",
        metavar="FORMAT",
        callback=check_date_format,
        help="How dates typed as text are written, e.g. DD/MM/YYYY or MM/DD/YYYY (default: "
        "Excel dates and YYYY-MM-DD).",
    )(command)
    command = click.option(
        "--unit",
        type=click.Choice(UNITS),
        default="cm",
        show_default=True,
        help="The unit the marks were measured in.",
    )(command)
    return command


def input_options(command: Any) -> Any:
    """[INPUT]... (files or folders; none: the practice's record), --db, --unit and
    --date-format, shared by every reading command."""
    command = db_option(command)
    command = unit_options(command)
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


def out_option(
    default: str | None, help: str = "Where to write the PDF.", folder: bool = False
) -> Any:
    """-o/--out: a file (or with FOLDER, a folder) under output/ unless given. DEFAULT None: the
    command chooses, and HELP says what it chooses."""
    kind = (
        click.Path(file_okay=False, path_type=Path)
        if folder
        else click.Path(dir_okay=False, path_type=Path)
    )
    return click.option(
        "-o",
        "--out",
        type=kind,
        metavar="FOLDER" if folder else "FILE",
        default=None if default is None else OUTPUT_DIR / default,
        show_default=default is not None,
        help=help,
    )


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise (logs, pipes, tests)."""
    if not sys.stderr.isatty():
        yield lambda done: None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update
