"""Where a command may write: never over its inputs, never over data without --replace.

Takes: the output path, the inputs the command reads and the --replace flag. Raises
PaperfitError (a refusal of the output, not a mistyped command) when the output is one of the
inputs or inside an input folder, or when it would replace a file that holds the practice's
data (an entry workbook, a scan's workbook, fillable forms) or that paperfit did not make, and
--replace was not given. paperfit's own outputs
(exports, reports, graphs, proofs, printed forms) are made again freely.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from paperfit.forms.errors import PaperfitError
from paperfit.forms.outputs import DATA, ENTRY, FILLABLE, SCAN_WORKBOOK
from paperfit.scanner.own_outputs import output_kind

HOLDS = {
    ENTRY: "an entry workbook (the forms typed into it would be lost)",
    SCAN_WORKBOOK: "a scan's workbook (staff may have corrected it)",
    FILLABLE: "fillable forms (values may have been typed into them)",
}


def check_not_input(out: Path, inputs: Sequence[Path], folder: bool = False) -> None:
    """PaperfitError when OUT is one of INPUTS or inside an input folder, or (a FOLDER of
    outputs) holds an input."""
    target = Path(out).resolve()
    for given in inputs:
        source = Path(given).resolve()
        if folder and source.is_relative_to(target) and source != target:
            raise PaperfitError(
                f"{given} is inside {out}, the folder written to: paperfit never writes where "
                "its inputs are. Write to a folder of its own with -o."
            )
        # samefile: the same file by another name (a link, or other case on macOS or Windows)
        if target == source or (target.is_file() and os.path.samefile(target, source)):
            raise PaperfitError(
                f"{out} is one of the files read: paperfit never writes over its inputs. "
                "Write to another file with -o."
            )
        if source.is_dir() and target.is_relative_to(source):
            raise PaperfitError(
                f"{out} is inside {given}, a folder that is read: the output would be read "
                "back next time. Write it somewhere else with -o."
            )


def check_replace(path: Path, replace: bool) -> None:
    """PaperfitError when PATH exists, is not a file paperfit makes again freely, and REPLACE
    was not given."""
    path = Path(path)
    if replace or not path.exists():
        return
    if path.is_dir():
        raise PaperfitError(f"{path} is a folder. Give a file name with -o.")
    kind = output_kind(path)
    if kind is not None and kind not in DATA:
        return
    what = HOLDS.get(kind or "", "a file paperfit did not make")
    raise PaperfitError(
        f"{path} already exists and is {what}. Write to another file with -o, or give "
        "--replace to write over it."
    )


def check_output(out: Path, inputs: Sequence[Path], replace: bool) -> None:
    """Both checks for a command that writes the one file OUT."""
    check_not_input(out, inputs)
    check_replace(out, replace)


def replace_check(replace: bool) -> Callable[[Path], None]:
    """check_replace for each file of a set written together (generator.output)."""
    return lambda path: check_replace(path, replace)
