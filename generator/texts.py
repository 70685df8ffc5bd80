"""The words paperfit itself prints (captions, explanations, handouts, the guide) per language.

Takes: a language code. Returns: the parsed templates/text/<lang>.toml. Instrument wording is
not here: it lives in forms/.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from forms.sheet import LANGUAGES
from forms.tomlfile import read_toml
from templates import TEXT_DIR

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
