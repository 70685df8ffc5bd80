"""One form typed by hand (on the desk's entry page): the same checks the entry workbook's
reader makes, then a typed version in the store.

Takes: the text of each field as typed. Returns: a Form, or every problem at once, each
naming its field, so the person can fix them all before saving.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import ITEM_COUNT, MAX_CLIENT_ID, Form
from paperfit.forms.text import ValueProblem, parse_text
from paperfit.scanner.values import parse_date, parse_measure, parse_session

if TYPE_CHECKING:
    from paperfit.store import Store

FIELDS = ("client", "instrument", "session", "date", *(f"item{n}" for n in range(1, 5)))


@dataclass(frozen=True)
class Typed:
    """What the page sent: a Form when every field was right, else the problem of each field."""

    form: Form | None
    problems: Mapping[str, str]


def read_typed(
    fields: Mapping[str, str], catalog: Catalog, today: datetime.date, unit: str = "cm"
) -> Typed:
    """FIELDS (client, instrument, session, date, item1..item4) as a Form typed on TODAY."""
    problems: dict[str, str] = {}

    def check(name: str, parse: object) -> object:
        try:
            return parse(fields.get(name, ""))  # type: ignore[operator]
        except ValueProblem as problem:
            problems[name] = str(problem)
            return None

    client_id = check("client", lambda raw: parse_text(raw, MAX_CLIENT_ID))
    if client_id == "":
        problems["client"] = "Type the client ID."
    instrument = fields.get("instrument", "").strip().upper()
    if instrument not in catalog.ids:
        problems["instrument"] = f"Choose one of {', '.join(catalog.ids)}."
    session = check("session", parse_session)
    date = check("date", lambda raw: parse_date(raw, today=today))
    items = []
    for number in range(1, ITEM_COUNT + 1):
        raw = fields.get(f"item{number}", "").strip()
        items.append(
            None if raw == "" else check(f"item{number}", lambda r: parse_measure(r, unit))
        )
        if raw == "":
            problems[f"item{number}"] = "Type the measured value (leave no line empty)."
    if problems:
        return Typed(None, problems)
    form = Form(
        client_id=str(client_id),
        instrument=instrument,
        session=int(session),  # type: ignore[arg-type]
        date=date,  # type: ignore[arg-type]
        items=tuple(round(float(v), 1) for v in items),  # type: ignore[arg-type]
        source=Location("typed on the desk"),
    )
    return Typed(form, {})


def save_typed(store: Store, form: Form, by: str) -> None:
    """Keep FORM as a typed version in the store, by BY."""
    store.enter_form(form, by=by, reason="typed on the desk")
