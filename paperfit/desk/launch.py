"""Start the desk: where it listens, its certificate on the network, the link with its token,
and a clean stop on Ctrl-C (each request's change is one transaction in the store, so a stop
mid-upload keeps everything saved before it and nothing half-saved).

Takes: an open store and a DeskLaunch. Returns when the desk is stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paperfit.desk.app import create_app, start_background_work
from paperfit.desk.config import IDLE_MINUTES, LOCAL_IDLE_MINUTES, LOOPBACK, DeskConfig
from paperfit.desk.server import lan_address, lan_names, make_server
from paperfit.desk.tls import fingerprint, self_signed
from paperfit.desk.users import count_users
from paperfit.forms.errors import PaperfitError
from paperfit.forms.instrument import Catalog
from paperfit.settings import Settings

if TYPE_CHECKING:
    from paperfit.store import Store


@dataclass(frozen=True)
class DeskLaunch:
    settings: Settings
    catalog: Catalog
    port: int
    lan: bool
    cert: Path | None
    key: Path | None
    language: str
    token: str | None


def _certificate(
    plan: DeskLaunch, names: list[str], say: Callable[[str], None]
) -> tuple[Path, Path]:
    if plan.cert and plan.key:
        return plan.cert, plan.key
    folder = plan.settings.source.parent if plan.settings.source else Path.cwd()
    cert, key, made = self_signed(folder, names)
    say(f"{'Made' if made else 'Using'} the desk's own certificate: {cert}")
    return cert, key


def launch(
    store: Store,
    plan: DeskLaunch,
    say: Callable[[str], None],
    open_page: Callable[[str], object] | None,
) -> None:
    """Serve the desk over STORE until Ctrl-C; SAY what staff need (the link, or the address
    and the certificate's fingerprint)."""
    if plan.lan and count_users(store.engine) == 0:
        store.close()
        raise PaperfitError(
            "The desk on the network needs named logins: add one first with "
            "paperfit user add NAME --role manager."
        )
    host = lan_address() if plan.lan else "127.0.0.1"
    names = lan_names(host) if plan.lan else sorted(LOOPBACK)
    cert, key = _certificate(plan, names, say) if plan.lan else (None, None)
    config = DeskConfig(
        settings=plan.settings,
        catalog=plan.catalog,
        lan=plan.lan,
        token=plan.token,
        hosts=frozenset(names),
        language=plan.language,
        inbox=plan.settings.desk_inbox,
        idle_minutes=IDLE_MINUTES if plan.lan else LOCAL_IDLE_MINUTES,
    )
    app = create_app(store, config)
    server = make_server(app, host, plan.port, cert, key)
    server.prepare()
    port = server.bind_addr[1]
    if plan.lan:
        url = f"https://{host}:{port}/"
        say(f"The desk is on the practice's network: {url}")
        say(f"Certificate fingerprint (SHA-256), to compare in the browser: {fingerprint(cert)}")  # type: ignore[arg-type]
    else:
        url = f"http://127.0.0.1:{port}/?token={plan.token}"
        say("The desk is open on this computer only. Open this link (it works once):")
        say(f"    {url}")
    say("Stop it with Ctrl-C.")
    start_background_work(app)
    if open_page is not None:
        open_page(url)
    try:
        server.serve()
    except KeyboardInterrupt:
        say("Stopping the desk.")
    finally:
        server.stop()
        store.close()
