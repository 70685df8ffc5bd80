"""What one running desk knows: the settings, the catalog, where it answers and who may come in.

Takes: the command's options and paperfit.toml's settings. Returns: a frozen DeskConfig that
create_app reads (and the tests build with two lines).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from paperfit.forms.instrument import Catalog
from paperfit.forms.scoring import Thresholds
from paperfit.settings import Settings

# The names a browser on this machine reaches the desk by.
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# Who changes the store from the desk on 127.0.0.1 without --lan.
LOCAL_PERSON = "desk"
ROLES = ("front desk", "admin", "clinician", "manager")
IDLE_MINUTES = 15
# On 127.0.0.1 the way back in is a new link (a restart): a working day, not 15 minutes.
LOCAL_IDLE_MINUTES = 12 * 60
# A typed form, a page of scans or a phone photo: more than this is refused unread.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class DeskConfig:
    """One desk: LAN mode needs named logins; local mode lets in whoever opens the one-time
    TOKEN's link. HOSTS are the names the Host header may carry (besides the loopback ones)."""

    settings: Settings
    catalog: Catalog
    lan: bool = False
    token: str | None = None
    hosts: frozenset[str] = frozenset()
    language: str = "en"
    idle_minutes: int = IDLE_MINUTES  # LAN mode; the local desk: LOCAL_IDLE_MINUTES
    inbox: Path | None = None
    # Seconds a refused login waits before it answers (slows guessing; tests set it to 0).
    login_delay: float = 1.0
    max_upload: int = MAX_UPLOAD_BYTES
    today: Callable[[], datetime.date] = field(default=datetime.date.today)

    @property
    def thresholds(self) -> Thresholds:
        source = str(self.settings.source or "paperfit.toml")
        return Thresholds.resolve(self.catalog, self.settings.scoring, source)

    def allowed_host(self, host: str) -> bool:
        """Whether HOST (a Host header, with or without its port) is one of the desk's own
        names: a DNS-rebinding page reaches the desk under a name of its own and is refused."""
        name = host.strip().lower()
        if name.startswith("["):  # [::1]:8470
            name = name[1 : name.find("]")] if "]" in name else name
        elif name.count(":") == 1:
            name = name.rsplit(":", 1)[0]
        return name in LOOPBACK or name in {h.lower() for h in self.hosts}
