"""What paperfit needs on this machine, and what is missing: `paperfit doctor`.

Takes nothing. Returns: one Check per requirement (the Python libraries paperfit imports, the
Pango library and the DejaVu Sans font WeasyPrint draws with). The libraries are loaded in a
child Python process (`python -m paperfit.doctor --libraries`), so the doctor's own process
imports neither WeasyPrint nor OpenCV: it starts as fast as `paperfit --help`, and still
answers when Pango is missing and they cannot load. Run as `python -m paperfit.doctor` (the
Makefile does) for a clear message instead of a traceback from deep inside WeasyPrint.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from paperfit.forms.errors import PaperfitError

FONT = "DejaVu Sans"
INSTALL = (
    "On Debian or Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 "
    "libharfbuzz-subset0 fonts-dejavu-core. On macOS: brew install pango font-dejavu."
)
REINSTALL = "Install paperfit again (make demo, or pip install .) to bring it back."
# (module, distribution, what it does for paperfit)
LIBRARIES = (
    ("click", "click", "the command line"),
    ("jinja2", "jinja2", "the page templates"),
    ("weasyprint", "weasyprint", "laying out and drawing pages"),
    ("pypdf", "pypdf", "reading fillable PDFs"),
    ("openpyxl", "openpyxl", "reading and writing workbooks"),
    ("pypdfium2", "pypdfium2", "joining graphs, drawing PNGs, reading scanned PDFs"),
    ("segno", "segno", "the page code on every sheet"),
    ("cv2", "opencv-python-headless", "finding the corner markers and pen marks"),
    ("numpy", "numpy", "measuring scans"),
    ("zxingcpp", "zxing-cpp", "reading the page code of scans"),
)


@dataclass(frozen=True)
class Check:
    """One requirement: what it is, whether it is there, and what to do when it is not."""

    name: str
    ok: bool
    detail: str

    def __str__(self) -> str:
        return f"{'ok' if self.ok else 'missing':8} {self.name}: {self.detail}"


def checks() -> list[Check]:
    """Every requirement, in the order they are listed by `paperfit doctor`."""
    versions = {module: _version(distribution) for module, distribution, _ in LIBRARIES}
    loaded = _load_in_child([module for module, version in versions.items() if version])
    found = [
        _library(module, distribution, purpose, versions[module], loaded["failed"].get(module))
        for module, distribution, purpose in LIBRARIES
    ]
    if found[2].ok:  # Pango and the font are WeasyPrint's; without it they cannot be asked
        system = loaded["system"]
        detail = system or f"{FONT} is used for every page"
        found.append(Check("Pango and the font", not system, detail))
    return found


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _load_in_child(modules: list[str]) -> dict[str, Any]:
    """What loading MODULES and asking for Pango and the font gives in a fresh Python process:
    {"failed": {module: error}, "system": error or ""}."""
    done = subprocess.run(
        [sys.executable, "-m", "paperfit.doctor", "--libraries", *modules],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        return json.loads(done.stdout.splitlines()[-1])
    except (IndexError, ValueError):
        error = (done.stderr.strip().splitlines() or ["no answer"])[-1]
        return {"failed": dict.fromkeys(modules, error), "system": error}


def _library(
    module: str, distribution: str, purpose: str, version: str, error: str | None
) -> Check:
    if not version:
        return Check(distribution, False, f"needed for {purpose}. {REINSTALL}")
    if error is not None:
        if module == "weasyprint":
            return Check(distribution, False, f"cannot find Pango ({error}). {INSTALL}")
        return Check(distribution, False, f"{version} does not load ({error}). {REINSTALL}")
    return Check(distribution, True, f"{version}, for {purpose}")


def _libraries(modules: list[str]) -> None:
    """The child's side of _load_in_child: load MODULES, ask for Pango and the font, and print
    what failed as one line of JSON."""
    failed = {}
    for module in modules:
        try:
            importlib.import_module(module)
        except (ImportError, OSError) as error:
            failed[module] = str(error)
    system = ""
    if "weasyprint" in modules and "weasyprint" not in failed:
        try:
            check_system()
        except PaperfitError as error:
            system = str(error)
    print(json.dumps({"failed": failed, "system": system}))


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


def report() -> int:
    """Print every check; 0 when all are there, 1 when something is missing."""
    found = checks()
    for check in found:
        print(check)
    missing = [check.name for check in found if not check.ok]
    if missing:
        print(f"paperfit cannot work until {', '.join(missing)} is installed.", file=sys.stderr)
        return 1
    return 0


def main() -> int:
    """The Makefile's check: silent when all is well, the reason when it is not."""
    try:
        check_system()
    except PaperfitError as error:
        print(f"paperfit: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--libraries"]:
        _libraries(sys.argv[2:])
        sys.exit(0)
    sys.exit(main())
