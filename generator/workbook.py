"""Write the data-entry workbook that admin staff type measured marks into.

Takes: the instruments to include, the practice's Thresholds and, optionally, clients and forms to
pre-fill (the demo's filled sample). Returns: the path of one .xlsx file, written atomically, with a
"Read me" sheet, a "Clients" sheet, one sheet per instrument named by its id and a hidden "Lists"
sheet that every drop-down list points at. The human words (the Read me text, the messages Excel
shows) are the [workbook] table of templates/text/<language>.toml; sheet names, column headers
and the values of the drop-down lists are read back by paperfit and stay in English.
Totals are live formulas that stay empty until all four items are typed (never prorated), and
totals in the clinical range or below the alliance alert turn light orange, so what the workbook
shows matches what `paperfit` scores. No instrument wording is written here beyond item labels.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from paperfit.forms.errors import UsageProblem
from paperfit.forms.instrument import AGE_GROUPS, Instrument
from paperfit.forms.outputs import ENTRY, mark
from paperfit.forms.records import Client, Form
from paperfit.forms.scoring import Thresholds
from paperfit.forms.sheet import (
    AFTER_ITEMS,
    BEFORE_ITEMS,
    CLIENT_COLUMNS,
    CLIENT_STATUSES,
    CLIENTS_SHEET,
    LISTS_SHEET,
    README_SHEET,
    WORKBOOK_KEYWORDS,
)
from paperfit.generator.output import write_atomic
from paperfit.generator.texts import fill, texts

# Rows 2..MAX_ROWS carry the total formula and the validations: room for 1999 forms per sheet.
# Pre-filled data longer than that extends the range instead of being cut off.
MAX_ROWS = 2000
TITLE = "paperfit entry workbook"

RESERVED = (README_SHEET, CLIENTS_SHEET, LISTS_SHEET)
EXCEL_SHEET_NAME_LIMIT = 31

DEFAULT_FILLED_BY = ("self", "other")

DATE_FORMAT = "yyyy-mm-dd"
MEASURE_FORMAT = "0.0"
TEXT_FORMAT = "@"  # keeps IDs such as 007 as typed
ALERT_FILL = "FFE0B2"  # light orange; bold too, so it survives a black-and-white printout

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
EARLIEST_DATE = "DATE(1900,1,1)"


@dataclass(frozen=True)
class EntryRow:
    """One pre-filled row of an instrument's sheet. Unlike a Form it may lack its client ID or
    session (a scanned blank form, for staff to complete), and it may carry the values of the
    sheet's EXTRA columns (see write_workbook)."""

    instrument: str
    client_id: str
    session: int | None
    date: datetime.date | None
    items: tuple[float | None, ...]
    source: object
    filled_by: str = ""
    notes: str = ""
    extra: tuple[object, ...] = ()

    @classmethod
    def of(cls, form: Form) -> EntryRow:
        return cls(
            form.instrument,
            form.client_id,
            form.session,
            form.date,
            form.items,
            form.source,
            form.filled_by,
            form.notes,
        )


@dataclass(frozen=True)
class Listing:
    """A plain sheet of rows added after the instrument sheets (readers skip it by name)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]


@dataclass(frozen=True)
class Column:
    """One column of an entry sheet: its header, width in characters and number format."""

    header: str
    width: float
    number_format: str = "General"


# Every fixed column, on whichever sheet it appears; item columns are built from the instrument.
NAMED = {
    column.header: column
    for column in (
        Column("client_id", 14, TEXT_FORMAT),
        Column("age_group", 12),
        Column("clinician", 22),
        Column("start_date", 12, DATE_FORMAT),
        Column("status", 9),
        Column("name", 28),
        Column("session", 9),
        Column("date", 12, DATE_FORMAT),
        Column("total", 8, MEASURE_FORMAT),
        Column("filled_by", 11),
        Column("notes", 45),
    )
}


def write_workbook(
    out: Path,
    instruments: Sequence[Instrument],
    thresholds: Thresholds,
    clients: Sequence[Client] = (),
    forms: Sequence[Form | EntryRow] = (),
    extra_columns: Sequence[str] = (),
    listing: Listing | None = None,
    readme_intro: Sequence[str] = (),
    kind: str = ENTRY,
    language: str = "en",
) -> Path:
    """Write the entry workbook to OUT and return OUT.

    FORMS pre-fill the instrument sheets; EXTRA_COLUMNS are added to each instrument sheet
    after its own columns, filled from each EntryRow's extra values; LISTING is an extra sheet;
    README_INTRO (a heading, then paragraphs) opens the Read me sheet; LANGUAGE is the language
    of the Read me sheet and of the messages Excel shows. KIND marks the file as paperfit's
    (forms.outputs), in its keywords.
    Raises UsageProblem when an instrument id cannot be a sheet name, or a pre-filled form names
    an instrument that is not in INSTRUMENTS or has the wrong number of items.
    """
    _check_sheet_names([*instruments, *([listing.title] if listing else [])])
    rows = [form if isinstance(form, EntryRow) else EntryRow.of(form) for form in forms]
    rows_by_sheet = _forms_by_instrument(instruments, rows)
    workbook = Workbook()
    words = texts(language)["workbook"]
    _fill_readme(workbook.active, instruments, thresholds, words, readme_intro)
    lists = _ListRefs.build(instruments)
    client_last = max(MAX_ROWS, len(clients) + 1)
    _add_clients_sheet(workbook, clients, lists, client_last, words)
    for instrument in instruments:
        _add_instrument_sheet(
            workbook,
            instrument,
            thresholds,
            rows_by_sheet[instrument.id],
            lists,
            client_last,
            extra_columns,
            words,
        )
    if listing is not None:
        columns = [Column(header, max(10, len(header) + 2)) for header in listing.columns]
        sheet = _add_table_sheet(workbook, listing.title, columns, len(listing.rows) + 1)
        for row, values in enumerate(listing.rows, start=2):
            _put_row(sheet, row, columns, values)
    _add_lists_sheet(workbook, lists)
    workbook.properties.title = TITLE
    workbook.properties.creator = "paperfit"
    workbook.properties.keywords = f"{WORKBOOK_KEYWORDS} {mark(kind)}"
    # Saved in memory first: a full disk then fails one plain write, not openpyxl's zip file
    # half-way (which would complain again when it is collected).
    data = io.BytesIO()
    workbook.save(data)
    return write_atomic(Path(out), lambda stream: stream.write(data.getbuffer()))


# Checks


def _check_sheet_names(sheets: Sequence[Instrument | str]) -> None:
    """Excel compares sheet names ignoring case and allows 31 characters: refuse clashes early."""
    seen = {name.casefold() for name in RESERVED}
    for sheet in sheets:
        name = sheet if isinstance(sheet, str) else sheet.id
        if len(name) > EXCEL_SHEET_NAME_LIMIT:
            raise UsageProblem(
                f"Instrument id {name!r} is longer than {EXCEL_SHEET_NAME_LIMIT} characters, "
                "too long for an Excel sheet name. Use a shorter id in its file."
            )
        if name.casefold() in seen:
            raise UsageProblem(
                f"Instrument id {name!r} is given twice or clashes with a sheet the workbook "
                f"needs ({', '.join(RESERVED)}). Use another id in its file."
            )
        seen.add(name.casefold())


def _forms_by_instrument(
    instruments: Sequence[Instrument], forms: Sequence[EntryRow]
) -> dict[str, list[EntryRow]]:
    """Sort pre-filled forms onto their instrument's sheet, refusing ones that fit no sheet."""
    by_id: dict[str, list[EntryRow]] = {instrument.id: [] for instrument in instruments}
    counts = {instrument.id: len(instrument.items) for instrument in instruments}
    for form in forms:
        key = form.instrument.strip().upper()
        if key not in by_id:
            raise UsageProblem(
                f"{form.source}: form {form.instrument!r} has no sheet in the workbook; "
                f"the sheets are {', '.join(by_id) or 'none'}."
            )
        if len(form.items) != counts[key]:
            raise UsageProblem(
                f"{form.source}: {key} has {counts[key]} items, the form gives {len(form.items)}."
            )
        by_id[key].append(form)
    return by_id


# Read me


def _fill_readme(
    sheet: Worksheet,
    instruments: Sequence[Instrument],
    t: Thresholds,
    words: dict[str, Any],
    intro: Sequence[str] = (),
) -> None:
    """Plain instructions for the person measuring; the numbers come from THRESHOLDS. INTRO
    (a heading, then paragraphs) comes first: what else made or fills this workbook."""
    sheet.title = README_SHEET
    sheet.column_dimensions["A"].width = 100
    sheet.cell(1, 1, words["title"]).font = Font(bold=True, size=14)
    headings = (*(words[f"{key}_title"] for key in HEADINGS), *intro[:1])
    for row, text in enumerate([*intro, *_readme_lines(instruments, t, words)], start=3):
        cell = sheet.cell(row, 1)
        _put_text(cell, text)
        cell.alignment = WRAP
        if text in headings:
            cell.font = BOLD


HEADINGS = ("before", "measuring", "typing", "orange")  # the Read me's sections, in order


def _readme_lines(
    instruments: Sequence[Instrument], t: Thresholds, words: dict[str, Any]
) -> list[str]:
    """The Read me text, one paragraph a row; each section starts with its heading."""
    outcome = [i for i in instruments if i.kind == "outcome"]
    alliance = [i for i in instruments if i.kind == "alliance"]
    names = "; ".join(f"{i.id} ({i.name})" for i in instruments)
    cutoffs = ", ".join(f"{group} {value:g}" for group, value in t.cutoffs.items())
    defaults = ", ".join(
        fill(words["default_for"], group=_default_group(i), instrument=i.id) for i in outcome
    )
    values = {"names": names, "forms": MAX_ROWS - 1}
    lines: list[str] = []
    for key in HEADINGS[:3]:
        lines += [words[f"{key}_title"], *(fill(line, **values) for line in words[key]), ""]
    lines.append(words["orange_title"])
    if outcome:
        ids = ", ".join(i.id for i in outcome)
        lines += [
            fill(words["orange_outcome"], instruments=ids, cutoffs=cutoffs),
            fill(words["orange_default"], defaults=defaults),
        ]
    if alliance:
        ids = ", ".join(i.id for i in alliance)
        lines.append(fill(words["orange_alliance"], instruments=ids, alert=f"{t.alert_total:g}"))
    lines.append(words["orange_note"])
    return lines


# Lists, shared by every drop-down


@dataclass(frozen=True)
class _ListRefs:
    """Where each drop-down list lives on the hidden Lists sheet, so there is one place to look."""

    age_groups: str
    instruments: str
    statuses: str
    filled_by: dict[str, str]
    columns: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def build(cls, instruments: Sequence[Instrument]) -> _ListRefs:
        columns: list[tuple[str, tuple[str, ...]]] = [
            ("age_group", AGE_GROUPS),
            ("instrument", tuple(i.id for i in instruments)),
            ("status", CLIENT_STATUSES),
        ]
        columns += [(f"filled_by {i.id}", _filled_by_choices(i)) for i in instruments]
        refs = [
            _range_ref(LISTS_SHEET, index, len(values)) for index, (_, values) in enumerate(columns)
        ]
        return cls(
            age_groups=refs[0],
            instruments=refs[1],
            statuses=refs[2],
            filled_by={i.id: refs[3 + n] for n, i in enumerate(instruments)},
            columns=tuple(columns),
        )


def _filled_by_choices(instrument: Instrument) -> tuple[str, ...]:
    """The form's own answers to "who filled this in", lower-cased; self/other when it has none."""
    if instrument.filled_by is None:
        return DEFAULT_FILLED_BY
    return tuple(choice.lower() for choice in instrument.filled_by.choices)


def _range_ref(sheet: str, index: int, count: int) -> str:
    """An absolute reference to COUNT cells below the header in column INDEX (0-based)."""
    letter = get_column_letter(index + 1)
    return f"{sheet}!${letter}$2:${letter}${max(count, 1) + 1}"


def _add_lists_sheet(workbook: Workbook, refs: _ListRefs) -> None:
    """The hidden sheet the drop-downs read; last, so the entry sheets come first."""
    columns = [Column(header, max(12, len(header) + 2)) for header, _ in refs.columns]
    sheet = _add_table_sheet(workbook, LISTS_SHEET, columns, 1)
    sheet.auto_filter.ref = None
    for index, (_, values) in enumerate(refs.columns, start=1):
        for row, value in enumerate(values, start=2):
            sheet.cell(row, index, value)
    sheet.sheet_state = "hidden"


# Clients


def _add_clients_sheet(
    workbook: Workbook,
    clients: Sequence[Client],
    refs: _ListRefs,
    last: int,
    words: dict[str, Any],
) -> None:
    """The client list: the age group here picks the cutoff on the outcome sheets."""
    columns = [NAMED[name] for name in CLIENT_COLUMNS]
    sheet = _add_table_sheet(workbook, CLIENTS_SHEET, columns, last)
    for row, client in enumerate(clients, start=2):
        values = (
            client.client_id,
            client.age_group,
            client.clinician,
            client.start_date,
            client.status,
            client.name,
        )
        _put_row(sheet, row, columns, values)
    area = _area(columns, last)
    title = words["check_title"]
    _validate(
        sheet, area["client_id"], "textLength", words["client_id_length"], "1", "64", title=title
    )
    _validate(
        sheet, area["age_group"], "list", words["choose_age_group"], refs.age_groups, title=title
    )
    _validate(sheet, area["start_date"], "date", words["date_error"], EARLIEST_DATE, title=title)
    _validate(sheet, area["status"], "list", words["choose_status"], refs.statuses, title=title)


# Instrument sheets


def _add_instrument_sheet(
    workbook: Workbook,
    instrument: Instrument,
    t: Thresholds,
    forms: Sequence[EntryRow],
    refs: _ListRefs,
    client_last: int,
    extra_columns: Sequence[str],
    words: dict[str, Any],
) -> None:
    """One form's entry sheet: a row per form, a live total and validations on every column;
    the validations' messages in WORDS."""
    own = _instrument_columns(instrument)
    columns = [*own, *(Column(header, max(10, len(header) + 2)) for header in extra_columns)]
    last = max(MAX_ROWS, len(forms) + 1)
    sheet = _add_table_sheet(workbook, instrument.id, columns, last)
    for row, form in enumerate(forms, start=2):
        no_total = None  # the formula below fills the total in
        values = (form.client_id, form.session, form.date, *form.items, no_total, form.filled_by)
        _put_row(sheet, row, columns, (*values, form.notes, *form.extra))
    count = len(instrument.items)
    first_item = get_column_letter(len(BEFORE_ITEMS) + 1)
    last_item = get_column_letter(len(BEFORE_ITEMS) + count)
    total = get_column_letter(len(own) - len(AFTER_ITEMS) + 1)
    for row in range(2, last + 1):
        cell = sheet[f"{total}{row}"]
        cell.value = total_formula(f"{first_item}{row}:{last_item}{row}", count)
        cell.number_format = MEASURE_FORMAT
    area = _area(columns, last)
    title = words["check_title"]
    _validate(
        sheet,
        area["client_id"],
        "list",
        words["unknown_client"],
        f"{CLIENTS_SHEET}!$A$2:$A${client_last}",
        style="warning",  # an unknown client can still be typed after the warning
        title=title,
    )
    _validate(sheet, area["session"], "whole", words["session_error"], "1", title=title)
    _validate(sheet, area["date"], "date", words["date_error"], EARLIEST_DATE, title=title)
    items = f"{first_item}2:{last_item}{last}"
    _validate(sheet, items, "decimal", words["item_error"], "0", "10", title=title)
    choices = words["or"].join(_filled_by_choices(instrument))
    _validate(
        sheet,
        area["filled_by"],
        "list",
        fill(words["choose"], choices=choices),
        refs.filled_by[instrument.id],
        title=title,
    )
    rule = alert_formula(instrument, t, total)
    sheet.conditional_formatting.add(
        f"{total}2:{total}{last}",
        FormulaRule(
            formula=[rule],
            fill=PatternFill(fill_type="solid", start_color=ALERT_FILL, end_color=ALERT_FILL),
            font=BOLD,
        ),
    )


def form_headers(instrument: Instrument) -> tuple[str, ...]:
    """The column headers of INSTRUMENT's entry sheet, as readers and test files expect them."""
    return tuple(column.header for column in _instrument_columns(instrument))


def _instrument_columns(instrument: Instrument) -> list[Column]:
    """client_id, session, date, the item labels exactly as in the file, total, filled_by, notes."""
    items = [
        Column(item.label, max(10, len(item.label) + 2), MEASURE_FORMAT)
        for item in instrument.items
    ]
    return [*(NAMED[n] for n in BEFORE_ITEMS), *items, *(NAMED[n] for n in AFTER_ITEMS)]


def total_formula(items: str, count: int) -> str:
    """The live total: the rounded sum only when every item is a number, else empty."""
    return f'=IF(COUNT({items})={count},ROUND(SUM({items}),1),"")'


def alert_formula(instrument: Instrument, t: Thresholds, total: str) -> str:
    """The conditional-format test on the total in row 2 (Excel shifts it down the column).

    Outcome: at or below the cutoff of the client's age group, looked up on the Clients sheet; a
    client not listed there gets the cutoff of the form's own age group. Alliance: below the
    alert total.
    """
    cell = f"${total}2"
    if instrument.kind != "outcome":
        return f"AND(ISNUMBER({cell}),{cell}<{t.alert_total:g})"
    default = _default_group(instrument)
    group = f'IFERROR(VLOOKUP($A2,{CLIENTS_SHEET}!$A:$B,2,FALSE),"")'
    cutoff = f"{t.cutoffs[default]:g}"
    for name, value in reversed(list(t.cutoffs.items())):
        if name != default:
            cutoff = f'IF({group}="{name}",{value:g},{cutoff})'
    return f"AND(ISNUMBER({cell}),{cell}<={cutoff})"


def _default_group(instrument: Instrument) -> str:
    """The age group assumed when the client is not listed: the form's own first age group."""
    return instrument.age_groups[0] if instrument.age_groups else "adult"


# Shared helpers


def _add_table_sheet(
    workbook: Workbook, title: str, columns: Sequence[Column], last: int
) -> Worksheet:
    """A sheet with a bold frozen header, widths and number formats per column and a filter."""
    sheet = workbook.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        sheet.cell(1, index, column.header).font = BOLD
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = column.width
        if column.number_format != "General":
            # New cells typed into the column take this format; written cells get it in _put_row.
            dimension.number_format = column.number_format
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    return sheet


def _put_row(
    sheet: Worksheet, row: int, columns: Sequence[Column], values: Sequence[object]
) -> None:
    """Write VALUES in column order with each column's format; None leaves the cell empty."""
    for index, value in enumerate(values, start=1):
        if value is None or value == "":
            continue
        cell = sheet.cell(row, index)
        if isinstance(value, str):
            _put_text(cell, value)
        else:
            cell.value = value
        cell.number_format = columns[index - 1].number_format


def _put_text(cell: Cell, text: str) -> None:
    """Store TEXT as text, never as a formula (a name like '=...'); drop bytes Excel refuses."""
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", text)
    cell.data_type = "s"


def _area(columns: Sequence[Column], last: int) -> dict[str, str]:
    """The data cells (row 2 to LAST) of each column, by header."""
    return {
        column.header: f"{get_column_letter(n)}2:{get_column_letter(n)}{last}"
        for n, column in enumerate(columns, start=1)
    }


def _validate(
    sheet: Worksheet,
    cells: str,
    kind: str,
    message: str,
    formula1: str,
    formula2: str | None = None,
    style: str = "stop",
    *,
    title: str,
) -> None:
    """Add one validation with a plain-words error under TITLE; empty cells are always allowed.

    With FORMULA2 the value must lie between the two; with only FORMULA1 a number, date or whole
    number must be at least FORMULA1 and a list offers the cells FORMULA1 points at.
    """
    operator = None if kind == "list" else "greaterThanOrEqual" if formula2 is None else "between"
    validation = DataValidation(
        type=kind,
        operator=operator,
        formula1=formula1,
        formula2=formula2,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle=style,
        errorTitle=title,
        error=message,
    )
    validation.add(cells)
    sheet.add_data_validation(validation)
