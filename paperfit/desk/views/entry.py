"""Entry: type one form's measured marks with the keyboard alone, saved as a typed version."""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, render_template, request

from paperfit.desk import security
from paperfit.desk.context import client_id_arg, store, words
from paperfit.desk.security import roles
from paperfit.entry import FIELDS, read_typed, save_typed
from paperfit.forms.errors import PaperfitError

blueprint = Blueprint("entry", __name__)
TYPISTS = ("admin", "manager", "clinician")
SUGGESTIONS = 12


def _page(values: dict[str, str], problems: dict[str, str], message: str, status: int = 200):
    """The whole page, or only the form when htmx asked (it swaps the form in place)."""
    template = "desk/_entry_form.html" if request.headers.get("HX-Request") else "desk/entry.html"
    return (
        render_template(
            template,
            values=values,
            problems=problems,
            message=message,
            instruments=security.config().catalog.ids,
        ),
        status,
    )


def _blank(instrument: str = "ORS") -> dict[str, str]:
    values = dict.fromkeys(FIELDS, "")
    values["instrument"] = instrument
    values["date"] = security.config().today().isoformat()
    return values


@blueprint.route("/entry")
@roles(*TYPISTS)
def entry() -> tuple[str, int]:
    return _page(_blank(), {}, "")


@blueprint.route("/entry", methods=["POST"])
@roles(*TYPISTS)
def save() -> tuple[str, int]:
    desk = security.config()
    values = {name: request.form.get(name, "")[:200] for name in FIELDS}
    typed = read_typed(values, desk.catalog, desk.today())
    if typed.form is None:
        return _page(values, dict(typed.problems), words()["entry_fix"], 400)
    try:
        save_typed(store(), typed.form, g.person.name)
    except PaperfitError as error:
        return _page(values, {}, str(error), 400)
    form = typed.form
    message = words()["entry_saved"].format(
        client=form.client_id, instrument=form.instrument, session=form.session, total=form.total
    )
    blank = _blank(form.instrument)
    blank["date"] = values["date"]
    return _page(blank, {}, message)


@blueprint.route("/entry/clients")
@roles(*TYPISTS)
def suggestions() -> str:
    """Client IDs starting with or holding what was typed (search as you type)."""
    typed = client_id_arg("client")
    found = store().clients(typed)[:SUGGESTIONS] if typed else []
    return render_template("desk/_client_options.html", clients=found)


@blueprint.route("/entry/next")
@roles(*TYPISTS)
def next_session() -> Response:
    """The session to suggest for a client and form, and whether the client is known."""
    client_id = client_id_arg("client")
    instrument = request.args.get("instrument", "").strip().upper()
    if not client_id or instrument not in security.config().catalog.ids:
        return jsonify({"session": None, "known": False})
    known = store().client(client_id) is not None
    return jsonify({"session": store().next_session(client_id, instrument), "known": known})
