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
from paperfit.forms.trajectories import (
    INTAKE_OUTSIDE,
    NEAR,
    NO_GROUP,
    NOT_FITTED,
    NOT_SESSION_1,
    THIN,
    Course,
    Expectation,
    Model,
    courses_from_scored,
    expectation,
    no_curve,
)
from paperfit.generator.chart import Chart, Frame, item_chart, main_chart
from paperfit.generator.export import csv_bytes
from paperfit.generator.output import files_together, write_atomic
from paperfit.generator.paper import BINDER_MARGINS_MM, binder_page_setup
from paperfit.generator.render import groups_to_pdfs, pages_to_pdf, render_html
from paperfit.generator.session_notes import (
    Note,
    flag_starts,
    key_marks,
    notes_text,
    session_notes,
)
from paperfit.generator.text_width import PT_MM, text_lines, text_width_mm
from paperfit.generator.texts import fill, texts
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter

MAIN_FRAME = Frame(width=170, height=67, left=12, right=3, top=4, bottom=9)
ITEM_FRAME = Frame(width=42, height=24, left=6, right=1.5, top=1.5, bottom=5)
# With both forms the item charts take two rows, so each is lower.
ITEM_FRAME_BOTH = Frame(width=42, height=15, left=6, right=1.5, top=1.5, bottom=5)
# Table lines on later pages: a row is one line, or more when its notes wrap (the notes
# column is at least NOTES_MM wide on each paper, less its padding, with both forms; 7 pt text,
# bold where it has good news). Chosen so that pages always fit; check_fits verifies.
LINES_NEXT_PAGES = {"letter": 48, "a4": 52}
NOTES_MM, NOTES_PT = {"letter": 60.4, "a4": 54.5}, 7.0
# Page 1's height model, in mm, measured on laid-out pages: where the table's first row would
# start without a key, per paper and with one form or both (two rows of item charts); the
# key's lines, wrapped in a column of KEY_COLUMN_MM and shared by its two columns, add
# KEY_LINE_MM each (LANGUAGE_MM corrects the estimate per language); the facts under the title
# wrap when wider than the page (facts_width), and a practice name and a
# long header. A row takes ROW_MM, and ROW_LINE_MM more for each further line of its flags.
TABLE_TOP_MM = {
    ("letter", False): 130.4,
    ("letter", True): 140.3,
    ("a4", False): 131.4,
    ("a4", True): 140.3,
}
LANGUAGE_MM = {"en": 0.0, "es": 3.3, "fr": 3.1}
KEY_COLUMN_MM, KEY_PT = 81.0, 7.2  # a column of the key on A4 (the narrower), and its type
KEY_LINE_MM = KEY_PT * 1.3 * PT_MM
HEAD_LINE_MM = 3.7  # the practice name's line, or a header line that wraps
FACTS_PT = 8.0  # the facts under the title, which wrap past the content width
TITLE_CHARS = 55  # the title (client ID and name), before it wraps
ROW_MM, ROW_LINE_MM = 3.38, 2.97
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
    notes: tuple[Note, ...] = ()

    @property
    def flags(self) -> str:
        """The row's notes as plain text: each mark, with its words where it starts."""
        return notes_text(self.notes)

    def lines(self, paper: str) -> int:
        """The lines the row takes on PAPER: one, or more when its notes wrap."""
        bold = any(note.news and note.words for note in self.notes)  # good news is bold
        return max(1, text_lines(self.flags, NOTES_MM[paper], NOTES_PT, bold=bold))


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
) -> tuple[Expectation | None, Course | None]:
    """The client's course against MODEL, up to session UNTIL (None without either), and the
    course itself (None without outcome totals)."""
    courses = courses_from_scored(scored)
    course = courses[0] if courses else None
    return (expectation(model, course, until) if model and course else None), course


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
    expected, course = client_expectation(model, scored, last_session)
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
    sessions = _by_session(by_kind)
    notes = session_notes(sessions, cutoff, below, words)
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
            flag_sessions=flag_starts(notes),
            axis_titles=(words["axis_session"], words["axis_total"]),
        ),
        items=items,
        rows=_rows(sessions, notes),
        outcome=names["outcome"],
        alliance=names["alliance"],
        outcome_labels=labels["outcome"],
        alliance_labels=labels["alliance"],
        key=_key(
            words,
            names,
            client,
            cutoff,
            thresholds,
            by_kind["outcome"],
            sources,
            key_marks(notes, words),
        )
        + _expected_key(
            words, texts(language)["trajectories"]["too_few"], model, client, expected, course
        ),
        sessions=len({e.form.session for e in scored}),
        first_date=dates[0].isoformat() if dates else "",
        last_date=dates[-1].isoformat() if dates else "",
    )


def _by_session(by_kind: Mapping[str, list[ScoredForm]]) -> dict[int, dict[str, ScoredForm]]:
    """Each session's outcome and alliance form, in session order."""
    sessions: dict[int, dict[str, ScoredForm]] = defaultdict(dict)
    for kind, entries in by_kind.items():
        for entry in entries:
            sessions[entry.form.session][kind] = entry
    return dict(sorted(sessions.items()))


def _rows(
    sessions: Mapping[int, Mapping[str, ScoredForm]], notes: Mapping[int, tuple[Note, ...]]
) -> tuple[TableRow, ...]:
    """The table's rows, each with its notes (generator/session_notes.py)."""
    rows = []
    for session, forms in sessions.items():
        outcome, alliance = forms.get("outcome"), forms.get("alliance")
        date = next((e.form.date for e in (outcome, alliance) if e and e.form.date), None)
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
                notes=notes.get(session, ()),
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
    marks: str = "",
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
        *([marks] if marks else []),
        words["key_gaps"],
        say("key_source", source=", ".join(sources)),
    ]
    return tuple(lines)


def model_counts(model: Model, words: dict) -> str:
    """The clients a model rests on, per fitted age group ("1,196 adults, 299 children")."""
    names = words["model_groups"]
    return ", ".join(
        fill(
            words["group_count"],
            count=f"{g.clients:,}".replace(",", words["thousands"]),
            group=names.get(name, name),
        )
        for name, g in sorted(model.groups.items())
        if g.fitted
    )


def _expected_key(
    words: dict,
    too_few: str,
    model: Model | None,
    client: Client,
    expected: Expectation | None,
    course: Course | None,
) -> tuple[str, ...]:
    """What the expected course rests on, or the real reason there is none (TOO_FEW: the
    words for a group with too few clients)."""
    if model is None:
        return (words["key_no_curve"],)
    group = model.groups.get(client.age_group)
    reason = no_curve(model, course) if course else NO_GROUP
    if group is None or reason in (NO_GROUP, NOT_FITTED):
        text = (
            fill(too_few, count=group.enough, needed=model.min_clients)
            if group and group.enough < model.min_clients
            else group.refusal
            if group
            else words["key_no_group"]
        )
        return (fill(words["key_no_model"], reason=text),)
    assert course is not None
    if reason == NOT_SESSION_1:
        return (fill(words["key_not_session_1"], session=course.points[0][0]),)
    if reason == INTAKE_OUTSIDE:
        low, high = group.intake_range
        return (fill(words["key_outside"], low=f"{low:g}", high=f"{high:g}"),)
    first = group.session_range[0]
    if reason == THIN or expected is None or not expected.expected:
        clients = group.clients_near(course.intake, first)
        return (
            fill(
                words["key_thin_start"],
                clients=clients,
                intake=f"{course.intake:g}",
                needed=model.min_support,
            ),
        )
    about = fill(
        words["key_expected_model"],
        counts=model_counts(model, words),
        fitted=model.fitted_on.isoformat(),
    )
    last = max(expected.expected)
    centre = min(max(round(course.intake), group.intakes().start), group.intakes().stop - 1)
    lines = [
        fill(
            words["key_expected"],
            clients=f"{expected.expected[last].clients:,}".replace(",", words["thousands"]),
            kind=words["key_kind"][model.kind],
            low=f"{max(centre - NEAR, 0):g}",
            high=f"{min(centre + NEAR, 40):g}",
            session=last,
            model=about,
        ),
        words["key_below"],
    ]
    if expected.thin is not None:
        session, clients = expected.thin
        lines.append(
            fill(
                words["key_thin"],
                session=session,
                clients=clients,
                intake=f"{course.intake:g}",
                needed=model.min_support,
            )
        )
    return tuple(lines)


def key_height(key: Sequence[str]) -> float:
    """The key's estimated height (mm): its lines, wrapped in a column, shared by two columns."""
    lines = sum(text_lines(line, KEY_COLUMN_MM, KEY_PT) for line in key)
    return math.ceil(lines / 2) * KEY_LINE_MM


def facts_width(graph: ClientGraph, language: str) -> float:
    """The width (mm) of the facts under the title on one line: each caption, its value in
    bold, and the space after it."""
    words = texts(language)["graph"]
    client = graph.client
    facts = [
        (words["clinician"], client.clinician or MISSING),
        (words["age_group"], words["age_groups"][client.age_group]),
        (words["sessions"], f"{graph.sessions} ({graph.first_date} – {graph.last_date})"),
        (words["printed"], "2026-01-01"),
    ]
    return sum(
        text_width_mm(caption + words["colon"], FACTS_PT)
        + text_width_mm(value, FACTS_PT, bold=True)
        + 5.0
        for caption, value in facts
    )


def first_page_room(graph: ClientGraph, paper: str, language: str, practice_name: str) -> float:
    """The height (mm) left for table rows on page 1, from the page's height model."""
    both = bool(graph.outcome and graph.alliance)
    top = TABLE_TOP_MM[(paper, both)] + LANGUAGE_MM.get(language, max(LANGUAGE_MM.values()))
    top += key_height(graph.key)
    client = graph.client
    title = len(client.client_id) + len(client.name) + 12
    width = Paper.named(paper).width - BINDER_MARGINS_MM[1] - BINDER_MARGINS_MM[3]
    wraps = facts_width(graph, language) > width
    top += HEAD_LINE_MM * (bool(practice_name) + wraps + (title > TITLE_CHARS))
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
        height = ROW_MM + ROW_LINE_MM * (row.lines(paper) - 1)
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
    unique_names). It never begins with "-": such a name is taken for an option by a command
    line, and for a formula by a spreadsheet opening index.csv (which would mark it as text
    with an apostrophe that is not in the name)."""
    plain = unicodedata.normalize("NFKD", client_id).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", plain).strip("._").lstrip("-._") or "client"
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
    bundle: Path | None  # None for some clients only (see write_graphs' AMONG)
    pngs: tuple[Path, ...]
    pages: int
    index: Path | None


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
    among: Sequence[str] = (),
) -> GraphFiles:
    """Write one PDF per client (laid out many at a time, on every core), the caseload bundle
    and index.csv (which file is which client), and PNGs when asked: made in FOLDER's staging
    folder and moved in together (files_together, which calls CHECK on each file's place
    first), so the folder never holds a mix of two runs.

    AMONG, every client read when GRAPHS are some of them (graphs --client): each file is
    named as a run for all of them names it (so it replaces that client's file), and the
    bundle and index, which cover a whole caseload, are left as they are, not made to cover
    a few clients beside the others' files."""
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
    ids = [g.client.client_id for g in graphs]
    names = _names_among(ids, among) if among else unique_names(ids)
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
        if not among:
            bundle = join_pdfs(pdfs)
            write_atomic(files.path(BUNDLE), lambda s: s.write(bundle))
            write_atomic(files.path(INDEX_FILE), lambda s: s.write(index))
        pngs = write_pngs(files.staging, pdfs, names) if options.png else []
    return GraphFiles(
        tuple(folder / f"{name}.pdf" for name in names),
        None if among else folder / BUNDLE,
        tuple(folder / png.name for png in pngs),
        sum(len(g) for g in groups),
        None if among else folder / INDEX_FILE,
    )


def _names_among(client_ids: Sequence[str], among: Sequence[str]) -> list[str]:
    """The file names of CLIENT_IDS as unique_names makes them among all of AMONG."""
    every = sorted(set(among) | set(client_ids))
    name_of = dict(zip(every, unique_names(every), strict=True))
    return [name_of[client_id] for client_id in client_ids]


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
