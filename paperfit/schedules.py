"""A day's schedule file into the record: its appointments kept in the store.

Takes: a schedule (.csv or .xlsx, as `paperfit forms --schedule` reads it). Returns: how many
appointments were kept. Every row is checked first (ScheduleProblems names each bad cell), so
a schedule is kept whole or not at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from paperfit.forms.instrument import Catalog
from paperfit.forms.precedence import Rank
from paperfit.forms.records import Client
from paperfit.scanner.schedule import read_schedule

if TYPE_CHECKING:
    from paperfit.store import Store


def keep_schedule(store: Store, path: Path, catalog: Catalog, sha256: str, by: str) -> int:
    """Keep PATH's appointments (and its clients' age group and clinician) in STORE."""
    appointments = read_schedule(path, catalog)
    clients = {
        a.client_id: Client(a.client_id, a.age_group, a.clinician, name=a.name)
        for a in appointments
    }
    store.import_forms(
        [],
        clients,
        source_path=path.name,
        sha256=sha256,
        rank_of=lambda form, item: Rank.TYPED,
        by=by,
        appointments=appointments,
    )
    return len(appointments)
