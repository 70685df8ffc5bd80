"""The `paperfit` command's entry point: `python -m paperfit` or the installed script.

The commands import WeasyPrint, which loads the Pango library as it is imported; when that is
missing, this says what to install (`paperfit doctor`'s list) instead of a traceback.
"""

from __future__ import annotations

import sys


def main() -> None:
    try:
        from paperfit.cli import cli
    except OSError as error:
        from paperfit import doctor

        print(f"paperfit cannot start: {error}", file=sys.stderr)
        sys.exit(doctor.report() or 1)
    cli(prog_name="paperfit")


if __name__ == "__main__":
    main()
