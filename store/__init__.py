"""The practice's record (paperfit.store): every form kept once, with where it came from and
every correction, in SQLite or PostgreSQL. Imports paperfit.forms only."""

from paperfit.forms.precedence import Rank
from paperfit.store.records import Conflict, ImportResult, StoreError, Version
from paperfit.store.store import Store, open_store

__all__ = ["Conflict", "ImportResult", "Rank", "Store", "StoreError", "Version", "open_store"]
