"""Write scored forms as one row each, to CSV or Excel, for other tools.

Takes: scored forms and the thresholds used. Returns: the file written. Text that a spreadsheet
would run as a formula (starting with = + - @) is written as text.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
from paperfit.forms.deidentify import COLUMNS as DEIDENTIFIED_COLUMNS
from paperfit.forms.deidentify import DeidentifiedRow
from paperfit.forms.errors import UsageProblem
from paperfit.forms.outputs import EXPORT, mark
from paperfit.forms.records import ITEM_COUNT
from paperfit.forms.scoring import ScoredForm, Thresholds
from paperfit.generator.output import write_atomic

COLUMNS = (
    "client_id",
    "instrument",
    "session",
    "date",
    "age_group",
    *(f"item{n}" for n in range(1, ITEM_COUNT + 1)),
    "total",
    "change_from_intake",
    "classification",
    "flags",
    "source",
    "filled_by",
    "notes",
    "cutoff",
    "rci",
    "srs_alert_total",
    "srs_alert_item",
    "no_improvement_by_session",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = (".csv", ".xlsx")


def export_rows(scored: Sequence[ScoredForm], thresholds: Thresholds) -> list[list[object]]:
    """One row per form, in COLUMNS order; empty cells are None."""
    rows = []
    for entry in scored:
        form = entry.form
        rows.append(
            [
                form.client_id,
                form.instrument,
                form.session,
                form.date.isoformat() if form.date else None,
                entry.age_group,
                *form.items,
                entry.total,
                entry.change_from_intake,
                entry.classification or None,
                "; ".join(map(str, entry.flags)) or None,
                str(form.source),
                form.filled_by or None,
                form.notes or None,
                thresholds.cutoffs[entry.age_group],
                thresholds.rci,
                thresholds.alert_total,
                thresholds.alert_item,
                thresholds.review_session,
            ]
        )
    return rows


def as_text(value: object) -> object:
    """Text that starts like a formula gets a leading apostrophe, so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_export(out: Path, scored: Sequence[ScoredForm], thresholds: Thresholds) -> Path:
    """Write OUT as .csv or .xlsx, with the scoring values used recorded beside the data."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise UsageProblem(f"Export to a .csv or .xlsx file, not {out.name!r}.")
    rows = export_rows(scored, thresholds)
    data = csv_bytes(COLUMNS, rows) if suffix == ".csv" else _xlsx(rows, thresholds)
    return write_atomic(out, lambda stream: stream.write(data))


def csv_bytes(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """COLUMNS and ROWS as CSV for spreadsheets: UTF-8 with a BOM, formula-like text kept text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([as_text(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _xlsx(rows: list[list[object]], thresholds: Thresholds) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Forms"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    sheet.freeze_panes = "A2"
    values = workbook.create_sheet("Scoring values")
    values.append(["setting", "value", "source"])
    for used in thresholds.used:
        values.append([used.name, used.value, used.source])
    workbook.properties.creator = "paperfit"
    workbook.properties.keywords = mark(EXPORT)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_tables(
    out: Path, tables: Mapping[str, tuple[Sequence[str], Sequence[Sequence[object]]]]
) -> Path:
    """TABLES (sheet name → columns, rows) as one .xlsx workbook: the practice's whole record,
    every version, readable without paperfit. Times are written in UTC, as kept."""
    if Path(out).suffix.lower() != ".xlsx":
        raise UsageProblem(f"The whole record is written to a .xlsx workbook, not {out.name!r}.")
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, (columns, rows) in tables.items():
        sheet = workbook.create_sheet(name)
        sheet.append(list(columns))
        for row in rows:
            sheet.append([_cell(value) for value in row])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
        sheet.freeze_panes = "A2"
    workbook.properties.creator = "paperfit"
    workbook.properties.keywords = mark(EXPORT)
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    return write_atomic(Path(out), lambda stream: stream.write(data))


def _cell(value: object) -> object:
    """A value as a workbook cell: Excel keeps no time zone, so a time is written as UTC."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def write_deidentified(out: Path, rows: Sequence[DeidentifiedRow]) -> Path:
    """The de-identified outcome totals as CSV (the only format: it is read back by paperfit)."""
    if Path(out).suffix.lower() != ".csv":
        raise UsageProblem(f"{out}: a de-identified export is a .csv file.")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(DEIDENTIFIED_COLUMNS)
    writer.writerows(row.values() for row in rows)
    data = buffer.getvalue().encode("utf-8")
    return write_atomic(Path(out), lambda stream: stream.write(data))
