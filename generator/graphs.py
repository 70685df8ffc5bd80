"""Progress graphs: one page (or more) per client for the paper chart, and the caseload bundle.

Takes: scored forms, the client list and the thresholds. Returns: one PDF per client, a bundle
of the whole caseload in client order, and optionally 300 dpi PNGs of every page.
The geometry is in generator/chart.py, the markup in templates/_graph.html and _chart.html.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter

from forms.instrument import Catalog
from forms.outputs import BUNDLE as BUNDLE_KIND
from forms.outputs import GRAPH, mark
from forms.records import Client
from forms.scoring import ScoredForm, Thresholds, by_client
from generator.chart import Chart, Frame, item_chart, main_chart
from generator.export import csv_bytes
from generator.output import files_together, write_atomic
from generator.paper import binder_page_setup
from generator.render import groups_to_pdfs, render_html
from generator.texts import fill, say_flags, texts

MAIN_FRAME = Frame(width=170, height=78, left=10, right=3, top=4, bottom=7)
ITEM_FRAME = Frame(width=42, height=24, left=6, right=1.5, top=1.5, bottom=5)
# Table lines per page: a row is one line, or more when its flags wrap (about 34 characters a
# line in the flags column). Chosen so that pages always fit; check_fits verifies it.
LINES_FIRST_PAGE = {"letter": 9, "a4": 12}
LINES_NEXT_PAGES = {"letter": 44, "a4": 48}
FLAG_CHARS_PER_LINE = 34
MISSING = "–"
BUNDLE = "caseload.pdf"
INDEX_FILE = "index.csv"
INDEX_COLUMNS = ("file", "client_id", "pages")
OWN_NAMES = frozenset({BUNDLE.removesuffix(".pdf"), INDEX_FILE.removesuffix(".csv")})
# Names Windows keeps for devices, whatever follows them after a dot.
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in "123456789"}
)


@dataclass(frozen=True)
class TableRow:
    session: int
    date: str
    outcome: tuple[str, ...]
    outcome_total: str
    change: str
    alliance: tuple[str, ...]
    alliance_total: str
    flags: str

    @property
    def lines(self) -> int:
        return max(1, math.ceil(len(self.flags) / FLAG_CHARS_PER_LINE))


@dataclass(frozen=True)
class ClientGraph:
    """Everything one client's pages show."""

    client: Client
    main: Chart
    items: tuple[Chart, ...]
    rows: tuple[TableRow, ...]
    outcome: str
    alliance: str
    outcome_labels: tuple[str, ...]
    alliance_labels: tuple[str, ...]
    key: tuple[str, ...]
    sessions: int
    first_date: str
    last_date: str


def _number(value: float | None) -> str:
    return MISSING if value is None else f"{value:.1f}"


def build_graph(
    client: Client,
    scored: Sequence[ScoredForm],
    thresholds: Thresholds,
    catalog: Catalog,
    language: str,
) -> ClientGraph:
    """The charts, table and key of one client's pages (SCORED holds only that client)."""
    words = texts(language)["graph"]
    cutoff = thresholds.cutoffs[client.age_group]
    by_kind = {kind: [e for e in scored if e.kind == kind] for kind in ("outcome", "alliance")}
    names = {
        kind: (entries[0].form.instrument if entries else "") for kind, entries in by_kind.items()
    }
    labels = {
        kind: tuple(i.label for i in catalog.get(name).items) if name else ()
        for kind, name in names.items()
    }
    items = tuple(
        item_chart(scored, names[kind], kind, index, f"{names[kind]} · {label}", ITEM_FRAME)
        for kind in ("outcome", "alliance")
        if names[kind]
        for index, label in enumerate(labels[kind])
    )
    dates = sorted(e.form.date for e in scored if e.form.date)
    sources = sorted({Path(e.form.source.file).name for e in scored})
    return ClientGraph(
        client=client,
        main=main_chart(
            scored,
            cutoff,
            thresholds,
            MAIN_FRAME,
            cutoff_label=fill(
                words["chart_cutoff"],
                cutoff=f"{cutoff:g}",
                age_group=words["age_groups"][client.age_group],
            ),
            band_label=words["chart_band"],
        ),
        items=items,
        rows=_rows(scored, by_kind, language),
        outcome=names["outcome"],
        alliance=names["alliance"],
        outcome_labels=labels["outcome"],
        alliance_labels=labels["alliance"],
        key=_key(words, names, client, cutoff, thresholds, by_kind["outcome"], sources),
        sessions=len({e.form.session for e in scored}),
        first_date=dates[0].isoformat() if dates else "",
        last_date=dates[-1].isoformat() if dates else "",
    )


def _rows(
    scored: Sequence[ScoredForm],
    by_kind: dict[str, list[ScoredForm]],
    language: str,
) -> tuple[TableRow, ...]:
    sessions: dict[int, dict[str, ScoredForm]] = defaultdict(dict)
    for kind, entries in by_kind.items():
        for entry in entries:
            sessions[entry.form.session][kind] = entry
    rows = []
    for session in sorted(sessions):
        outcome, alliance = sessions[session].get("outcome"), sessions[session].get("alliance")
        date = next((e.form.date for e in (outcome, alliance) if e and e.form.date), None)
        flags = [f for e in (outcome, alliance) if e for f in e.flags]
        rows.append(
            TableRow(
                session=session,
                date=date.isoformat() if date else MISSING,
                outcome=tuple(_number(v) for v in (outcome.form.items if outcome else (None,) * 4)),
                outcome_total=_number(outcome.total if outcome else None),
                change=_signed(outcome.change_from_intake if outcome else None),
                alliance=tuple(
                    _number(v) for v in (alliance.form.items if alliance else (None,) * 4)
                ),
                alliance_total=_number(alliance.total if alliance else None),
                flags=say_flags(flags, language),
            )
        )
    return tuple(rows)


def _signed(value: float | None) -> str:
    return MISSING if value is None else f"{value:+.1f}"


def _key(
    words: dict,
    names: dict[str, str],
    client: Client,
    cutoff: float,
    t: Thresholds,
    outcome: list[ScoredForm],
    sources: list[str],
) -> tuple[str, ...]:
    def say(key: str, **values: object) -> str:
        return fill(words[key], **values)

    lines = []
    if names["outcome"]:
        lines.append(say("key_outcome", instrument=names["outcome"]))
    if names["alliance"]:
        lines.append(say("key_alliance", instrument=names["alliance"]))
    lines.append(
        say("key_cutoff", cutoff=f"{cutoff:g}", age_group=words["age_groups"][client.age_group])
    )
    lines.append(
        say("key_alert", instrument=names["alliance"] or "SRS", alert=f"{t.alert_total:g}")
    )
    intake = next((e.total for e in outcome if e.total is not None), None)
    if intake is not None:
        lines.append(say("key_band", intake=f"{intake:g}", rci=f"{t.rci:g}"))
    lines += [
        words["key_flags"],
        words["key_gaps"],
        say("key_source", source=", ".join(sources)),
        words["key_no_curve"],
    ]
    return tuple(lines)


def split_rows(rows: Sequence[TableRow], paper: str) -> list[tuple[TableRow, ...]]:
    """The table rows of each page: page 1 holds a few below the charts, later pages many."""
    pages: list[list[TableRow]] = [[]]
    budget = LINES_FIRST_PAGE[paper]
    used = 0
    for row in rows:
        if used + row.lines > budget and pages[-1]:
            pages.append([])
            budget, used = LINES_NEXT_PAGES[paper], 0
        pages[-1].append(row)
        used += row.lines
    return [tuple(page) for page in pages]


def graph_pages(
    graph: ClientGraph, paper: str, language: str, practice_name: str, printed: datetime.date
) -> list[str]:
    """The HTML of each of the client's pages, numbered "page x of y"."""
    runs = split_rows(graph.rows, paper)
    return [
        render_html(
            "_graph.html",
            graph=graph,
            text=texts(language),
            practice_name=practice_name,
            printed=printed.isoformat(),
            page={"number": number, "count": len(runs), "rows": rows, "first": number == 1},
        )
        for number, rows in enumerate(runs, start=1)
    ]


def safe_name(client_id: str) -> str:
    """A file name for CLIENT_ID that every file system accepts (not yet unique: see
    unique_names)."""
    plain = unicodedata.normalize("NFKD", client_id).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._") or "client"
    return name[:80]


def _portable(client_id: str) -> bool:
    """Whether CLIENT_ID can be a file name as it is, on every file system, beside the bundle
    and the index."""
    stem = client_id.split(".")[0].casefold()
    return (
        safe_name(client_id) == client_id
        and stem not in WINDOWS_RESERVED
        and client_id.casefold() not in OWN_NAMES
    )


ProgressCallback = Callable[[int], None]


@dataclass(frozen=True)
class GraphOptions:
    paper: str = "letter"
    language: str = "en"
    practice_name: str = ""
    png: bool = False
    archival: bool = False
    printed: datetime.date = field(default_factory=datetime.date.today)


@dataclass(frozen=True)
class GraphFiles:
    """What write_graphs wrote: one PDF per client (in client order), the bundle, PNGs, and
    the index of which file is which client."""

    clients: tuple[Path, ...]
    bundle: Path
    pngs: tuple[Path, ...]
    pages: int
    index: Path


def build_graphs(
    scored: Sequence[ScoredForm],
    clients: dict[str, Client],
    thresholds: Thresholds,
    catalog: Catalog,
    language: str,
    only: Sequence[str] = (),
) -> list[ClientGraph]:
    """One ClientGraph per client with forms, in client ID order (only ONLY, when given)."""
    groups = by_client(scored)
    wanted = [c for c in sorted(groups) if not only or c in only]
    return [
        build_graph(clients.get(c, Client(c)), groups[c], thresholds, catalog, language)
        for c in wanted
    ]


def write_graphs(
    folder: Path,
    graphs: Sequence[ClientGraph],
    options: GraphOptions,
    progress: ProgressCallback | None = None,
    check: Callable[[Path], None] | None = None,
) -> GraphFiles:
    """Write one PDF per client (laid out many at a time, on every core), the caseload bundle
    and index.csv (which file is which client), and PNGs when asked: made beside FOLDER and
    moved in together (files_together, which calls CHECK on each file's place first), so the
    folder never holds a mix of two runs."""
    groups = [
        graph_pages(g, options.paper, options.language, options.practice_name, options.printed)
        for g in graphs
    ]
    pdf_options = {"pdf_variant": "pdf/a-2b"} if options.archival else {}
    pdfs = groups_to_pdfs(
        groups,
        "pack.html",
        pdf_options=pdf_options,
        progress=progress,
        title="paperfit progress graph",
        output_mark=mark(GRAPH),
        lang=options.language,
        **binder_page_setup(options.paper),
    )
    names = unique_names([g.client.client_id for g in graphs])
    index = csv_bytes(
        INDEX_COLUMNS,
        [
            (f"{name}.pdf", g.client.client_id, len(group))
            for name, g, group in zip(names, graphs, groups, strict=True)
        ],
    )
    with files_together(folder, check) as files:
        for name, pdf in zip(names, pdfs, strict=True):
            write_atomic(files.path(f"{name}.pdf"), lambda s, d=pdf: s.write(d))
        bundle = join_pdfs(pdfs)
        write_atomic(files.path(BUNDLE), lambda s: s.write(bundle))
        write_atomic(files.path(INDEX_FILE), lambda s: s.write(index))
        pngs = write_pngs(files.staging, pdfs, names) if options.png else []
    return GraphFiles(
        tuple(folder / f"{name}.pdf" for name in names),
        folder / BUNDLE,
        tuple(folder / png.name for png in pngs),
        sum(len(g) for g in groups),
        folder / INDEX_FILE,
    )


def join_pdfs(pdfs: Sequence[bytes]) -> bytes:
    """One PDF of all PDFS in order, for printing in one go (PDFium joins them quickly)."""
    joined = pdfium.PdfDocument.new()
    for pdf in pdfs:
        joined.import_pages(pdfium.PdfDocument(pdf))
    output = io.BytesIO()
    joined.save(output)
    # PDFium writes no document information: mark the bundle as paperfit's, in an update
    # appended to the file (the pages are not written again).
    marked = PdfWriter(output, incremental=True)
    marked.add_metadata({"/Title": "paperfit caseload", "/Keywords": mark(BUNDLE_KIND)})
    result = io.BytesIO()
    marked.write(result)
    return result.getvalue()


def unique_names(client_ids: Sequence[str]) -> list[str]:
    """A file name (without its suffix) for each of CLIENT_IDS, distinct even on a file system
    that ignores case: the ID itself when it is already a portable name no other client's
    equals; otherwise its cleaned-up form and a code made from the whole ID (so `abc-2` stays
    one client's name, and `李四` does not become `client-2`, another client's)."""
    portable = Counter(c.casefold() for c in client_ids if _portable(c))
    names: list[str | None] = [
        c if _portable(c) and portable[c.casefold()] == 1 else None for c in client_ids
    ]
    taken = set(OWN_NAMES) | {name.casefold() for name in names if name}
    for index, client_id in enumerate(client_ids):
        if names[index] is not None:
            continue
        base = safe_name(client_id)[:60].replace(".", "_")
        digest = hashlib.sha256(client_id.encode("utf-8", "surrogatepass")).hexdigest()
        name = next(
            f"{base}-{digest[:length]}"
            for length in range(8, len(digest) + 1)
            if f"{base}-{digest[:length]}".casefold() not in taken
        )
        taken.add(name.casefold())
        names[index] = name
    return [name for name in names if name]


def write_pngs(
    folder: Path, pdfs: Sequence[bytes], names: Sequence[str], dpi: int = 300
) -> list[Path]:
    """A greyscale PNG of every page at DPI, for upload to an electronic record (marked as
    paperfit's in its keywords, so a later run makes it again)."""
    marked = PngInfo()
    marked.add_text("Keywords", mark(GRAPH))
    written = []
    for pdf, name in zip(pdfs, names, strict=True):
        document = pdfium.PdfDocument(pdf)
        for number in range(len(document)):
            image = document[number].render(scale=dpi / 72, grayscale=True).to_pil()
            buffer = io.BytesIO()
            image.save(buffer, format="PNG", dpi=(dpi, dpi), pnginfo=marked)
            data = buffer.getvalue()
            path = folder / f"{name}-page{number + 1}.png"
            written.append(write_atomic(path, lambda s, d=data: s.write(d)))
    return written
