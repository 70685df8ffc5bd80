"""Read a batch of scanned forms: the whole of `paperfit scan` up to its records.

Takes: paths (PDF, TIFF, PNG, JPEG files or folders) and the instrument Catalog.
Returns: a ScanResult: one ScannedPage per page found (in input order), each with its page
status, its page code, and for a readable form one ItemReading per rating line (the pen
mark's value and status, and an upright picture of the line for the proof sheet). Nothing
here writes: generator/scan_results.py turns a ScanResult into the workbook, CSV and proof.

Per page: load (scanner.pages) -> find the corner markers and the page's mapping
(scanner.registration) -> read the page code -> settle the paper (the code's, or where the
printed lines are found) -> cut each rating line out where the
instrument's layout puts it (generator.paper.line_places, the same function the printer
uses) -> measure the pen mark against the printed end ticks (scanner.pen). A page that fails
at any stage is kept with its reason; the batch always goes on. Pages are read on every core.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
from paperfit.forms.errors import UsageProblem
from paperfit.forms.instrument import Catalog, Instrument
from paperfit.forms.limits import DEFAULT_LIMITS, Limits
from paperfit.forms.scan_records import (
    BLANK,
    FAINT_MARK,
    LINE_UNREADABLE,
    NO_MARKERS,
    NO_PAGE_CODE,
    PAGE_OK,
    POOR_PHOTO,
    POOR_REGISTRATION,
    UNKNOWN_FORM,
    UNREADABLE,
    ItemReading,
    ScannedPage,
    ScanResult,
)
from paperfit.forms.sheet import PAPERS, LinePlace, PageCode, line_places
from paperfit.forms.workers import fork_context
from paperfit.scanner import pen
from paperfit.scanner.lines import cut_line, paper_by_lines
from paperfit.scanner.own_outputs import is_derived
from paperfit.scanner.pages import Batch, PageProblem, ScanPage, batches, load_batch
from paperfit.scanner.quality import blur_mm
from paperfit.scanner.registration import (
    PAPER_PROVISIONAL,
    RETAKE,
    Registration,
    crop,
    fit,
    keystone,
    marker_corners_mm,
    read_code,
    register,
)

BEYOND_ENDS_MM = 14.0  # a line's picture reaches this far beyond each end tick
ACROSS_MM = 5.5  # and this far above and below it: inside the 6 mm kept clear of words
TICK_SLACK_MM = 1.0  # found ticks further than this from their mapped place are not ticks
MAX_PX_PER_MM = 12.0  # lines are measured at most at this resolution (about 300 dpi)
PROOF_PX_PER_MM = 6.0  # the proof's pictures of the lines (about 150 dpi)
BLANK_CONTRAST = 80  # grey levels below the paper that count as ink on a page
BLANK_INK = 0.0005  # a page with less ink than this share of its pixels is blank
THUMBNAIL_PX = 240  # the proof's picture of a page whose lines were not read
SCALE_OK = (0.99, 1.01)  # printed scales outside this are flagged
PHOTO_TICK_SLACK_MM = 2.0  # a photographed page's ends may lie this far from their mapped place
PHOTO_KEYSTONE = 0.01  # a page whose mapping narrows this much across it was photographed
BLURRED_MM = 0.25  # a photo whose sharpest edges are softer than this (sigma) is too blurred
SHADOW_SHARE = 0.3  # paper darker than this share of the page's brightest is in deep shadow
DARK_PAPER = 40.0  # or darker than this grey level
BENT_SCALE = 0.015  # a line this much longer or shorter than the page's others: bent there
BENT_PAGE = 0.05  # the lines this much longer or shorter than mapped: the page is bent
PHOTO_NOTE = (
    "read from a photo: values are within ±0.1 (1 mm) where the page is flat, sharp and evenly "
    "lit; check against the paper any value a decision rests on"
)
MIN_PAGES_PER_WORKER = 4  # fewer pages than twice this are read in this process
NOTHING_TO_READ = "Give at least one scanned file or folder to read."
BATCH_PAGES = 4  # a worker loads and reads this many pages of a PDF at a time


def check_batch(pages: Sequence[ScannedPage]) -> tuple[ScannedPage, ...]:
    """PAGES with what only the whole batch shows added to their problems: a form whose page
    code names no client or session (a blank form: the workbook row needs them typed in), and
    the same form (instrument, client, session) read from more than one page."""
    seen: dict[tuple[str, str, str], list[int]] = {}
    for index, page in enumerate(pages):
        if page.code is not None and page.code.client_id and page.code.session:
            key = (page.code.instrument, page.code.client_id, page.code.session)
            seen.setdefault(key, []).append(index)
    checked = []
    for index, page in enumerate(pages):
        problems = list(page.problems)
        code = page.code
        if code is not None and page.instrument is not None:
            if not (code.client_id and code.session):
                problems.append("a blank form: type its client ID and session into the workbook")
            else:
                twins = seen[(code.instrument, code.client_id, code.session)]
                others = [pages[i].where for i in twins if i != index]
                if others:  # a few places (a stack scanned many times must still fit the proof)
                    more = f" and {len(others) - 3} more pages" if len(others) > 3 else ""
                    problems.append(
                        f"the same form was also read from {', '.join(others[:3])}{more}"
                    )
        checked.append(replace(page, problems=tuple(problems)) if problems else page)
    return tuple(checked)


# ---------------------------------------------------------------------------------------------
# One page


def read_page(page: ScanPage, catalog: Catalog) -> ScannedPage:
    """Everything paperfit can read from one scanned PAGE (never raises on a bad image)."""
    registration = register(page)
    if isinstance(registration, PageProblem) and _is_blank(page.image):
        return ScannedPage(page.source, page.page, BLANK, notes=page.notes)
    if isinstance(registration, PageProblem):
        blur = _page_blur(page)
        reason = registration.reason
        if not page.dpi_stored and blur is not None and blur > BLURRED_MM:
            reason = f"the photo is blurred: take it again, holding the phone still ({reason})"
        return ScannedPage(
            page.source,
            page.page,
            NO_MARKERS,
            reason,
            notes=page.notes,
            thumbnail=_thumbnail(page.image),
            blur_mm=blur,
            photo=not page.dpi_stored,
        )
    code = read_code(page, registration)
    photo = not page.dpi_stored or keystone(registration) > PHOTO_KEYSTONE
    blur = _marker_blur(page, registration)

    def unread(status: str, reason: str, code: PageCode | None = None) -> ScannedPage:
        notes = page.notes + registration.notes
        return ScannedPage(
            page.source,
            page.page,
            status,
            reason,
            code,
            scale=registration.scale if registration.scale_known else None,
            notes=notes,
            residual_mm=registration.residual_mm,
            thumbnail=_thumbnail(page.image),
            blur_mm=blur,
            photo=photo,
        )

    if isinstance(code, PageProblem):
        if photo:
            reason = f"{code.reason}: {RETAKE}, or type this form's values in by hand"
        else:
            reason = f"{code.reason}: scan it again, or type this form's values in by hand"
        if photo and blur is not None and blur > BLURRED_MM:
            reason = f"the photo is blurred: take it again, holding the phone still ({reason})"
        return unread(NO_PAGE_CODE, reason)
    instrument = _instrument_for(code, catalog)
    if isinstance(instrument, str):
        return unread(UNKNOWN_FORM, instrument, code)
    settled = _settle_paper(page, registration, code, instrument, photo)
    if isinstance(settled, str):
        return unread(POOR_REGISTRATION, settled, code)
    registration = settled
    places = line_places(instrument, registration.paper, code.large_print)
    items = _read_lines(page, registration, places, photo)
    if len(registration.markers_found) == 3 and photo:
        # the line ends found give the perspective the missing marker would have
        better = _with_line_ends(page, registration, places, items)
        if better is not None:
            registration = better
            items = _read_lines(page, registration, places, photo)
    lengths = [item.reading.length_mm for item in items if item.reading.length_mm]
    scale: float | None = statistics.median(lengths) / 100.0 if lengths else registration.scale
    notes = list(page.notes + registration.notes)
    if not registration.scale_known:
        scale = None  # the page's own markers set its size: the printer's scale is unknown
    elif scale is not None and not SCALE_OK[0] <= scale <= SCALE_OK[1]:
        notes.append(f"printed at {scale:.0%}: check the printer's scaling")
    status, reason = PAGE_OK, ""
    if registration.status == POOR_REGISTRATION:
        status, reason = POOR_REGISTRATION, "poor registration: " + "; ".join(registration.notes)
    elif photo:
        notes.append(PHOTO_NOTE)
        problems = _photo_problems(registration, items, blur)
        if problems:
            status, reason = POOR_PHOTO, "; ".join(problems)
    problems = _item_problems(items, photo)
    return ScannedPage(
        page.source,
        page.page,
        status,
        reason,
        code=code,
        instrument=instrument,
        problems=problems,
        items=items,
        scale=scale,
        notes=tuple(dict.fromkeys(notes)),
        residual_mm=registration.residual_mm,
        blur_mm=blur,
        photo=photo,
    )


def _read_lines(
    page: ScanPage, reg: Registration, places: Sequence[LinePlace], photo: bool
) -> tuple[ItemReading, ...]:
    return tuple(
        _read_line(page, reg, number, place, photo) for number, place in enumerate(places, 1)
    )


def _settle_paper(
    page: ScanPage, reg: Registration, code: PageCode, instrument: Instrument, photo: bool
) -> Registration | str:
    """REG on the paper the page was printed on: the one its page code names, or (a sheet
    printed before the paper was in the code) the one under which its printed lines are where
    that paper puts them; or why the paper cannot be told."""
    paper = code.paper
    if paper is None:
        fits = {p: fit(page, reg.corners, p, reg.found_notes) for p in PAPERS}
        registrations = {p: r for p, r in fits.items() if isinstance(r, Registration)}
        places = {p: line_places(instrument, p, code.large_print) for p in registrations}
        paper = paper_by_lines(page, registrations, places)
        if paper is None and photo:
            return (
                "the paper (letter or A4) cannot be told: the printed lines are not where "
                f"either paper has them; {RETAKE}"
            )
        if paper is None:  # a flat scan: the markers' rectangle shows the paper as it is
            paper = reg.paper
    if paper == reg.paper and reg.paper_source != PAPER_PROVISIONAL:
        return reg
    settled = fit(page, reg.corners, paper, reg.found_notes)
    return settled if isinstance(settled, Registration) else settled.reason


def _with_line_ends(
    page: ScanPage,
    reg: Registration,
    places: Sequence[LinePlace],
    items: Sequence[ItemReading],
) -> Registration | None:
    """REG (three markers: an affine mapping) fitted again as a homography to the markers and
    the line ends found on the page (ITEMS), or None when fewer than 4 ends were found or the
    markers' corners lie off the new fit (poor registration). The lines are then read again
    through it, and their ends checked against it as on any photo."""
    page_pts, image_pts = [], []
    for place, item in zip(places, items, strict=True):
        cut, ticks = item.cut, item.reading.ticks_mm
        if ticks is None or cut is None or cut.curve is None:
            continue
        left = place.left - BEYOND_ENDS_MM
        for true_x, found in zip((place.left, place.right), ticks, strict=True):
            x = found / reg.scale  # layout mm from the picture's left
            page_pts.append((true_x, place.y))
            image_pts.append((left + x, place.y + float(np.polyval(cut.curve, x))))
    if len(page_pts) < 4:
        return None
    mapped = cv2.perspectiveTransform(
        np.array(image_pts, np.float64).reshape(-1, 1, 2), reg.homography
    ).reshape(-1, 2)
    better = fit(page, reg.corners, reg.paper, reg.found_notes, extra=(np.array(page_pts), mapped))
    if not isinstance(better, Registration) or better.status == POOR_REGISTRATION:
        return None
    return better


def _photo_problems(
    reg: Registration, items: Sequence[ItemReading], blur: float | None
) -> list[str]:
    """Why a photographed page would not support ±1 mm, in plain words (none: it would)."""
    problems = []
    if blur is not None and blur > BLURRED_MM:
        problems.append("the photo is blurred: take it again, holding the phone still")
    if len(reg.markers_found) < 4 and not reg.fitted_to_lines:
        cover = "a corner square is covered or outside the photo: photograph the whole page, "
        return [cover + "its four corner squares uncovered", *problems]
    levels = [item.cut.paper for item in items if item.cut and item.cut.paper is not None]
    brightest = max(levels, default=0.0)
    dark = [
        item.number
        for item in items
        if item.cut
        and item.cut.paper is not None
        and (item.cut.paper < SHADOW_SHARE * brightest or item.cut.paper < DARK_PAPER)
    ]
    if dark:
        problems.append(f"part of the page is in shadow (line {_numbers(dark)})")
    # A bend that stretches every line alike moves no value (a value is a share of its line);
    # one that stretches a line unlike the others does.
    scales = [item.local_scale for item in items if item.local_scale is not None]
    usual = statistics.median(scales) if scales else 1.0
    bent = [
        item.number
        for item in items
        if (item.cut is not None and not item.cut.followed)
        or (item.local_scale is not None and abs(item.local_scale / usual - 1) > BENT_SCALE)
        or abs(usual - 1) > BENT_PAGE
    ]
    if bent:
        problems.append(f"the page is bent near line {_numbers(bent)}: lay it flat")
    return problems


def _item_problems(items: Sequence[ItemReading], photo: bool) -> tuple[str, ...]:
    """What a person must do about the items not read, in plain words: a faint mark, and in a
    photo a line whose ends could not be seen."""
    problems = []
    faint = [item.number for item in items if item.reading.faint]
    if faint:
        problems.append(f"item {_numbers(faint)}: {FAINT_MARK}: go over it in pen")
    unseen = [
        item.number
        for item in items
        if photo and (item.reading.ticks_mm is None or item.reading.unseen)
    ]
    if unseen:
        problems.append(
            f"item {_numbers(unseen)}: the line cannot be seen whole in the photo (glare, a "
            f"fold or a shadow over it?): {RETAKE}, without the lamp's reflection and the "
            "page flat, or type the value in"
        )
    return tuple(problems)


def _numbers(numbers: Sequence[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _marker_blur(page: ScanPage, reg: Registration) -> float | None:
    """The blur of the page's corner markers (scanner.quality.blur_mm), the median over those
    found, each cut out with a 2 mm margin at up to MAX_PX_PER_MM."""
    resolution = min(reg.px_per_mm, MAX_PX_PER_MM)
    corners = marker_corners_mm(reg.paper)
    found = []
    for ident in reg.markers_found:
        (left, top), (right, bottom) = corners[ident].min(axis=0), corners[ident].max(axis=0)
        square = crop(page, reg, (left - 2, top - 2, right + 2, bottom + 2), resolution)
        found.append(blur_mm(square, resolution))
    values = [value for value in found if value is not None]
    return statistics.median(values) if values else None


def _page_blur(page: ScanPage) -> float | None:
    """The blur of a page that could not be registered, from a copy about 1600 px long,
    taking the page to fill about 300 mm of it."""
    factor = min(1.0, 1600 / max(page.image.shape))
    small = cv2.resize(page.image, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return blur_mm(small, max(small.shape) / 300.0)


def _is_blank(image: np.ndarray) -> bool:
    """Whether IMAGE has no ink on it: almost no pixel (BLANK_INK of them, the outer 5 % of
    each side left out, where a scanner's lid and the paper's edge show) is much darker than
    the paper."""
    height, width = image.shape[:2]
    inner = image[height // 20 : height - height // 20, width // 20 : width - width // 20]
    small = cv2.resize(inner, (max(1, inner.shape[1] // 4), max(1, inner.shape[0] // 4)))
    paper = float(np.median(small))
    return bool(np.mean(small < paper - BLANK_CONTRAST) < BLANK_INK)


def _thumbnail(image: np.ndarray) -> np.ndarray:
    """IMAGE reduced to THUMBNAIL_PX wide, as it came (not turned upright)."""
    height, width = image.shape[:2]
    size = (THUMBNAIL_PX, max(1, round(height * THUMBNAIL_PX / max(width, 1))))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _instrument_for(code: PageCode, catalog: Catalog) -> Instrument | str:
    """The instrument CODE names, or why it cannot be used."""
    if code.instrument not in catalog.ids:
        return f"the page code names {code.instrument!r}, which is not a known form here"
    instrument = catalog.get(code.instrument)
    if instrument.layout != code.layout:
        return (
            f"printed with layout {code.layout} of {instrument.id}; this paperfit reads layout "
            f"{instrument.layout}: print new forms, and type this one in by hand"
        )
    return instrument


def _read_line(
    page: ScanPage, reg: Registration, number: int, place: LinePlace, photo: bool
) -> ItemReading:
    """Cut one rating line out of PAGE at the scan's own resolution and measure its mark."""
    box = (
        place.left - BEYOND_ENDS_MM,
        place.y - ACROSS_MM,
        place.right + BEYOND_ENDS_MM,
        place.y + ACROSS_MM,
    )
    # At the scan's own resolution, up to about 300 dpi (finer scans gain no accuracy, and
    # cost time); the pen is told the pixels per printed mm, so it works in printed mm.
    resolution = min(reg.px_per_mm, MAX_PX_PER_MM)
    px_per_printed_mm = resolution / reg.scale
    cut = cut_line(page, reg, box, (place.left, place.right), resolution, photo)
    picture = cut.picture
    reading = pen.measure_line(picture, px_per_printed_mm, photo)
    width_mm = picture.shape[1] / px_per_printed_mm
    local_scale = None
    if reading.ticks_mm is not None:
        # The ends found must be where the page's mapping puts them: else something else (a
        # pen stroke, the rim of a face) was taken for a tick, and the value is only a guess.
        left, right = BEYOND_ENDS_MM * reg.scale, width_mm - BEYOND_ENDS_MM * reg.scale
        found_left, found_right = reading.ticks_mm
        local_scale = (found_right - found_left) / (right - left)
        off = (found_left - left, found_right - right)
        if photo:
            # a photographed line may be longer or shorter than mapped (a bent page, the
            # lens): its ends are held to their place as a pair, its length to BENT_PAGE,
            # and a length unlike the page's other lines is a problem of the page's
            misplaced = abs(sum(off) / 2) > PHOTO_TICK_SLACK_MM or abs(local_scale - 1) > BENT_PAGE
        else:
            misplaced = max(abs(off[0]), abs(off[1])) > TICK_SLACK_MM
        if misplaced:
            mark = reading.mark_x_mm
            guess = None if mark is None else round(10 * (mark - left) / (right - left), 1)
            reading = replace(reading, value=None, status=LINE_UNREADABLE, guess=guess)
    small = cv2.resize(
        picture,
        (round((box[2] - box[0]) * PROOF_PX_PER_MM), round((box[3] - box[1]) * PROOF_PX_PER_MM)),
        interpolation=cv2.INTER_AREA,
    )
    mark_at = None if reading.mark_x_mm is None else reading.mark_x_mm / width_mm
    ticks_at = None
    if reading.ticks_mm is not None:
        ticks_at = (reading.ticks_mm[0] / width_mm, reading.ticks_mm[1] / width_mm)
    return ItemReading(
        number, reading, small, mark_at, ticks_at, local_scale, cut if photo else None
    )


# ---------------------------------------------------------------------------------------------
# A batch


def plan(paths: Sequence[Path], limits: Limits = DEFAULT_LIMITS) -> list[Batch]:
    """The input in batches, in order: each file, each PDF or TIFF in runs of BATCH_PAGES
    pages; past LIMITS.pages_per_run, the rest refused (one Batch per file). UsageProblem when
    PATHS is empty. Cheap: for a progress bar, and for scan()."""
    if not paths:
        raise UsageProblem(NOTHING_TO_READ)
    planned: list[Batch] = []
    room = limits.pages_per_run
    cut: set[Path] = set()  # files whose rest is refused (said once for each)
    for batch in (b for path in paths for b in batches(Path(path), BATCH_PAGES, limits)):
        if batch.refused or batch.size <= room:
            room -= 0 if batch.refused else batch.size
            planned.append(batch)
            continue
        first = batch.pages.start if batch.pages is not None else 0
        if room and batch.pages is not None:
            planned.append(replace(batch, pages=batch.pages[:room]))
            first += room
        room = 0
        if batch.path not in cut:
            cut.add(batch.path)
            planned.append(Batch(batch.path, None, limits.run_refusal(first + 1)))
    return planned


def own_outputs_left_out(
    planned: list[Batch], given: Sequence[Path]
) -> tuple[list[Batch], list[Path]]:
    """PLANNED without paperfit's own outputs (a proof, a report) found in the folders of
    GIVEN, and the files left out. A file named on its own is always read."""
    named = {Path(path).resolve() for path in given}
    derived = {
        path
        for path in {batch.path for batch in planned}
        if path.resolve() not in named and path.suffix.lower() == ".pdf" and is_derived(path)
    }
    return [b for b in planned if b.path not in derived], sorted(derived)


def scan(
    inputs: Sequence[Path | Batch],
    catalog: Catalog,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> ScanResult:
    """Read every page in INPUTS (paths, or the batches plan() made of them), in input order,
    on WORKERS processes (default: every core); each worker loads its own pages, so that the
    large page images are never copied between processes. PROGRESS is called with the number
    of pages of each batch as it is done. A page or file above LIMITS is refused unread."""
    if not inputs:
        raise UsageProblem(NOTHING_TO_READ)
    planned = [
        batch
        for item in inputs
        for batch in ([item] if isinstance(item, Batch) else plan([Path(item)], limits))
    ]
    workers = min(workers or os.cpu_count() or 1, len(planned))
    parallel = workers > 1 and sum(batch.size for batch in planned) >= MIN_PAGES_PER_WORKER * 2
    pages: list[ScannedPage] = []
    with ExitStack() as stack:
        reads: Iterable[list[ScannedPage]] = (
            _read_batch(batch, catalog, limits) for batch in planned
        )
        if parallel:
            pool = stack.enter_context(
                ProcessPoolExecutor(
                    workers,
                    mp_context=fork_context(),
                    initializer=_set_catalog,
                    initargs=(catalog, limits),
                )
            )
            reads = pool.map(_read_batch_in_worker, planned)
        for read in reads:
            pages.extend(read)
            if progress:
                progress(len(read))
    return ScanResult(check_batch(pages))


def _read_batch(batch: Batch, catalog: Catalog, limits: Limits) -> list[ScannedPage]:
    return [_read_one(item, catalog) for item in load_batch(batch, limits)]


def _read_one(item: ScanPage | PageProblem, catalog: Catalog) -> ScannedPage:
    if isinstance(item, PageProblem):
        return ScannedPage(item.source, item.page, UNREADABLE, item.reason)
    try:
        return read_page(item, catalog)
    except Exception as error:  # one odd page must never stop the batch
        return ScannedPage(
            item.source, item.page, UNREADABLE, f"could not be read ({type(error).__name__})"
        )


_WORKER_CATALOG: Catalog | None = None
_WORKER_LIMITS = DEFAULT_LIMITS


def _set_catalog(catalog: Catalog, limits: Limits) -> None:
    global _WORKER_CATALOG, _WORKER_LIMITS
    _WORKER_CATALOG, _WORKER_LIMITS = catalog, limits


def _read_batch_in_worker(batch: Batch) -> list[ScannedPage]:
    assert _WORKER_CATALOG is not None
    return _read_batch(batch, _WORKER_CATALOG, _WORKER_LIMITS)
