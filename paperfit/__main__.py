"""The `paperfit` command's entry point: `python -m paperfit` or the installed script.

The commands that draw pages import WeasyPrint, which loads the Pango library as it is
imported; when that is missing, this says what to install (`paperfit doctor`'s list) instead
of a traceback.
"""

from __future__ import annotations

import sys
from types import TracebackType


def main() -> None:
    try:
        from paperfit.cli import cli

        cli(prog_name="paperfit")
    except OSError as error:
        if not _while_importing(error.__traceback__):
            raise
        from paperfit import doctor

        print(f"paperfit cannot start: {error}", file=sys.stderr)
        sys.exit(doctor.report() or 1)


def _while_importing(trace: TracebackType | None) -> bool:
    """Whether the error was raised while a module was being imported (a library that could
    not be loaded), rather than by the work itself (a file that could not be written)."""
    while trace is not None:
        if trace.tb_frame.f_code.co_filename.startswith("<frozen importlib"):
            return True
        trace = trace.tb_next
    return False


if __name__ == "__main__":
    main()
