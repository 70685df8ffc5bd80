"""The clinician's pages in the practice's language: the report, the entry workbook, and what
`paperfit scan` writes, in Spanish and French, with no English sentence of theirs left over."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from paperfit.forms.instrument import Catalog
from paperfit.forms.scan_records import (
    LINE_OK,
    NO_MARKERS,
    PAGE_OK,
    SEVERAL_MARKS,
    ItemReading,
    LineReading,
    ScannedPage,
    ScanResult,
)
from paperfit.forms.scoring import ScoringSettings, Thresholds
from paperfit.generator.report import write_report
from paperfit.generator.scan_results import write_proof, write_scan_results
from paperfit.generator.texts import count, texts
from paperfit.generator.workbook import write_workbook

from paperfit.cli import cli
from tests.conftest import pdf_text
from tests.test_report import PRACTICE, PRINTED, report_data

FOREIGN = ("es", "fr")
MIN_WORDS = 2  # a fragment of English this long or longer counts as a sentence left over


def flat(text: str) -> str:
    """TEXT with every run of white space (no-break spaces too) as one space, as pdf_text."""
    return " ".join(text.split())


def strings(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


def english_fragments(table: str, language: str) -> list[str]:
    """The English words of TABLE ([report], [workbook] or [scan]) that LANGUAGE says
    differently, cut at their {placeholders}: pieces of at least MIN_WORDS words."""
    own = set(strings(texts(language)[table]))
    out = []
    for text in strings(texts("en")[table]):
        if text in own:
            continue
        for piece in re.split(r"\{\w+\}", text):
            piece = flat(piece).strip(" :;,.()")
            if len(piece.split()) >= MIN_WORDS:
                out.append(piece)
    return out


def leftovers(text: str, table: str, language: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """The English fragments of TABLE found in TEXT, but for the ALLOWED ones."""
    return [
        piece
        for piece in english_fragments(table, language)
        if piece in text and piece not in allowed
    ]


@pytest.fixture(scope="module")
def thresholds(catalog: Catalog) -> Thresholds:
    return Thresholds.resolve(catalog, ScoringSettings())


# The report


@pytest.fixture(scope="module", params=FOREIGN)
def report(request, tmp_path_factory, catalog: Catalog, thresholds: Thresholds) -> tuple:
    language = request.param
    reading, scored = report_data(catalog, thresholds)
    out = tmp_path_factory.mktemp(f"report-{language}") / "report.pdf"
    write_report(out, reading, scored, thresholds, PRACTICE, "letter", PRINTED, language=language)
    return language, pdf_text(out)


def test_the_report_speaks_the_practices_language(report: tuple) -> None:
    language, pages = report
    text = " ".join(pages)
    words = texts(language)["report"]
    colon = words["colon"]
    expected = [
        words["title"],
        flat(f"{words['printed']}{colon}2026-03-02"),
        words["groups_title"],
        words["whole_practice"],
        words["no_clinician"],
        words["notes_title"],
        words["thresholds_title"],
        words["flags_title"],
        words["flags_intro"],
        words["problems_title"],
        flat(count(2, words["error"], language)),
        words["sources_title"],
        words["confidential"],
        flat(words["page"].format(number=1, count=len(pages))),
        flat(texts(language)["graph"]["flag_words"]["deterioration"]),
    ]
    missing = [phrase for phrase in expected if phrase not in text]
    assert not missing, f"{language}: not on the report: {missing}"


def test_no_english_sentence_is_left_on_the_report(report: tuple) -> None:
    language, pages = report
    text = " ".join(pages)
    assert not leftovers(text, "report", language)
    assert "reliable deterioration" not in text  # the flags are said in the page's words too


# The entry workbook


def workbook_words(path: Path) -> tuple[list[str], list[str]]:
    """The Read me sheet's rows, and the title and message of every validation."""
    book = load_workbook(path)
    readme = [str(row[0]) for row in book["Read me"].iter_rows(values_only=True) if row[0]]
    messages = []
    for sheet in book.worksheets:
        for validation in sheet.data_validations.dataValidation:
            messages += [validation.errorTitle, validation.error]
    return readme, messages


@pytest.mark.parametrize("language", FOREIGN)
def test_the_workbook_speaks_the_practices_language(
    tmp_path: Path, catalog: Catalog, thresholds: Thresholds, language: str
) -> None:
    instruments = [catalog.get(i) for i in ("ORS", "SRS")]
    path = write_workbook(tmp_path / "entry.xlsx", instruments, thresholds, language=language)
    readme, messages = workbook_words(path)
    words = texts(language)["workbook"]
    assert readme[0] == words["title"]
    for key in ("before_title", "measuring_title", "typing_title", "orange_title"):
        assert words[key] in readme
    assert words["check_title"] in messages and words["unknown_client"] in messages
    assert f"{words['choose'].format(choices=words['or'].join(('self', 'other')))}" in messages
    text = flat(" ".join(readme + messages))
    assert not leftovers(text, "workbook", language)
    # the machine contract stays: sheet names, column headers and list values
    book = load_workbook(path)
    assert book.sheetnames[:3] == ["Read me", "Clients", "ORS"]
    assert [c.value for c in book["ORS"][1]][:3] == ["client_id", "session", "date"]
    assert "open" in [row[0] for row in book["Lists"].iter_rows(min_col=3, values_only=True)]


# What `paperfit scan` writes


def scan_pages() -> ScanResult:
    """A page read with a line to check and a best guess, and a page whose markers were not
    found: the proof's words for both kinds."""
    guessed = LineReading(None, SEVERAL_MARKS, 100.0, 4.2, 2, None, (14.0, 114.0))
    fine = LineReading(6.1, LINE_OK, 100.0, None, 1, 61.0, (14.0, 114.0))
    picture = np.full((66, 768), 250, np.uint8)
    items = tuple(
        ItemReading(n, guessed if n == 2 else fine, picture, 0.5, (0.11, 0.89)) for n in range(1, 5)
    )
    return ScanResult(
        (
            ScannedPage("s.pdf", 1, PAGE_OK, items=items),
            ScannedPage(
                "s.pdf", 2, NO_MARKERS, "no markers", thumbnail=np.full((310, 240), 200, np.uint8)
            ),
        )
    )


@pytest.mark.parametrize("language", FOREIGN)
def test_the_proof_speaks_the_practices_language(tmp_path: Path, language: str) -> None:
    path = write_proof(tmp_path / "proof.pdf", scan_pages(), "letter", language)
    text = " ".join(pdf_text(path))
    words = texts(language)["scan"]
    colon = words["colon"]
    expected = [
        words["title"],
        flat(count(2, words["pages_read"], language)),
        words["key_size"],
        flat(words["key_read"]),
        flat(words["measured"]),
        flat(f"{words['to_review']}{colon}s.pdf"),
        words["statuses"][SEVERAL_MARKS],
        flat(words["guess"].format(guess="4.2")),
        flat(words["best_guess"].format(number=2, guess="4.2")),
        flat(count(1, words["to_check"], language)),
        flat(f"{words['page_status']}{colon}{words['statuses'][NO_MARKERS]}"),
    ]
    missing = [phrase for phrase in expected if phrase not in text]
    assert not missing, f"{language}: not on the proof: {missing}"
    assert not leftovers(text, "scan", language)


@pytest.mark.parametrize("language", FOREIGN)
def test_the_scan_workbook_speaks_the_practices_language(
    tmp_path: Path, catalog: Catalog, thresholds: Thresholds, language: str
) -> None:
    files = write_scan_results(
        tmp_path, scan_pages(), catalog, thresholds, with_csv=True, language=language
    )
    readme, _ = workbook_words(files.workbook)
    words = texts(language)["scan"]
    assert readme[1 : 1 + len(words["readme_intro"])] == words["readme_intro"]
    text = flat(" ".join(readme))
    values = tuple(texts("en")["scan"]["statuses"])  # the status columns' values, explained
    assert not leftovers(text, "scan", language, values)
    assert not leftovers(text, "workbook", language)
    note = flat(words["best_guess"].format(number=2, guess="4.2"))
    assert note in flat(files.csv.read_text(encoding="utf-8"))


def test_lang_options_and_the_settings_default(tmp_path: Path) -> None:
    """--lang picks the language; without it, paperfit.toml's language is used."""
    runner = CliRunner()
    out = tmp_path / "fr.xlsx"
    result = runner.invoke(cli, ["workbook", "-o", str(out), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    assert workbook_words(out)[0][0] == texts("fr")["workbook"]["title"]
    settings = tmp_path / "paperfit.toml"
    settings.write_text('language = "es"\n', encoding="utf-8")
    out = tmp_path / "es.xlsx"
    result = runner.invoke(cli, ["--config", str(settings), "workbook", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert workbook_words(out)[0][0] == texts("es")["workbook"]["title"]
    for command in ("report", "scan", "workbook"):
        assert "--lang" in runner.invoke(cli, [command, "--help"]).output
