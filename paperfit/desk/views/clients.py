"""Clients: the list (search, open only, flags), one client's look before a session (graph,
table, flags, conflicts), their paper graph, and every version of their forms."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from paperfit.desk import security
from paperfit.desk.context import client_id_arg, scoring, store
from paperfit.desk.security import roles
from paperfit.record_pages import client_graph_pdf, client_look, graph_options, statuses

blueprint = Blueprint("clients", __name__)
CLINICAL = ("clinician", "admin", "manager")
SHOWN = 100  # clients listed at once; the search finds the others


@blueprint.route("/clients")
@roles(*CLINICAL)
def clients() -> str:
    search = client_id_arg("q")
    open_only = request.args.get("open") == "1"
    found = store().clients(search, open_only=open_only)
    shown = found[:SHOWN]
    language = security.config().language
    flags = statuses(store(), scoring(), [c.client_id for c in shown], language)
    template = (
        "desk/_client_rows.html" if request.headers.get("HX-Request") else "desk/clients.html"
    )
    return render_template(
        template,
        clients=shown,
        flags=flags,
        more=len(found) - len(shown),
        search=search,
        open_only=open_only,
    )


@blueprint.route("/clients/<path:client_id>/graph.pdf")
@roles(*CLINICAL)
def graph_pdf(client_id: str) -> Response:
    """The same paper graph `paperfit graphs --client ID` prints."""
    desk = security.config()
    look = client_look(store(), scoring(), client_id, desk.language)
    if look is None or look.graph is None:
        abort(404)
    data = client_graph_pdf(look.graph, graph_options(desk.settings, desk.language))
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="graph.pdf"'},
    )


@blueprint.route("/clients/<path:client_id>")
@roles(*CLINICAL)
def client(client_id: str) -> str:
    look = client_look(store(), scoring(), client_id, security.config().language)
    if look is None:
        abort(404)
    return render_template("desk/client.html", look=look)


@blueprint.route("/history/<path:client_id>")
@roles(*CLINICAL)
def history(client_id: str) -> str:
    """Every version of the client's forms, with who, when and why."""
    if store().client(client_id) is None:
        abort(404)
    versions = store().history(client_id)
    return render_template("desk/history.html", client_id=client_id, versions=versions)
