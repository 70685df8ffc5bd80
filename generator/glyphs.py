"""Which characters of a text no font on this machine can draw: they print as empty boxes.

Takes: texts about to be printed (client IDs, names). Returns: the characters no installed font
has, found through fontconfig (the font list WeasyPrint draws with), so a command can say so
before it prints a page that shows a box where a client's ID should be. Asked once per
character; when fontconfig's fc-list cannot be run, nothing is said (it cannot be told).
"""

from __future__ import annotations

import subprocess
import unicodedata
from collections.abc import Iterable
from functools import cache

ALWAYS_DRAWN = 0x250  # Latin letters and their accents: in DejaVu Sans, the pages' font
NOT_DRAWN = {"Mn", "Me", "Cf", "Zs", "Zl", "Zp"}  # marks and spaces: drawn with the letter before


def missing_glyphs(texts: Iterable[str]) -> list[str]:
    """The characters of TEXTS, in order and once each, that no installed font has."""
    found = dict.fromkeys(char for text in texts for char in text)
    return [
        char
        for char in found
        if ord(char) >= ALWAYS_DRAWN
        and unicodedata.category(char) not in NOT_DRAWN
        and _has_font(char) is False
    ]


@cache
def _has_font(char: str) -> bool | None:
    """Whether any installed font has CHAR; None when fontconfig cannot be asked."""
    try:
        listed = subprocess.run(
            ["fc-list", f":charset={ord(char):x}", "family"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return bool(listed.stdout.strip()) if listed.returncode == 0 else None
