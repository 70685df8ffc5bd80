"""Scans: upload scans and photos or pick up the inbox; the review queue, worst first; each
mark to review as its line's picture, corrected by typing or by clicking on the line."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, g, redirect, render_template, request

from paperfit.desk import security
from paperfit.desk.context import store, words
from paperfit.desk.security import roles
from paperfit.entry import read_typed
from paperfit.forms.errors import PaperfitError
from paperfit.forms.scan_records import LINE_OK
from paperfit.forms.text import ValueProblem
from paperfit.generator.texts import texts
from paperfit.scan_intake import (
    TO_ASSIGN,
    assign_page,
    batches,
    confirm_page,
    decide_mark,
    page_and_marks,
    picture,
    queue,
    take_in,
    take_in_inbox,
    thumbnail,
    value_at,
)
from paperfit.scanner.values import parse_measure

blueprint = Blueprint("scans", __name__)
REVIEWERS = ("admin", "manager")


def _scans(messages: list[str], status: int = 200) -> tuple[str, int]:
    desk = security.config()
    return (
        render_template(
            "desk/scans.html",
            batches=batches(store()),
            queue=queue(store()),
            messages=messages,
            inbox=str(desk.inbox) if desk.inbox else "",
        ),
        status,
    )


def _said(name: str, intake) -> str:  # type: ignore[no-untyped-def]
    w = words()
    if not intake.new:
        return w["scan_again"].format(file=name)
    return w["scan_read"].format(
        file=name, pages=intake.pages, forms=intake.forms, waiting=intake.waiting
    )


@blueprint.route("/scans")
@roles(*REVIEWERS)
def scans() -> tuple[str, int]:
    return _scans([])


@blueprint.route("/scans/upload", methods=["POST"])
@roles(*REVIEWERS)
def upload() -> tuple[str, int]:
    desk = security.config()
    messages, status = [], 200
    files = request.files.getlist("scans")
    if not files or not any(f.filename for f in files):
        return _scans([words()["scan_none"]], 400)
    for upload in files:
        name = Path(upload.filename or "scan").name
        try:
            intake = take_in(
                store(), upload.read(), name, desk.catalog, desk.settings.limits, g.person.name
            )
            messages.append(_said(name, intake))
        except PaperfitError as error:
            messages.append(str(error))
            status = 400
    return _scans(messages, status)


@blueprint.route("/scans/inbox", methods=["POST"])
@roles(*REVIEWERS)
def inbox() -> tuple[str, int]:
    desk = security.config()
    if desk.inbox is None or not desk.inbox.is_dir():
        return _scans([words()["inbox_none"]], 400)
    done = take_in_inbox(store(), desk.inbox, desk.catalog, desk.settings.limits, g.person.name)
    messages = [
        text if isinstance(text, str) else _said(path.name, text) for path, text in done
    ] or [words()["inbox_empty"]]
    return _scans(messages)


@blueprint.route("/scans/page/<int:page_id>")
@roles(*REVIEWERS)
def page(page_id: int, message: str = "", status: int = 200) -> tuple[str, int]:
    found = page_and_marks(store(), page_id)
    if found is None:
        abort(404)
    row, marks = found
    typed = {
        "client": row.client_id or "",
        "instrument": row.instrument or "ORS",
        "session": str(row.session or ""),
        "date": row.date or security.config().today().isoformat(),
        **{f"item{m.item}": "" if m.value is None else f"{m.value:.1f}" for m in marks},
    }
    return (
        render_template(
            "desk/review.html",
            page=row,
            marks=marks,
            ok=LINE_OK,
            to_assign=row.state == TO_ASSIGN,
            values=typed,
            # The picture is shown at its own width, so a click's x is in its pixels.
            widths={m.id: int.from_bytes(m.picture[16:20], "big") for m in marks},
            instruments=security.config().catalog.ids,
            message=message,
            problems={},
            statuses=texts(security.config().language)["scan"]["statuses"],
        ),
        status,
    )


@blueprint.route("/scans/mark/<int:mark_id>.png")
@roles(*REVIEWERS)
def mark_picture(mark_id: int) -> Response:
    return _png(picture(store(), mark_id))


@blueprint.route("/scans/page/<int:page_id>.png")
@roles(*REVIEWERS)
def page_picture(page_id: int) -> Response:
    return _png(thumbnail(store(), page_id))


def _png(data: bytes | None) -> Response:
    if data is None:
        abort(404)
    return Response(data, mimetype="image/png")


@blueprint.route("/scans/mark/<int:mark_id>", methods=["POST"])
@roles(*REVIEWERS)
def decide(mark_id: int) -> Response | tuple[str, int]:
    """A value for one mark: typed (value), or a click on its line (at.x of an image input as
    wide as the picture, whose width the form sends)."""
    page_id = request.form.get("page", type=int) or 0
    try:
        if "at.x" in request.form:
            found = page_and_marks(store(), page_id)
            mark = next((m for m in (found[1] if found else []) if m.id == mark_id), None)
            width = request.form.get("width", type=float) or 0
            if mark is None or width <= 0:
                abort(400)
            value = value_at(mark, request.form.get("at.x", type=float) or 0.0, width)
        else:
            value = parse_measure(request.form.get("value", ""))
        decide_mark(store(), mark_id, value, g.person.name)
    except (PaperfitError, ValueProblem) as error:
        return page(page_id, str(error), 400)
    return redirect(f"/scans/page/{page_id}", code=303)


@blueprint.route("/scans/page/<int:page_id>/confirm", methods=["POST"])
@roles(*REVIEWERS)
def confirm(page_id: int) -> Response | tuple[str, int]:
    try:
        confirm_page(store(), page_id, g.person.name)
    except PaperfitError as error:
        return page(page_id, str(error), 400)
    return redirect("/scans", code=303)


@blueprint.route("/scans/page/<int:page_id>/assign", methods=["POST"])
@roles(*REVIEWERS)
def assign(page_id: int) -> Response | tuple[str, int]:
    desk = security.config()
    fields = {name: request.form.get(name, "")[:200] for name in request.form}
    typed = read_typed(fields, desk.catalog, desk.today())
    if typed.form is None:
        return page(page_id, " ".join(typed.problems.values()), 400)
    try:
        assign_page(store(), page_id, typed.form, g.person.name)
    except PaperfitError as error:
        return page(page_id, str(error), 400)
    return redirect("/scans", code=303)
