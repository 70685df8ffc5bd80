"""The practice report: outcomes by clinician, clients to review, and every data problem.

Takes: a Reading (scanner.measurements), its scored forms, the thresholds, the practice's name,
the paper size and the date printed. Returns: one PDF, written atomically.
The figures come from forms.outcomes; the markup is templates/_report.html and report.css.
Long lists (clinicians, flags, problems, files) are cut into pages here, with a height budget
per page estimated from the text; the laid-out pages are then checked (check_fits and the page
count), and a report that does not fit is cut again with a smaller budget.
"""

from __future__ import annotations

import datetime
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup
from weasyprint import Document

from forms.outcomes import (
    CLASS_COLUMNS,
    EFFECT_SIZE_NOTE,
    SMALL_N,
    SMALL_NUMBER,
    FlagLine,
    GroupOutcomes,
    Outcomes,
    Share,
    TrackLine,
    expected_progress,
    open_flags,
    practice_outcomes,
)
from forms.records import Client, Problem
from forms.scoring import ScoredForm, Thresholds
from forms.trajectories import Model
from generator.output import write_atomic
from generator.paper import BINDER_MARGINS_MM, Paper, binder_page_setup
from generator.render import check_fits, layout, render_html
from paperfit.errors import PaperfitError
from scanner.measurements import Reading, plural

TITLE = "Practice report"
MISSING = "–"
SMALL_MARK = "†"

# The height model, in mm, matching report.css: change both together. A text line of 8 pt at
# line-height 1.25 is 3.53 mm; a table row adds its padding and rule. Text widths come from the
# advance widths of DejaVu Sans (the font print.css sets), rounded up; estimates err on the
# tall side, and the laid-out pages are checked anyway.
PT_MM = 25.4 / 72
LINE_MM = 8 * 1.25 * PT_MM
GROUP_LINE_MM = 7.5 * 1.2 * PT_MM
ROW_PAD_MM = 1.4
CELL_PAD_MM = 2.0  # left and right padding of a table cell
FIRST_HEAD_MM = 24.0  # title, practice (one line), facts (two lines), rule, space below
NEXT_HEAD_MM = 9.5  # the running head of later pages and the space below it
FOOT_MM = 6.5  # the foot (4.4 mm), pinned to the bottom, and the space kept above it
SECTION_HEAD_MM = 10.0  # a section heading with its space above
TABLE_HEAD_MM = 5.5  # one line of column names
GROUP_TABLE_HEAD_MM = 22.0  # the figures table's two header rows (names wrap to 4 lines)
EMPTY_MM = 6.0
# Column widths (mm) of the tables, as in report.css; the wrapping column takes what is left of
# the narrowest content width (A4: 210 - 12 - 25 = 173 mm).
NARROWEST_MM = 173.0
FLAG_COLUMNS_MM = {"client": 20.0, "clinician": 34.0, "session": 15.0, "date": 20.0}
PROBLEM_COLUMNS_MM = {"severity": 14.0, "where": 58.0}
TRACK_COLUMNS_MM = {**FLAG_COLUMNS_MM, "clinician": 28.0, "score": 11.0, "expected": 36.0}
SHARE_COLUMNS_MM = {"name": 60.0}
KEEP_ROWS = 3  # a section this short is never split over two pages
SCALES = (1.0, 0.8, 0.6)  # budgets tried in turn when a page does not fit

# Advance widths of DejaVu Sans in em, each rounded up to its group's value; any other
# character counts as 1 em. Bold is at most about 15 % wider on average.
_WIDTH_GROUPS_EM = {
    0.28: "'ijlíìïî",
    0.30: "IJ",
    0.32: ",. ",
    0.34: "/:;\\|",
    0.36: "f-",
    0.40: "t()[]!›",
    0.42: "r",
    0.50: '"*_`–†',
    0.53: "sz“”‘’?",
    0.56: "cçL",
    0.60: "kFvxyP",
    0.62: "aoTYàáâóôöeéèêë",
    0.64: "bdghnpquESúùûñüß0123456789${}",
    0.70: "KAVBRXZCÀÁÉÈ",
    0.79: "UHNDG&OQÓÖÜ",
    0.84: "w#+<=>^~≥≤÷\u2212M",
    1.00: "%mW@—",
}
_WIDTH_EM = {char: em for em, chars in _WIDTH_GROUPS_EM.items() for char in chars}
BOLD = 1.15
WIDTH_SLACK = 0.97  # use a little less than the column's width


def text_width_mm(text: str, size_pt: float = 8.0, bold: bool = False) -> float:
    em = sum(_WIDTH_EM.get(char, 1.0) for char in text)
    return em * size_pt * PT_MM * (BOLD if bold else 1.0)


def text_lines(text: str, width_mm: float, size_pt: float = 8.0, bold: bool = False) -> int:
    """How many lines TEXT takes in a box WIDTH_MM wide, greedily wrapped at spaces; a word
    longer than a line is broken (the CSS says overflow-wrap: anywhere)."""
    width = max(width_mm * WIDTH_SLACK, 1.0)
    space = text_width_mm(" ", size_pt, bold)
    lines = 0
    for paragraph in str(text).splitlines() or [""]:
        lines += 1
        used = 0.0
        for word in paragraph.split():
            length = text_width_mm(word, size_pt, bold)
            if used and used + space + length <= width:
                used += space + length
                continue
            if used:
                lines += 1
            while length > width:
                lines += 1
                length -= width
            used = length
    return lines


@dataclass(frozen=True)
class Section:
    """One part of the report: a heading, a table head, and rows of known heights."""

    key: str
    title: str
    head_mm: float
    rows: tuple[Any, ...] = ()
    heights: tuple[float, ...] = ()
    intro: str = ""
    empty: str = ""
    keep: bool = False  # short sections start a new page rather than split


@dataclass(frozen=True)
class Block:
    """The rows of one section that go on one page."""

    section: Section
    rows: tuple[Any, ...]
    continued: bool

    @property
    def key(self) -> str:
        return self.section.key


def paginate(sections: Sequence[Section], first_mm: float, next_mm: float) -> list[list[Block]]:
    """Cut SECTIONS into pages: FIRST_MM of height on page 1, NEXT_MM on the others. A heading
    never ends a page: it goes with at least its first row (or its "none" line); a short
    section (or one marked keep) starts a new page rather than split, when it fits on one."""
    pages: list[list[Block]] = [[]]
    left = first_mm

    def new_page() -> None:
        nonlocal left
        pages.append([])
        left = next_mm

    for section in sections:
        if not section.rows:
            if section.head_mm + EMPTY_MM > left and pages[-1]:
                new_page()
            pages[-1].append(Block(section, (), False))
            left -= section.head_mm + EMPTY_MM
            continue
        whole = section.head_mm + sum(section.heights)
        keep = section.keep or len(section.rows) <= KEEP_ROWS
        if keep and whole > left and whole <= next_mm and pages[-1]:
            new_page()
        start = 0
        while start < len(section.rows):
            if section.head_mm + section.heights[start] > left and pages[-1]:
                new_page()
            left -= section.head_mm
            end = start
            while end < len(section.rows) and (
                section.heights[end] <= left or end == start
            ):  # a row taller than a page still goes somewhere: the fit check reports it
                left -= section.heights[end]
                end += 1
            pages[-1].append(Block(section, section.rows[start:end], start > 0))
            start = end
    return pages


# --- what the sections hold --------------------------------------------------------------


def _number(value: float | None, digits: int = 1, sign: bool = False) -> str:
    if value is None:
        return MISSING
    value = round(value, digits) + 0.0  # no "-0.0"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _mark(count: int, group_small: bool) -> str:
    """A figure resting on few clients is marked, unless its whole group already is."""
    return f" {SMALL_MARK}" if count < SMALL_N and not group_small else ""


def _n(count: int, group_small: bool) -> str:
    return f"n={count}{_mark(count, group_small)}"


def _of(share: Share, group_small: bool) -> str:
    return f"{share.count} of {share.n}{_mark(share.n, group_small)}"


def _group_row(group: GroupOutcomes, whole: bool) -> dict[str, Any]:
    small = group.small

    def share(label: str) -> dict[str, str]:
        value = group.classes[label]
        percent = value.percent
        return {
            "value": MISSING if percent is None else f"{percent:.0f}%",
            "n": _of(value, small),
        }

    alliance = group.alliance_alert
    median = group.sessions_median.value
    return {
        "name": group.name,
        "whole": whole,
        "small": SMALL_NUMBER if small else "",
        "clients": str(group.clients),
        "forms": str(group.forms),
        "sessions": f"{_number(group.sessions_mean.value)} / {_number(median).removesuffix('.0')}",
        "sessions_n": _n(group.sessions_mean.n, small),
        "intake": _number(group.intake.value),
        "intake_n": _n(group.intake.n, small),
        "change": _number(group.change.value, sign=True),
        "change_n": _n(group.change.n, small),
        "effect": _number(group.effect_size.value, 2, sign=True),
        "effect_n": _n(group.effect_size.n, small),
        "classes": [share(label) for label in CLASS_COLUMNS],
        "alliance": MISSING if alliance.percent is None else f"{alliance.percent:.0f}%",
        "alliance_n": _of(alliance, small),
    }


def _group_height(row: dict[str, Any]) -> float:
    """The name row (the name and the small-number warning share a line when they can) and
    the figures row (figure over n)."""
    size = 8.5 if row["whole"] else 7.5
    name = text_width_mm(row["name"], size, bold=True)
    if row["small"]:
        name += 3.0 + text_width_mm(row["small"], 7.0)
    name_lines = max(1, math.ceil(name / ((NARROWEST_MM - 1.4) * WIDTH_SLACK)))
    # padding and rule; the name's lines; a figure (7.5 pt) over its n (6.5 pt)
    return 2.4 + name_lines * size * 1.2 * PT_MM + GROUP_LINE_MM + 6.5 * 1.2 * PT_MM


def _rest(columns: dict[str, float]) -> float:
    return NARROWEST_MM - sum(columns.values())


def _wrapped_height(*cells: tuple[str, float]) -> float:
    lines = max(text_lines(text, width - CELL_PAD_MM) for text, width in cells)
    return ROW_PAD_MM + lines * LINE_MM


def _intro_height(text: str) -> float:
    return text_lines(text, NARROWEST_MM) * LINE_MM + 1.2 if text else 0.0


@dataclass(frozen=True)
class ProblemRow:
    severity: str
    where: str
    message: str


def _shorten(path: str, folder: str) -> str:
    if folder and path.startswith(folder + os.sep):
        return path[len(folder) + 1 :]
    return path


def common_folder(files: Sequence[str]) -> str:
    """The folder every source file is in, when they share one (printed once, not per line)."""
    parents = [os.path.dirname(f) for f in files]
    if not parents or not all(parents):
        return ""
    try:
        return os.path.commonpath(parents)
    except ValueError:  # absolute and relative paths, or different drives
        return ""


def _problem_rows(problems: Sequence[Problem], folder: str) -> list[ProblemRow]:
    """Errors first, then warnings (and anything else), each in the order found."""
    order = {"error": 0, "warning": 1}
    ranked = sorted(problems, key=lambda p: order.get(p.severity, 2))
    rows = []
    for problem in ranked:
        where = replace(problem.location, file=_shorten(problem.location.file, folder))
        rows.append(ProblemRow(problem.severity, str(where), problem.message))
    return rows


def _notes(thresholds: Thresholds) -> list[str]:
    rci = f"{thresholds.rci:g}"
    alert = f"{thresholds.alert_total:g}"
    return [
        "Clients: those with at least one form; clinician from the client list. Forms: every "
        "form read, complete or not. Sessions per client: distinct session numbers.",
        "Intake: each client's first complete outcome total. Change: latest complete outcome "
        "total \u2212 intake, for the clients with at least 2 complete outcome forms.",
        f"Effect size: pre-post, {EFFECT_SIZE_NOTE}: mean change ÷ the sample SD (n \u2212 1) "
        "of the same clients' intake totals; not comparable with published benchmarks; "
        "– when n < 2 or the intakes do not vary.",
        "Latest outcome class (of the latest complete outcome form; the five add up to n): "
        f"reliable improvement = gain ≥ {rci} (RCI), not clinically significant; clinically "
        f"significant improvement = gain ≥ {rci} from at or below the cutoff of the client's "
        f"age group to above it; reliable deterioration = loss ≥ {rci}; intake above cutoff = "
        "first total above the cutoff and no reliable deterioration (little room to improve: "
        "a conversation, not a failure).",
        f"Alliance: clients with any alliance total below {alert}, of those with a complete "
        f"alliance form. n: the clients a figure rests on; “{SMALL_NUMBER}”: a group of fewer "
        f"than {SMALL_N} clients; {SMALL_MARK}: a figure resting on fewer than {SMALL_N}.",
    ]


def _flag_rows(flags: Sequence[FlagLine]) -> list[dict[str, str]]:
    return [
        {
            "client": line.client_id,
            "clinician": line.clinician,
            "session": str(line.session),
            "date": line.date.isoformat() if line.date else MISSING,
            "reason": line.reason,
        }
        for line in flags
    ]


def _track_rows(lines: Sequence[TrackLine]) -> list[dict[str, str]]:
    return [
        {
            "client": line.client_id,
            "clinician": line.clinician,
            "session": str(line.session),
            "date": line.date.isoformat() if line.date else MISSING,
            "score": f"{line.score:.1f}",
            "expected": f"{line.expected.p50:.1f} / {line.expected.p25:.1f} / "
            f"{line.expected.p10:.1f}",
            "reason": "under p10" if line.severity == 2 else "under p25 twice in a row",
        }
        for line in lines
    ]


def expected_sections(
    scored: Sequence[ScoredForm], clients: Mapping[str, Client], model: Model | None
) -> list[Section]:
    """ "Not on track" (open clients under the expected course, most severe first) and the
    share of open clients at or above expected, by clinician."""
    progress = expected_progress(scored, clients, model) if model else None
    if model is None or progress is None:
        none = (
            "No expected courses were used: too few clients for a curve, or --expected none "
            "(see paperfit trajectories)."
        )
        return [
            Section("not_on_track", "Not on track", SECTION_HEAD_MM, empty=none),
        ]
    rests_on = (
        f"Expected courses: model of {model.clients:,} clients, fitted "
        f"{model.fitted_on.isoformat()}{' on forms dated ' + model.period if model.period else ''}"
        " (paperfit trajectories). They describe this practice's past clients, not a norm; "
        "below them is a reason to talk, not a verdict."
    )
    track_intro = (
        "Open clients whose latest outcome total is under the 10th percentile of past clients "
        "who started at the same intake, or under the 25th at their last two outcome forms; "
        f"most severe first. {rests_on}"
    )
    rows = _track_rows(progress.not_on_track)
    rest = _rest(TRACK_COLUMNS_MM)
    shares = [
        {"name": name, "share": _of(share, False) + _percent(share)}
        for name, share in progress.on_track
    ]
    share_intro = (
        "Open clients whose latest outcome total is at or above expected (not under the 25th "
        "percentile: about 75 % of past clients were), of those whose intake and latest "
        "session the curves cover."
    )
    return [
        Section(
            "not_on_track",
            "Not on track",
            SECTION_HEAD_MM + _intro_height(track_intro) + TABLE_HEAD_MM,
            tuple(rows),
            tuple(
                _wrapped_height(
                    (row["clinician"], TRACK_COLUMNS_MM["clinician"]),
                    (row["expected"], TRACK_COLUMNS_MM["expected"]),
                    (row["reason"], rest),
                )
                for row in rows
            ),
            intro=track_intro,
            empty="No open client is under the expected course.",
        ),
        Section(
            "on_track",
            "At or above expected, by clinician",
            SECTION_HEAD_MM + _intro_height(share_intro),
            tuple(shares),
            tuple(_wrapped_height((row["name"], SHARE_COLUMNS_MM["name"])) for row in shares),
            intro=share_intro,
            empty="The curves cover no open client.",
            keep=True,
        ),
    ]


def _percent(share: Share) -> str:
    return "" if share.percent is None else f" ({share.percent:.0f} %)"


def _threshold_text(thresholds: Thresholds) -> str:
    return " · ".join(f"{t.name} {t.value:g} ({t.source})" for t in thresholds.used)


def build_sections(
    reading: Reading,
    scored: Sequence[ScoredForm],
    thresholds: Thresholds,
    outcomes: Outcomes,
    flags: Sequence[FlagLine],
    folder: str,
    model: Model | None = None,
) -> list[Section]:
    """Every section of the report, in order, with the estimated height of each row."""
    full = NARROWEST_MM
    groups = [_group_row(outcomes.whole, True)]
    groups += [_group_row(group, False) for group in outcomes.by_clinician]
    notes = _notes(thresholds)
    flag_rows = _flag_rows(flags)
    flag_rest = _rest(FLAG_COLUMNS_MM)
    problems = _problem_rows(reading.problems, folder)
    problem_rest = _rest(PROBLEM_COLUMNS_MM)
    errors = len(reading.errors)
    warnings = len(reading.problems) - errors
    threshold_text = _threshold_text(thresholds)
    files = [_shorten(f, folder) for f in reading.files]
    flags_intro = (
        "Open clients whose latest session has flags, most recent first "
        "(closed clients are left out)."
    )
    problems_intro = (
        f"{plural(errors, 'error')} (the value was left out), "
        f"{plural(warnings, 'warning')} (the value was kept). Errors first."
    )
    sources_intro = f"In {folder}" if folder else ""
    return [
        Section(
            "groups",
            "By clinician",
            SECTION_HEAD_MM + GROUP_TABLE_HEAD_MM,
            tuple(groups),
            tuple(_group_height(row) for row in groups),
        ),
        Section(
            "notes",
            "How the figures are made",
            SECTION_HEAD_MM,
            tuple(notes),
            tuple(text_lines(note, full - 4) * LINE_MM + 1.0 for note in notes),
            keep=True,
        ),
        Section(
            "thresholds",
            "Thresholds used",
            SECTION_HEAD_MM,
            (threshold_text,),
            (text_lines(threshold_text, full) * LINE_MM,),
            keep=True,
        ),
        Section(
            "flags",
            "To review this week",
            SECTION_HEAD_MM + _intro_height(flags_intro) + TABLE_HEAD_MM,
            tuple(flag_rows),
            tuple(
                _wrapped_height(
                    (row["client"], FLAG_COLUMNS_MM["client"]),
                    (row["clinician"], FLAG_COLUMNS_MM["clinician"]),
                    (row["reason"], flag_rest),
                )
                for row in flag_rows
            ),
            intro=flags_intro,
            empty="No open client has flags at their latest session.",
        ),
        *expected_sections(scored, reading.clients, model),
        Section(
            "problems",
            "Data problems found while reading",
            SECTION_HEAD_MM + _intro_height(problems_intro) + TABLE_HEAD_MM,
            tuple(problems),
            tuple(
                _wrapped_height(
                    (row.where, PROBLEM_COLUMNS_MM["where"]), (row.message, problem_rest)
                )
                for row in problems
            ),
            intro=problems_intro,
            empty="No problems were found.",
        ),
        Section(
            "sources",
            "Source files",
            SECTION_HEAD_MM + _intro_height(sources_intro),
            tuple(files),
            tuple(text_lines(f, full - 4) * LINE_MM + 0.6 for f in files),
            intro=sources_intro,
            empty="No files were read.",
        ),
    ]


def _date_range(scored: Sequence[ScoredForm]) -> str:
    dates = sorted(e.form.date for e in scored if e.form.date is not None)
    if not dates:
        return "no dates"
    return f"{dates[0].isoformat()} to {dates[-1].isoformat()}"


def report_pages(
    reading: Reading,
    scored: Sequence[ScoredForm],
    thresholds: Thresholds,
    practice_name: str,
    paper: str,
    printed: datetime.date,
    scale: float = 1.0,
    model: Model | None = None,
) -> list[str]:
    """The HTML of each page of the report, numbered "page x of y". SCALE (at most 1) shrinks
    the height budget of every page."""
    size = Paper.named(paper)
    top, _, bottom, _ = BINDER_MARGINS_MM
    height = size.height - top - bottom - FOOT_MM
    outcomes = practice_outcomes(scored, reading.clients, thresholds)
    flags = open_flags(scored, reading.clients)
    folder = common_folder(reading.files)
    sections = build_sections(reading, scored, thresholds, outcomes, flags, folder, model)
    # A long practice name wraps: in the head of page 1 (9 pt) and the running head (7.5 pt).
    name_lines = text_lines(practice_name, NARROWEST_MM, 9) if practice_name else 0
    first = FIRST_HEAD_MM + max(0, name_lines - 1) * 9 * 1.25 * PT_MM
    running = f"{TITLE} · {practice_name} · printed {printed.isoformat()}"
    following = NEXT_HEAD_MM + (text_lines(running, NARROWEST_MM, 7.5) - 1) * 7.5 * 1.25 * PT_MM
    pages = paginate(sections, (height - first) * scale, (height - following) * scale)
    errors = len(reading.errors)
    facts = {
        "printed": printed.isoformat(),
        "dates": _date_range(scored),
        "clients": outcomes.whole.clients,
        "forms": outcomes.whole.forms,
        "files": len(reading.files),
        "problems": f"{plural(errors, 'error')}, "
        f"{plural(len(reading.problems) - errors, 'warning')}",
    }
    classes = [
        {"label": label[0].upper() + label[1:], "key": label.replace(" ", "-")}
        for label in CLASS_COLUMNS
    ]
    return [
        render_html(
            "_report.html",
            title=TITLE,
            practice_name=practice_name,
            facts=facts,
            page={"number": number, "count": len(pages), "blocks": blocks},
            classes=classes,
            alert=f"{thresholds.alert_total:g}",
            effect_note=EFFECT_SIZE_NOTE,
        )
        for number, blocks in enumerate(pages, start=1)
    ]


def page_setup(paper: str) -> dict[str, object]:
    """The wrapper context: the binder page of generator/paper.py, and the report's title."""
    return {**binder_page_setup(paper), "lang": "en", "title": TITLE}


def lay_out_report(pages_for: Callable[[float], list[str]], paper: str) -> Document:
    """Lay out the pages PAGES_FOR(scale) gives, shrinking the budget until every page fits
    on one sheet with its flow clear of the foot."""
    setup = page_setup(paper)
    for scale in SCALES:
        pages = pages_for(scale)
        document = layout(render_html("pack.html", pages=[Markup(p) for p in pages], **setup))
        if len(document.pages) != len(pages):
            continue
        try:
            check_fits(document)
        except PaperfitError:
            continue
        return document
    raise PaperfitError(
        "The report could not be laid out on its pages: a single line of it is too long. "
        "Please report this with the input files."
    )


def write_report(
    out: Path,
    reading: Reading,
    scored: Sequence[ScoredForm],
    thresholds: Thresholds,
    practice_name: str,
    paper: str,
    printed: datetime.date,
    model: Model | None = None,
) -> Path:
    """Write the practice report to OUT (atomically) and return its path; with MODEL, the
    clients not on track and the share at or above expected."""

    def pages_for(scale: float) -> list[str]:
        return report_pages(
            reading, scored, thresholds, practice_name, paper, printed, scale, model
        )

    document = lay_out_report(pages_for, paper)
    pdf = document.write_pdf()
    return write_atomic(Path(out), lambda stream: stream.write(pdf))
