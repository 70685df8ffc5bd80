"""Forms, handouts and the pocket card as staff and clients hold them: the check bar is a
printer's ruler in the footer, large print lays out cleanly, the group form's explanation
speaks of the leader, and the guide is a pocket card of two panels with the practice's
numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from markupsafe import Markup
from paperfit.forms.instrument import Catalog
from paperfit.forms.scoring import ScoringSettings, Thresholds
from paperfit.forms.sheet import PAPER_SIZES_MM, Paper
from paperfit.generator.handouts import write_guide
from paperfit.generator.render import layout, render_html
from paperfit.generator.sheets import Header, Packet, PrintOptions, page_sequence, write_forms

from tests.conftest import pdf_text
from tests.test_printed_pages import (
    LINE_DPI,
    find_check_bars,
    find_lines,
    grey_page,
    mm,
)


@pytest.fixture(scope="module")
def thresholds(catalog: Catalog) -> Thresholds:
    return Thresholds.resolve(catalog, ScoringSettings())


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_the_check_bar_is_a_grey_printers_ruler_in_the_footer(
    tmp_path: Path, catalog: Catalog, paper: str
) -> None:
    path = write_forms(
        tmp_path / "ors.pdf", [Packet((catalog.get("ORS"),))], PrintOptions(paper=paper)
    )
    grey = grey_page(path, 0, LINE_DPI)
    (bar,) = find_check_bars(grey, LINE_DPI)
    lines = find_lines(grey, LINE_DPI)
    stroke = grey[round(bar.centre), bar.start + 20 : bar.end - 20]
    assert 40 < float(np.median(stroke)) < 128  # grey, not black like the rating lines
    assert all(mm(bar.top, LINE_DPI) > mm(line.stroke.bottom, LINE_DPI) + 30 for line in lines)
    assert PAPER_SIZES_MM[paper][1] - mm(bar.bottom, LINE_DPI) < 25  # at the foot
    (text,) = pdf_text(path)
    assert "Printer check: this bar is 10 cm." in text
    # The copyright line comes before it: the bar is the last thing, for whoever prints.
    assert text.index("© 2000") < text.index("Printer check")


def _boxes(box):
    box = getattr(box, "_box", box)
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def laid_out(catalog: Catalog, ident: str, paper: str, language: str = "en"):
    """The large-print sheet of IDENT, laid out: (element classes, box) of every box."""
    options = PrintOptions(paper=paper, large_print=True, language=language)
    pages = page_sequence([Packet((catalog.get(ident, language),), Header())], options)
    document = layout(
        render_html(
            "pack.html",
            pages=[Markup(page) for page in pages],
            lang=language,
            title="t",
            paper=Paper.named(paper),
            large_print=True,
        )
    )
    found, seen = [], set()
    for box in _boxes(document.pages[0]._page_box):
        element = getattr(box, "element", None)
        if element is not None and getattr(box, "element_tag", None) and id(element) not in seen:
            seen.add(id(element))  # the element's outermost box
            found.append(((element.get("class") or "").split(), box))
    return found


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_large_print_keeps_the_relationship_question_with_its_blank(catalog, paper) -> None:
    boxes = laid_out(catalog, "ORS", paper)
    (question,) = [box for classes, box in boxes if "question" in classes]
    blanks = [box for classes, box in boxes if "blank" in classes]
    (blank,) = [b for b in blanks if abs(b.position_y - question.position_y) < 20]
    # The blank sits on the question's line, not alone on the next one.
    assert blank.position_y < question.position_y + question.margin_height()
    assert blank.position_x > question.position_x + question.margin_width() - 1


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_large_print_anchors_stay_within_the_line_ends(catalog, paper, language) -> None:
    boxes = laid_out(catalog, "SRS", paper, language)
    px_mm = 25.4 / 96
    scales = [box for classes, box in boxes if "scale" in classes]
    anchors = [box for classes, box in boxes if "anchors" in classes]
    assert len(anchors) == 4
    for scale, anchor in zip(scales, anchors, strict=True):
        line_left = (scale.content_box_x() + scale.width / 2) * px_mm - 50
        left, width = anchor.content_box_x() * px_mm, anchor.width * px_mm
        assert width == pytest.approx(100, abs=0.2)
        assert left == pytest.approx(line_left, abs=0.2)
        inner = [b for b in _boxes(anchor) if getattr(b, "text", None)]
        assert inner and all(
            line_left - 0.2 <= b.position_x * px_mm
            and (b.position_x + b.width) * px_mm <= line_left + 100.2
            for b in inner
        )


def test_the_group_form_explains_itself_with_the_leader(tmp_path, catalog) -> None:
    for language, leader, therapist in (
        ("en", "the leader", "therapist"),
        ("es", "el líder", "terapeuta"),
        ("fr", "l’animateur", "thérapeute"),
    ):
        path = write_forms(
            tmp_path / f"gsrs-{language}.pdf",
            [Packet((catalog.get("GSRS", language),))],
            PrintOptions(language=language),
        )
        (text,) = pdf_text(path)
        assert leader in text and therapist not in text, language


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_guide_is_a_pocket_card_with_the_practices_numbers(
    tmp_path: Path, catalog: Catalog, paper: str, language: str
) -> None:
    practice = Thresholds.resolve(catalog, ScoringSettings(rci=6, cutoff_child=28))
    path = write_guide(tmp_path / "guide.pdf", language, paper, practice, "Riverside")
    (text,) = pdf_text(path)
    if language == "en":
        for said in (
            "adults 25, adolescents 28, children 28",
            "Reliable change (RCI): 6 points or more",
            "SRS alert: a total below 36, or any item below 9",
            "No reliable improvement by session 4",
        ):
            assert text.count(said) == 2, said  # two cards to a sheet
    assert text.count("RCI") == 2
    # Two panels a card, folded in the middle: a fold mark at half the width, above and below
    # each card; the sheet's middle is the cut line.
    width, height = PAPER_SIZES_MM[paper]
    dpi = 150
    grey = grey_page(path, 0, dpi)
    column = round(width / 2 * dpi / 25.4)
    marks = grey[:, column - 2 : column + 3].min(axis=1) < 200
    for top_mm in (2, height / 2 + 2):
        start = round(top_mm * dpi / 25.4)
        assert marks[start : start + round(5 * dpi / 25.4)].any(), top_mm
    middle = round(height / 2 * dpi / 25.4)
    assert (grey[middle - 2 : middle + 3, :column].min(axis=0) < 220).mean() > 0.3  # cut line
    # Both panels hold words: the left half and the right half of each card.
    for top, bottom in ((0, height / 2), (height / 2, height)):
        rows = slice(round((top + 10) * dpi / 25.4), round((bottom - 10) * dpi / 25.4))
        left = (grey[rows, : column - 20] < 128).sum()
        right = (grey[rows, column + 20 :] < 128).sum()
        assert left > 2000 and right > 2000
