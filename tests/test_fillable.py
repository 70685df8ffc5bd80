"""Fillable forms: the PDF form fields that `forms --fillable` writes, and scanner.pdf_fields,
which reads them back. Every test works on real PDFs written with write_forms into tmp_path;
fields are filled with two independent fillers (pypdf and PyMuPDF).
"""

from __future__ import annotations

import datetime
import hashlib
import random
from pathlib import Path

import numpy as np
import pymupdf
import pypdfium2 as pdfium
import pytest
from paperfit.forms.errors import Location
from paperfit.forms.instrument import Catalog
from paperfit.forms.records import Form, Problem
from paperfit.forms.sheet import FIELD_KEYS, FILLABLE_KEYWORD, PAPER_SIZES_MM, FieldName, field_name
from paperfit.generator import render
from paperfit.generator.sheets import Header, Packet, PrintOptions, write_forms
from paperfit.scanner.pdf_fields import NO_FIELDS, read_pdf
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

KNOWN = Header(
    client_id="C-0042", name="Zoë Ñúñez", session="7", date="2026-11-25", clinician="Dr. Ana Rivera"
)
DPI = 300
DARK = 128
INK = 250
SIZES = [("letter", False), ("letter", True), ("a4", False), ("a4", True)]
SIZE_IDS = [f"{paper}-{'large' if large else 'normal'}" for paper, large in SIZES]
ALL_IDS = ("ORS", "SRS", "CORS", "CSRS", "GSRS")


def packets(catalog: Catalog) -> list[Packet]:
    """ORS and SRS for a known client, then a blank CORS and CSRS: four form sheets."""
    return [
        Packet((catalog.get("ORS"), catalog.get("SRS")), KNOWN),
        Packet((catalog.get("CORS"), catalog.get("CSRS"))),
    ]


@pytest.fixture(scope="module")
def blank_fillable(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    out = tmp_path_factory.mktemp("fillable") / "forms.pdf"
    return write_forms(out, packets(catalog), PrintOptions(fillable=True))


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> Path:
    out = tmp_path_factory.mktemp("plain") / "forms.pdf"
    return write_forms(out, packets(catalog), PrintOptions())


# What a clinician types in, by sheet; the pre-filled header of sheets 1 and 2 stays as printed.
TYPED = {
    "s1_ORS_v1_item1": "6.4",
    "s1_ORS_v1_item2": "3",
    "s1_ORS_v1_item3": "10",
    "s1_ORS_v1_item4": "0.5",
    "s1_ORS_v1_filled_by": "Self",
    "s2_SRS_v1_item1": "9.1",
    "s2_SRS_v1_item2": "8.8",
    "s2_SRS_v1_item3": "7.5",
    "s2_SRS_v1_item4": "9.9",
    "s3_CORS_v1_client_id": "C-0099",
    "s3_CORS_v1_session": "3",
    "s3_CORS_v1_date": "2026-12-01",
    "s3_CORS_v1_filled_by": "Caretaker: mother",
    "s3_CORS_v1_item1": "2.2",
    "s3_CORS_v1_item2": "4.4",
    "s3_CORS_v1_item3": "6.6",
    "s3_CORS_v1_item4": "8.8",
    "s4_CSRS_v1_client_id": "C-0099",
    "s4_CSRS_v1_session": "3",
    "s4_CSRS_v1_date": "2026-12-01",
    "s4_CSRS_v1_item1": "1",
    "s4_CSRS_v1_item2": "2",
    "s4_CSRS_v1_item3": "3",
    "s4_CSRS_v1_item4": "4",
}


def expected_forms(path: Path) -> list[Form]:
    def at(page: int) -> Location:
        return Location(file=str(path), sheet=f"page {page}")

    nov, dec = datetime.date(2026, 11, 25), datetime.date(2026, 12, 1)
    return [
        Form("C-0042", "ORS", 7, nov, (6.4, 3.0, 10.0, 0.5), at(1), "Self"),
        Form("C-0042", "SRS", 7, nov, (9.1, 8.8, 7.5, 9.9), at(2), ""),
        Form("C-0099", "CORS", 3, dec, (2.2, 4.4, 6.6, 8.8), at(3), "Caretaker: mother"),
        Form("C-0099", "CSRS", 3, dec, (1.0, 2.0, 3.0, 4.0), at(4), ""),
    ]


def fill_with_pypdf(source: Path, target: Path, values: dict[str, str]) -> Path:
    writer = PdfWriter(clone_from=source)
    for page in writer.pages:
        if "/Annots" in page:
            writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(target)
    return target


def fill_with_pymupdf(source: Path, target: Path, values: dict[str, str]) -> Path:
    document = pymupdf.open(source)
    for page in document:
        for widget in page.widgets():
            if widget.field_name in values:
                widget.field_value = values[widget.field_name]
                widget.update()
    document.save(target)
    document.close()
    return target


def edited(source: Path, target: Path, change) -> Path:
    """A copy of SOURCE with CHANGE(writer) applied, written to TARGET."""
    writer = PdfWriter(clone_from=source)
    change(writer)
    writer.write(target)
    return target


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------------------------------
# The naming scheme


def test_field_names_round_trip_and_carry_instrument_and_layout() -> None:
    name = field_name(12, "CSRS", 3, "item4")
    assert name == "s12_CSRS_v3_item4"
    assert FieldName.parse(name) == FieldName(12, "CSRS", 3, "item4")
    assert FieldName.parse("s1_MY_FORM-2_v1_client_id") == FieldName(1, "MY_FORM-2", 1, "client_id")
    for wrong in ("s0_ORS_v1_item1", "s1_ORS_v1_item5", "s1_ORS_item1", "a.s1_ORS_v1_item1", ""):
        assert FieldName.parse(wrong) is None
    with pytest.raises(ValueError):
        field_name(1, "ORS", 1, "total")


# ---------------------------------------------------------------------------------------------
# (a) The writer


def test_every_sheet_has_named_text_fields_with_the_known_values(blank_fillable: Path) -> None:
    reader = PdfReader(blank_fillable)
    fields = reader.get_fields()
    header_keys = {  # SRS and CSRS ask no "who filled this in"
        "ORS": FIELD_KEYS,
        "SRS": tuple(k for k in FIELD_KEYS if k != "filled_by"),
        "CORS": FIELD_KEYS,
        "CSRS": tuple(k for k in FIELD_KEYS if k != "filled_by"),
    }
    expected = {
        field_name(sheet, ident, 1, key)
        for sheet, ident in enumerate(("ORS", "SRS", "CORS", "CSRS"), start=1)
        for key in header_keys[ident]
    }
    assert set(fields) == expected
    assert len(fields) == 42
    assert all(field.get("/FT") == "/Tx" for field in fields.values())  # text only, no radios
    assert all("." not in name for name in fields)
    values = {name: str(field.get("/V", "")) for name, field in fields.items()}
    assert values["s1_ORS_v1_client_id"] == "C-0042"
    assert values["s2_SRS_v1_name"] == "Zoë Ñúñez"
    assert values["s2_SRS_v1_session"] == "7"
    assert values["s1_ORS_v1_date"] == "2026-11-25"
    assert values["s1_ORS_v1_clinician"] == "Dr. Ana Rivera"
    assert values["s3_CORS_v1_client_id"] == ""
    assert all(values[f"s1_ORS_v1_item{n}"] == "" for n in range(1, 5))
    # Each page's widgets are that page's sheet.
    for number, page in enumerate(reader.pages, start=1):
        names = {a.get_object()["/T"] for a in page["/Annots"]}
        assert {FieldName.parse(n).sheet for n in names} == {number}
    acro_form = reader.trailer["/Root"]["/AcroForm"]
    assert acro_form["/NeedAppearances"].value is True
    assert FILLABLE_KEYWORD in (reader.metadata.get("/Keywords") or "")


def test_a_plain_print_has_no_fields(plain: Path) -> None:
    reader = PdfReader(plain)
    assert not reader.get_fields()
    assert FILLABLE_KEYWORD not in ((reader.metadata or {}).get("/Keywords") or "")


def test_a_viewer_shows_the_pre_filled_values(blank_fillable: Path) -> None:
    """pdfium (Chrome's viewer) draws the fields from NeedAppearances: the known client ID is
    visible in its field, and nothing is drawn when forms are not drawn."""
    rect = field_rect_mm(blank_fillable, "s1_ORS_v1_client_id")
    document = pdfium.PdfDocument(blank_fillable)
    without = grey(document, 0, DPI)
    document.init_forms()
    with_forms = grey(document, 0, DPI)
    assert area(without, rect, DPI).min() >= INK
    assert area(with_forms, rect, DPI).min() < DARK


def test_the_lines_print_exactly_as_without_fields(blank_fillable: Path, plain: Path) -> None:
    for index in range(4):
        compare_lines(grey_file(plain, index), grey_file(blank_fillable, index))


def test_long_header_values_wrap_in_their_fields_and_move_nothing(
    tmp_path: Path, catalog: Catalog
) -> None:
    long = Header(
        client_id="CLIENT-2026-000000000000000042",
        name="Maria-Fernanda de los Ángeles Castillo-Villanueva Rodríguez",
        clinician="Dr. Alexandrina Konstantinopoulou-Wetherington, PsyD, LMFT",
    )
    packet = [Packet((catalog.get("ORS"),), long)]
    options = {"paper": "a4", "large_print": True}
    plain_pdf = write_forms(tmp_path / "plain.pdf", packet, PrintOptions(**options))
    fill_pdf = write_forms(tmp_path / "fill.pdf", packet, PrintOptions(fillable=True, **options))
    compare_lines(grey_file(plain_pdf, 0), grey_file(fill_pdf, 0))
    fields = PdfReader(fill_pdf).get_fields()
    multiline = 1 << 12
    assert {n for n, f in fields.items() if int(f.get("/Ff", 0)) & multiline} == {
        "s1_ORS_v1_client_id",
        "s1_ORS_v1_name",
        "s1_ORS_v1_clinician",
    }
    assert fields["s1_ORS_v1_name"]["/V"] == long.name


@pytest.mark.parametrize(("paper", "large"), SIZES, ids=SIZE_IDS)
def test_fields_keep_out_of_the_reserved_areas(
    tmp_path: Path, catalog: Catalog, paper: str, large: bool
) -> None:
    """Each measured value's field is inside the content box, out of the clear band of every
    line, the corner squares and the header's code square, and lies on blank paper (it covers
    nothing printed, its "cm" caption included); the lines do not move."""
    packet = [Packet(tuple(catalog.get(i) for i in ALL_IDS), KNOWN)]
    options = {"paper": paper, "large_print": large}
    plain_pdf = write_forms(tmp_path / "plain.pdf", packet, PrintOptions(**options))
    fill_pdf = write_forms(tmp_path / "fill.pdf", packet, PrintOptions(fillable=True, **options))
    width, height = PAPER_SIZES_MM[paper]
    reader = PdfReader(fill_pdf)
    for index, page in enumerate(reader.pages):
        printed = grey_file(plain_pdf, index)
        compare_lines(printed, grey_file(fill_pdf, index))
        lines = rating_lines(printed)
        assert len(lines) == 4
        for annotation in page["/Annots"]:
            widget = annotation.get_object()
            name = str(widget["/T"])
            left, top, right, bottom = rect_mm(widget["/Rect"], height)
            where = f"{name} on {paper}{' large' if large else ''}"
            assert left >= 30.0 and right <= width - 30.0, where
            for cx in ((8.0, 28.0), (width - 28.0, width - 8.0)):
                for cy in ((8.0, 28.0), (height - 28.0, height - 8.0)):
                    assert not overlaps((left, top, right, bottom), (cx[0], cy[0], cx[1], cy[1]))
            code_square = (width - 30.0 - 24.0, 10.0, width - 30.0, 34.0)
            assert not overlaps((left, top, right, bottom), code_square), where
            if "_item" not in name:
                continue
            for y, x0, x1 in lines:
                band = (x0, y - 6.0, x1, y + 6.0)
                assert not overlaps((left, top, right, bottom), band), where
            # The field's border, and its caption below it, on blank paper in the plain print.
            caption_bottom = bottom + 0.2 + 0.3 + 2.8
            region = (left - 0.5, top - 0.5, right + 0.5, caption_bottom)
            assert area(printed, region, DPI).min() >= INK, where
            level = [y for y, _, _ in lines if top <= y <= bottom]
            assert len(level) == 1, f"{where} is level with its line"


# ---------------------------------------------------------------------------------------------
# (b) (c) Round trips with two independent fillers


def test_filled_with_pypdf_reads_back_equal(blank_fillable: Path, tmp_path: Path) -> None:
    filled = fill_with_pypdf(blank_fillable, tmp_path / "pypdf.pdf", TYPED)
    forms, problems = read_pdf(filled)
    assert problems == []
    assert forms == expected_forms(filled)


def test_filled_with_pymupdf_reads_back_equal(blank_fillable: Path, tmp_path: Path) -> None:
    filled = fill_with_pymupdf(blank_fillable, tmp_path / "mupdf.pdf", TYPED)
    forms, problems = read_pdf(filled)
    assert problems == []
    assert forms == expected_forms(filled)


@pytest.mark.parametrize("fill", [fill_with_pypdf, fill_with_pymupdf])
def test_values_typed_in_are_drawn_in_their_box(blank_fillable: Path, tmp_path: Path, fill) -> None:
    filled = fill(blank_fillable, tmp_path / "filled.pdf", TYPED)
    rect = inset(field_rect_mm(filled, "s1_ORS_v1_item1"), 0.4)
    document = pdfium.PdfDocument(filled)
    document.init_forms()
    assert area(grey(document, 0, DPI), rect, DPI).min() < DARK


# ---------------------------------------------------------------------------------------------
# (d) Values as people type them


def test_commas_and_units_are_read_and_a_bad_value_is_located(
    blank_fillable: Path, tmp_path: Path
) -> None:
    typed = TYPED | {
        "s1_ORS_v1_item1": "6,4",
        "s1_ORS_v1_item2": "64 mm",
        "s1_ORS_v1_item3": "abc",
        "s1_ORS_v1_item4": " 7.0 cm ",
    }
    filled = fill_with_pypdf(blank_fillable, tmp_path / "typed.pdf", typed)
    forms, problems = read_pdf(filled)
    assert forms[0].items == (6.4, 6.4, None, 7.0)
    assert len(forms) == 4
    assert problems == [
        Problem(
            Location(str(filled), sheet="page 1", column="s1_ORS_v1_item3"),
            "'abc' is not a number. Type the centimetres with one decimal, e.g. 6.4.",
        )
    ]
    assert "page 1" in str(problems[0]) and "s1_ORS_v1_item3" in str(problems[0])


def test_unit_and_date_format_are_used(blank_fillable: Path, tmp_path: Path) -> None:
    typed = TYPED | {"s3_CORS_v1_item1": "22", "s3_CORS_v1_date": "01/12/2026"}
    filled = fill_with_pypdf(blank_fillable, tmp_path / "mm.pdf", typed)
    forms, problems = read_pdf(filled, unit="mm", date_format="%d/%m/%Y")
    cors = next(f for f in forms if f.instrument == "CORS")
    assert cors.items[:2] == (pytest.approx(2.2), pytest.approx(0.44))  # 22 mm, 4.4 mm
    assert cors.date == datetime.date(2026, 12, 1)
    assert forms[0].date == datetime.date(2026, 11, 25)  # printed by paperfit as YYYY-MM-DD
    assert problems == []


def test_a_sheet_without_client_or_session_is_left_out_and_said_so(
    blank_fillable: Path, tmp_path: Path
) -> None:
    typed = {
        k: v for k, v in TYPED.items() if k not in ("s3_CORS_v1_session", "s4_CSRS_v1_client_id")
    }
    filled = fill_with_pypdf(blank_fillable, tmp_path / "missing.pdf", typed)
    forms, problems = read_pdf(filled)
    assert [f.instrument for f in forms] == ["ORS", "SRS"]
    assert [(p.location.sheet, p.location.column) for p in problems] == [
        ("page 3", "s3_CORS_v1_session"),
        ("page 4", "s4_CSRS_v1_client_id"),
    ]
    assert all("this form was left out" in p.message for p in problems)
    assert all(p.severity == "error" for p in problems)


def test_an_untouched_sheet_is_left_out_with_a_warning(blank_fillable: Path) -> None:
    forms, problems = read_pdf(blank_fillable)
    # Sheets 1 and 2 carry the printed client and session; 3 and 4 are blank.
    assert [(f.instrument, f.items) for f in forms] == [("ORS", (None,) * 4), ("SRS", (None,) * 4)]
    assert problems == [
        Problem(
            Location(str(blank_fillable), sheet="page 3"), "page 3 is blank: left out", "warning"
        ),
        Problem(
            Location(str(blank_fillable), sheet="page 4"), "page 4 is blank: left out", "warning"
        ),
    ]


def test_an_unknown_layout_version_is_left_out(blank_fillable: Path, tmp_path: Path) -> None:
    filled = fill_with_pypdf(blank_fillable, tmp_path / "filled.pdf", TYPED)

    def to_layout_2(writer: PdfWriter) -> None:
        for annotation in writer.pages[0]["/Annots"]:
            widget = annotation.get_object()
            widget[NameObject("/T")] = TextStringObject(str(widget["/T"]).replace("_v1_", "_v2_"))

    changed = edited(filled, tmp_path / "v2.pdf", to_layout_2)
    forms, problems = read_pdf(changed)
    assert [f.instrument for f in forms] == ["SRS", "CORS", "CSRS"]
    assert len(problems) == 1
    assert problems[0].location == Location(str(changed), sheet="page 1")
    assert "layout version 2" in problems[0].message
    assert "this form was left out" in problems[0].message


def test_field_list_and_page_disagreeing_is_reported(blank_fillable: Path, tmp_path: Path) -> None:
    """A viewer that updated only the field list: its value is used, and both are named."""
    filled = fill_with_pypdf(blank_fillable, tmp_path / "filled.pdf", TYPED)

    def split_item1(writer: PdfWriter) -> None:
        fields = writer.root_object["/AcroForm"]["/Fields"]
        for index, reference in enumerate(fields):
            field = reference.get_object()
            if field["/T"] == "s1_ORS_v1_item1":
                copy = field.clone(writer, force_duplicate=True)
                copy[NameObject("/V")] = TextStringObject("5.5")
                fields[index] = writer._add_object(copy)

    changed = edited(filled, tmp_path / "split.pdf", split_item1)
    forms, problems = read_pdf(changed)
    assert forms[0].items[0] == 5.5
    assert len(problems) == 1
    assert problems[0].location.column == "s1_ORS_v1_item1"
    assert "'5.5'" in problems[0].message and "'6.4'" in problems[0].message


# ---------------------------------------------------------------------------------------------
# (e) (f) (g) (h) Files that are not what they should be


def test_a_pdf_without_fields_gives_one_clear_problem(plain: Path) -> None:
    assert read_pdf(plain) == ([], [Problem(Location(str(plain)), NO_FIELDS)])


@pytest.mark.parametrize("kind", ["garbage", "empty", "text", "truncated", "header-only"])
def test_a_broken_file_is_a_problem_not_an_exception(
    blank_fillable: Path, tmp_path: Path, kind: str
) -> None:
    data = blank_fillable.read_bytes()
    content = {
        "garbage": bytes(random.Random(5).randrange(256) for _ in range(4000)),
        "empty": b"",
        "text": b"client,session\nC-1,2\n",
        "truncated": data[: len(data) // 2],
        "header-only": b"%PDF-1.7\n",
    }[kind]
    path = tmp_path / "broken.pdf"
    path.write_bytes(content)
    forms, problems = read_pdf(path)
    assert forms == []
    assert len(problems) == 1
    assert problems[0].location == Location(str(path))
    assert problems[0].message.endswith(".")


def test_every_truncation_is_a_problem_not_an_exception(
    blank_fillable: Path, tmp_path: Path
) -> None:
    data = blank_fillable.read_bytes()
    path = tmp_path / "cut.pdf"
    for cut in range(1, 20):
        path.write_bytes(data[: len(data) * cut // 20])
        forms, problems = read_pdf(path)
        assert forms == [] and len(problems) == 1, cut


def test_a_password_protected_file_is_a_problem(blank_fillable: Path, tmp_path: Path) -> None:
    locked = edited(blank_fillable, tmp_path / "locked.pdf", lambda w: w.encrypt("secret"))
    forms, problems = read_pdf(locked)
    assert forms == []
    assert [p.message.split(",")[0] for p in problems] == [
        "is encrypted or protected with a password"
    ]


def test_a_missing_file_is_a_problem(tmp_path: Path) -> None:
    forms, problems = read_pdf(tmp_path / "nowhere.pdf")
    assert forms == [] and problems[0].message.startswith("could not be opened")


def test_reading_leaves_the_file_unchanged(blank_fillable: Path, tmp_path: Path) -> None:
    filled = fill_with_pymupdf(
        blank_fillable, tmp_path / "filled.pdf", TYPED | {"s1_ORS_v1_item3": "abc"}
    )
    before, stat = sha256(filled), filled.stat()
    read_pdf(filled)
    assert sha256(filled) == before
    assert filled.stat().st_mtime_ns == stat.st_mtime_ns


@pytest.mark.parametrize("remove", ["fields-list", "whole-acroform"])
def test_the_page_widgets_are_read_when_the_field_list_is_gone(
    blank_fillable: Path, tmp_path: Path, remove: str
) -> None:
    filled = fill_with_pypdf(blank_fillable, tmp_path / "filled.pdf", TYPED)

    def strip(writer: PdfWriter) -> None:
        if remove == "fields-list":
            del writer.root_object["/AcroForm"]["/Fields"]
        else:
            del writer.root_object["/AcroForm"]

    stripped = edited(filled, tmp_path / "stripped.pdf", strip)
    assert not PdfReader(stripped).get_fields()
    forms, problems = read_pdf(stripped)
    assert problems == []
    assert forms == expected_forms(stripped)


def test_the_field_list_is_read_when_the_pages_lost_their_widgets(
    blank_fillable: Path, tmp_path: Path
) -> None:
    filled = fill_with_pypdf(blank_fillable, tmp_path / "filled.pdf", TYPED)

    def strip(writer: PdfWriter) -> None:
        for page in writer.pages:
            del page["/Annots"]

    stripped = edited(filled, tmp_path / "stripped.pdf", strip)
    forms, problems = read_pdf(stripped)
    assert problems == []
    assert forms == expected_forms(stripped)  # pages found through each field's /P


# ---------------------------------------------------------------------------------------------
# Sheet numbers, explanation pages and the parallel writer


def test_sheet_numbers_count_form_sheets_and_locations_name_pages(
    tmp_path: Path, catalog: Catalog
) -> None:
    packet = [Packet((catalog.get("ORS"), catalog.get("SRS")), KNOWN)]
    out = write_forms(tmp_path / "f.pdf", packet, PrintOptions(fillable=True, explain="page"))
    reader = PdfReader(out)
    assert "/Annots" not in reader.pages[0]  # the explanation page
    filled = fill_with_pypdf(
        out, tmp_path / "filled.pdf", {"s1_ORS_v1_item1": "1.5", "s2_SRS_v1_item4": "9"}
    )
    forms, problems = read_pdf(filled)
    assert problems == []
    assert [(f.instrument, f.source.sheet, f.items) for f in forms] == [
        ("ORS", "page 2", (1.5, None, None, None)),
        ("SRS", "page 3", (None, None, None, 9.0)),
    ]


def test_the_parallel_writer_keeps_the_fields_working(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = [
        Packet((catalog.get("ORS"), catalog.get("SRS")), Header(client_id=f"C-{i}", session="2"))
        for i in range(12)
    ]
    monkeypatch.setattr(render, "MIN_PAGES_PER_WORKER", 5)
    monkeypatch.setattr(render.os, "cpu_count", lambda: 2)
    parallel = write_forms(tmp_path / "parallel.pdf", many, PrintOptions(fillable=True))
    monkeypatch.setattr(render, "MIN_PAGES_PER_WORKER", 1000)
    single = write_forms(tmp_path / "single.pdf", many, PrintOptions(fillable=True))

    def widgets(path: Path) -> list[list[str]]:
        return [
            sorted(str(a.get_object()["/T"]) for a in page["/Annots"])
            for page in PdfReader(path).pages
        ]

    assert widgets(parallel) == widgets(single)
    reader = PdfReader(parallel)
    # joined from the workers' parts, keeping the first part's title and keywords
    assert reader.metadata == PdfReader(single).metadata
    acro_form = reader.trailer["/Root"]["/AcroForm"]
    assert len(reader.get_fields()) == 12 * (11 + 10)
    assert acro_form["/NeedAppearances"].value is True
    fonts = set(acro_form["/DR"]["/Font"])
    for reference in acro_form["/Fields"]:
        tf = str(reference.get_object()["/DA"]).split(" Tf")[0].split()
        assert tf[-2] in fonts  # the font each field types in is in the form's resources
    values = {"s1_ORS_v1_item1": "1.1", "s24_SRS_v1_item4": "4.4"}
    filled = fill_with_pymupdf(parallel, tmp_path / "filled.pdf", values)
    forms, problems = read_pdf(filled)
    assert problems == []
    assert len(forms) == 24
    assert (forms[0].client_id, forms[0].items) == ("C-0", (1.1, None, None, None))
    assert (forms[-1].client_id, forms[-1].items) == ("C-11", (None, None, None, 4.4))
    assert forms[-1].source.sheet == "page 24"


# ---------------------------------------------------------------------------------------------
# Rasters and rectangles, in millimetres from the top left of the page


def grey(document: pdfium.PdfDocument, index: int, dpi: int) -> np.ndarray:
    bitmap = document[index].render(scale=dpi / 72, grayscale=True, may_draw_forms=True)
    array = bitmap.to_numpy()
    return array[..., 0] if array.ndim == 3 else array


def grey_file(path: Path, index: int) -> np.ndarray:
    return grey(pdfium.PdfDocument(path), index, DPI)


def px(mm: float) -> int:
    return round(mm * DPI / 25.4)


def rect_mm(rect, page_height_mm: float) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = (float(v) * 25.4 / 72 for v in rect)
    return min(x1, x2), page_height_mm - max(y1, y2), max(x1, x2), page_height_mm - min(y1, y2)


def field_rect_mm(path: Path, name: str) -> tuple[float, float, float, float]:
    reader = PdfReader(path)
    for page in reader.pages:
        height = float(page.mediabox.height) * 25.4 / 72
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            if widget.get("/T") == name:
                return rect_mm(widget["/Rect"], height)
    raise AssertionError(f"no field {name}")


def inset(rect: tuple[float, float, float, float], by: float) -> tuple[float, ...]:
    return rect[0] + by, rect[1] + by, rect[2] - by, rect[3] - by


def area(raster: np.ndarray, rect: tuple[float, ...], dpi: int) -> np.ndarray:
    left, top, right, bottom = (round(v * dpi / 25.4) for v in rect)
    return raster[top:bottom, left:right]


def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def rating_lines(raster: np.ndarray) -> list[tuple[float, float, float]]:
    """Each rating line as (y, x0, x1) in mm: rows with a dark run of 95 mm or more, thinner
    than 1 mm (the check bar is 1.6 mm thick)."""
    dark = raster < DARK
    rows = [r for r in np.flatnonzero(dark.sum(axis=1) >= px(95))]
    groups: list[list[int]] = []
    for r in rows:
        if groups and r == groups[-1][-1] + 1:
            groups[-1].append(int(r))
        else:
            groups.append([int(r)])
    lines = []
    for group in groups:
        if len(group) >= px(1.0):
            continue
        middle = dark[group[len(group) // 2]]
        columns = np.flatnonzero(middle)
        runs = np.split(columns, np.flatnonzero(np.diff(columns) > 1) + 1)
        run = max(runs, key=len)
        to_mm = 25.4 / DPI
        lines.append(((group[0] + group[-1]) / 2 * to_mm, run[0] * to_mm, run[-1] * to_mm))
    return lines


def compare_lines(printed: np.ndarray, fillable: np.ndarray) -> None:
    """The rating lines, their ticks, faces and clear bands: the same dark pixels."""
    lines = rating_lines(printed)
    assert len(lines) == 4
    assert rating_lines(fillable) == lines
    for y, x0, x1 in lines:
        region = (x0 - 12.0, y - 6.0, x1 + 12.0, y + 6.0)
        assert np.array_equal(area(printed, region, DPI) < DARK, area(fillable, region, DPI) < DARK)
