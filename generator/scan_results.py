"""Write what `paperfit scan` read: the measurements workbook, the CSV and the proof sheet.

Takes: a ScanResult (forms/scan_records.py), the Catalog and Thresholds.
Returns: the files written.
- measurements.xlsx: the entry-workbook layout (generator/workbook.py), one row per form on
  its instrument's sheet, so `check`, `export` and `graphs` read it as they are, with each
  item's status, the page status and where the page came from added after the usual columns;
  a value that needs review is left empty (its best guess is in the notes, marked unconfirmed),
  so `check` lists it. A "Scans" sheet lists every page read, forms or not.
- measurements.csv (optional): one row per page, in SCAN_COLUMNS (the printed tick-to-tick
  length of each line found, and the registration's residual, are quality figures).
- proof.pdf: every form with a picture of each line, the mark found drawn over it and the
  value beside it; pages that need review come first.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from forms.instrument import Catalog, Instrument
from forms.outputs import PROOF, SCAN_WORKBOOK, mark
from forms.records import ITEM_COUNT
from forms.scoring import Thresholds
from forms.sheet import SCANS_SHEET, Paper
from generator.export import csv_bytes
from generator.output import files_together, write_atomic
from generator.render import pages_to_pdf, render_html
from generator.workbook import EntryRow, Listing, write_workbook
from scanner import pen
from scanner.scan_reading import PAGE_OK, ItemReading, ScannedPage, ScanResult

ITEMS = tuple(f"item{n}" for n in range(1, ITEM_COUNT + 1))
STATUSES = tuple(f"{item}_status" for item in ITEMS)
SCAN_COLUMNS = (
    "source",
    "page",
    "instrument",
    "client_id",
    "session",
    "date",
    *ITEMS,
    *STATUSES,
    "total",
    "page_status",
    "printed_scale",
    "line_lengths_mm",
    "registration_mm",
    "notes",
)
WORKBOOK_EXTRA = (*STATUSES, "page_status", "source", "page")
README_INTRO = (
    "Read from scans",
    "paperfit scan filled in this workbook from scanned forms: one row per form on its form's "
    "sheet. The columns after notes say how each item was read (item1_status to item4_status: "
    "ok, no mark, more than one mark, mark away from the line, mark outside the ends, "
    "unreadable), how the page was read (page_status), and where it came from (source, page).",
    "An item that is not ok is left empty. Measure it on the paper form (proof.pdf shows each "
    "line; a best guess, if any, is in notes, marked unconfirmed) and type the value in: it is "
    "then scored like any other. A blank form (no client ID or session printed on it) needs "
    "them typed in. The Scans sheet lists every page read, forms or not.",
    "Keep this workbook: paperfit scan will not write over it unless told to (--replace), so "
    "your corrections are not lost.",
    "",
)
PROOF_HEAD_MM = 30.0  # the proof's title and key, on its first page
PROOF_THUMBNAIL_MM = 56.0  # a 40 mm wide picture of a letter or A4 page, and its margin
PROOF_MARGINS_MM = (12.0, 14.0)  # top and bottom, sides: room for each line at actual size
MARK_COLOUR = (0, 0, 220)  # BGR: red, the mark found
GUESS_COLOUR = (0, 140, 255)  # orange, an unconfirmed best guess
TICK_COLOUR = (200, 90, 0)  # blue, the end ticks found
OUTPUT_NAMES = ("measurements.xlsx", "measurements.csv", "proof.pdf")


def earlier_results(out: Path) -> list[Path]:
    """The files of an earlier scan in folder OUT (staff may have corrected its workbook)."""
    return [Path(out) / name for name in OUTPUT_NAMES if (Path(out) / name).exists()]


@dataclass(frozen=True)
class ScanFiles:
    workbook: Path
    proof: Path
    csv: Path | None


def write_scan_results(
    out: Path,
    result: ScanResult,
    catalog: Catalog,
    thresholds: Thresholds,
    with_csv: bool = False,
    paper: str = "letter",
    check: Callable[[Path], None] | None = None,
) -> ScanFiles:
    """Write measurements.xlsx, proof.pdf and (WITH_CSV) measurements.csv into folder OUT,
    all made beside it and moved in together (files_together, which calls CHECK on each
    file's place first), so they always match."""
    out = Path(out)
    rows = [scan_row(page) for page in result.pages]
    found = {page.instrument.id for page in result.forms if page.instrument}
    instruments = [catalog.get(ident) for ident in catalog.ids if ident in found]
    with files_together(out, check) as files:
        write_workbook(
            files.path("measurements.xlsx"),
            instruments or [catalog.get(ident) for ident in ("ORS", "SRS") if ident in catalog.ids],
            thresholds,
            forms=[_entry_row(page) for page in result.forms],
            extra_columns=WORKBOOK_EXTRA,
            listing=Listing(SCANS_SHEET, SCAN_COLUMNS, tuple(tuple(row) for row in rows)),
            readme_intro=README_INTRO,
            kind=SCAN_WORKBOOK,
        )
        if with_csv:
            data = csv_bytes(SCAN_COLUMNS, rows)
            write_atomic(files.path("measurements.csv"), lambda stream: stream.write(data))
        else:  # an earlier scan's CSV would no longer match the workbook
            files.remove("measurements.csv")
        write_proof(files.path("proof.pdf"), result, paper)
    csv_path = out / "measurements.csv" if with_csv else None
    return ScanFiles(out / "measurements.xlsx", out / "proof.pdf", csv_path)


def scan_row(page: ScannedPage) -> list[object]:
    """One page as a row of SCAN_COLUMNS; empty cells are None."""
    code = page.code
    values = [*page.values, *([None] * ITEM_COUNT)][:ITEM_COUNT]
    statuses = [item.status for item in page.items] + [None] * (ITEM_COUNT - len(page.items))
    lengths = [item.reading.length_mm for item in page.items if item.reading.length_mm]
    return [
        page.source,
        page.page,
        code.instrument if code else None,
        (code.client_id or None) if code else None,
        (code.session or None) if code else None,
        (code.date or None) if code else None,
        *values,
        *statuses[:ITEM_COUNT],
        page.total,
        page.status,
        round(page.scale, 3) if page.scale else None,
        " ".join(f"{length:.2f}" for length in lengths) or None,
        None if page.residual_mm is None else round(page.residual_mm, 3),
        "; ".join(_notes(page)) or None,
    ]


def _notes(page: ScannedPage, with_reason: bool = True) -> list[str]:
    """The page's reason (WITH_REASON) and notes, and each unconfirmed best guess."""
    notes = [page.reason] if page.reason and with_reason else []
    notes += [*page.problems, *page.notes]
    for item in page.items:
        guess = _guess(item, page)
        if guess is not None:
            notes.append(f"item {item.number} best guess {guess:.1f} (unconfirmed)")
    return notes


def _guess(item: ItemReading, page: ScannedPage) -> float | None:
    """The value to show as unconfirmed: pen's guess, or a value read on a page under review."""
    if item.reading.guess is not None:
        return item.reading.guess
    if page.status != PAGE_OK:
        return item.reading.value
    return None


def _entry_row(page: ScannedPage) -> EntryRow:
    code = page.code
    assert code is not None and page.instrument is not None
    where = f"{Path(page.source).name} page {page.page}"
    notes = "; ".join([f"scan: {where}", *_notes(page)])
    statuses = [item.status for item in page.items]
    return EntryRow(
        instrument=page.instrument.id,
        client_id=code.client_id,
        session=int(code.session) if code.session.isdigit() else None,
        date=_date(code.date),
        items=page.values,
        source=where,
        notes=notes,
        extra=(*statuses, page.status, page.source, page.page),
    )


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# The proof sheet


def write_proof(out: Path, result: ScanResult, paper: str) -> Path:
    """Write the proof sheet: pages to review first, then the forms read, as many to a page as
    fit (by an estimate of each form's height; check_fits guards the estimate). Blank pages
    are left out (the summary counts them)."""
    review = [("review", page) for page in result.pages if page.needs_review]
    fine = [
        ("ok", page) for page in result.pages if page.status == PAGE_OK and not page.needs_review
    ]
    size = Paper.named(paper)
    room = size.height - 2 * PROOF_MARGINS_MM[0]
    pages: list[list[dict]] = [[]]
    left = room - PROOF_HEAD_MM
    for kind, page in review + fine:
        form = _proof_form(kind, page)
        height = _estimated_height(form)
        if pages[-1] and height > left:
            pages.append([])
            left = room
        pages[-1].append(form)
        left -= height
    summary = result.summary()[0]
    html = [
        render_html("_proof.html", summary=summary if number == 0 else "", forms=forms)
        for number, forms in enumerate(pages)
    ]
    pdf = pages_to_pdf(
        html,
        "pack.html",
        title="paperfit scan proof",
        output_mark=mark(PROOF),
        lang="en",
        paper=size,
        margins=f"{PROOF_MARGINS_MM[0]}mm {PROOF_MARGINS_MM[1]}mm",
        page_height=room,
        large_print=False,
    )
    return write_atomic(out, lambda stream: stream.write(pdf))


def _estimated_height(form: dict) -> float:
    """About how tall FORM's block prints, in mm, with room to spare."""
    thumbnail = PROOF_THUMBNAIL_MM if form["thumbnail"] else 0.0
    return 16.0 + 4.0 * len(form["notes"]) + 13.0 * len(form["lines"]) + thumbnail


def _proof_form(kind: str, page: ScannedPage) -> dict:
    code = page.code
    instrument: Instrument | None = page.instrument
    heading = [page.source, f"page {page.page}" if page.page else "whole file"]
    if code is not None:
        heading.append(code.instrument)
        heading += [part for part in (code.client_id, _session(code.session), code.date) if part]
    return {
        "review": kind == "review",
        "heading": " · ".join(heading),
        "status": page.reason or _to_check(page),
        "notes": _notes(page, with_reason=False),
        "total": page.total,
        "lines": [_proof_item(item, instrument, page) for item in page.items],
        "thumbnail": None if page.thumbnail is None else _png_data_uri(page.thumbnail),
    }


def _to_check(page: ScannedPage) -> str:
    """A readable page's status, with how many of its items and problems need a person."""
    count = sum(item.status != pen.OK for item in page.items) + len(page.problems)
    if not count:
        return page.status
    return f"{page.status}, {count} {'thing' if count == 1 else 'things'} to check"


def _session(session: str) -> str:
    return f"session {session}" if session else ""


def _proof_item(item: ItemReading, instrument: Instrument | None, page: ScannedPage) -> dict:
    value = item.reading.value if page.status == PAGE_OK else None
    guess = _guess(item, page)
    label = instrument.items[item.number - 1].label if instrument else f"Item {item.number}"
    return {
        "number": item.number,
        "label": label,
        "value": None if value is None else f"{value:.1f}",
        "guess": None if guess is None else f"{guess:.1f}",
        "status": item.status,
        "ok": item.status == pen.OK and page.status == PAGE_OK,
        "picture": _png_data_uri(_drawn(item, confirmed=value is not None)),
    }


def _drawn(item: ItemReading, confirmed: bool) -> np.ndarray:
    """The line's picture in colour with the end ticks and the mark found drawn over it."""
    picture = cv2.cvtColor(item.picture, cv2.COLOR_GRAY2BGR)
    height, width = picture.shape[:2]
    if item.ticks_at is not None:
        for at in item.ticks_at:
            x = round(at * width)
            cv2.line(picture, (x, height - 12), (x, height - 1), TICK_COLOUR, 3)
    if item.mark_at is not None:
        x = round(item.mark_at * width)
        colour = MARK_COLOUR if confirmed else GUESS_COLOUR
        cv2.line(picture, (x, 0), (x, height - 1), colour, 1)
        triangle = np.array([(x - 5, 0), (x + 5, 0), (x, 8)], dtype=np.int32)
        cv2.fillPoly(picture, [triangle], colour)
    return picture


def _png_data_uri(image: np.ndarray) -> str:
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    if not ok:
        raise ValueError("could not encode a proof picture")
    return "data:image/png;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")
