"""The scan command: scanned forms and phone photos in, measurements and a proof sheet out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from paperfit.cli.common import Context, out_option, pass_context, progress_bar
from paperfit.forms.errors import PaperfitError
from paperfit.forms.records import skip_note
from paperfit.forms.sheet import LANGUAGES, PAPERS

if TYPE_CHECKING:  # imported by the scan command only: see scan_command
    from paperfit.scanner.scan_reading import ScanResult


@click.command("scan")
@click.argument("scans", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@out_option("scan", "Folder to write into.", folder=True)
@click.option("--csv", "with_csv", is_flag=True, help="Also write measurements.csv.")
@click.option(
    "--paper",
    type=click.Choice(PAPERS),
    help="Paper size of the proof sheet (default: letter, or paperfit.toml).",
)
@click.option("--replace", is_flag=True, help="Replace an earlier scan's files in the folder.")
@click.option(
    "--lang", type=click.Choice(LANGUAGES), help="Language of the proof sheet and the Read me."
)
@pass_context
def scan_command(
    obj: Context,
    scans: tuple[Path, ...],
    out: Path,
    with_csv: bool,
    paper: str | None,
    replace: bool,
    lang: str | None,
) -> None:
    """Read scanned forms: measure every mark, and write a workbook and a proof sheet.

    SCAN is a PDF from a copier or scanner, a TIFF, PNG or JPEG file, or a folder of them.
    Writes measurements.xlsx (open it with check, export or graphs), proof.pdf (each line
    with the mark read, pages to review first) and, with --csv, measurements.csv. Exit
    status 0 when the files were written, whatever is listed for review.

    \b
    Example:
      paperfit scan scans/2026-11-25.pdf -o output/scan-2026-11-25 --csv
    """
    # Imported here: OpenCV and the rest of the scanning code would slow every other
    # command's start-up.
    from paperfit.generator.output import output_lock
    from paperfit.generator.scan_results import earlier_results, write_scan_results
    from paperfit.outputs import check_not_input, replace_check

    check_not_input(out, scans, folder=True)
    with output_lock(out):  # held from the check of earlier files to the writing of new ones
        earlier = earlier_results(out)
        if earlier and not replace:
            raise PaperfitError(
                f"{out} already holds an earlier scan ({', '.join(p.name for p in earlier)}), "
                "whose workbook may have been corrected by hand. Write to another folder with "
                "-o, or give --replace to write over it."
            )
        result = _read_scans(obj, scans)
        files = write_scan_results(
            out,
            result,
            obj.catalog,
            obj.thresholds,
            with_csv,
            paper or obj.settings.paper,
            replace_check(replace),
            lang or obj.settings.language,
        )
    for line in result.summary():
        click.echo(line)
    for path in (files.workbook, files.csv, files.proof):
        if path is not None:
            click.echo(path)


def _read_scans(obj: Context, scans: tuple[Path, ...]) -> ScanResult:
    """Read SCANS within the settings' limits (paperfit's own proofs in their folders left
    out, and said so); PaperfitError when not one page could be read."""
    from paperfit.scanner.scan_reading import own_outputs_left_out, plan
    from paperfit.scanner.scan_reading import scan as scan_pages

    limits = obj.settings.limits
    planned, skipped = own_outputs_left_out(plan(scans, limits), scans)
    if skipped:
        click.echo(skip_note(skipped), err=True)
    with progress_bar(sum(batch.size for batch in planned), "Reading pages") as advance:
        result = scan_pages(planned, obj.catalog, progress=advance, limits=limits)
    if not result.read_any:
        for line in result.summary():
            click.echo(line, err=True)
        raise PaperfitError(
            f"Nothing could be read in {', '.join(map(str, scans))}: give PDF, TIFF, PNG or "
            "JPEG scans, or a folder of them. Nothing was written."
        )
    return result
