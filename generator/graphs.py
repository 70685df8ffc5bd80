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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pypdfium2 as pdfium
from paperfit.forms.instrument import Catalog
from paperfit.forms.outputs import BUNDLE as BUNDLE_KIND
from paperfit.forms.outputs import GRAPH, mark
from paperfit.forms.records import Client
from paperfit.forms.scoring import ScoredForm, Thresholds, by_client
from paperfit.forms.sheet import Paper
from paperfit.forms.trajectories import Expectation, Model, courses_from_scored, expectation
from paperfit.generator.chart import Chart, Frame, item_chart, main_chart
from paperfit.generator.export import csv_bytes
from paperfit.generator.output import files_together, write_atomic
from paperfit.generator.paper import BINDER_MARGINS_MM, binder_page_setup
from paperfit.generator.render import groups_to_pdfs, pages_to_pdf, render_html
from paperfit.generator.texts import fill, say_flags, texts
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter

MAIN_FRAME = Frame(width=170, height=70, left=10, right=3, top=4, bottom=7)
ITEM_FRAME = Frame(width=42, height=24, left=6, right=1.5, top=1.5, bottom=5)
# With both forms the item charts take two rows, so each is lower.
ITEM_FRAME_BOTH = Frame(width=42, height=16, left=6, right=1.5, top=1.5, bottom=5)
# Table lines on later pages: a row is one line, or more when its flags wrap (about 34
# characters a line in the flags column). Chosen so that pages always fit; check_fits verifies.
LINES_NEXT_PAGES = {"letter": 44, "a4": 48}
FLAG_CHARS_PER_LINE = 34
# Page 1's height model, in mm, measured on laid-out pages: where the table's first row would
# start without a key, per paper and with one form or both (two rows of item charts); each
# estimated line of the key (two columns, about KEY_CHARS characters a line) adds KEY_LINE_MM;
# captions in Spanish and French wrap more (LANGUAGE_MM), and so do a practice name and a long
# header. A row takes ROW_MM, and ROW_LINE_MM more for each further line of its flags.
TABLE_TOP_MM = {
    ("letter", False): 134.6,
    ("letter", True): 146.5,
    ("a4", False): 138.0,
    ("a4", True): 148.9,
}
LANGUAGE_MM = {"en": 0.0, "es": 4.5, "fr": 9.0}
KEY_CHARS, KEY_LINE_MM = 60, 1.6
HEAD_LINE_MM = 3.7  # the practice name's line, or a header line that wraps
HEAD_CHARS = 110  # the facts under the title (about 85 and the names), before they wrap
TITLE_CHARS = 55  # the title (client ID and name), before it wraps
ROW_MM, ROW_LINE_MM = 3.91, 3.21
FOOT_MM = 6.5  # the foot, pinned to the bottom, and the space kept above it
SPARE_MM = 2.0
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


def client_expectation(
    model: Model | None, scored: Sequence[ScoredForm], until: int
) -> Expectation | None:
    """The client's course against MODEL, up to session UNTIL (None without either)."""
    courses = courses_from_scored(scored)
    return expectation(model, courses[0], until) if model and courses else None


def build_graph(
    client: Client,
    scored: Sequence[ScoredForm],
    thresholds: Thresholds,
    catalog: Catalog,
    language: str,
    model: Model | None = None,
) -> ClientGraph:
    """The charts, table and key of one client's pages (SCORED holds only that client), with
    the expected course from MODEL when it has one for this client."""
    words = texts(language)["graph"]
    last_session = max([4, *(e.form.session for e in scored)])
    expected = client_expectation(model, scored, last_session)
    points = [(s, *e.values) for s, e in sorted(expected.expected.items())] if expected else []
    below = expected.below if expected else {}
    cutoff = thresholds.cutoffs[client.age_group]
    by_kind = {kind: [e for e in scored if e.kind == kind] for kind in ("outcome", "alliance")}
    names = {
        kind: (entries[0].form.instrument if entries else "") for kind, entries in by_kind.items()
    }
    labels = {
        kind: tuple(i.label for i in catalog.get(name).items) if name else ()
        for kind, name in names.items()
    }
    item_frame = ITEM_FRAME_BOTH if all(names.values()) else ITEM_FRAME
    items = tuple(
        item_chart(scored, names[kind], kind, index, f"{names[kind]} · {label}", item_frame)
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
            expected=points,
            expected_label=words["chart_expected"],
            below_expected=below,
        ),
        items=items,
        rows=_rows(scored, by_kind, language, words, below),
        outcome=names["outcome"],
        alliance=names["alliance"],
        outcome_labels=labels["outcome"],
        alliance_labels=labels["alliance"],
        key=_key(words, names, client, cutoff, thresholds, by_kind["outcome"], sources)
        + _expected_key(words, texts(language)["trajectories"]["too_few"], model, client, expected),
        sessions=len({e.form.session for e in scored}),
        first_date=dates[0].isoformat() if dates else "",
        last_date=dates[-1].isoformat() if dates else "",
    )


def _rows(
    scored: Sequence[ScoredForm],
    by_kind: dict[str, list[ScoredForm]],
    language: str,
    words: dict,
    below: Mapping[int, bool],
) -> tuple[TableRow, ...]:
    """The table's rows; a session under the expected course says so first among its flags."""
    sessions: dict[int, dict[str, ScoredForm]] = defaultdict(dict)
    for kind, entries in by_kind.items():
        for entry in entries:
            sessions[entry.form.session][kind] = entry
    rows = []
    for session in sorted(sessions):
        outcome, alliance = sessions[session].get("outcome"), sessions[session].get("alliance")
        date = next((e.form.date for e in (outcome, alliance) if e and e.form.date), None)
        flags = say_flags([f for e in (outcome, alliance) if e for f in e.flags], language)
        if session in below:
            below_words = words["well_below_expected" if below[session] else "below_expected"]
            flags = words["flag_separator"].join(filter(None, (below_words, flags)))
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
                flags=flags,
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
    ]
    return tuple(lines)


def _expected_key(
    words: dict,
    too_few: str,
    model: Model | None,
    client: Client,
    expected: Expectation | None,
) -> tuple[str, ...]:
    """What the expected course rests on, or why there is none (TOO_FEW: the words for a
    group with too few clients)."""
    if model is None:
        return (words["key_no_curve"],)
    group = model.groups.get(client.age_group)
    if group is None or not group.fitted:
        reason = (
            fill(too_few, count=group.enough, needed=model.min_clients)
            if group
            else words["key_no_group"]
        )
        return (fill(words["key_no_model"], reason=reason),)
    if expected is None or not expected.expected:
        low, high = group.intake_range
        return (fill(words["key_outside"], low=f"{low:g}", high=f"{high:g}"),)
    about = fill(
        words["key_expected_model"],
        clients=f"{group.clients:,}".replace(",", words["thousands"]),
        fitted=model.fitted_on.isoformat(),
    )
    return (
        fill(words["key_expected"], intake=f"{expected.intake:g}", model=about),
        words["key_below"],
    )


def first_page_room(graph: ClientGraph, paper: str, language: str, practice_name: str) -> float:
    """The height (mm) left for table rows on page 1, from the page's height model."""
    both = bool(graph.outcome and graph.alliance)
    top = TABLE_TOP_MM[(paper, both)] + LANGUAGE_MM.get(language, max(LANGUAGE_MM.values()))
    top += KEY_LINE_MM * sum(math.ceil(len(line) / KEY_CHARS) for line in graph.key)
    client = graph.client
    facts = len(client.clinician) + len(client.age_group) + 85
    title = len(client.client_id) + len(client.name) + 12
    top += HEAD_LINE_MM * (bool(practice_name) + (facts > HEAD_CHARS) + (title > TITLE_CHARS))
    height = Paper.named(paper).height - BINDER_MARGINS_MM[0] - BINDER_MARGINS_MM[2]
    return height - FOOT_MM - SPARE_MM - top


def split_rows(
    rows: Sequence[TableRow], paper: str, first_room: float
) -> list[tuple[TableRow, ...]]:
    """The table rows of each page: on page 1 as many as FIRST_ROOM (mm) holds below the
    charts and key, on later pages LINES_NEXT_PAGES lines."""
    pages: list[list[TableRow]] = [[]]
    room = first_room
    for row in rows:
        height = ROW_MM + ROW_LINE_MM * (row.lines - 1)
        if height > room and (pages[-1] or len(pages) == 1):
            pages.append([])
            room = LINES_NEXT_PAGES[paper] * ROW_MM
        pages[-1].append(row)
        room -= height
    return [tuple(page) for page in pages]


def graph_pages(
    graph: ClientGraph, paper: str, language: str, practice_name: str, printed: datetime.date
) -> list[str]:
    """The HTML of each of the client's pages, numbered "page x of y"."""
    runs = split_rows(graph.rows, paper, first_page_room(graph, paper, language, practice_name))
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
    model: Model | None = None,
    disagreements: Mapping[str, Sequence[str]] | None = None,
) -> list[ClientGraph]:
    """One ClientGraph per client with forms, in client ID order (only ONLY, when given), with
    expected courses from MODEL, and in each key the client's copies of a form that disagree
    (DISAGREEMENTS: the most recent copy was used)."""
    groups = by_client(scored)
    wanted = [c for c in sorted(groups) if not only or c in only]
    notes = disagreements or {}
    words = texts(language)["graph"]
    graphs = []
    for c in wanted:
        graph = build_graph(
            clients.get(c, Client(c)), groups[c], thresholds, catalog, language, model
        )
        found = list(notes.get(c, ()))
        if found:  # one line in the key, however many: the page's layout has room for one
            more = f" (+{len(found) - 3})" if len(found) > 3 else ""
            line = fill(words["key_disagreement"], detail="; ".join(found[:3]) + more)
            graph = replace(graph, key=(*graph.key, line))
        graphs.append(graph)
    return graphs


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


@dataclass(frozen=True)
class Scheduled:
    """A client on the day's schedule (as the schedule says), for the day's graphs."""

    client_id: str
    date: datetime.date
    session: int
    clinician: str
    name: str = ""


def day_entries(
    scheduled: Sequence[Scheduled], graphs: Sequence[ClientGraph]
) -> list[ClientGraph | Scheduled]:
    """The day in appointment order: each client's graph, or their appointment when no forms
    were read for them; a client on the schedule twice comes once, at the first."""
    by_id = {graph.client.client_id: graph for graph in graphs}
    seen: set[str] = set()
    entries: list[ClientGraph | Scheduled] = []
    for appointment in scheduled:
        if appointment.client_id not in seen:
            seen.add(appointment.client_id)
            entries.append(by_id.get(appointment.client_id, appointment))
    return entries


def write_day(
    path: Path,
    entries: Sequence[ClientGraph | Scheduled],
    options: GraphOptions,
    progress: ProgressCallback | None = None,
) -> int:
    """The day's graphs as one PDF at PATH, in order; a short page for each client without
    forms. Returns the number of pages."""
    words = texts(options.language)
    pages = []
    for entry in entries:
        if isinstance(entry, ClientGraph):
            pages += graph_pages(
                entry, options.paper, options.language, options.practice_name, options.printed
            )
        else:
            pages.append(
                render_html(
                    "_no_graph.html",
                    appointment=entry,
                    text=words,
                    practice_name=options.practice_name,
                    printed=options.printed.isoformat(),
                )
            )
    pdf = pages_to_pdf(
        pages,
        "pack.html",
        progress=progress,
        title="paperfit progress graphs of the day",
        lang=options.language,
        output_mark=mark(GRAPH),
        **binder_page_setup(options.paper),
    )
    write_atomic(path, lambda stream: stream.write(pdf))
    return len(pages)
