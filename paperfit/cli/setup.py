"""Commands for getting started: the demo and the check of what this machine has."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from paperfit.cli.common import (
    Context,
    out_option,
    pass_context,
)


@click.command()
@out_option("demo", "Folder to write into.", folder=True)
@pass_context
def demo(obj: Context, out: Path) -> None:
    """Write samples of every page paperfit makes, for made-up clients, into output/demo/.

    Says each step on stderr as it starts (the whole takes a minute or two), then lists every
    file written.
    """
    from paperfit.demo import write_demo  # with the scanning libraries: see scan_command

    def say(step: str) -> None:
        click.echo(f"paperfit demo: {step}...", err=True)

    for path in write_demo(out, obj.catalog, obj.settings, obj.thresholds, say=say):
        click.echo(path)


@click.command()
def doctor() -> None:
    """Say what paperfit needs on this machine and what is missing (exit 1 if anything is)."""
    from paperfit import doctor as checkup

    sys.exit(checkup.report())
