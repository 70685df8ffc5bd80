"""Check that the system libraries and fonts WeasyPrint needs are installed.

Run as `python -m generator.system` (the Makefile does) for a clear message instead of a
traceback from deep inside WeasyPrint.
"""

from __future__ import annotations

import sys

from paperfit.errors import PaperfitError

FONT = "DejaVu Sans"
INSTALL = (
    "On Debian or Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
    "libharfbuzz-subset0 fonts-dejavu-core. On macOS: brew install pango font-dejavu."
)


def check_system() -> None:
    """Raise PaperfitError saying what to install when Pango or the DejaVu font is missing."""
    try:
        from weasyprint.text.ffi import ffi, fontconfig
    except OSError as error:
        raise PaperfitError(f"WeasyPrint cannot find Pango ({error}). {INSTALL}") from None
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", FONT.encode())
        config = fontconfig.FcInitLoadConfigAndFonts()
        fontconfig.FcConfigSubstitute(config, pattern, 0)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        match = fontconfig.FcFontMatch(config, pattern, result)
        family = ffi.new("FcChar8 **")
        found = ""
        if match != ffi.NULL and fontconfig.FcPatternGetString(match, b"family", 0, family) == 0:
            found = ffi.string(family[0]).decode()
        if match != ffi.NULL:
            fontconfig.FcPatternDestroy(match)
        fontconfig.FcConfigDestroy(config)
    finally:
        fontconfig.FcPatternDestroy(pattern)
    if found != FONT:
        raise PaperfitError(
            f"The font {FONT} is not installed (the closest match is {found or 'none'}). {INSTALL}"
        )


def main() -> int:
    try:
        check_system()
    except PaperfitError as error:
        print(f"paperfit: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
