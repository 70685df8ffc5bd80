"""Write what `paperfit scan` read: the measurements workbook, the CSV and the proof sheet.

Takes: a ScanResult (forms/py), the Catalog and Thresholds.
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
The proof, the workbook's Read me and the notes added are in the language asked for (the
[scan] table of templates/text/<language>.toml); what scanner/ says of a page (its reason and
problems) is in English; statuses in the files stay English values, as readers expect them.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from paperfit.forms.instrument import Catalog, Instrument
from paperfit.forms.outputs import PROOF, SCAN_WORKBOOK, mark
from paperfit.forms.records import ITEM_COUNT
from paperfit.forms.scan_records import LINE_OK, PAGE_OK, ItemReading, ScannedPage, ScanResult
from paperfit.forms.scoring import Thresholds
from paperfit.forms.sheet import BEFORE_ITEMS, SCANS_SHEET, Paper
from paperfit.generator.export import csv_bytes
from paperfit.generator.output import files_together, write_atomic
from paperfit.generator.render import pages_to_pdf, render_html
from paperfit.generator.text_width import text_lines
from paperfit.generator.texts import count, fill, texts
from paperfit.generator.workbook import EntryRow, Listing, write_workbook

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
PROOF_HEAD_MM = 30.0  # the proof's title and key, on its first page
PROOF_THUMBNAIL_MM = 56.0  # a 40 mm wide picture of a letter or A4 page, and its margin
PROOF_MARGINS_MM = (12.0, 14.0)  # top and bottom, sides: room for each line at actual size
# The height model of a form on the proof (print.css), in mm: a line's row (its 11 mm picture
# and padding, with room to spare); a line to check has, under its label (a column PROOF_LABEL_MM
# wide), the measured box and the column to type in. PROOF_TEXT_MM: the narrower page's width.
PROOF_ROW_MM, PROOF_LABEL_MM, PROOF_BOX_MM = 13.0, 27.0, 6.0
PROOF_TEXT_MM, LINE_MM_75PT = 182.0, 7.5 * 1.25 * 25.4 / 72
# The marks drawn on a proof's lines differ in shape as well as colour, so that a proof
# printed in grey still tells them apart: a read mark is a solid line under a filled
# triangle, a best guess a dashed line under a ring, a mark that could not be used a dotted
# line under a cross; the end ticks found are short ticks under the line.
MARK_COLOUR = (0, 0, 220)  # BGR: red, the mark found
GUESS_COLOUR = (0, 100, 210)  # dark orange (mid grey in print), an unconfirmed best guess
PROBLEM_COLOUR = (140, 0, 140)  # purple, a mark that could not be used
TICK_COLOUR = (200, 90, 0)  # blue, the end ticks found
READ, GUESSED, PROBLEM = "read", "guess", "problem"
OUTPUT_NAMES = ("measurements.xlsx", "measurements.csv", "proof.pdf")
WORKBOOK_NAME = OUTPUT_NAMES[0]


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
    language: str = "en",
) -> ScanFiles:
    """Write measurements.xlsx, proof.pdf and (WITH_CSV) measurements.csv into folder OUT,
    all made beside it and moved in together (files_together, which calls CHECK on each
    file's place first), so they always match; the words meant for people in LANGUAGE."""
    out = Path(out)
    words = texts(language)["scan"]
    rows = [scan_row(page, words) for page in result.pages]
    found = {page.instrument.id for page in result.forms if page.instrument}
    instruments = [catalog.get(ident) for ident in catalog.ids if ident in found]
    with files_together(out, check) as files:
        write_workbook(
            files.path("measurements.xlsx"),
            instruments or [catalog.get(ident) for ident in ("ORS", "SRS") if ident in catalog.ids],
            thresholds,
            forms=[_entry_row(page, words) for page in result.forms],
            extra_columns=WORKBOOK_EXTRA,
            listing=Listing(SCANS_SHEET, SCAN_COLUMNS, tuple(tuple(row) for row in rows)),
            readme_intro=(*words["readme_intro"], ""),
            language=language,
            kind=SCAN_WORKBOOK,
        )
        if with_csv:
            data = csv_bytes(SCAN_COLUMNS, rows)
            write_atomic(files.path("measurements.csv"), lambda stream: stream.write(data))
        else:  # an earlier scan's CSV would no longer match the workbook
            files.remove("measurements.csv")
        write_proof(files.path("proof.pdf"), result, paper, language)
    csv_path = out / "measurements.csv" if with_csv else None
    return ScanFiles(out / "measurements.xlsx", out / "proof.pdf", csv_path)


def scan_row(page: ScannedPage, words: dict[str, Any]) -> list[object]:
    """One page as a row of SCAN_COLUMNS, its notes in WORDS; empty cells are None."""
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
        "; ".join(_notes(page, words)) or None,
    ]


def _notes(page: ScannedPage, words: dict[str, Any], with_reason: bool = True) -> list[str]:
    """The page's reason (WITH_REASON) and notes, and each unconfirmed best guess."""
    notes = [_status(page.reason, words)] if page.reason and with_reason else []
    notes += [*page.problems, *page.notes]
    for item in page.items:
        guess = _guess(item, page)
        if guess is not None:
            notes.append(fill(words["best_guess"], number=item.number, guess=f"{guess:.1f}"))
    return notes


def _guess(item: ItemReading, page: ScannedPage) -> float | None:
    """The value to show as unconfirmed: pen's guess, or a value read on a page under review."""
    if item.reading.guess is not None:
        return item.reading.guess
    if page.status != PAGE_OK:
        return item.reading.value
    return None


def _entry_row(page: ScannedPage, words: dict[str, Any]) -> EntryRow:
    code = page.code
    assert code is not None and page.instrument is not None
    name = Path(page.source).name
    where = f"{name} page {page.page}"
    scanned = fill(words["scanned_from"], file=name, page=page.page)
    notes = "; ".join([scanned, *_notes(page, words)])
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


def write_proof(out: Path, result: ScanResult, paper: str, language: str = "en") -> Path:
    """Write the proof sheet in LANGUAGE: pages to review first, then the forms read, as many
    to a page as fit (by an estimate of each form's height; check_fits guards the estimate).
    Blank pages are left out (the summary counts them)."""
    words = texts(language)["scan"]
    review = [("review", page) for page in result.pages if page.needs_review]
    fine = [
        ("ok", page) for page in result.pages if page.status == PAGE_OK and not page.needs_review
    ]
    size = Paper.named(paper)
    room = size.height - 2 * PROOF_MARGINS_MM[0]
    pages: list[list[dict]] = [[]]
    left = room - PROOF_HEAD_MM
    for kind, page in review + fine:
        form = _proof_form(kind, page, words, language)
        height = _estimated_height(form)
        if pages[-1] and height > left:
            pages.append([])
            left = room
        pages[-1].append(form)
        left -= height
    summary = _summary(result, words, language)
    html = [
        render_html("_proof.html", w=words, summary=summary if number == 0 else "", forms=forms)
        for number, forms in enumerate(pages)
    ]
    pdf = pages_to_pdf(
        html,
        "pack.html",
        title=words["pdf_title"],
        output_mark=mark(PROOF),
        lang=language,
        paper=size,
        margins=f"{PROOF_MARGINS_MM[0]}mm {PROOF_MARGINS_MM[1]}mm",
        page_height=room,
        large_print=False,
    )
    return write_atomic(out, lambda stream: stream.write(pdf))


def _summary(result: ScanResult, words: dict[str, Any], language: str) -> str:
    """What was read, in one sentence in WORDS (as the terminal's first summary line)."""
    n = result.counts()

    def counted(key: str, noun: str) -> str:
        return count(n[key], words[noun], language)

    blank = fill(words["blank"], pages=counted("blank", "blank_pages")) if n["blank"] else ""
    return fill(
        words["summary"],
        pages=counted("pages", "pages_read"),
        forms=counted("forms", "forms"),
        measured=n["measured"],
        marks=counted("marks", "marks"),
        review=counted("review", "review"),
        blank=blank,
    )


def _estimated_height(form: dict) -> float:
    """About how tall FORM's block prints, in mm, with room to spare."""
    thumbnail = PROOF_THUMBNAIL_MM if form["thumbnail"] else 0.0
    to_type = 0.0
    if form["type_here"]:
        to_type = LINE_MM_75PT * text_lines(form["type_here"], PROOF_TEXT_MM, 7.5)
    lines = sum(_line_height(line) for line in form["lines"])
    return 16.0 + 4.0 * len(form["notes"]) + lines + thumbnail + to_type


def _line_height(line: dict) -> float:
    """A line's row: its picture, or for a line to check, its label over the measured box and
    the column to type in (templates/_proof.html, print.css), if taller."""
    if line["ok"]:
        return PROOF_ROW_MM
    label = text_lines(f"{line['number']}. {line['label']}", PROOF_LABEL_MM, 8.0, bold=True)
    column = text_lines(line["column"], PROOF_LABEL_MM, 6.5)
    return max(PROOF_ROW_MM, 1.0 + label * 3.6 + PROOF_BOX_MM + column * 2.9)


def _proof_form(kind: str, page: ScannedPage, words: dict[str, Any], language: str) -> dict:
    code = page.code
    instrument: Instrument | None = page.instrument
    heading = [
        page.source,
        fill(words["page"], page=page.page) if page.page else words["whole_file"],
    ]
    if code is not None:
        heading.append(code.instrument)
        session = fill(words["session"], session=code.session) if code.session else ""
        heading += [part for part in (code.client_id, session, code.date) if part]
    lines = [_proof_item(item, instrument, page, words) for item in page.items]
    return {
        "review": kind == "review",
        "type_here": _type_here(page, words) if any(not line["ok"] for line in lines) else "",
        "heading": " · ".join(heading),
        "status": _status(page.reason, words) if page.reason else _to_check(page, words, language),
        "notes": _notes(page, words, with_reason=False),
        "total": None if page.total is None else fill(words["total"], total=f"{page.total:.1f}"),
        "lines": lines,
        "thumbnail": None if page.thumbnail is None else _png_data_uri(page.thumbnail),
    }


def _type_here(page: ScannedPage, words: dict[str, Any]) -> str:
    """The one line saying where a value measured by hand is typed: the workbook, the form's
    sheet (its instrument, when the page code was read)."""
    sheet = page.code.instrument if page.code is not None else ""
    if not sheet:
        return fill(words["type_here_unknown"], workbook=WORKBOOK_NAME)
    return fill(words["type_here"], workbook=WORKBOOK_NAME, sheet=sheet)


def item_column(number: int) -> str:
    """The letter of item NUMBER's column on a form's sheet (after client, session, date)."""
    return chr(ord("A") + len(BEFORE_ITEMS) + number - 1)


def _to_check(page: ScannedPage, words: dict[str, Any], language: str) -> str:
    """A readable page's status, with how many of its items and problems need a person."""
    number = sum(item.status != LINE_OK for item in page.items) + len(page.problems)
    status = _status(page.status, words)
    if not number:
        return status
    return f"{status}, {count(number, words['to_check'], language)}"


def _status(status: str, words: dict[str, Any]) -> str:
    """A page's or a line's status in WORDS. A page's reason is often just its status; a longer
    reason (scanner/ says what it found in English) and a status added later show as they are."""
    return words["statuses"].get(status, status)


def _proof_item(
    item: ItemReading, instrument: Instrument | None, page: ScannedPage, words: dict[str, Any]
) -> dict:
    value = item.reading.value if page.status == PAGE_OK else None
    guess = _guess(item, page)
    label = (
        instrument.items[item.number - 1].label
        if instrument
        else fill(words["item"], number=item.number)
    )
    kind = READ if value is not None else GUESSED if guess is not None else PROBLEM
    return {
        "number": item.number,
        "label": label,
        "value": None if value is None else f"{value:.1f}",
        "guess": None if guess is None else fill(words["guess"], guess=f"{guess:.1f}"),
        "status": _status(item.status, words),
        "ok": item.status == LINE_OK and page.status == PAGE_OK,
        "column": fill(words["type_column"], column=item_column(item.number), label=label),
        "picture": _png_data_uri(drawn(item, kind)),
    }


def _dashed(picture: np.ndarray, x: int, colour: tuple, on: int, off: int) -> None:
    """A vertical line at X down the whole PICTURE, ON pixels drawn and OFF left out."""
    for top in range(0, picture.shape[0], on + off):
        cv2.line(picture, (x, top), (x, min(top + on, picture.shape[0]) - 1), colour, 1)


def drawn(item: ItemReading, kind: str) -> np.ndarray:
    """The line's picture in colour with the end ticks and the mark found drawn over it, its
    shape saying what it is (KIND: READ, GUESSED or PROBLEM), in grey as well as in colour."""
    picture = cv2.cvtColor(item.picture, cv2.COLOR_GRAY2BGR)
    height, width = picture.shape[:2]
    if item.ticks_at is not None:
        for at in item.ticks_at:
            x = round(at * width)
            cv2.line(picture, (x, height - 12), (x, height - 1), TICK_COLOUR, 3)
    if item.mark_at is None:
        return picture
    x = round(item.mark_at * width)
    if kind == READ:
        cv2.line(picture, (x, 0), (x, height - 1), MARK_COLOUR, 1)
        triangle = np.array([(x - 5, 0), (x + 5, 0), (x, 8)], dtype=np.int32)
        cv2.fillPoly(picture, [triangle], MARK_COLOUR)
    elif kind == GUESSED:
        _dashed(picture, x, GUESS_COLOUR, 5, 4)
        cv2.circle(picture, (x, 6), 5, GUESS_COLOUR, 2)
    else:
        _dashed(picture, x, PROBLEM_COLOUR, 1, 3)
        cv2.line(picture, (x - 5, 1), (x + 5, 11), PROBLEM_COLOUR, 2)
        cv2.line(picture, (x - 5, 11), (x + 5, 1), PROBLEM_COLOUR, 2)
    return picture


def _png_data_uri(image: np.ndarray) -> str:
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    if not ok:
        raise ValueError("could not encode a proof picture")
    return "data:image/png;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")
