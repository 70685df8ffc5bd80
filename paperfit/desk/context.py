"""What a page's code reaches for during a request: the store, scoring, the desk's words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, g

from paperfit.desk import security
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
