"""The `paperfit` command: thin Click commands over the library in forms/, generator/, scanner/.

Each command parses its options, calls the library, and reports. Library errors become exit
status 1 (the work failed) or 2 (the command was called wrongly). The commands live in one
module per group of work; this module makes the group and adds them to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from paperfit import __version__
from paperfit.cli import desk, pages, printing, reading, record, scanning, setup
from paperfit.cli.common import Context
from paperfit.forms.errors import PaperfitError, UsageProblem


class PaperfitGroup(click.Group):
    """Turns paperfit's own exceptions into Click's, so no user ever sees a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageProblem as error:
            raise click.UsageError(str(error), ctx) from None
        except PaperfitError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=PaperfitGroup)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Settings file (default: ./paperfit.toml when it exists).",
)
@click.version_option(__version__, prog_name="paperfit")
@click.pass_context
def cli(ctx: click.Context, config: Path | None) -> None:
    """Print, read, score and graph the ORS/SRS family of feedback forms on paper."""
    ctx.obj = Context(config)


for command in (
    printing.forms,
    printing.workbook,
    printing.handout,
    printing.guide,
    reading.check,
    reading.export,
    pages.graphs,
    pages.report,
    pages.trajectories,
    record.import_command,
    record.correct,
    record.history,
    record.backup,
    scanning.scan_command,
    setup.demo,
    setup.doctor,
    desk.desk,
    desk.user,
    desk.inbox,
):
    cli.add_command(command)
