"""Checks on the client- and clinician-facing text files in templates/text/.

The three languages must have the same keys (both ways) and a translation only the English
text's {places}, client-facing text must stay easy to read (textstat 0.7.3), panels must stay
short, every handout must carry the {privacy} placeholder once, and the files must not borrow
instrument wording or name a vendor or an author.
"""

import re
import tomllib
from pathlib import Path

import pytest
import textstat

ROOT = Path(__file__).parents[1]
TEXT_DIR = ROOT / "templates" / "text"
FORMS_DIR = ROOT / "forms"
LANGS = ("en", "es", "fr")
AUDIENCES = ("adult", "child", "caretaker")
PRIVACY = "{privacy}"

# Limits from the project brief. English: Flesch-Kincaid grade (lower is easier); Spanish:
# Fernandez Huerta; French: Flesch reading ease with the French constants (higher is easier).
MAX_FK_GRADE = 6.0
MIN_EASE = 70.0
MAX_PANEL_SENTENCES = 3
MAX_PANEL_CHARS = 300

# Names that must never appear in the text: vendors, authors, organisations.
FORBIDDEN_NAMES = (
    "MyOutcomes",
    "FIT-Outcomes",
    "OpenFIT",
    "Miller",
    "Duncan",
    "ICCE",
    "CORC",
    "PCOMS",
)


def load(lang: str) -> dict:
    with (TEXT_DIR / f"{lang}.toml").open("rb") as fh:
        return tomllib.load(fh)


TEXTS = {lang: load(lang) for lang in LANGS}


@pytest.fixture(autouse=True, scope="module")
def _restore_textstat_language():
    """textstat keeps its language globally: put the default back for other test modules."""
    yield
    textstat.set_lang("en_US")


def shape(value, where: str = ""):
    """The key structure of a parsed TOML value, with list lengths, without the wording."""
    if isinstance(value, dict):
        return {key: shape(item, f"{where}.{key}") for key, item in sorted(value.items())}
    if isinstance(value, list):
        return ["list", len(value), [shape(item, f"{where}[{i}]") for i, item in enumerate(value)]]
    return type(value).__name__


def diff_shapes(a, b, where: str = "") -> list[str]:
    """Human-readable differences between two shapes (empty when they match)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = [f"{where}.{k}: only in the first file" for k in a.keys() - b.keys()]
        out += [f"{where}.{k}: only in the second file" for k in b.keys() - a.keys()]
        for key in a.keys() & b.keys():
            out += diff_shapes(a[key], b[key], f"{where}.{key}")
        return sorted(out)
    if isinstance(a, list) and isinstance(b, list):
        if a[1] != b[1]:
            return [f"{where}: {a[1]} entries against {b[1]}"]
        out = []
        for i, (x, y) in enumerate(zip(a[2], b[2], strict=True)):
            out += diff_shapes(x, y, f"{where}[{i}]")
        return out
    return [] if a == b else [f"{where}: {a} against {b}"]


def as_prose(parts: list[str]) -> str:
    """Join parts into one text; a part without end punctuation (a title) counts as a sentence."""
    out = []
    for part in parts:
        part = part.strip()
        if part and not re.search(r"[.!?]\W*$", part):
            part += "."
        out.append(part)
    return " ".join(out)


def explain_page_text(texts: dict, audience: str) -> str:
    page = texts["explain_page"][audience]
    return as_prose([page["title"], *page["paragraphs"]])


def handout_parts(texts: dict, audience: str) -> list[str]:
    handout = texts["handout"][audience]
    parts = [handout["title"], handout["intro"]]
    for section in handout["sections"]:
        parts += [section["heading"], section["text"]]
    parts.append(handout["closing"])
    return parts


def handout_text(texts: dict, audience: str) -> str:
    """The handout as printed with the default privacy sentence."""
    parts = handout_parts(texts, audience)
    return as_prose([p.replace(PRIVACY, texts["privacy_default"]) for p in parts])


def client_texts(lang: str) -> list[tuple[str, str]]:
    """(key, text) for every client-facing text that is long enough to score."""
    texts = TEXTS[lang]
    out = [(f"panel.{key}", text) for key, text in texts["panel"].items()]
    out += [(f"explain_page.{a}", explain_page_text(texts, a)) for a in AUDIENCES]
    out += [(f"handout.{a}", handout_text(texts, a)) for a in AUDIENCES]
    return out


def readability(lang: str, text: str) -> tuple[float, bool, str]:
    """(score, passes, description of the limit) for one text."""
    if lang == "en":
        textstat.set_lang("en_US")
        score = textstat.flesch_kincaid_grade(text)
        return score, score <= MAX_FK_GRADE, f"Flesch-Kincaid grade <= {MAX_FK_GRADE}"
    if lang == "es":
        textstat.set_lang("es")
        score = textstat.fernandez_huerta(text)
        return score, score >= MIN_EASE, f"Fernandez Huerta >= {MIN_EASE}"
    textstat.set_lang("fr")
    score = textstat.flesch_reading_ease(text)
    return score, score >= MIN_EASE, f"French Flesch reading ease >= {MIN_EASE}"


def all_strings(value, where: str = ""):
    """(key path, string) for every string in a parsed TOML value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from all_strings(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from all_strings(item, f"{where}[{i}]")
    elif isinstance(value, str):
        yield where, value


def sentence_count(text: str) -> int:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if re.search(r"\w", s)]
    return len(sentences)


def instrument_wording() -> list[str]:
    """Instructions and anchors of every form file: none of them may appear in the text files."""
    out = []
    for path in sorted(FORMS_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            form = tomllib.load(fh)
        candidates = [form.get("instructions", "")]
        for item in form.get("items", []):
            candidates += [item.get("left", ""), item.get("right", "")]
        out += [c.replace("[therapist]", "").strip() for c in candidates if isinstance(c, str)]
    return [c for c in out if len(c) >= 20]


@pytest.mark.parametrize("lang", LANGS)
def test_language_field_matches_file_name(lang):
    assert TEXTS[lang]["language"] == lang


@pytest.mark.parametrize("lang", LANGS[1:])
def test_same_keys_as_english(lang):
    differences = diff_shapes(shape(TEXTS["en"]), shape(TEXTS[lang]))
    assert not differences, f"en.toml and {lang}.toml differ in structure:\n" + "\n".join(
        differences
    )


@pytest.mark.parametrize("lang", LANGS[1:])
def test_placeholders_are_the_english_ones(lang):
    """A translation names only the {places} its English text fills in (a misspelt one would
    stop the page from printing); it may leave one out, as a shorter heading does."""
    english = dict(all_strings(TEXTS["en"]))
    failures = []
    for key, text in all_strings(TEXTS[lang]):
        unknown = set(re.findall(r"\{(\w+)\}", text)) - set(re.findall(r"\{(\w+)\}", english[key]))
        if unknown:
            failures.append(f"{lang}: {key} has {sorted(unknown)}, not in en.toml")
    assert not failures, "\n".join(failures)


# Counted words: the singular and the plural, each with its {n}.
PLURALS = {
    "report": ("error", "warning"),
    "scan": ("pages_read", "forms", "marks", "review", "blank_pages", "to_check"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_counted_words_have_two_forms_with_the_number(lang):
    """The report, the workbook and the scan proof have their words here too; each counted
    word is a singular and a plural that both show the number."""
    assert {"report", "workbook", "scan"} <= set(TEXTS[lang])
    for table, keys in PLURALS.items():
        for key in keys:
            forms = TEXTS[lang][table][key]
            assert len(forms) == 2 and all("{n}" in f for f in forms), f"{lang}: {table}.{key}"


# Excel refuses to open a workbook whose validation title or message is longer than this.
EXCEL_TITLE_CHARS = 32
EXCEL_MESSAGE_CHARS = 255
VALIDATION_MESSAGES = (
    "client_id_length",
    "choose_age_group",
    "choose_status",
    "date_error",
    "unknown_client",
    "session_error",
    "item_error",
    "choose",
)


@pytest.mark.parametrize("lang", LANGS)
def test_excel_messages_fit_excels_limits(lang):
    words = TEXTS[lang]["workbook"]
    assert len(words["check_title"]) <= EXCEL_TITLE_CHARS, lang
    for key in VALIDATION_MESSAGES:
        # 40 characters of room for what is filled in (the choices of "who filled it in")
        assert len(words[key]) <= EXCEL_MESSAGE_CHARS - 40, f"{lang}: workbook.{key}"


def test_expected_sections():
    texts = TEXTS["en"]
    assert set(texts["panel"]) == {
        "adult_outcome",
        "adult_alliance",
        "group_alliance",
        "child_outcome",
        "child_alliance",
        "caretaker_outcome",
    }
    assert set(texts["explain_page"]) == set(AUDIENCES)
    assert set(texts["handout"]) == set(AUDIENCES)
    for audience in AUDIENCES:
        assert len(texts["handout"][audience]["sections"]) == 6, audience
        assert 3 <= len(texts["explain_page"][audience]["paragraphs"]) <= 5, audience
    assert len(texts["guide"]["sections"]) == 5


@pytest.mark.parametrize("lang", LANGS)
def test_client_text_is_easy_to_read(lang):
    failures = []
    for key, text in client_texts(lang):
        score, ok, limit = readability(lang, text)
        if not ok:
            failures.append(f"{lang}: {key} scores {score}, needs {limit}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", LANGS)
def test_child_text_is_simplest(lang):
    """Each child text reads at least as easily as the matching adult text."""
    texts = TEXTS[lang]
    pairs = [
        ("panel.outcome", texts["panel"]["child_outcome"], texts["panel"]["adult_outcome"]),
        ("panel.alliance", texts["panel"]["child_alliance"], texts["panel"]["adult_alliance"]),
        ("explain_page", explain_page_text(texts, "child"), explain_page_text(texts, "adult")),
        ("handout", handout_text(texts, "child"), handout_text(texts, "adult")),
    ]
    sign = 1 if lang == "en" else -1  # English: lower grade is easier; others: higher ease.
    failures = []
    for key, child, adult in pairs:
        child_score = readability(lang, child)[0]
        adult_score = readability(lang, adult)[0]
        if sign * child_score > sign * adult_score:
            failures.append(f"{lang}: {key} child {child_score} is harder than adult {adult_score}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", LANGS)
def test_panels_are_short(lang):
    for key, text in TEXTS[lang]["panel"].items():
        count = sentence_count(text)
        assert count <= MAX_PANEL_SENTENCES, f"{lang}: panel.{key} has {count} sentences"
        assert len(text) <= MAX_PANEL_CHARS, f"{lang}: panel.{key} has {len(text)} characters"


@pytest.mark.parametrize("lang", LANGS)
def test_handouts_carry_privacy_placeholder_once(lang):
    texts = TEXTS[lang]
    for audience in AUDIENCES:
        count = " ".join(handout_parts(texts, audience)).count(PRIVACY)
        assert count == 1, f"{lang}: handout.{audience} has {PRIVACY} {count} times, needs 1"
    assert texts["privacy_default"].strip(), f"{lang}: privacy_default is empty"
    assert "{" not in texts["privacy_default"], f"{lang}: privacy_default has a placeholder"


@pytest.mark.parametrize("lang", LANGS)
def test_no_vendor_or_author_names(lang):
    for key, text in all_strings(TEXTS[lang]):
        for name in FORBIDDEN_NAMES:
            assert name.lower() not in text.lower(), f"{lang}: {key} names {name!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_instrument_wording(lang):
    wording = [w.lower() for w in instrument_wording()]
    for key, text in all_strings(TEXTS[lang]):
        for phrase in wording:
            assert phrase not in text.lower(), f"{lang}: {key} copies form wording {phrase!r}"


def test_french_typography():
    """A no-break space before : ; ? ! and », and after «; never a plain space there."""
    for key, text in all_strings(TEXTS["fr"]):
        bad = re.search(r"(?<![\u00a0\u202f])[:;?!»]|«(?![\u00a0\u202f])", text)
        assert not bad, f"fr: {key} needs a no-break space at {text[max(0, bad.start() - 10) :]!r}"
        assert not re.search(r"[\"“”]", text), f"fr: {key} should use « » quotes"
