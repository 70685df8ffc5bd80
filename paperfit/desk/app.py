"""The desk's Flask application: create_app(store, config) joins the security checks, the
pages (one blueprint per page group) and the one Jinja environment.

Takes: an open Store and a DeskConfig. Returns: a WSGI application. It never shows a debug
page: an error becomes a short page that names no data, and the log names only its kind.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from flask import Flask, Response, g, render_template
from werkzeug.exceptions import HTTPException

from paperfit.desk import security
from paperfit.desk.config import DeskConfig
from paperfit.desk.context import words
from paperfit.desk.views import auth, clients, entry, report, scans, today
from paperfit.generator.render import svg_data_uri
from paperfit.record_pages import ExpectedCourses
from paperfit.templates import TEMPLATE_DIR

if TYPE_CHECKING:
    from paperfit.store import Store

STATIC_DIR = Path(__file__).parent / "static"
HTMX = "htmx-2.0.11.min.js"
log = logging.getLogger("paperfit.desk")


def create_app(store: Store, config: DeskConfig) -> Flask:
    """The desk over STORE, as CONFIG says (local with a token, or LAN with logins)."""
    app = Flask(
        "paperfit.desk",
        static_folder=str(STATIC_DIR),
        static_url_path="/static",
        template_folder=str(TEMPLATE_DIR),
    )
    app.config.update(
        DEBUG=False,
        TESTING=False,
        PROPAGATE_EXCEPTIONS=False,
        MAX_CONTENT_LENGTH=config.max_upload,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    app.jinja_env.undefined = jinja2.StrictUndefined
    app.jinja_env.autoescape = True
    app.jinja_env.filters["svg_data_uri"] = svg_data_uri
    app.jinja_env.filters["mm"] = lambda value: f"{value:.2f}mm"
    courses = ExpectedCourses(config.settings)
    app.extensions["paperfit_store"] = {"store": store, "courses": courses}
    security.install(app, config)
    for blueprint in (
        auth.blueprint,
        today.blueprint,
        entry.blueprint,
        scans.blueprint,
        clients.blueprint,
        report.blueprint,
    ):
        app.register_blueprint(blueprint)
    app.context_processor(_page_context)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _server_error)
    return app


def start_background_work(app: Flask) -> None:
    """Fit the expected courses on the whole store, off the request path."""
    desk = app.extensions["paperfit_desk"]["config"]
    parts = app.extensions["paperfit_store"]
    parts["courses"].fit_in_background(parts["store"], desk.catalog, desk.thresholds)


def _page_context() -> dict[str, Any]:
    person = g.get("person")
    return {
        "w": words(),
        "person": person,
        "csrf": person.csrf if person else "",
        "lan": security.config().lan,
        "htmx": HTMX,
        "language": security.config().language,
    }


def _http_error(error: HTTPException) -> tuple[str, int]:
    code = error.code or 500
    message = words()["errors"].get(str(code), words()["errors"]["other"])
    return render_template("desk/error.html", code=code, message=message), code


def _server_error(error: Exception) -> Response | tuple[str, int]:
    """Any other failure: a plain page; the log names the kind of error, never the data."""
    log.error("desk: %s while answering a request", type(error).__name__)
    try:
        return render_template("desk/error.html", code=500, message=words()["errors"]["500"]), 500
    except Exception:
        return security.refuse(500, "Something went wrong; nothing more was saved.")
