"""Scans and phone photos into the record, and the review of what a person must look at.

Takes: an uploaded file (or the files in the inbox folder). Returns: what was read. The file
is kept in the store by its sha256 (so each decision leads back to its page); the forms read
go into the store as scanned copies (a mark to review states nothing until a person decides);
each page and each mark to review waits in the desk's tables. Every decision (a corrected or
confirmed mark, a page assigned by hand) is a version in the store, by the person, with the
file and page it came from as its reason.
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np
import sqlalchemy as sa

from paperfit.desk.tables import scan_marks, scan_pages, uploads
from paperfit.forms.errors import Location, PaperfitError, UsageProblem
from paperfit.forms.instrument import Catalog
from paperfit.forms.limits import Limits
from paperfit.forms.precedence import rank_of
from paperfit.forms.records import Form
from paperfit.forms.scan_records import BLANK, LINE_OK, PAGE_OK, ItemReading, ScannedPage
from paperfit.generator.scan_results import GUESSED, PROBLEM, READ, drawn
from paperfit.scanner.pages import SUFFIXES
from paperfit.scanner.scan_reading import BEYOND_ENDS_MM, PROOF_PX_PER_MM, plan, scan

if TYPE_CHECKING:
    from paperfit.store import Store

# A page's state in the review queue.
OK, TO_REVIEW, TO_ASSIGN, CONFIRMED, ASSIGNED, LEFT_OUT = (
    "ok",
    "to review",
    "to assign",
    "confirmed",
    "assigned",
    "left out",
)
WAITING = (TO_REVIEW, TO_ASSIGN)
PROCESSED, FAILED = "processed", "failed"


@dataclass(frozen=True)
class Intake:
    """What one file gave: its sha256, pages, forms, pages to look at; NEW is False when the
    same file had been taken in before (nothing was added)."""

    name: str
    sha256: str
    pages: int
    forms: int
    waiting: int
    new: bool


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _png(image: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 6])
    if not ok:
        raise PaperfitError("A picture of a scanned line could not be kept.")
    return encoded.tobytes()


def check_kind(name: str) -> str:
    """The kind of a scan file by its name; UsageProblem for one the scanner does not read."""
    kind = SUFFIXES.get(Path(name).suffix.lower())
    if kind is None:
        known = ", ".join(sorted(SUFFIXES))
        raise UsageProblem(f"{name} is not a scan paperfit reads: give one of {known}.")
    return kind


def _session(page: ScannedPage) -> int | None:
    text = page.code.session if page.code else ""
    return int(text) if text.isdigit() and 0 < int(text) < 10_000 else None


def _date(page: ScannedPage) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(page.code.date) if page.code else None
    except ValueError:
        return None


def _state(page: ScannedPage) -> str:
    if page.status == BLANK:
        return LEFT_OUT
    if page.page is None or page.instrument is None or page.status != PAGE_OK:
        return TO_ASSIGN
    if not (page.code and page.code.client_id) or _session(page) is None:
        return TO_ASSIGN
    return TO_REVIEW if page.needs_review else OK


def _form(page: ScannedPage, name: str) -> Form | None:
    """The form a page states (a mark to review states nothing), when it names its client."""
    if _state(page) not in (OK, TO_REVIEW):
        return None
    assert page.code is not None and page.instrument is not None
    statuses = tuple(item.status for item in page.items)
    return Form(
        client_id=page.code.client_id,
        instrument=page.instrument.id,
        session=_session(page) or 0,
        date=_date(page),
        items=tuple(item.reading.value if item.status == LINE_OK else None for item in page.items),
        source=Location(name, key=f"page {page.page}"),
        scan_statuses=statuses,
    )


def _ticks(item: Any) -> tuple[float, float]:
    """Where the line's ends lie in its picture (fractions of its width): as found, or where
    the picture was cut around them."""
    if item.ticks_at is not None:
        return item.ticks_at
    width_mm = item.picture.shape[1] / PROOF_PX_PER_MM
    return BEYOND_ENDS_MM / width_mm, 1 - BEYOND_ENDS_MM / width_mm


def _kind(item: ItemReading) -> str:
    """How the line's picture shows its mark: read, a guess to confirm, or a problem (the
    proof sheet's shapes)."""
    if item.status == LINE_OK:
        return READ
    return GUESSED if item.reading.guess is not None else PROBLEM


def _mark_rows(page: ScannedPage) -> list[dict[str, Any]]:
    rows = []
    for item in page.items:
        left, right = _ticks(item)
        guess = item.reading.value if item.reading.value is not None else item.reading.guess
        rows.append(
            {
                "item": item.number,
                "status": item.status,
                "value": guess,
                "picture": _png(drawn(item, _kind(item))),
                "mark_at": item.mark_at,
                "tick_left": left,
                "tick_right": right,
            }
        )
    return rows


def _worst(page: ScannedPage) -> float:
    """How much a page needs a person: an unread page most, then by marks to review."""
    if _state(page) == TO_ASSIGN:
        return 10.0
    return float(sum(item.status != LINE_OK for item in page.items) + len(page.problems))


def read_scan(data: bytes, name: str, catalog: Catalog, limits: Limits) -> list[ScannedPage]:
    """Every page of one file's bytes, read as `paperfit scan` reads them."""
    with tempfile.TemporaryDirectory(prefix="paperfit-desk-") as folder:
        path = Path(folder) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(data)
        return list(scan(plan([path], limits), catalog, workers=1, limits=limits).pages)


def take_in(
    store: Store, data: bytes, name: str, catalog: Catalog, limits: Limits, by: str
) -> Intake:
    """Read one scan file and keep it, its forms and its pages to look at (see the module)."""
    kind = check_kind(name)
    sha256 = hashlib.sha256(data).hexdigest()
    with store.engine.connect() as connection:
        known = connection.execute(
            sa.select(uploads.c.pages, uploads.c.forms, uploads.c.to_review).where(
                uploads.c.sha256 == sha256
            )
        ).first()
    if known is not None:
        return Intake(name, sha256, known.pages, known.forms, known.to_review, False)
    read = read_scan(data, name, catalog, limits)
    pages = [page for page in read if page.page is not None]
    if not pages:
        reasons = "; ".join(dict.fromkeys(page.reason for page in read if page.reason))
        raise PaperfitError(f"Nothing could be read in {name}: {reasons or 'no pages'}.")
    forms = [form for page in pages if (form := _form(page, name)) is not None]
    if forms:
        store.import_forms(forms, {}, source_path=name, sha256=sha256, rank_of=rank_of, by=by)
    waiting = sum(_state(page) in WAITING for page in pages)
    with store.engine.begin() as connection:
        connection.execute(
            uploads.insert().values(
                sha256=sha256,
                name=name[:255],
                kind=kind,
                size=len(data),
                data=data,
                uploaded_by=by,
                uploaded_at=_now(),
                pages=len(pages),
                forms=len(forms),
                to_review=waiting,
            )
        )
        for page in pages:
            _keep_page(connection, sha256, page)
    return Intake(name, sha256, len(pages), len(forms), waiting, True)


def _keep_page(connection: sa.Connection, sha256: str, page: ScannedPage) -> None:
    state = _state(page)
    page_id = connection.execute(
        scan_pages.insert().values(
            sha256=sha256,
            page=page.page,
            status=page.status,
            reason="; ".join([page.reason, *page.problems]).strip("; "),
            client_id=page.code.client_id if page.code else None,
            instrument=page.instrument.id if page.instrument else None,
            session=_session(page),
            date=page.code.date if page.code and _date(page) else None,
            thumbnail=_png(page.thumbnail) if page.thumbnail is not None else None,
            state=state,
            worst=_worst(page),
        )
    ).inserted_primary_key[0]
    if state in (TO_REVIEW, TO_ASSIGN) and page.items:
        connection.execute(
            scan_marks.insert(), [{"page_id": page_id, **row} for row in _mark_rows(page)]
        )


def take_in_inbox(
    store: Store, inbox: Path, catalog: Catalog, limits: Limits, by: str
) -> list[tuple[Path, Intake | str]]:
    """Every scan file dropped into INBOX, taken in and moved to INBOX/processed (or, when it
    could not be read at all, to INBOX/failed), each with what it gave or why it failed."""
    done: list[tuple[Path, Intake | str]] = []
    for path in sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(".")):
        try:
            intake = take_in(store, path.read_bytes(), path.name, catalog, limits, by)
        except PaperfitError as error:
            done.append((_move(path, inbox / FAILED), str(error)))
            continue
        done.append((_move(path, inbox / PROCESSED), intake))
    return done


def _move(path: Path, folder: Path) -> Path:
    """PATH moved into FOLDER under a name no earlier file there has."""
    folder.mkdir(exist_ok=True)
    target, number = folder / path.name, 1
    while target.exists():
        number += 1
        target = folder / f"{path.stem}-{number}{path.suffix}"
    return Path(shutil.move(path, target))


def batches(store: Store) -> list[Any]:
    """Every file taken in, newest first, with its counts."""
    with store.engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(
                    uploads.c.sha256,
                    uploads.c.name,
                    uploads.c.pages,
                    uploads.c.forms,
                    uploads.c.to_review,
                    uploads.c.uploaded_by,
                    uploads.c.uploaded_at,
                ).order_by(uploads.c.uploaded_at.desc())
            )
        )


def queue(store: Store) -> list[Any]:
    """The pages waiting for a person, worst first, each with its file's name."""
    with store.engine.connect() as connection:
        return list(
            connection.execute(
                sa.select(scan_pages, uploads.c.name)
                .join(uploads, uploads.c.sha256 == scan_pages.c.sha256)
                .where(scan_pages.c.state.in_(WAITING))
                .order_by(scan_pages.c.worst.desc(), scan_pages.c.id)
            )
        )


def page_and_marks(store: Store, page_id: int) -> tuple[Any, list[Any]] | None:
    with store.engine.connect() as connection:
        page = connection.execute(
            sa.select(scan_pages, uploads.c.name)
            .join(uploads, uploads.c.sha256 == scan_pages.c.sha256)
            .where(scan_pages.c.id == page_id)
        ).first()
        if page is None:
            return None
        marks = connection.execute(
            sa.select(scan_marks).where(scan_marks.c.page_id == page_id).order_by(scan_marks.c.item)
        )
        return page, list(marks)


def picture(store: Store, mark_id: int) -> bytes | None:
    with store.engine.connect() as connection:
        return connection.execute(
            sa.select(scan_marks.c.picture).where(scan_marks.c.id == mark_id)
        ).scalar_one_or_none()


def thumbnail(store: Store, page_id: int) -> bytes | None:
    with store.engine.connect() as connection:
        return connection.execute(
            sa.select(scan_pages.c.thumbnail).where(scan_pages.c.id == page_id)
        ).scalar_one_or_none()


def value_at(mark: Any, x: float, width: float) -> float:
    """The value of a click at X of a line picture WIDTH wide: centimetres from the line's left
    end, one decimal, within 0 to 10."""
    share = (x / width - mark.tick_left) / (mark.tick_right - mark.tick_left)
    return round(min(max(share, 0.0), 1.0) * 10, 1)


def _reason(page: Any, what: str) -> str:
    return f"{what} on the desk: {page.name} page {page.page} (sha256 {page.sha256[:12]})"


def decide_mark(store: Store, mark_id: int, value: float, by: str) -> None:
    """A person's value for one mark of a page under review: a correction in the store."""
    with store.engine.connect() as connection:
        row = connection.execute(
            sa.select(scan_marks.c.item, scan_marks.c.page_id).where(scan_marks.c.id == mark_id)
        ).first()
    found = row and page_and_marks(store, row.page_id)
    if not found or found[0].state != TO_REVIEW:
        raise UsageProblem("This mark is not waiting for review.")
    page = found[0]
    store.correct(
        page.client_id,
        page.instrument,
        page.session,
        row.item,
        value,
        by=by,
        reason=_reason(page, f"item {row.item} reviewed"),
    )
    with store.engine.begin() as connection:
        connection.execute(
            scan_marks.update()
            .where(scan_marks.c.id == mark_id)
            .values(decided_value=value, decided_by=by, decided_at=_now())
        )


def confirm_page(store: Store, page_id: int, by: str) -> None:
    """The page is right as shown: each mark still to review is kept at its shown value (a
    correction by BY); refused while one has no value."""
    found = page_and_marks(store, page_id)
    if not found or found[0].state != TO_REVIEW:
        raise UsageProblem("This page is not waiting for review.")
    marks = found[1]
    open_marks = [m for m in marks if m.status != LINE_OK and m.decided_value is None]
    empty = [m.item for m in open_marks if m.value is None]
    if empty:
        raise UsageProblem(
            f"Item {', '.join(map(str, empty))} has no value yet: click on the line or type it."
        )
    for mark in open_marks:
        decide_mark(store, mark.id, mark.value, by)
    _settle(store, page_id, CONFIRMED, by)


def assign_page(store: Store, page_id: int, form: Form, by: str) -> None:
    """A page that named no client (or could not be read) given to FORM's client and session
    by hand, with the values the person typed from the page's picture: a typed version."""
    found = page_and_marks(store, page_id)
    if not found or found[0].state != TO_ASSIGN:
        raise UsageProblem("This page is not waiting to be assigned.")
    store.enter_form(form, by=by, reason=_reason(found[0], "assigned by hand"))
    _settle(store, page_id, ASSIGNED, by)


def _settle(store: Store, page_id: int, state: str, by: str) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            scan_pages.update()
            .where(scan_pages.c.id == page_id)
            .values(state=state, decided_by=by, decided_at=_now())
        )
