"""Read forms that were filled in on screen: the PDF form fields of `paperfit forms --fillable`.

Takes: one PDF file. Returns: a Form per filled-in sheet and a Problem per thing that is wrong.
The field names say where each value belongs (see docs/fillable-fields.md):

    s{sheet}_{INSTRUMENT}_v{layout}_{field}     e.g. s3_ORS_v1_item2

Fields are read both from the document's AcroForm field list and from each page's widget
annotations, because PDF viewers differ in which of the two they keep up to date. Values are
read with scanner.values, so "6,4", "6.4 cm" and "64 mm" all mean 6.4 cm. The file is only read.
"""

from __future__ import annotations

import datetime
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paperfit.forms.errors import Location, UsageProblem
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import MAX_TEXT, Form, Problem
from paperfit.forms.sheet import FIELD_KEYS, ITEM_KEYS, LANGUAGES, FieldName, field_name
from paperfit.forms.text import ValueProblem, parse_client_id, parse_text, show, value_problem
from paperfit.scanner.values import parse_date, parse_measured, parse_session, split_measures
from pypdf import PdfReader
from pypdf.errors import DependencyError, PyPdfError
from pypdf.generic import DictionaryObject, IndirectObject, NullObject, StreamObject

# How far up a widget's /Parent chain to look; real forms nest one or two levels.
_MAX_PARENTS = 16
NO_FIELDS = "has no paperfit form fields."
NO_FIELDS_HINT = "Print it with paperfit forms --fillable."
FORM_LEFT_OUT = " This form was left out."


_Reading = tuple[str, str | None, datetime.date]  # unit, date format, today


@dataclass
class _Value:
    """One field's value as the field list and as the page's widget give it (None: not there)."""

    listed: str | None = None
    on_page: str | None = None
    in_list: bool = False
    on_a_page: bool = False


def read_pdf(
    path: Path,
    unit: str = "cm",
    date_format: str | None = None,
    catalog: Catalog | None = None,
    today: datetime.date | None = None,
) -> tuple[list[Form], list[Problem]]:
    """The forms filled in on the paperfit fillable PDF at PATH, and what is wrong with them.

    UNIT is the unit of a measure typed without one ("64" with unit mm is 6.4 cm); DATE_FORMAT
    reads dates that are not YYYY-MM-DD. CATALOG (default: the shipped instruments) says which
    layout version of each instrument is current; a date more than a year after TODAY (default:
    the real today) is refused. Never raises for a bad file: it becomes a
    Problem. PATH is opened for reading only.
    """
    where = Location(str(path))
    try:
        data = path.read_bytes()
    except OSError as error:
        return [], [Problem(where, f"could not be opened: {error.strerror or error}.")]
    if b"%PDF-" not in data[:1024]:
        return [], [
            Problem(
                where,
                "is not a PDF file.",
                hint="Give the PDF that paperfit forms --fillable printed, after it was filled "
                "in and saved.",
            )
        ]
    try:
        with _quiet_pypdf():
            values = _field_values(data)
    except _Locked:
        return [], [
            Problem(
                where,
                "is encrypted or protected with a password, so its fields cannot be read. "
                "Save a copy without a password in the PDF viewer and read that copy.",
            )
        ]
    except Exception:  # pypdf's failures on damaged files are not a closed set
        return [], [
            Problem(
                where,
                "is damaged and cannot be read as a PDF. Save it again from the PDF viewer "
                "(Save As) and read the new file.",
            )
        ]
    if not values:
        return [], [Problem(where, NO_FIELDS, hint=NO_FIELDS_HINT)]
    reading = (unit, date_format, today or datetime.date.today())
    return _forms(path, values, reading, catalog or Catalog.load())


class _Locked(Exception):
    """The PDF is encrypted and opens with no empty password."""


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """Keep pypdf's repair notes ("incorrect startxref pointer") off the terminal: a file it
    cannot repair becomes one Problem, and one it can is simply read."""
    logger = logging.getLogger("pypdf")
    handler, propagate = logging.NullHandler(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


# ---------------------------------------------------------------------------------------------
# Collecting the values


def _field_values(data: bytes) -> dict[tuple[FieldName, int | None], _Value]:
    """Every paperfit field's value, keyed by its name and the page number it is on."""
    try:
        reader = PdfReader(io.BytesIO(data))
    except DependencyError:  # encrypted (AES) and the cryptography package is missing
        raise _Locked from None
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except (DependencyError, NotImplementedError, PyPdfError):
            opened = 0  # a password, or a kind of encryption that cannot be opened here
        if not opened:
            raise _Locked
    values: dict[tuple[FieldName, int | None], _Value] = {}
    page_of: dict[int, int] = {}  # object number of a widget or its parent field -> page number
    for number, page in enumerate(reader.pages, start=1):
        for name, value, objects in _widgets(page):
            page_of.update(dict.fromkeys(objects, number))
            if name is None:
                continue
            entry = values.setdefault((name, number), _Value())
            if not entry.on_a_page or (not entry.on_page and value):
                entry.on_page, entry.on_a_page = value, True
    pages_by_name: dict[FieldName, list[int | None]] = {}
    for name, number in values:
        pages_by_name.setdefault(name, []).append(number)
    for key, field in (reader.get_fields() or {}).items():
        name = FieldName.parse(key) or FieldName.parse(field.get("/T"))
        if name is None:
            continue
        number = _page_number(field, page_of, reader)
        if number is None and len(pages_by_name.get(name, [])) == 1:
            number = pages_by_name[name][0]
        entry = values.setdefault((name, number), _Value())
        entry.listed, entry.in_list = _text(field.get("/V")), True
    return values


def _widgets(page: Any) -> Iterator[tuple[FieldName | None, str | None, list[int]]]:
    """Each widget annotation on PAGE: its paperfit name (None if it has none), its value
    (inherited from its parent fields when the widget has none) and the object numbers of the
    widget and its parents."""
    annotations = page.get("/Annots")
    annotations = annotations.get_object() if annotations is not None else []
    if not isinstance(annotations, list):
        return
    for reference in annotations:
        widget = reference.get_object()
        if not isinstance(widget, DictionaryObject) or widget.get("/Subtype") != "/Widget":
            continue
        chain = list(_parents(widget))
        titles = [str(node["/T"]) for node in reversed(chain) if node.get("/T") is not None]
        name = FieldName.parse(".".join(titles)) or (
            FieldName.parse(titles[-1]) if titles else None
        )
        value = next((node["/V"] for node in chain if node.get("/V") is not None), None)
        objects = [node.indirect_reference.idnum for node in chain if node.indirect_reference]
        if isinstance(reference, IndirectObject):
            objects.append(reference.idnum)
        yield name, _text(value), objects


def _parents(widget: DictionaryObject) -> Iterator[DictionaryObject]:
    """WIDGET, then its parent field, its parent's parent and so on (cycles cut)."""
    node: Any = widget
    seen: set[int] = set()
    for _ in range(_MAX_PARENTS):
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            return
        seen.add(id(node))
        yield node
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None


def _page_number(field: Any, page_of: dict[int, int], reader: PdfReader) -> int | None:
    """The page a listed field is shown on: through its widgets, else its /P entry."""
    reference = field.indirect_reference
    if reference is None:
        return None
    if reference.idnum in page_of:
        return page_of[reference.idnum]
    original = reference.get_object()  # get_fields() copies only the field entries, not /P
    page = original.get("/P") if isinstance(original, DictionaryObject) else None
    if isinstance(page, IndirectObject):
        for number, candidate in enumerate(reader.pages, start=1):
            if candidate.indirect_reference and candidate.indirect_reference.idnum == page.idnum:
                return number
    return None


def _text(value: Any) -> str | None:
    """A field value as text; None when there is no value."""
    if value is None:
        return None
    value = value.get_object() if isinstance(value, IndirectObject) else value
    if isinstance(value, NullObject):
        return None
    if isinstance(value, StreamObject):
        return value.get_data().decode("utf-8", "replace")
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, list):
        return ", ".join(t for t in (_text(v) for v in value) if t)
    return str(value)


# ---------------------------------------------------------------------------------------------
# From values to forms


def _forms(
    path: Path,
    values: dict[tuple[FieldName, int | None], _Value],
    reading: _Reading,
    catalog: Catalog,
) -> tuple[list[Form], list[Problem]]:
    sheets: dict[tuple[int | None, int, str, int], dict[str, tuple[FieldName, _Value]]] = {}
    for (name, page), value in values.items():
        key = (page, name.sheet, name.instrument, name.layout)
        sheets.setdefault(key, {})[name.key] = (name, value)
    forms: list[Form] = []
    problems: list[Problem] = []
    for (page, sheet, instrument, layout), fields in sorted(sheets.items(), key=_order):
        form_sheet = _Sheet(path, page, sheet, instrument, layout, fields, reading)
        form = form_sheet.form(catalog)
        problems.extend(form_sheet.problems)
        if form is not None:
            forms.append(form)
    return forms, problems


def _order(item: tuple[tuple[int | None, int, str, int], Any]) -> tuple[int, int, str, int]:
    page, sheet, instrument, layout = item[0]
    return (page if page is not None else 1_000_000 + sheet, sheet, instrument, layout)


class _Sheet:
    """The fields of one form sheet, read into a Form; what went wrong collects in problems."""

    def __init__(
        self,
        path: Path,
        page: int | None,
        sheet: int,
        instrument: str,
        layout: int,
        fields: dict[str, tuple[FieldName, _Value]],
        reading: _Reading,
    ) -> None:
        self.path, self.page, self.sheet = path, page, sheet
        self.instrument, self.layout = instrument, layout
        self.fields = fields
        self.unit, self.date_format, self.today = reading
        self.problems: list[Problem] = []
        self.label = f"page {page}" if page is not None else f"form sheet {sheet}"

    def where(self, key: str | None = None) -> Location:
        column = field_name(self.sheet, self.instrument, self.layout, key) if key else None
        return Location(file=str(self.path), sheet=self.label, column=column)

    def raw(self, key: str) -> str:
        """The text typed into field KEY, stripped; "" when empty or absent."""
        if key not in self.fields:
            return ""
        _, value = self.fields[key]
        chosen = value.listed if value.in_list and value.listed is not None else value.on_page
        if (
            value.in_list
            and value.on_a_page
            and (value.listed or "").strip() != (value.on_page or "").strip()
        ):
            self.problems.append(
                Problem(
                    self.where(key),
                    f"the PDF's field list says {show((value.listed or '').strip())} but the "
                    f"field on the page says {show((value.on_page or '').strip())}; the field "
                    "list's value was used. Check the value on the paper or in the viewer.",
                    "warning",
                )
            )
        return (chosen or "").strip()

    def form(self, catalog: Catalog) -> Form | None:
        typed = {key: self.raw(key) for key in FIELD_KEYS}
        if not any(typed[key] for key in (*ITEM_KEYS, "session", "client_id")):
            self.problems.append(
                Problem(self.where(), f"{self.label} is blank: left out", "warning")
            )
            return None
        if not self.known_layout(catalog):
            return None
        items, mm = split_measures(self.measure(key, typed[key]) for key in ITEM_KEYS)
        client_id = self.client_id(typed["client_id"])
        filled_by = self.text("filled_by", typed["filled_by"])
        session = self.session(typed["session"])
        if client_id == "":
            self.problems.append(
                Problem(
                    self.where("client_id"),
                    "has no client ID: this form was left out. Type the client ID and read "
                    "the file again.",
                )
            )
        if not client_id or filled_by is None or session is None:
            return None
        return Form(
            client_id=client_id,
            instrument=self.instrument,
            session=session,
            date=self.date(typed["date"]),
            items=items,
            source=Location(file=str(self.path), sheet=self.label),
            filled_by=filled_by,
            notes="",
            mm=mm,
        )

    def known_layout(self, catalog: Catalog) -> bool:
        """Whether this paperfit prints INSTRUMENT in this layout version; else a Problem."""
        if self.instrument not in catalog.ids:
            self.problems.append(
                Problem(
                    self.where(),
                    f"is a {self.instrument} form, which this paperfit does not know: this "
                    "form was left out. Add the instrument's file to the folder named by "
                    "instrument_dir in paperfit.toml.",
                )
            )
            return False
        layouts = set()
        for language in LANGUAGES:
            try:
                layouts.add(catalog.get(self.instrument, language).layout)
            except UsageProblem:
                continue
        if self.layout in layouts:
            return True
        current = ", ".join(str(n) for n in sorted(layouts))
        self.problems.append(
            Problem(
                self.where(),
                f"was printed with layout version {self.layout} of the {self.instrument} form, "
                f"but this paperfit prints layout {current}: this form was left out. Read it "
                "with the paperfit version that printed it, or type the values in by hand.",
            )
        )
        return False

    def text(self, key: str, raw: str, limit: int = MAX_TEXT) -> str | None:
        """RAW under the shared text rule; None (with a problem) when it is refused."""
        try:
            return parse_text(raw, limit)
        except ValueProblem as problem:
            self.problems.append(value_problem(self.where(key), problem, FORM_LEFT_OUT))
            return None

    def client_id(self, raw: str) -> str | None:
        """RAW under the client ID rule (forms.text.parse_client_id); None (with a problem)
        when it is refused, a warning when invisible characters were removed."""
        try:
            client_id, note = parse_client_id(raw)
        except ValueProblem as problem:
            self.problems.append(value_problem(self.where("client_id"), problem, FORM_LEFT_OUT))
            return None
        if note:
            self.problems.append(Problem(self.where("client_id"), note, "warning"))
        return client_id

    def measure(self, key: str, raw: str) -> tuple[float, float | None] | None:
        """The item typed in field KEY in cm and (where typed in mm) in mm; None if empty."""
        if not raw:
            return None
        try:
            return parse_measured(raw, self.unit)
        except ValueProblem as problem:
            self.problems.append(value_problem(self.where(key), problem))
            return None

    def session(self, raw: str) -> int | None:
        if not raw:
            self.problems.append(
                Problem(
                    self.where("session"),
                    "has no session number: this form was left out. Type the session number "
                    "and read the file again.",
                )
            )
            return None
        try:
            return parse_session(raw)
        except ValueProblem as problem:
            self.problems.append(value_problem(self.where("session"), problem, FORM_LEFT_OUT))
            return None

    def date(self, raw: str) -> datetime.date | None:
        """The date typed in DATE_FORMAT, or as YYYY-MM-DD (as paperfit pre-fills it)."""
        if not raw:
            return None
        try:
            return parse_date(raw, self.date_format, self.today)
        except ValueProblem as problem:
            if self.date_format:
                try:
                    return parse_date(raw, today=self.today)
                except ValueProblem:
                    pass
            self.problems.append(value_problem(self.where("date"), problem))
            return None
