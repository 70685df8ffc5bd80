"""The scan proof in black and white: read marks, best guesses and marks that could not be
used differ in shape (a photocopy in grey still tells them apart), and every line to check
has a box for the value measured by hand and says where to type it."""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest
from paperfit.forms.instrument import Catalog
from paperfit.forms.scan_records import (
    LINE_OK,
    PAGE_OK,
    ItemReading,
    LineReading,
    ScannedPage,
    ScanResult,
)
from paperfit.forms.sheet import PageCode
from paperfit.generator.scan_results import GUESSED, PROBLEM, READ, drawn, write_proof
from paperfit.generator.texts import texts

from tests.conftest import pdf_text

SEVERAL = "more than one mark"
X = 300


def grey_mark(kind: str) -> np.ndarray:
    """The mark of KIND drawn at X on a blank line picture, as a grey printer would print it."""
    line = LineReading(None, SEVERAL, 100.0, None, 2, None, (14.0, 114.0))
    item = ItemReading(1, line, np.full((66, 768), 255, np.uint8), X / 768, (0.1, 0.9))
    return cv2.cvtColor(drawn(item, kind), cv2.COLOR_BGR2GRAY)


def test_the_three_marks_differ_in_shape_not_only_colour() -> None:
    read, guess, problem = (grey_mark(kind) for kind in (READ, GUESSED, PROBLEM))
    dark = 170  # printed grey, still visible
    column = {
        name: picture[14:, X] < dark
        for name, picture in (("read", read), ("guess", guess), ("problem", problem))
    }
    # A read mark is a solid line; a guess is dashed; a problem is dotted (fewer dark pixels).
    assert column["read"].all()
    assert 0.4 < column["guess"].mean() < 0.8
    assert 0.1 < column["problem"].mean() < 0.4
    # At the top: a filled triangle, a ring (its centre left white), a cross (its centre dark).
    assert read[3, X] < dark and read[3, X - 3] < dark
    assert guess[6, X] > dark and guess[1, X] < dark
    assert problem[6, X] < dark and problem[1, X - 5] < dark and problem[1, X] > dark
    # Each picture differs from the others where the marks are, in grey alone.
    tops = [picture[:14, X - 6 : X + 7] < dark for picture in (read, guess, problem)]
    assert all((a != b).sum() > 10 for a, b in itertools.combinations(tops, 2))


def test_a_line_to_check_has_a_box_and_says_where_to_type_it(
    tmp_path: Path, catalog: Catalog
) -> None:
    picture = np.full((66, 768), 250, np.uint8)
    fine = LineReading(6.1, LINE_OK, 100.0, None, 1, 61.0, (14.0, 114.0))
    guessed = LineReading(None, SEVERAL, 100.0, 4.2, 2, None, (14.0, 114.0))
    items = tuple(
        ItemReading(n, guessed if n in (2, 4) else fine, picture, 0.5, (0.11, 0.89))
        for n in range(1, 5)
    )
    code = PageCode("ORS", 1, client_id="C-1001", session="3", date="2026-01-19")
    page = ScannedPage("s.pdf", 1, PAGE_OK, code=code, instrument=catalog.get("ORS"), items=items)
    fine_page = ScannedPage(
        "s.pdf",
        2,
        PAGE_OK,
        code=code,
        instrument=catalog.get("ORS"),
        items=tuple(ItemReading(n, fine, picture, 0.5, (0.11, 0.89)) for n in range(1, 5)),
    )
    path = write_proof(tmp_path / "proof.pdf", ScanResult((page, fine_page)), "letter")
    text = " ".join(pdf_text(path))
    assert text.count("measured: _____ cm") == 2  # one box per line to check, none elsewhere
    assert "Type what you measure into measurements.xlsx: sheet ORS, this form’s row" in text
    assert text.count("Type what you measure") == 1  # not for the page with nothing to check
    labels = [item.label for item in catalog.get("ORS").items]
    assert f"column E ({labels[1]})" in text and f"column G ({labels[3]})" in text
    for key in ("▼ and a solid line", "○ and a dashed line", "✕ and a dotted line"):
        assert key in text


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_box_is_in_the_proofs_language(tmp_path: Path, language: str) -> None:
    line = LineReading(None, SEVERAL, 100.0, None, 2, None, (14.0, 114.0))
    items = tuple(
        ItemReading(n, line, np.full((66, 768), 250, np.uint8), None, None) for n in range(1, 5)
    )
    result = ScanResult((ScannedPage("s.pdf", 1, PAGE_OK, items=items),))
    path = write_proof(tmp_path / "proof.pdf", result, "a4", language)
    text = " ".join(pdf_text(path))
    words = texts(language)["scan"]
    assert " ".join(words["measured"].split()) in " ".join(text.split())
