"""The practice report: outcomes by clinician, clients to review, and every data problem.

Takes: a Reading (scanner.measurements), its scored forms, the thresholds, the practice's name,
the paper size, the date printed and the language. Returns: one PDF, written atomically.
The figures come from forms.outcomes; the markup is templates/_report.html and report.css; the
words are the [report] table of templates/text/<language>.toml.
Long lists (clinicians, flags, problems, files) are cut into pages here, with a height budget
per page estimated from the text; the laid-out pages are then checked (check_fits and the page
count), and a report that does not fit is cut again with a smaller budget.
"""

from __future__ import annotations

import datetime
import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup
from paperfit.forms.errors import Location, PaperfitError, clip
from paperfit.forms.limits import Limits
from paperfit.forms.outcomes import (
    CLASS_COLUMNS,
    NO_CLINICIAN,
    SMALL_N,
    FlagLine,
    GroupOutcomes,
    Outcomes,
    Share,
    TrackLine,
    expected_progress,
    open_flags,
    practice_outcomes,
)
from paperfit.forms.outputs import REPORT, mark
from paperfit.forms.records import Client, Form, Problem, Reading
from paperfit.forms.scoring import ScoredForm, Thresholds
from paperfit.forms.sheet import Paper
from paperfit.forms.trajectories import Model
from paperfit.generator.graphs import model_counts
from paperfit.generator.output import write_atomic
from paperfit.generator.paper import BINDER_MARGINS_MM, binder_page_setup
from paperfit.generator.render import check_fits, layout, render_html
from paperfit.generator.text_width import PT_MM, WIDTH_SLACK, text_lines, text_width_mm
from paperfit.generator.texts import count, fill, say_flags, texts
from weasyprint import Document

MISSING = "–"
SMALL_MARK = "†"

# The height model, in mm, matching report.css: change both together. A text line of 8 pt at
# line-height 1.25 is 3.53 mm; a table row adds its padding and rule. Text widths come from the
# advance widths of DejaVu Sans (the font print.css sets), rounded up; estimates err on the
# tall side, and the laid-out pages are checked anyway.
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
# Column widths of the list tables come from their content (fit_columns): each column as wide
# as its widest cell, up to its cap (mm), and the wrapping column takes what is left of the
# narrowest content width (A4: 210 - 12 - 25 = 173 mm).
NARROWEST_MM = 173.0
FLAG_COLUMNS_MM = {"client": 30.0, "clinician": 45.0, "session": 15.0, "date": 20.0}
PROBLEM_COLUMNS_MM = {"severity": 16.0, "form": 52.0, "where": 45.0}
# The expected-course tables keep fixed widths (report.css).
TRACK_COLUMNS_MM = {
    "client": 20.0,
    "clinician": 28.0,
    "session": 15.0,
    "date": 20.0,
    "score": 11.0,
    "expected": 36.0,
}
SHARE_COLUMNS_MM = {"name": 60.0}
KEEP_ROWS = 3  # a section this short is never split over two pages
SCALES = (1.0, 0.8, 0.6)  # budgets tried in turn when a page does not fit


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
    widths: Mapping[str, float] = field(default_factory=dict)  # mm of the fitted columns


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


def _of(share: Share, group_small: bool, words: dict[str, Any]) -> str:
    return fill(words["share"], count=share.count, n=share.n) + _mark(share.n, group_small)


def _clinician(name: str, words: dict[str, Any]) -> str:
    """A clinician's name as printed: the client list's, or "(no clinician)" in WORDS."""
    return words["no_clinician"] if name == NO_CLINICIAN else name


def _group_row(group: GroupOutcomes, whole: bool, words: dict[str, Any]) -> dict[str, Any]:
    small = group.small

    def share(label: str) -> dict[str, str]:
        value = group.classes[label]
        percent = value.percent
        return {
            "value": MISSING if percent is None else f"{percent:.0f}%",
            "n": _of(value, small, words),
        }

    alliance = group.alliance_alert
    median = group.sessions_median.value
    return {
        "name": words["whole_practice"] if whole else _clinician(group.name, words),
        "whole": whole,
        "small": words["small_number"] if small else "",
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
        "alliance_n": _of(alliance, small, words),
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


def _rest(columns: Mapping[str, float]) -> float:
    return NARROWEST_MM - sum(columns.values())


def fit_columns(
    rows: Sequence[Mapping[str, str]], heads: Mapping[str, str], caps: Mapping[str, float]
) -> dict[str, float]:
    """The width (mm) of each column of CAPS: its widest cell of ROWS or its head (bold),
    with padding, up to its cap; so a short name never wraps beside an empty column."""
    widths = {}
    for key, cap in caps.items():
        widest = max(
            [text_width_mm(heads.get(key, ""), 8, bold=True)]
            + [text_width_mm(row[key], 8) for row in rows]
        )
        widths[key] = round(min(cap, widest / WIDTH_SLACK + CELL_PAD_MM + 0.6), 1)
    return widths


def _wrapped_height(*cells: tuple[str, float]) -> float:
    lines = max(text_lines(text, width - CELL_PAD_MM) for text, width in cells)
    return ROW_PAD_MM + lines * LINE_MM


def _intro_height(text: str) -> float:
    return text_lines(text, NARROWEST_MM) * LINE_MM + 1.2 if text else 0.0


@dataclass(frozen=True)
class ProblemRow:
    """A data problem as listed: which form (client, instrument, session, date, as far as
    known) first, then where it is in the files, then what is wrong."""

    severity: str
    form: str
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


def _clipped(location: Location, limit: int) -> Location:
    """LOCATION with a sheet or column name longer than LIMIT characters cut."""
    return replace(
        location,
        sheet=location.sheet and clip(location.sheet, limit),
        column=location.column and clip(location.column, limit),
    )


def _form_of(problem: Problem, forms: Mapping[tuple, Form], instruments: set[str]) -> str:
    """Client, instrument, session and date of the form PROBLEM is about, as far as known:
    the form read from the same row, else the instrument its sheet is named for."""
    where = problem.location
    form = forms.get((where.file, where.sheet, where.row))
    if form is None:
        return where.sheet if where.sheet in instruments else ""
    date = form.date.isoformat() if form.date else ""
    return " · ".join(filter(None, (form.client_id, form.instrument, f"#{form.session}", date)))


def _problem_rows(
    problems: Sequence[Problem], folder: str, forms: Sequence[Form] = ()
) -> list[ProblemRow]:
    """Errors first, then warnings (and anything else), each in the order found."""
    order = {"error": 0, "warning": 1}
    ranked = sorted(problems, key=lambda p: order.get(p.severity, 2))
    by_row = {(f.source.file, f.source.sheet, f.source.row): f for f in forms}
    instruments = {f.instrument for f in forms}
    rows = []
    for problem in ranked:
        where = replace(problem.location, file=_shorten(problem.location.file, folder))
        form = _form_of(problem, by_row, instruments)
        rows.append(ProblemRow(problem.severity, form, str(where), problem.message))
    return rows


def _notes(thresholds: Thresholds, words: dict[str, Any]) -> list[str]:
    """How the figures are made, with this practice's thresholds filled in."""
    values = {
        "rci": f"{thresholds.rci:g}",
        "alert": f"{thresholds.alert_total:g}",
        "effect_note": words["effect_note"],
        "small_number": words["small_number"],
        "small_n": SMALL_N,
        "small_mark": SMALL_MARK,
    }
    return [fill(note, **values) for note in words["notes"]]


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


def _track_rows(lines: Sequence[TrackLine], words: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {
            "client": line.client_id,
            "clinician": line.clinician,
            "session": str(line.session),
            "date": line.date.isoformat() if line.date else MISSING,
            "score": f"{line.score:.1f}",
            "expected": MISSING
            if line.expected is None
            else f"{line.expected.p50:.1f} / {line.expected.p25:.1f} / {line.expected.p10:.1f}",
            "reason": fill(words["track_above"], intake=f"{line.intake:g}")
            if line.expected is None
            else words["under_p10" if line.severity == 2 else "under_p25_twice"],
        }
        for line in lines
    ]


def _record(model: Model, words: dict[str, Any]) -> str:
    """The rule's own record on the model's held-out past clients, summed over age groups
    ("" when the model kept none: a model fitted without its calibration)."""
    records = [
        g.calibration.record
        for g in model.groups.values()
        if g.fitted and g.calibration and g.calibration.record
    ]
    if not records:
        return ""
    worse = sum(r.not_improved for r in records)
    worse_listed = sum(r.not_improved_listed for r in records)
    better = sum(r.improved for r in records)
    better_listed = sum(r.improved_listed for r in records)
    return fill(
        words["track_record"],
        worse=worse,
        worse_listed=worse_listed,
        worse_share=f"{100 * worse_listed / worse:.0f} %" if worse else MISSING,
        better=better,
        better_listed=better_listed,
        better_share=f"{100 * better_listed / better:.0f} %" if better else MISSING,
    )


def expected_sections(
    scored: Sequence[ScoredForm],
    clients: Mapping[str, Client],
    model: Model | None,
    words: dict[str, Any],
    language: str,
) -> list[Section]:
    """ "Not on track" (open clients under the expected course, most severe first) and the
    share of open clients at or above expected, by clinician, in WORDS of LANGUAGE."""
    progress = expected_progress(scored, clients, model) if model else None
    if model is None or progress is None:
        return [
            Section(
                "not_on_track", words["track_title"], SECTION_HEAD_MM, empty=words["track_none"]
            ),
        ]
    graph_words = texts(language)["graph"]
    rests_on = fill(
        words["track_rests_on"],
        counts=model_counts(model, graph_words),
        kind=graph_words["key_kind"][model.kind],
        fitted=model.fitted_on.isoformat(),
        period=fill(words["track_period"], period=model.period) if model.period else "",
    )
    track_intro = " ".join(
        filter(None, (fill(words["track_intro"], rests_on=rests_on), _record(model, words)))
    )
    rows = _track_rows(progress.not_on_track, words)
    rest = _rest(TRACK_COLUMNS_MM)
    shares = [
        {"name": _clinician(name, words), "share": _of(share, False, words) + _percent(share)}
        for name, share in progress.on_track
    ]
    return [
        Section(
            "not_on_track",
            words["track_title"],
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
            empty=words["track_empty"],
        ),
        Section(
            "on_track",
            words["on_track_title"],
            SECTION_HEAD_MM + _intro_height(words["on_track_intro"]),
            tuple(shares),
            tuple(_wrapped_height((row["name"], SHARE_COLUMNS_MM["name"])) for row in shares),
            intro=words["on_track_intro"],
            empty=words["on_track_empty"],
            keep=True,
        ),
    ]


def _percent(share: Share) -> str:
    return "" if share.percent is None else f" ({share.percent:.0f} %)"


def _from(parts: Sequence[tuple[str, str]], words: Mapping[str, Any]) -> str:
    """PARTS (text, origin) joined, each run of one origin followed by where it came from
    in one short phrase: "adults 25, children 32 (published with the form)"."""
    runs: list[tuple[str, list[str]]] = []
    for text, origin in parts:
        if runs and runs[-1][0] == origin:
            runs[-1][1].append(text)
        else:
            runs.append((origin, [text]))
    said = words["threshold_from"]
    return "; ".join(f"{', '.join(texts)} ({said[origin]})" for origin, texts in runs)


def threshold_lines(thresholds: Thresholds, words: Mapping[str, Any]) -> list[str]:
    """The thresholds in plain words, each with where it came from (the form's published
    value, this practice's settings, or paperfit's default): no setting or file names."""
    used = {t.name: t for t in thresholds.used}

    def part(name: str, template: str, **values: str) -> tuple[str, str]:
        t = used[name]
        return fill(template, value=f"{t.value:g}", **values), t.origin

    groups = words["age_groups"]
    cutoffs = [
        part(f"cutoff_{group}", words["threshold_group"], group=groups[group])
        for group in groups
        if f"cutoff_{group}" in used
    ]
    alert = [
        part("srs_alert_total", words["threshold_alert_total"]),
        part("srs_alert_item", words["threshold_alert_item"]),
    ]
    return [
        fill(words["threshold_cutoff"], values=_from(cutoffs, words)),
        fill(words["threshold_rci"], values=_from([part("rci", words["threshold_change"])], words)),
        fill(words["threshold_alert"], values=_from(alert, words)),
        fill(
            words["threshold_review"],
            values=_from([part("no_improvement_by_session", words["threshold_by"])], words),
        ),
    ]


def _groups_section(outcomes: Outcomes, words: dict[str, Any]) -> Section:
    groups = [_group_row(outcomes.whole, True, words)]
    groups += [_group_row(group, False, words) for group in outcomes.by_clinician]
    return Section(
        "groups",
        words["groups_title"],
        SECTION_HEAD_MM + GROUP_TABLE_HEAD_MM,
        tuple(groups),
        tuple(_group_height(row) for row in groups),
    )


def _notes_section(thresholds: Thresholds, words: dict[str, Any]) -> Section:
    notes = _notes(thresholds, words)
    return Section(
        "notes",
        words["notes_title"],
        SECTION_HEAD_MM,
        tuple(notes),
        tuple(text_lines(note, NARROWEST_MM - 4) * LINE_MM + 1.0 for note in notes),
        keep=True,
    )


def _thresholds_section(thresholds: Thresholds, words: dict[str, Any]) -> Section:
    lines = threshold_lines(thresholds, words)
    return Section(
        "thresholds",
        words["thresholds_title"],
        SECTION_HEAD_MM,
        tuple(lines),
        tuple(text_lines(line, NARROWEST_MM - 4) * LINE_MM + 0.6 for line in lines),
        keep=True,
    )


def _flags_section(flags: Sequence[FlagLine], words: dict[str, Any], language: str) -> Section:
    """The open clients to review, their flags in LANGUAGE."""
    flag_rows = [
        {
            "client": line.client_id,
            "clinician": _clinician(line.clinician, words),
            "session": str(line.session),
            "date": line.date.isoformat() if line.date else MISSING,
            "reason": say_flags(line.flags, language),
        }
        for line in flags
    ]
    heads = {key: words[key] for key in FLAG_COLUMNS_MM}
    widths = fit_columns(flag_rows, heads, FLAG_COLUMNS_MM)
    flag_rest = _rest(widths)
    return Section(
        "flags",
        words["flags_title"],
        SECTION_HEAD_MM + _intro_height(words["flags_intro"]) + TABLE_HEAD_MM,
        tuple(flag_rows),
        tuple(
            _wrapped_height(
                (row["client"], widths["client"]),
                (row["clinician"], widths["clinician"]),
                (row["reason"], flag_rest),
            )
            for row in flag_rows
        ),
        intro=words["flags_intro"],
        empty=words["flags_empty"],
        widths=widths,
    )


def _problem_counts(reading: Reading, words: dict[str, Any], language: str) -> dict[str, str]:
    """The errors and the warnings of READING, each counted in words."""
    errors = len(reading.errors)
    return {
        "errors": count(errors, words["error"], language),
        "warnings": count(len(reading.problems) - errors, words["warning"], language),
    }


def _problems_section(
    reading: Reading, folder: str, words: dict[str, Any], language: str
) -> Section:
    problems = _problem_rows(reading.problems, folder, reading.forms)
    heads = {"severity": words["kind"], "form": words["form"], "where": words["where"]}
    cells = [
        {
            "severity": words["severities"].get(row.severity, row.severity),
            "form": row.form,
            "where": row.where,
        }
        for row in problems
    ]
    widths = fit_columns(cells, heads, PROBLEM_COLUMNS_MM)
    problem_rest = _rest(widths)
    problems_intro = fill(words["problems_intro"], **_problem_counts(reading, words, language))
    return Section(
        "problems",
        words["problems_title"],
        SECTION_HEAD_MM + _intro_height(problems_intro) + TABLE_HEAD_MM,
        tuple(problems),
        tuple(
            _wrapped_height(
                (row.form, widths["form"]),
                (row.where, widths["where"]),
                (row.message, problem_rest),
            )
            for row in problems
        ),
        intro=problems_intro,
        empty=words["problems_empty"],
        widths=widths,
    )


def _sources_section(reading: Reading, folder: str, words: dict[str, Any]) -> Section:
    files = [_shorten(f, folder) for f in reading.files]
    sources_intro = fill(words["sources_intro"], folder=folder) if folder else ""
    return Section(
        "sources",
        words["sources_title"],
        SECTION_HEAD_MM + _intro_height(sources_intro),
        tuple(files),
        tuple(text_lines(f, NARROWEST_MM - 4) * LINE_MM + 0.6 for f in files),
        intro=sources_intro,
        empty=words["sources_empty"],
    )


def build_sections(
    reading: Reading,
    scored: Sequence[ScoredForm],
    thresholds: Thresholds,
    outcomes: Outcomes,
    flags: Sequence[FlagLine],
    folder: str,
    language: str = "en",
    model: Model | None = None,
) -> list[Section]:
    """Every section of the report, in order, with the estimated height of each row, in the
    words of LANGUAGE; with MODEL, the clients not on track and the share at or above
    expected."""
    words = texts(language)["report"]
    return [
        _groups_section(outcomes, words),
        _notes_section(thresholds, words),
        _thresholds_section(thresholds, words),
        _flags_section(flags, words, language),
        *expected_sections(scored, reading.clients, model, words, language),
        _problems_section(reading, folder, words, language),
        _sources_section(reading, folder, words),
    ]


def _date_range(scored: Sequence[ScoredForm], words: dict[str, Any]) -> str:
    dates = sorted(e.form.date for e in scored if e.form.date is not None)
    if not dates:
        return words["no_dates"]
    return fill(words["date_range"], first=dates[0].isoformat(), last=dates[-1].isoformat())


def report_pages(
    reading: Reading,
    scored: Sequence[ScoredForm],
    thresholds: Thresholds,
    practice_name: str,
    paper: str,
    printed: datetime.date,
    scale: float = 1.0,
    language: str = "en",
    model: Model | None = None,
) -> list[str]:
    """The HTML of each page of the report in LANGUAGE, numbered "page x of y". SCALE (at
    most 1) shrinks the height budget of every page."""
    words = texts(language)["report"]
    size = Paper.named(paper)
    top, _, bottom, _ = BINDER_MARGINS_MM
    height = size.height - top - bottom - FOOT_MM
    outcomes = practice_outcomes(scored, reading.clients, thresholds)
    flags = open_flags(scored, reading.clients)
    folder = common_folder(reading.files)
    sections = build_sections(reading, scored, thresholds, outcomes, flags, folder, language, model)
    # A long practice name wraps: in the head of page 1 (9 pt) and the running head (7.5 pt).
    name_lines = text_lines(practice_name, NARROWEST_MM, 9) if practice_name else 0
    first = FIRST_HEAD_MM + max(0, name_lines - 1) * 9 * 1.25 * PT_MM
    printed_on = fill(words["printed_on"], date=printed.isoformat())
    running = f"{words['title']} · {practice_name} · {printed_on}"
    following = NEXT_HEAD_MM + (text_lines(running, NARROWEST_MM, 7.5) - 1) * 7.5 * 1.25 * PT_MM
    pages = paginate(sections, (height - first) * scale, (height - following) * scale)
    facts = {
        "printed": printed.isoformat(),
        "printed_on": printed_on,
        "dates": _date_range(scored, words),
        "clients": outcomes.whole.clients,
        "forms": outcomes.whole.forms,
        "files": len(reading.files),
        "problems": ", ".join(_problem_counts(reading, words, language).values()),
    }
    classes = [
        {"label": words["classes"][label], "key": label.replace(" ", "-")}
        for label in CLASS_COLUMNS
    ]
    return [
        render_html(
            "_report.html",
            w=words,
            practice_name=practice_name,
            facts=facts,
            page={
                "number": number,
                "count": len(pages),
                "blocks": blocks,
                "of": fill(words["page"], number=number, count=len(pages)),
            },
            classes=classes,
            alliance_head=fill(words["alliance_head"], alert=f"{thresholds.alert_total:g}"),
            effect_head=fill(words["effect_head"], note=words["effect_note"]),
        )
        for number, blocks in enumerate(pages, start=1)
    ]


def page_setup(paper: str, language: str = "en") -> dict[str, object]:
    """The wrapper context: the binder page of generator/paper.py, and the report's title and
    language."""
    title = texts(language)["report"]["title"]
    return {
        **binder_page_setup(paper),
        "lang": language,
        "title": title,
        "output_mark": mark(REPORT),
    }


def lay_out_report(
    pages_for: Callable[[float], list[str]], paper: str, language: str = "en"
) -> Document:
    """Lay out the pages PAGES_FOR(scale) gives, shrinking the budget until every page fits
    on one sheet with its flow clear of the foot."""
    setup = page_setup(paper, language)
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
    *,
    language: str = "en",
    model: Model | None = None,
    cell_chars: int = Limits.cell_chars,
) -> Path:
    """Write the practice report in LANGUAGE to OUT (atomically) and return its path; with
    MODEL, the clients not on track and the share at or above expected. A problem's quoted
    cell longer than CELL_CHARS characters is cut (its place says where it is)."""
    reading = replace(
        reading,
        problems=[
            replace(
                problem,
                location=_clipped(problem.location, cell_chars),
                message=clip(problem.message, cell_chars),
            )
            for problem in reading.problems
        ],
    )

    def pages_for(scale: float) -> list[str]:
        return report_pages(
            reading, scored, thresholds, practice_name, paper, printed, scale, language, model
        )

    document = lay_out_report(pages_for, paper, language)
    pdf = document.write_pdf()
    return write_atomic(Path(out), lambda stream: stream.write(pdf))
