"""The words paperfit itself prints (captions, explanations, handouts, the guide, and the
clinician's report, workbook and scan proof) per language.

Takes: a language code. Returns: the parsed templates/text/<lang>.toml, and the few helpers
that put numbers and flags into those words. Instrument wording is not here: it lives in forms/.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from paperfit.forms.scoring import Flag
from paperfit.forms.sheet import LANGUAGES
from paperfit.forms.tomlfile import read_toml
from paperfit.templates import TEXT_DIR

AUDIENCES = ("adult", "child", "caretaker")


@cache
def texts(language: str) -> dict[str, Any]:
    """The printed text for LANGUAGE (one of en, es, fr)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    return read_toml(TEXT_DIR / f"{language}.toml")


def privacy_sentence(language: str, practice_privacy: str) -> str:
    """The practice's own privacy sentence, or the default one in LANGUAGE."""
    return practice_privacy.strip() or texts(language)["privacy_default"]


def fill(text: str, **values: object) -> str:
    """TEXT with its {name} places filled in from VALUES."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), text)


def count(number: int, words: Sequence[str], language: str) -> str:
    """NUMBER with its noun: WORDS is the singular and the plural, each with a {n} place.
    French counts 0 as singular ("0 erreur"); English and Spanish do not."""
    one = number == 1 or (language == "fr" and number == 0)
    return fill(words[0] if one else words[1], n=number)


def say_flags(flags: Iterable[Flag], language: str) -> str:
    """FLAGS in LANGUAGE's words ([graph.flag_words]), joined with its flag separator."""
    words = texts(language)["graph"]
    return words["flag_separator"].join(flag.say(words["flag_words"][flag.code]) for flag in flags)
