"""Today: the day's appointments with each client's latest flag; add one, upload a schedule,
download the day's pack of forms and the day's graphs."""

from __future__ import annotations

import datetime
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Response, g, render_template, request

from paperfit.desk import security
from paperfit.desk.context import scoring, store, words
from paperfit.desk.security import roles
from paperfit.forms.errors import InputProblem, PaperfitError
from paperfit.forms.records import MAX_CLIENT_ID, Appointment
from paperfit.forms.text import ValueProblem, parse_text
from paperfit.generator.sheets import PrintOptions
from paperfit.record import import_schedule
from paperfit.record_pages import day_graphs_pdf, day_pack_pdf, graph_options, statuses

blueprint = Blueprint("today", __name__)
EVERYONE = ("front desk", "admin", "clinician", "manager")
_TIME = re.compile(r"^([01]?\d|2[0-3])\s*[:hH.]\s*([0-5]\d)$")  # 09:30, 9h30, 9.30
SCHEDULE_SUFFIXES = (".csv", ".xlsx")


def _day() -> datetime.date:
    """The day asked for (?day=YYYY-MM-DD), else today."""
    try:
        return datetime.date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return security.config().today()


@blueprint.route("/")
@roles(*EVERYONE)
def today(message: str = "", status: int = 200) -> tuple[str, int]:
    day = _day()
    appointments = store().appointments(day)
    language = security.config().language
    found = statuses(store(), scoring(), [a.client_id for a in appointments], language)
    rows = [
        {
            "appointment": a,
            "time": getattr(a, "time", None) or "",
            "flags": found[a.client_id][0],
            "below": found[a.client_id][1],
            "sessions": found[a.client_id][2],
        }
        for a in appointments
    ]
    return (
        render_template(
            "desk/today.html",
            day=day,
            rows=rows,
            message=message,
            can_add=g.person.may("front desk", "admin", "manager"),
            can_look=g.person.may("clinician", "admin", "manager"),
        ),
        status,
    )


@blueprint.route("/appointments", methods=["POST"])
@roles("front desk", "admin", "manager")
def add_appointment() -> tuple[str, int]:
    w = words()
    try:
        client_id = parse_text(request.form.get("client", ""), MAX_CLIENT_ID)
        day = datetime.date.fromisoformat(request.form.get("day", ""))
    except (ValueProblem, ValueError):
        return today(w["appointment_bad"], 400)
    typed = request.form.get("time", "").strip()
    match = _TIME.match(typed)
    if not client_id or (typed and not match):
        return today(w["appointment_bad"], 400)
    time = f"{int(match.group(1)):02d}:{match.group(2)}" if match else None
    try:
        store().add_appointment(client_id, day, time, by=g.person.name)
    except PaperfitError as error:
        return today(str(error), 400)
    return today(w["appointment_added"].format(client=client_id, time=time or ""))


@blueprint.route("/appointments/upload", methods=["POST"])
@roles("front desk", "admin", "manager")
def upload_schedule() -> tuple[str, int]:
    """A schedule file as `paperfit forms --schedule` takes it: its appointments are kept."""
    upload = request.files.get("schedule")
    name = Path(upload.filename or "").name if upload else ""
    if upload is None or not name.lower().endswith(SCHEDULE_SUFFIXES):
        return today(words()["schedule_kind"], 400)
    data = upload.read()
    with tempfile.TemporaryDirectory(prefix="paperfit-desk-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        warnings: list[InputProblem] = []
        try:
            catalog = security.config().catalog
            kept = import_schedule(store(), path, catalog, g.person.name, name, warnings)
        except PaperfitError as error:
            return today(str(error).replace(str(path), name), 400)
    said = [words()["schedule_kept"].format(count=kept.appointments, file=name)]
    said += [str(warning).replace(str(path), name) for warning in warnings]
    return today(" ".join(said))


def _pdf(data: bytes, name: str) -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _day_pdf(make: Callable[[list[Appointment]], bytes], name: str) -> Response | tuple[str, int]:
    """A PDF of the day asked for, made by MAKE from its appointments (404 without any)."""
    day = _day()
    appointments = store().appointments(day)
    if not appointments:
        return today(words()["no_appointments"], 404)
    return _pdf(make(appointments), f"{name}-{day}.pdf")


@blueprint.route("/day/pack.pdf")
@roles(*EVERYONE)
def day_pack() -> Response | tuple[str, int]:
    """The day's forms, one set per appointment, in order."""
    desk = security.config()
    options = PrintOptions(
        paper=desk.settings.paper,
        language=desk.language,
        practice_name=desk.settings.practice_name,
        privacy=desk.settings.privacy,
    )
    return _day_pdf(lambda day: day_pack_pdf(day, desk.catalog, options), "forms")


@blueprint.route("/day/graphs.pdf")
@roles(*EVERYONE)
def day_graphs() -> Response | tuple[str, int]:
    """The day's clients' graphs, in appointment order."""
    desk = security.config()
    options = graph_options(desk.settings, desk.language)
    return _day_pdf(lambda day: day_graphs_pdf(store(), scoring(), day, options), "graphs")
