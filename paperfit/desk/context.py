"""What a page's code reaches for during a request: the store, scoring, the desk's words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, g, request

from paperfit.desk import security
from paperfit.forms.records import MAX_CLIENT_ID
from paperfit.forms.text import ValueProblem, parse_text
from paperfit.record_pages import Scoring, text_words

if TYPE_CHECKING:
    from paperfit.store import Store


def store() -> Store:
    return current_app.extensions["paperfit_store"]["store"]


def scoring() -> Scoring:
    """The catalog, thresholds and expected-course model, once per request."""
    if "scoring" not in g:
        desk = security.config()
        courses = current_app.extensions["paperfit_store"]["courses"]
        g.scoring = Scoring(desk.catalog, desk.thresholds, courses.model)
    return g.scoring


def words() -> dict[str, Any]:
    return text_words(security.config().language)


def client_id_arg(name: str) -> str:
    """A client ID (or the start of one) from the query string, held to the rule for all text
    paperfit reads; "" when it breaks it."""
    try:
        return parse_text(request.args.get(name, ""), MAX_CLIENT_ID)
    except ValueProblem:
        return ""
