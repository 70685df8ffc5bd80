"""Read completed forms from spreadsheets, CSV files, filled PDFs and folders, and check them.

Takes: paths (files or folders), the instrument catalog, the unit and date format to read with.
Returns: a Reading: the valid forms (identical copies merged), the client list, and every problem
found, each at its file › sheet › row › column. Inputs are only ever opened for reading; nothing
is dropped without a problem that says so. A table not named for what it holds is told by its
columns: client_id and age_group make a client list, item headers of one instrument name it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import pairwise
from pathlib import Path

from paperfit.forms.errors import InputProblem, Location
from paperfit.forms.instrument import AGE_GROUPS, Catalog
from paperfit.forms.precedence import SCAN_OK, Copy, merge, rank_of
from paperfit.forms.records import (
    ITEM_COUNT,
    MAX_TEXT,
    Client,
    Form,
    Problem,
    Reading,
)
from paperfit.forms.sheet import CLIENT_SHEETS, CLIENT_STATUSES, IGNORED_SHEETS
from paperfit.forms.text import ValueProblem, parse_client_id, parse_text, show, value_problem
from paperfit.scanner.own_outputs import is_derived
from paperfit.scanner.pdf_fields import read_pdf
from paperfit.scanner.tables import Columns, Row, normalise_header, read_sheets
from paperfit.scanner.values import (
    DOUBTFUL_BEFORE,
    parse_date,
    parse_measured,
    parse_number,
    parse_session,
    parse_total,
    split_measures,
)

SPREADSHEETS = (".xlsx", ".xlsm", ".csv")
TOTAL_SLACK = 0.05
SKIP = "skip"  # an item column set aside (it looked like millimetres)
LEFT_OUT = " This row was left out."

FORM_ALIASES = {
    "client": "client_id",
    "client_id": "client_id",
    "clientid": "client_id",
    "id": "client_id",
    "client_number": "client_id",
    "client_no": "client_id",
    "session": "session",
    "sess": "session",
    "session_number": "session",
    "session_no": "session",
    "visit": "session",
    "date": "date",
    "session_date": "date",
    "date_of_session": "date",
    "total": "total",
    "score": "total",
    "total_score": "total",
    "filled_by": "filled_by",
    "filled_in_by": "filled_by",
    "completed_by": "filled_by",
    "who": "filled_by",
    "respondent": "filled_by",
    "notes": "notes",
    "note": "notes",
    "comment": "notes",
    "comments": "notes",
    "instrument": "instrument",
    "form": "instrument",
    "measure": "instrument",
    "scale": "instrument",
}
CLIENT_COLUMNS = ("client_id", "age_group")
CLIENT_ALIASES = {
    "client": "client_id",
    "client_id": "client_id",
    "clientid": "client_id",
    "id": "client_id",
    "age_group": "age_group",
    "agegroup": "age_group",
    "age": "age_group",
    "group": "age_group",
    "clinician": "clinician",
    "therapist": "clinician",
    "counselor": "clinician",
    "counsellor": "clinician",
    "start_date": "start_date",
    "start": "start_date",
    "intake_date": "start_date",
    "status": "status",
    "name": "name",
    "client_name": "name",
}
CLIENTS: Columns = (CLIENT_ALIASES, CLIENT_COLUMNS)


@dataclass(frozen=True)
class ReadOptions:
    unit: str = "cm"
    date_format: str | None = None
    today: datetime.date = field(default_factory=datetime.date.today)
    # Every copy of a form kept as read (for the practice's record, which keeps them all and
    # applies the precedence rule itself), instead of merged into one.
    copies: bool = False


def read_inputs(
    paths: Sequence[Path], catalog: Catalog, options: ReadOptions | None = None
) -> Reading:
    """Read every form and client in PATHS (files, or folders read recursively) and check them."""
    options = options or ReadOptions()
    reading = Reading()
    raw_forms: list[Form] = []
    for path in expand(paths, reading):
        reading.files.append(str(path))
        if path.suffix.lower() == ".pdf":
            forms, problems = read_pdf(
                path, options.unit, options.date_format, catalog, options.today
            )
            raw_forms.extend(forms)
            reading.problems.extend(problems)
        else:
            raw_forms.extend(_read_spreadsheet(path, catalog, options, reading))
    _check_clients(raw_forms, reading, options)
    if options.copies:
        reading.forms = raw_forms
    else:
        _merge_and_check(raw_forms, reading, options)
    _check_case(reading)
    return reading


def expand(paths: Sequence[Path], reading: Reading) -> list[Path]:
    """The files to read: PATHS themselves, and what folders hold (sorted, recursively), with
    paperfit's own outputs in folders set aside in READING and what cannot be read named."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(("~$", ".")) for part in found.relative_to(path).parts):
                    continue  # Excel's lock files, hidden files and folders are not data
                if is_derived(found):  # an export or report would be read back as data
                    reading.skipped_outputs.append(found)
                    continue
                if found.suffix.lower() in (*SPREADSHEETS, ".pdf"):
                    files.append(found)
                else:
                    reading.problems.append(
                        Problem(
                            Location(str(found)),
                            "is not a spreadsheet, CSV or PDF: skipped.",
                            "warning",
                        )
                    )
        elif not path.exists():
            reading.problems.append(Problem(Location(str(path)), "does not exist."))
        elif path.suffix.lower() in (*SPREADSHEETS, ".pdf"):
            files.append(path)
        else:
            reading.problems.append(
                Problem(
                    Location(str(path)),
                    "is not a .xlsx, .csv or .pdf file. "
                    "Save it from Excel as Excel Workbook (.xlsx).",
                )
            )
    return files


def _read_spreadsheet(
    path: Path, catalog: Catalog, options: ReadOptions, reading: Reading
) -> list[Form]:
    """Every form and client in one file, opening it once."""
    aliases = _form_aliases(catalog)

    def columns_for(name: str, hidden: bool) -> list[Columns] | None:
        key = normalise_header(name)
        if key in IGNORED_SHEETS or hidden:
            return None
        if _is_client_list(path, name):
            return [CLIENTS]
        # a table that is not named for what it holds says it with its columns
        return [(aliases, ("client_id", "session")), CLIENTS]

    try:
        sheets = read_sheets(path, columns_for)
    except InputProblem as problem:
        reading.problems.append(Problem(problem.location, problem.reason))
        return []
    forms: list[Form] = []
    clients_here = False
    for sheet in sheets:
        if sheet.hidden and normalise_header(sheet.name) not in IGNORED_SHEETS:
            reading.problems.append(
                Problem(
                    Location(str(path), sheet.name),
                    "is a hidden sheet: it was not read. Unhide "
                    "it (right-click a sheet tab › Unhide) if it holds forms.",
                    "warning",
                )
            )
        if sheet.problem is not None:
            reading.problems.append(Problem(sheet.problem.location, sheet.problem.reason))
        if sheet.rows is None:
            continue
        if _is_client_list(path, sheet.name) or sheet.kind == 1:
            clients_here = True
            # an empty Clients sheet (a new entry workbook, a scan's workbook) lists no one
            reading.client_list_given = reading.client_list_given or bool(sheet.rows)
            _read_clients(sheet.rows, options, reading)
            continue
        instrument = _instrument_of(path, sheet.name, catalog) or _instrument_by_items(
            sheet.rows, catalog
        )
        forms.extend(_read_forms(sheet.rows, instrument, catalog, options, reading))
    refused = any(p.location.file == str(path) and p.severity == "error" for p in reading.problems)
    if not forms and not clients_here and not refused:
        reading.problems.append(Problem(Location(str(path)), "holds no forms.", "warning"))
    return forms


def _is_client_list(path: Path, sheet: str) -> bool:
    """A sheet named Clients, or a CSV file named so (clients.csv, client-list.csv)."""
    return normalise_header(sheet or path.stem) in CLIENT_SHEETS


def _instrument_of(path: Path, sheet: str, catalog: Catalog) -> str | None:
    """The instrument a sheet holds, from the sheet's name or the file's name; None means the
    rows must say it in an instrument column."""
    for name in (sheet, path.stem):
        words = set(normalise_header(name).upper().split("_"))
        found = [ident for ident in catalog.ids if ident in words]
        if len(found) == 1:
            return found[0]
    return None


def _instrument_by_items(rows: list[Row], catalog: Catalog) -> str | None:
    """The one instrument whose item labels the item columns' headers are (Individually,
    Interpersonally, Socially, Overall: ORS), or None when no instrument or several fit, or an
    instrument column says it row by row."""
    if not rows or "instrument" in rows[0].columns:
        return None
    headers = rows[0].headers
    typed = {key: headers[key] for key in headers if key.startswith("item")}
    fitting = [
        ident
        for ident in catalog.ids
        if typed
        and all(
            normalise_header(catalog.get(ident).items[int(key[4:]) - 1].label) == name
            for key, name in typed.items()
        )
    ]
    return fitting[0] if len(fitting) == 1 else None


def _form_aliases(catalog: Catalog) -> dict[str, str]:
    """Column names practices use, including each instrument's item labels and "ORS Total"."""
    aliases = dict(FORM_ALIASES)
    labels: dict[str, set[str]] = defaultdict(set)
    for ident in catalog.ids:
        instrument = catalog.get(ident)
        for number, item in enumerate(instrument.items, start=1):
            labels[normalise_header(item.label)].add(f"item{number}")
        for total in ("total", "score", "total_score"):
            aliases[f"{ident.lower()}_{total}"] = "total"
    for number in range(1, ITEM_COUNT + 1):
        for spelling in (f"item{number}", f"item_{number}", f"i{number}", f"q{number}"):
            aliases[spelling] = f"item{number}"
    aliases.update({label: keys.pop() for label, keys in labels.items() if len(keys) == 1})
    return aliases


def _read_forms(
    rows: list[Row],
    instrument: str | None,
    catalog: Catalog,
    options: ReadOptions,
    reading: Reading,
) -> list[Form]:
    if not rows:
        return []
    first = rows[0]
    if instrument is None and "instrument" not in first.columns:
        reading.problems.append(
            Problem(
                Location(first.file, first.sheet),
                "does not say which form it holds: name the sheet (or the file) after the form, "
                f"e.g. ORS, or add an instrument column. Its {len(rows)} rows were left out.",
            )
        )
        return []
    unit_of = _unit_per_column(rows, options.unit, reading.problems)
    forms = []
    for row in _whole_rows(rows, reading.problems):
        ident = instrument or _row_instrument(row, catalog, reading.problems)
        form = ident and _row_form(row, ident, unit_of, options, reading.problems)
        if form:
            forms.append(form)
    return forms


def _row_instrument(row: Row, catalog: Catalog, problems: list[Problem]) -> str | None:
    try:
        ident = parse_text(row.get("instrument")).upper()
    except ValueProblem as problem:
        problems.append(value_problem(row.where("instrument"), problem, LEFT_OUT))
        return None
    if ident not in catalog.ids:
        problems.append(
            Problem(
                row.where("instrument"),
                f"{show(row.get('instrument'))} is not a known form ({', '.join(catalog.ids)}). "
                "This row was left out.",
            )
        )
        return None
    return ident


def _unit_per_column(rows: list[Row], unit: str, problems: list[Problem]) -> dict[str, str]:
    """Check that each item column is in the unit it is read in; set aside one that is not.

    Read in cm, a column whose numbers are all above 10 (at most 100) looks like millimetres;
    read in mm (--unit mm), a column whose numbers all fit 0-10 looks like centimetres. Either
    is reported once and left out, never rescaled behind the user's back.
    """
    units = {}
    for number in range(1, ITEM_COUNT + 1):
        key = f"item{number}"
        numbers = [n for n in (_loose_number(row.get(key)) for row in rows) if n is not None]
        units[key] = unit
        if not numbers:
            continue
        if unit == "cm" and all(10 < n <= 100 for n in numbers):
            reason = (
                f"every value in this column is above 10 (for example {numbers[0]:g}): "
                "these look like millimetres. Type centimetres."
            )
            hint = "Or read the file with --unit mm."
        elif (
            unit == "mm" and all(n <= 10 for n in numbers) and (len(numbers) > 1 or numbers[0] % 1)
        ):
            reason = (
                "the file is read in millimetres, but every value in this column is 10 or less "
                f"(for example {numbers[0]:g}): these look like centimetres. Type this column "
                "in millimetres too."
            )
            hint = "Or read the file without --unit mm."
        else:
            continue
        first = rows[0]
        where = Location(first.file, first.sheet, column=first.columns.get(key, key))
        problems.append(Problem(where, f"{reason} The column was left out.", hint=hint))
        units[key] = SKIP
    return units


def _loose_number(value: object) -> float | None:
    try:
        return parse_number(value)[0] if value is not None else None
    except ValueProblem:
        return None


def _row_form(
    row: Row,
    instrument: str,
    unit_of: dict[str, str],
    options: ReadOptions,
    problems: list[Problem],
) -> Form | None:
    def read(key: str, parse: Callable[[object], object], left_out: str = "") -> object:
        value = row.get(key)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueProblem as problem:
            problems.append(value_problem(row.where(key), problem, left_out))
            return None

    client_id = read("client_id", partial(_client_id, row=row, problems=problems), LEFT_OUT)
    if not client_id:
        if row.get("client_id") is None:
            problems.append(
                Problem(
                    row.where("client_id"),
                    "this row has no client ID, so it was left out. Fill it in.",
                )
            )
        return None
    session = read("session", parse_session, LEFT_OUT)
    if session is None:
        if row.get("session") is None:
            problems.append(
                Problem(
                    row.where("session"),
                    "this row has no session number, so it was left out. Fill it in.",
                )
            )
        return None
    items, mm = split_measures(
        None
        if unit_of[f"item{n}"] == SKIP
        else read(f"item{n}", partial(parse_measured, unit=unit_of[f"item{n}"]))
        for n in range(1, ITEM_COUNT + 1)
    )
    form = Form(
        client_id=client_id,
        instrument=instrument,
        session=session,
        date=read(
            "date", partial(parse_date, date_format=options.date_format, today=options.today)
        ),
        items=items,
        source=Location(row.file, row.sheet, row.number),
        filled_by=read("filled_by", parse_text) or "",
        notes=read("notes", partial(parse_text, limit=None, lines=True)) or "",
        entered_total=read("total", parse_total),
        scan_statuses=_scan_statuses(row),
        mm=mm,
    )
    _check_form(form, row, problems)
    return form


def _client_id(value: object, row: Row, problems: list[Problem]) -> str:
    """The client ID in ROW's cell VALUE (forms.text.parse_client_id), with a warning at the
    cell when invisible characters were removed from it."""
    client_id, note = parse_client_id(value)
    if note:
        problems.append(Problem(row.where("client_id"), note, "warning"))
    return client_id


def _scan_statuses(row: Row) -> tuple[str, ...]:
    """Each item's status on a row of a scan's workbook or CSV ("ok" when measured; every item
    to review when the page itself was not read ok); empty for a typed row."""
    if row.get("page_status") is None and row.get("item1_status") is None:
        return ()
    page = str(row.get("page_status") or SCAN_OK).strip().lower()
    return tuple(
        str(row.get(f"item{n}_status") or "").strip().lower() if page == SCAN_OK else page
        for n in range(1, ITEM_COUNT + 1)
    )


def _check_form(form: Form, row: Row, problems: list[Problem]) -> None:
    missing = [n for n, v in enumerate(form.items, start=1) if v is None]
    if missing and len(missing) < ITEM_COUNT:
        problems.append(
            Problem(
                form.source,
                f"item {', '.join(map(str, missing))} missing: the form is incomplete, "
                "so it has no total.",
                "warning",
            )
        )
    elif missing:
        problems.append(
            Problem(form.source, "no item has a value: the form has no total.", "warning")
        )
    if form.date is None and row.get("date") is None:
        problems.append(Problem(row.where("date"), "no date: type the session date.", "warning"))
    if (
        form.total is not None
        and form.entered_total is not None
        and abs(form.total - form.entered_total) > TOTAL_SLACK
    ):
        problems.append(
            Problem(
                row.where("total"),
                f"the total typed ({form.entered_total:g}) does not match the items, which add up "
                f"to {form.total:g}. paperfit uses the items; correct the total or the items.",
                "warning",
            )
        )


def _whole_rows(rows: list[Row], problems: list[Problem]) -> list[Row]:
    """ROWS without those that have values under no heading (each named in PROBLEMS)."""
    whole = []
    for row in rows:
        overflow = row.overflow()
        if overflow is None:
            whole.append(row)
        else:
            problems.append(Problem(overflow.location, overflow.reason))
    return whole


def _read_clients(rows: list[Row], options: ReadOptions, reading: Reading) -> None:
    for row in _whole_rows(rows, reading.problems):
        client = _client(row, options, reading.problems)
        if client is None:
            continue
        if client.client_id in reading.clients and reading.clients[client.client_id] != client:
            reading.problems.append(
                Problem(
                    row.where("client_id"),
                    f"client {client.client_id} is listed twice with different "
                    "details; the first listing is used.",
                )
            )
            continue
        reading.clients[client.client_id] = client


def _client(row: Row, options: ReadOptions, problems: list[Problem]) -> Client | None:
    """The client on ROW of a client list, or None (with a problem saying why)."""

    def text(key: str, limit: int = MAX_TEXT, severity: str = "warning") -> str | None:
        try:
            return parse_text(row.get(key), limit)
        except ValueProblem as problem:
            problems.append(value_problem(row.where(key), problem, severity=severity))
            return None

    try:
        client_id: str | None = _client_id(row.get("client_id"), row, problems)
    except ValueProblem as problem:
        problems.append(value_problem(row.where("client_id"), problem))
        client_id = None
    if client_id == "":
        problems.append(
            Problem(row.where("client_id"), "no client ID: this client row was left out.")
        )
    if not client_id:
        return None
    group = (text("age_group", severity="error") or "").lower()
    if group not in AGE_GROUPS:
        problems.append(
            Problem(
                row.where("age_group"),
                f"{show(row.get('age_group'))} is not an age group: "
                "use adult, adolescent or child. "
                f"Client {client_id} was left out until it is fixed.",
            )
        )
        return None
    start = None
    if row.get("start_date") is not None:
        try:
            start = parse_date(row.get("start_date"), options.date_format, options.today)
        except ValueProblem as problem:
            problems.append(value_problem(row.where("start_date"), problem, severity="warning"))
    status = (text("status") or "open").lower()
    if status not in CLIENT_STATUSES:
        problems.append(
            Problem(row.where("status"), f"{show(status)} is not open or closed.", "warning")
        )
    return Client(client_id, group, text("clinician") or "", start, status, text("name") or "")


def _check_clients(forms: list[Form], reading: Reading, options: ReadOptions) -> None:
    if not reading.client_list_given:
        if forms and not options.copies:  # the record knows its clients from earlier files
            reading.problems.append(
                Problem(
                    Location(forms[0].source.file),
                    "no client list was given (or it is empty), so every client is taken as an "
                    "adult (cutoff for adults). List the clients (client_id, age_group) on a "
                    "Clients sheet to use the adolescent and child cutoffs.",
                    "warning",
                )
            )
        return
    kept = []
    for form in forms:
        if form.client_id in reading.clients:
            kept.append(form)
        else:
            reading.problems.append(
                Problem(
                    form.source,
                    f"client {form.client_id} is not in the client list: this form was "
                    "left out. Correct the ID, or add the client to the Clients sheet.",
                )
            )
    forms[:] = kept


def _merge_and_check(forms: Iterable[Form], reading: Reading, options: ReadOptions) -> None:
    """Merge identical copies, keep one of differing copies by the precedence rule (each
    named), and check dates and order."""
    by_key: dict[tuple[str, str, int], list[Form]] = defaultdict(list)
    for form in forms:
        by_key[(form.client_id, form.instrument, form.session)].append(form)
    modified: dict[str, float] = {}
    for copies in by_key.values():
        first = copies[0]
        if all(copy.same_values(first) for copy in copies[1:]):
            for copy in copies[1:]:
                reading.merged_duplicates += 1
                reading.problems.append(
                    Problem(copy.source, f"the same form as {first.source}: merged.", "warning")
                )
        else:
            first = _by_precedence(copies, modified, reading)
        if first.date is not None and first.date > options.today:
            reading.problems.append(
                Problem(
                    first.source, f"the date {first.date.isoformat()} is in the future.", "warning"
                )
            )
        if first.date is not None and first.date < DOUBTFUL_BEFORE:
            reading.problems.append(
                Problem(
                    first.source,
                    f"the date {first.date.isoformat()} is before {DOUBTFUL_BEFORE.year}: check "
                    "the year.",
                    "warning",
                )
            )
        reading.forms.append(first)
    _check_order(reading)


def _check_case(reading: Reading) -> None:
    """A warning for client IDs of forms that differ only in case (S0000 and s0000): two
    clients to paperfit, most likely one typed two ways. Each spelling is named with where it
    is first found."""
    first: dict[str, Location] = {}
    for form in reading.forms:
        first.setdefault(form.client_id, form.source)
    spellings: dict[str, list[str]] = defaultdict(list)
    for client_id in sorted(first):
        spellings[client_id.casefold()].append(client_id)
    for same in spellings.values():
        if len(same) > 1:
            here = first[same[-1]]
            places = " and ".join(
                f"{client_id!r} ({_place_from(first[client_id], here)})" for client_id in same
            )
            reading.problems.append(
                Problem(
                    here,
                    f"client IDs that differ only in case are read as {len(same)} clients: "
                    f"{places}. If they are one client, type the ID one way everywhere.",
                    "warning",
                )
            )


def _place_from(place: Location, here: Location) -> str:
    """PLACE as said in a message about HERE: its row alone when in the same sheet."""
    if (place.file, place.sheet) == (here.file, here.sheet) and place.row is not None:
        return f"row {place.row}"
    return str(place)


def _by_precedence(copies: list[Form], modified: dict[str, float], reading: Reading) -> Form:
    """One form from COPIES that differ, by the precedence rule (forms.precedence: a typed
    value beats a scanned one, a scanned one read ok beats one to review), saying so; copies
    of equal rank that disagree are named, and the most recent (the file last changed) used."""
    for copy in copies:
        if copy.source.file not in modified:
            try:
                modified[copy.source.file] = Path(copy.source.file).stat().st_mtime
            except OSError:
                modified[copy.source.file] = 0.0
    form, disagreements = merge(
        [
            Copy(
                copy,
                tuple(rank_of(copy, n) for n in range(ITEM_COUNT)),
                str(copy.source),
                modified[copy.source.file],
            )
            for copy in copies
        ]
    )
    first = copies[0]
    places = " and ".join(str(c.source) for c in copies)
    what = f"{first.instrument} session {first.session} of client {first.client_id}"
    if not disagreements:
        reading.problems.append(
            Problem(
                form.source,
                f"{what} has {len(copies)} copies ({places}); kept once: a typed value is "
                "used before a scanned one, a scanned one read ok before one to review.",
                "warning",
            )
        )
    for disagreement in disagreements:
        reading.disagreements.setdefault(first.client_id, []).append(
            f"{first.instrument} session {first.session}, {disagreement.brief()}"
        )
        reading.problems.append(
            Problem(
                form.source,
                f"{what} is entered more than once with different values ({places}): "
                f"{disagreement}. Correct the wrong value (or, if a file is an older copy or "
                "an earlier export, move it out of the folder that is read).",
                "warning",
            )
        )
    return form


def _check_order(reading: Reading) -> None:
    """Session numbers must not go backwards in time for a client's form."""
    series: dict[tuple[str, str], list[Form]] = defaultdict(list)
    for form in reading.forms:
        if form.date is not None:
            series[(form.client_id, form.instrument)].append(form)
    for forms in series.values():
        forms.sort(key=lambda f: f.session)
        for earlier, later in pairwise(forms):
            if later.date < earlier.date:
                reading.problems.append(
                    Problem(
                        later.source,
                        f"session {later.session} is dated {later.date.isoformat()}, "
                        f"before session {earlier.session} ({earlier.date.isoformat()}, "
                        f"{earlier.source}): check the session numbers and dates.",
                        "warning",
                    )
                )
    reading.forms.sort(key=lambda f: (f.client_id, f.session, f.instrument))
