"""The desk's commands: `paperfit desk` serves the local web page; `paperfit user add` adds a
named login for the desk on the practice's network; `paperfit inbox` reads the inbox folder
into the record, as the desk's button does."""

from __future__ import annotations

import secrets
import webbrowser
from pathlib import Path

import click

from paperfit.cli.common import Context, WholeNumber, db_option, pass_context
from paperfit.desk.config import ROLES
from paperfit.forms.errors import UsageProblem
from paperfit.forms.sheet import LANGUAGES

DEFAULT_PORT = 8470


@click.command("desk")
@db_option
@click.option(
    "--port",
    type=WholeNumber(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="The port the page is served on (0: any free port).",
)
@click.option("--no-browser", is_flag=True, help="Do not open the page in a browser.")
@click.option(
    "--lan",
    is_flag=True,
    help="Serve the practice's network over HTTPS, with named logins (paperfit user add).",
)
@click.option(
    "--cert",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --lan: the practice's certificate (PEM); default: one made once and kept.",
)
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --cert: its private key (PEM).",
)
@click.option("--lang", type=click.Choice(LANGUAGES), help="Language of the pages.")
@pass_context
def desk(
    obj: Context,
    db: str | None,
    port: int,
    no_browser: bool,
    lan: bool,
    cert: Path | None,
    key: Path | None,
    lang: str | None,
) -> None:
    """Open the desk: the day's work in a web browser (today, typing forms, scans, clients).

    By default only this computer can reach it, through the link printed here (its token
    works once). With --lan, the practice's network reaches it over HTTPS, and each person
    signs in with their own name (paperfit user add).

    \b
    Examples:
      paperfit desk --db output/demo/paperfit.db
      paperfit desk --lan
    """
    from paperfit.desk.launch import DeskLaunch, launch

    if (cert is None) != (key is None) or (cert and not lan):
        raise UsageProblem("Give --cert and --key together, with --lan.")
    store = obj.store(db, create=True)
    plan = DeskLaunch(
        settings=obj.settings,
        catalog=obj.catalog,
        port=port,
        lan=lan,
        cert=cert,
        key=key,
        language=lang or obj.settings.language,
        token=None if lan else secrets.token_urlsafe(32),
    )
    launch(store, plan, say=click.echo, open_page=None if no_browser else webbrowser.open)


@click.group("user")
def user() -> None:
    """Named logins for the desk on the practice's network (paperfit desk --lan)."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What they may do.")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Asked for when not given (never typed on the command line where others can see).",
)
@click.option("--by", default="", help="Who adds the login (default: the computer's user).")
@db_option
@pass_context
def user_add(obj: Context, name: str, role: str, password: str, by: str, db: str | None) -> None:
    """Add a login NAME with a ROLE: front desk, admin, clinician or manager."""
    from paperfit.desk.users import add_user
    from paperfit.record import who

    store = obj.store(db, create=True)
    try:
        add_user(store.engine, name, role, password, by or who())
    finally:
        store.close()
    click.echo(f"Added {name} ({role}).")


@click.command("inbox")
@db_option
@click.option("--by", default="", help="Who reads it in (default: the computer's user).")
@pass_context
def inbox(obj: Context, db: str | None, by: str) -> None:
    """Read the scans in the inbox folder into the practice's record, as the desk does.

    The inbox is [desk] inbox in paperfit.toml. Each file is kept, its forms go into the
    record, and its pages to look at wait on the desk's Scans page. Done files move
    to processed/ (or failed/) inside the inbox."""
    from paperfit.record import who
    from paperfit.scan_intake import take_in_inbox

    folder = obj.settings.desk_inbox
    if folder is None:
        raise UsageProblem("No inbox folder is set: add inbox under [desk] in paperfit.toml.")
    store = obj.store(db, create=True)
    try:
        done = take_in_inbox(store, folder, obj.catalog, obj.settings.limits, by or who())
    finally:
        store.close()
    for path, what in done:
        if isinstance(what, str):
            click.echo(f"{path}: {what}", err=True)
        else:
            click.echo(
                f"{path}: {what.pages} pages, {what.forms} forms, {what.waiting} to look at"
                + ("" if what.new else " (taken in before: nothing new)")
            )
    if not done:
        click.echo(f"The inbox {folder} is empty.")
