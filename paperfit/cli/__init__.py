"""The `paperfit` command: thin Click commands over the library in forms/, generator/, scanner/.

Each command parses its options, calls the library, and reports. Library errors become exit
status 1 (the work failed) or 2 (the command was called wrongly). The commands live in one
module per group of work; this module makes the group and adds them to it, in working order.
Each command imports what it draws or reads with when it runs, so `paperfit --help`, `doctor`
and `check` start without WeasyPrint or OpenCV.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from paperfit import __version__
from paperfit.cli import desk, pages, printing, reading, record, scanning, setup
from paperfit.cli.common import Context
from paperfit.forms.errors import PaperfitError, UsageProblem

# The help's sections, in the order a practice works: each lists its modules' commands.
SECTIONS = (
    ("Getting started", ("setup",)),
    ("Printing for clients and staff", ("printing",)),
    ("Reading what comes back", ("scanning", "reading", "record")),
    ("Pages for clinicians", ("pages",)),
    ("The desk", ("desk",)),
)


class PaperfitGroup(click.Group):
    """Turns paperfit's own exceptions into Click's, so no user ever sees a traceback, and
    lists the commands in working order, each with its whole one-line summary."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageProblem as error:
            raise click.UsageError(str(error), ctx) from None
        except PaperfitError as error:
            raise click.ClickException(str(error)) from None

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The commands in the order they were added (working order), not alphabetical."""
        return list(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        sections = list(self._sections())
        width = max(len(name) for _, commands in sections for name, _ in commands)
        for title, commands in sections:  # names padded alike, so the sections line up
            rows = [
                (name.ljust(width), command.get_short_help_str(200)) for name, command in commands
            ]
            with formatter.section(title):
                formatter.write_dl(rows)

    def _sections(self) -> Iterator[tuple[str, list[tuple[str, click.Command]]]]:
        """(title, commands) for each section of the help; a command from a module no section
        names comes last, under "Other commands"."""
        module = {
            name: getattr(command.callback, "__module__", "").rsplit(".", 1)[-1]
            for name, command in self.commands.items()
            if not command.hidden
        }
        placed: set[str] = set()
        for title, modules in (*SECTIONS, ("Other commands", ())):
            names = [
                name
                for name in module
                if name not in placed and (module[name] in modules or not modules)
            ]
            placed.update(names)
            if names:
                yield title, [(name, self.commands[name]) for name in names]


@click.group(cls=PaperfitGroup)
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Settings file (default: ./paperfit.toml when it exists).",
)
@click.version_option(__version__, prog_name="paperfit")
@click.pass_context
def cli(ctx: click.Context, config: Path | None) -> None:
    """Print, read, score and graph the ORS/SRS family of feedback forms on paper.

    A first day: paperfit demo, then look at output/demo/. Each command's --help says more.
    """
    ctx.obj = Context(config)


for command in (
    setup.demo,
    setup.doctor,
    printing.forms,
    printing.handout,
    printing.guide,
    printing.workbook,
    scanning.scan_command,
    reading.check,
    reading.export,
    record.import_command,
    record.correct,
    record.history,
    record.backup,
    pages.graphs,
    pages.report,
    pages.trajectories,
    desk.desk,
    desk.user,
    desk.inbox,
):
    cli.add_command(command)
