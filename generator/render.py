"""Turn templates into PDF: the one Jinja environment and the one restricted URL fetcher.

Takes: a template name and its context. Returns: laid-out WeasyPrint documents and PDF bytes.
Every render goes through here, so escaping, fonts and the fetch policy are set in one place.
"""

from __future__ import annotations

import base64
import io
import logging
import math
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import cache
from itertools import repeat
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jinja2
from markupsafe import Markup
from paperfit.forms.errors import PaperfitError
from paperfit.forms.workers import fork_context
from paperfit.templates import TEMPLATE_DIR
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject
from weasyprint import CSS, HTML, Document
from weasyprint.urls import FatalURLFetchingError, URLFetcher

ALLOWED_DIRS = (TEMPLATE_DIR.resolve(),)
DATA_SVG = "data:image/svg+xml;base64,"
DATA_PNG = "data:image/png;base64,"  # the proof sheet's pictures of scanned lines
# Fewer distinct pages than this are laid out in this process: a worker costs about a second.
MIN_PAGES_PER_WORKER = 40
# Long documents go to the workers in runs of about this many distinct pages.
PAGES_PER_RUN = 120
OVERLAP_TOLERANCE_PX = 0.5  # rounding in the layout, in CSS px


class FetchRefused(FatalURLFetchingError):
    """A page asked for something outside paperfit's own files; the render stops."""


class ProjectFetcher(URLFetcher):
    """Fetch only files inside paperfit's own template folder; refuse everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith((DATA_SVG, DATA_PNG)):  # made by paperfit itself, carried in the page
            return super().fetch(url, headers)
        if not url.startswith("file://"):
            raise FetchRefused(f"refused to fetch {url!r}: only paperfit's own files are used")
        path = Path(unquote(urlparse(url).path)).resolve()
        if not any(path.is_relative_to(folder) for folder in ALLOWED_DIRS):
            raise FetchRefused(f"refused to fetch {url!r}: only paperfit's own files are used")
        return super().fetch(url, headers)


def svg_data_uri(svg: str) -> str:
    """An SVG drawing as a data: URL, so that a page embeds it as one image: WeasyPrint then
    parses it once as SVG instead of styling every element as part of the HTML page."""
    return "data:image/svg+xml;base64," + base64.b64encode(str(svg).encode()).decode("ascii")


@cache
def environment() -> jinja2.Environment:
    """The Jinja environment: autoescaping on, undefined names are errors."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mm"] = lambda value: f"{value:.2f}mm"
    env.filters["svg_data_uri"] = svg_data_uri
    return env


@cache
def stylesheet() -> CSS:
    """The shared print stylesheet, parsed once per process."""
    return CSS(filename=str(TEMPLATE_DIR / "print.css"), url_fetcher=ProjectFetcher())


def render_html(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


@contextmanager
def _weasyprint_errors() -> Iterator[list[logging.LogRecord]]:
    """Collect WeasyPrint's log records; a logged error makes the render fail."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("weasyprint")
    handler = Collect(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
    errors = [r.getMessage() for r in records if r.levelno >= logging.ERROR]
    if errors:
        raise PaperfitError("The page could not be drawn: " + "; ".join(errors))


def layout(html: str, **pdf_options: Any) -> Document:
    """Lay out one HTML string with the shared stylesheet and fetch policy.

    PDF_OPTIONS are WeasyPrint options that act at layout time, such as pdf_forms=True (HTML
    inputs become PDF form fields).
    """
    try:
        with _weasyprint_errors():
            return HTML(
                string=html, base_url=str(TEMPLATE_DIR) + "/", url_fetcher=ProjectFetcher()
            ).render(stylesheets=[stylesheet()], **pdf_options)
    except FetchRefused as refused:
        raise PaperfitError(f"The page was not printed: {refused}.") from None


def _groups_to_pdfs(
    groups: Sequence[Sequence[str]],
    wrapper: str,
    context: dict[str, Any],
    pdf_options: Mapping[str, Any] | None = None,
) -> list[bytes]:
    """Lay out each distinct page of GROUPS once, then write each group as its own PDF.

    PDF_OPTIONS (WeasyPrint options such as pdf_forms) go to both the layout and the writing.
    """
    options = dict(pdf_options or {})
    unique = list(dict.fromkeys(page for group in groups for page in group))
    position = {html: index for index, html in enumerate(unique)}
    document = layout(render_html(wrapper, pages=[Markup(p) for p in unique], **context), **options)
    if len(document.pages) != len(unique):
        raise PaperfitError(
            "A page did not fit on one sheet of paper. Try without --large-print, or with "
            "--explain page instead of the panel."
        )
    check_fits(document)
    with _weasyprint_errors():
        return [
            document.copy([document.pages[position[html]] for html in group]).write_pdf(**options)
            for group in groups
        ]


def _pages_to_pdf(
    pages: Sequence[str],
    wrapper: str,
    context: dict[str, Any],
    pdf_options: Mapping[str, Any] | None = None,
) -> bytes:
    return _groups_to_pdfs([pages], wrapper, context, pdf_options)[0]


def check_fits(document: Document) -> None:
    """Fail when parts of a page that are placed independently overlap: its flowing content
    (class "flow"), its foot pinned to the bottom (class "foot"), and anything pinned in
    between (attribute data-stack, such as a form's rating lines and their labels).

    Pinned boxes do not push each other away, so nothing else would notice the overlap.
    """
    for page in document.pages:
        name = "A page"
        extents: dict[int, list[float]] = {}
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            if element is None or getattr(box, "element_tag", None) is None:
                continue
            classes = (element.get("class") or "").split()
            if "page" in classes and element.get("data-name"):
                name = f"The {element.get('data-name')} sheet"
            if "flow" in classes or "foot" in classes or element.get("data-stack") is not None:
                top, bottom = box.position_y, box.position_y + box.margin_height()
                seen = extents.setdefault(id(element), [top, bottom])
                seen[0], seen[1] = min(seen[0], top), max(seen[1], bottom)
        lowest = -math.inf
        for top, bottom in sorted(extents.values()):
            if top < lowest - OVERLAP_TOLERANCE_PX:
                raise PaperfitError(
                    f"{name} does not fit on one page with these options. Try --explain page "
                    "instead of the panel, or leave out --large-print."
                )
            lowest = max(lowest, bottom)


def overflowing(document: Document, name: str) -> list[str]:
    """The data-name of each element of class NAME (a box of fixed height, such as a panel of
    a pocket card) whose content reaches below its bottom: words that would be cut off."""
    found = []
    for page in document.pages:
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            if element is None or name not in (element.get("class") or "").split():
                continue
            bottom = box.content_box_y() + box.height
            lowest = max(
                (inner.position_y + inner.margin_height() for inner in _boxes(box)),
                default=bottom,
            )
            if lowest > bottom + OVERLAP_TOLERANCE_PX:
                found.append(element.get("data-name") or name)
    return found


def _boxes(box: Any) -> Iterator[Any]:
    """BOX and every box inside it, absolutely positioned ones included (WeasyPrint's own
    descendants() stops at their placeholders)."""
    box = getattr(box, "_box", box)  # an AbsolutePlaceholder stands for the placed box
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def run_count(pages: int, workers: int, minimum: int) -> int:
    """How many runs to cut PAGES pages of work into: runs of at most about PAGES_PER_RUN
    pages, the same number for every worker (so that none is left working alone at the end),
    and none under MINIMUM pages."""
    rounds = math.ceil(pages / (workers * PAGES_PER_RUN))
    return max(1, min(pages // max(minimum, 1), workers * rounds))


def split_for_workers(pages: Sequence[str], workers: int, minimum: int) -> list[Sequence[str]]:
    """Cut PAGES into runs in order, each with about the same number of distinct pages and at
    least MINIMUM of them: at least one run per worker, and more for long documents, so that
    the work is shared evenly and progress can be shown as runs finish."""
    unique = len(set(pages))
    parts = run_count(unique, workers, minimum)
    if parts == 1:
        return [pages]
    runs: list[Sequence[str]] = []
    seen: set[str] = set()
    start = 0
    for index, html in enumerate(pages):
        seen.add(html)
        if len(seen) >= unique * (len(runs) + 1) / parts and len(runs) < parts - 1:
            runs.append(pages[start : index + 1])
            start = index + 1
    runs.append(pages[start:])
    return [run for run in runs if run]


def pages_to_pdf(
    pages: Sequence[str],
    wrapper: str,
    workers: int | None = None,
    pdf_options: Mapping[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    **context: Any,
) -> bytes:
    """Write PAGES (HTML fragments of one page each) as one PDF, inside the template WRAPPER.

    Identical pages are laid out once. Long documents are laid out on every core, in runs of
    pages, and the runs are joined in order (pypdf's append also joins the runs' AcroForm
    fields). PDF_OPTIONS are WeasyPrint PDF options, e.g. {"pdf_forms": True}. PROGRESS is
    called with the number of pages of each run as it is done.
    """
    workers = workers or os.cpu_count() or 1
    runs = split_for_workers(pages, workers, MIN_PAGES_PER_WORKER)
    if len(runs) == 1:
        pdf = _pages_to_pdf(pages, wrapper, context, pdf_options)
        if progress:
            progress(len(pages))
        return pdf
    parts = []
    with ProcessPoolExecutor(min(workers, len(runs)), mp_context=fork_context()) as pool:
        done = pool.map(_pages_to_pdf, runs, repeat(wrapper), repeat(context), repeat(pdf_options))
        for run, part in zip(runs, done, strict=True):
            parts.append(part)
            if progress:
                progress(len(run))
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    copy_document_entries(PdfReader(io.BytesIO(parts[0])), writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def groups_to_pdfs(
    groups: Sequence[Sequence[str]],
    wrapper: str,
    workers: int | None = None,
    pdf_options: Mapping[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    **context: Any,
) -> list[bytes]:
    """Write each group of PAGES as a PDF of its own (one per client, say), laying out the
    pages of many groups together and on every core. PROGRESS gets the number of groups done."""
    workers = workers or os.cpu_count() or 1
    runs = group_runs(groups, workers)
    results: list[bytes] = []
    if len(runs) == 1:
        results = _groups_to_pdfs(groups, wrapper, context, pdf_options)
        if progress:
            progress(len(groups))
        return results
    with ProcessPoolExecutor(min(workers, len(runs)), mp_context=fork_context()) as pool:
        done = pool.map(
            _groups_to_pdfs, runs, repeat(wrapper), repeat(context), repeat(pdf_options)
        )
        for run, pdfs in zip(runs, done, strict=True):
            results.extend(pdfs)
            if progress:
                progress(len(run))
    return results


def group_runs(groups: Sequence[Sequence[str]], workers: int) -> list[Sequence[Sequence[str]]]:
    """Whole groups, in order, in run_count runs of about the same number of pages."""
    pages = sum(len(group) for group in groups)
    parts = run_count(pages, workers, MIN_PAGES_PER_WORKER)
    if parts == 1:
        return [groups]
    runs: list[list[Sequence[str]]] = [[]]
    done = 0
    for group in groups:
        if runs[-1] and done >= pages * len(runs) / parts:
            runs.append([])
        runs[-1].append(group)
        done += len(group)
    return runs


def copy_document_entries(reader: PdfReader, writer: PdfWriter) -> None:
    """Carry what describes the whole file (title, keywords, PDF/A's output intent and XMP
    metadata) from READER to WRITER when pages are joined or cut out."""
    if reader.metadata:
        writer.add_metadata(reader.metadata)
    root = reader.trailer["/Root"]
    for key in ("/OutputIntents", "/Metadata"):
        if key in root:
            writer._root_object[NameObject(key)] = root[key].clone(writer)
