"""The expected-courses files: model.json, expected.csv and trajectories.pdf, written as a set.

Takes: a fitted Model (forms.trajectories), the language, paper and practice name. Returns: the
three files in one folder. model.json holds the method, fit date, counts, ranges, parameters
and calibration, and nothing about any one client; expected.csv the curves as a table; the PDF
shows the curves for a few intakes with their bands, what they rest on, and the calibration.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from paperfit.forms.errors import PaperfitError
from paperfit.forms.model_file import model_to_dict
from paperfit.forms.outputs import TRAJECTORIES, mark
from paperfit.forms.trajectories import (
    ATTENDANCE,
    METHOD_WORDS,
    NEAR,
    PERCENTILES,
    QUANTREG,
    SHAPES,
    GroupModel,
    Model,
    expected_table,
)
from paperfit.generator.chart import (
    MAX_SCORE,
    Chart,
    Frame,
    Place,
    Tick,
    expected_course,
    session_scale,
    value_scale,
    value_ticks,
)
from paperfit.generator.output import files_together
from paperfit.generator.paper import binder_page_setup
from paperfit.generator.render import check_fits, layout, render_html
from paperfit.generator.texts import texts

MODEL_FILE, TABLE_FILE, PAGE_FILE = "model.json", "expected.csv", "trajectories.pdf"
TABLE_COLUMNS = ("age_group", "intake", "session", "p10", "p25", "p50", "p75", "clients")
SHOWN_INTAKES = (10, 15, 20, 25)
CHART_FRAME = Frame(width=41, height=40, left=6.5, right=1.5, top=1.5, bottom=5)
# How much of a page's room an age group takes: a fitted one with its charts and calibration,
# or a line saying why there is no curve; page 1 also holds the notes on the method.
FITTED_SHARE, REFUSED_SHARE = 1.4, 0.25
FIRST_PAGE_ROOM, PAGE_ROOM = 2.25, 3.0


@dataclass(frozen=True)
class GroupPage:
    """One age group's part of the page: its facts, a chart per shown intake (none when refused
    or when no shown intake is covered), notes on what it rests on, and its calibration rows
    (band, forms, clients, four shares)."""

    refusal: str  # why there is no curve, in the page's language
    group: GroupModel
    name: str
    instrument: str
    rests_on: str
    charts: tuple[Chart, ...]
    calibration: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()


def model_json(model: Model) -> bytes:
    return (json.dumps(model_to_dict(model), indent=1, ensure_ascii=False) + "\n").encode()


def table_csv(model: Model) -> bytes:
    """expected.csv: one row per age group, whole intake and session the model covers."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(TABLE_COLUMNS)
    for age_group, intake, session, expected, clients in expected_table(model):
        # a cell resting on fewer than min_support past clients: its count, and no curve
        values = [f"{v:.1f}" for v in expected.values] if expected else [""] * len(PERCENTILES)
        writer.writerow([age_group, intake, session, *values, clients])
    return buffer.getvalue().encode()


def _say(text: str, **values: object) -> str:
    return text.format(**values)


def group_charts(model: Model, group: GroupModel, label: str) -> tuple[Chart, ...]:
    """A small chart for each of SHOWN_INTAKES with a curve at session 2: the band, median and
    p10 line from session 2 on (to the last session resting on enough past clients), the
    intake as a dot at session 1."""
    first, last = group.session_range
    frame = CHART_FRAME
    x = session_scale([1, last], frame)
    y = value_scale(MAX_SCORE, frame)
    step = 1 if last <= 8 else 2 if last <= 16 else 5
    ticks = tuple(Tick(s, x(s), str(s)) for s in dict.fromkeys([1, *range(step, last + 1, step)]))
    charts = []
    for intake in SHOWN_INTAKES:
        points = []
        for session in range(first, last + 1):
            e = model.expected(group.age_group, intake, session)
            if e is None:  # outside the covered range, or too few past clients: stops here
                break
            points.append((session, *e.values))
        if not points:
            continue
        place = Place(x(1) + 1.5, y(0) - 2)  # not drawn: the title says the intake
        course = expected_course(points, x, y, "", place, True, (1, float(intake)))
        charts.append(
            Chart(
                frame=frame,
                x_ticks=ticks,
                y_ticks=value_ticks(MAX_SCORE, 10, y),
                series=(),
                courses=(course,),
                hatch=False,
                title=_say(label, intake=intake),
            )
        )
    return tuple(charts)


def _calibration_rows(group: GroupModel, words: dict) -> tuple[tuple[str, ...], ...]:
    """The calibration table: the nominal shares, all held-out forms, then each band."""
    c = group.calibration
    if c is None:
        return ()
    rows = [(words["nominal"], "", "", *(f"{p} %" for p in PERCENTILES))]
    cells = [(words["band_all"], c.sessions, c.clients, c.below)]
    cells += [(_band_name(b.name, words), b.forms, b.clients, b.below) for b in c.bands]
    for name, forms, clients, below in cells:
        shares = (f"{v:.1f} %" if forms else "–" for v in below)
        rows.append((name, f"{forms:,}", f"{clients:,}", *shares))
    return tuple(rows)


def _band_name(name: str, words: dict) -> str:
    """A band's name (forms.trajectories.Band) in the page's language."""
    numbers = re.findall(r"\d+(?:\.\d+)?", name)
    if name.startswith("sessions") and name.endswith("+"):
        return _say(words["band_sessions_from"], low=numbers[0])
    if name.startswith("sessions"):
        return _say(words["band_sessions"], low=numbers[0], high=numbers[1])
    key = "band_above" if "above" in name else "band_at_or_below"
    return _say(words[key], cutoff=numbers[0])


def _notes(model: Model, group: GroupModel, words: dict) -> tuple[str, ...]:
    """What a fitted group's curves rest on, beyond its counts: weighting, support, shape,
    clients left out, and the share still attending at each session."""
    notes = [
        words["weighted" if group.weighting == ATTENDANCE else "unweighted"],
        _say(words["support"], needed=model.min_support, near=f"{NEAR:g}"),
    ]
    if group.terms != SHAPES[0] and model.method == QUANTREG:
        notes.append(_say(words["shape"], terms=", ".join(group.terms)))
    if group.left_out:
        notes.append(_say(words["left_out"], count=group.left_out))
    if group.attending:
        whole = group.attending[0]
        shares = ", ".join(
            f"{s}: {100 * n / whole:.0f} %" for s, n in enumerate(group.attending, start=1) if s > 1
        )
        notes.append(_say(words["attending"], clients=f"{whole:,}", shares=shares))
    return tuple(notes)


def model_notes(model: Model, language: str) -> tuple[str, ...]:
    """Whose clients the model describes, and the copies of a client pooling merged."""
    words = texts(language)["trajectories"]
    kind = texts(language)["graph"]["key_kind"][model.kind]
    notes = [_say(words["kind_words"], kind=kind)]
    if model.copies_merged:
        notes.append(_say(words["merged"], count=model.copies_merged))
    return tuple(notes)


def group_pages(model: Model, language: str) -> list[GroupPage]:
    words = texts(language)["trajectories"]
    parts = []
    for name, group in sorted(model.groups.items()):
        low, high = group.intake_range
        rests_on = _say(
            words["rests_on"],
            clients=group.clients,
            forms=group.forms,
            low=f"{low:g}",
            high=f"{high:g}",
            last=group.session_range[1],
            fitted=model.fitted_on.isoformat(),
        )
        charts = group_charts(model, group, words["curve_label"]) if group.fitted else ()
        if group.enough < model.min_clients:
            refusal = _say(words["too_few"], count=group.enough, needed=model.min_clients)
        else:
            refusal = group.refusal
        if group.left_out and not group.fitted:
            refusal += ". " + _say(words["left_out"], count=group.left_out).rstrip(".")
        parts.append(
            GroupPage(
                refusal,
                group,
                words["group_names"].get(name, name),
                words["instrument"].get(name, ""),
                rests_on,
                charts,
                _calibration_rows(group, words),
                _notes(model, group, words) if group.fitted else (),
            )
        )
    return parts


def trajectory_pages(model: Model, language: str, practice_name: str, printed: str) -> list[str]:
    """The HTML of the page(s), as many age groups to a page as its room holds."""
    runs: list[list[GroupPage]] = [[]]
    room = FIRST_PAGE_ROOM
    for part in group_pages(model, language):
        share = FITTED_SHARE if part.charts else REFUSED_SHARE
        if share > room and runs[-1]:
            runs.append([])
            room = PAGE_ROOM
        runs[-1].append(part)
        room -= share
    text = texts(language)
    return [
        render_html(
            "_trajectories.html",
            model=model,
            method_words=METHOD_WORDS[model.method],
            model_notes=model_notes(model, language),
            groups=run,
            text=text,
            practice_name=practice_name,
            printed=printed,
            page={"number": number, "count": len(runs), "first": number == 1},
        )
        for number, run in enumerate(runs, start=1)
    ]


def trajectories_pdf(model: Model, language: str, paper: str, practice_name: str) -> bytes:
    pages = trajectory_pages(model, language, practice_name, model.fitted_on.isoformat())
    setup = {
        **binder_page_setup(paper),
        "lang": language,
        "title": "paperfit expected progress",
        "output_mark": mark(TRAJECTORIES),
    }
    document = layout(render_html("pack.html", pages=[Markup(p) for p in pages], **setup))
    if len(document.pages) != len(pages):
        raise PaperfitError("The expected-progress page did not fit on its paper.")
    check_fits(document)
    return document.write_pdf()


def model_summary(model: Model) -> list[str]:
    """One line per age group: what its curve rests on, or why there is none."""
    lines = []
    for name, group in sorted(model.groups.items()):
        if group.fitted:
            low, high = group.intake_range
            line = (
                f"{name}: fitted on {group.clients} clients, {group.forms} forms; "
                f"intakes {low:g} to {high:g}, sessions 2 to {group.session_range[1]}"
            )
            if group.terms != SHAPES[0] and model.method == QUANTREG:
                line += (
                    f"; simpler shape (the data do not determine more): {', '.join(group.terms)}"
                )
            lines.append(line)
        else:
            lines.append(f"{name}: {group.refusal}")
        if group.left_out:
            lines.append(
                f"{name}: {group.left_out} clients whose first outcome form is not session 1 "
                "left out (paperfit check lists them)"
            )
    if model.copies_merged:
        lines.append(f"{model.copies_merged} copies of the same client counted once")
    return lines or ["no outcome forms: no expected course is drawn"]


def write_trajectories(
    folder: Path,
    model: Model,
    language: str,
    paper: str,
    practice_name: str,
    check: Callable[[Path], None] | None = None,
) -> Sequence[Path]:
    """Write model.json, expected.csv and trajectories.pdf into FOLDER, made beside it and
    moved in together under its lock (files_together, which calls CHECK on each file's place
    first)."""
    contents = {
        MODEL_FILE: model_json(model),
        TABLE_FILE: table_csv(model),
        PAGE_FILE: trajectories_pdf(model, language, paper, practice_name),
    }
    with files_together(folder, check) as files:
        for name, content in contents.items():
            files.path(name).write_bytes(content)
    return [folder / name for name in contents]
