"""The practice's record as tables (SQLAlchemy Core): what the store keeps and how.

Clients and forms are identities only (an ID; a client, instrument and session); everything said
about them lives in version rows that are only ever added. A version row is one source's copy of
a form (or a client's details) at one time: who added it, when, why, the version it replaces,
and whether it is current. A change inserts a new current row pointing back; the old row only
gets current = false and its successor. Nothing is updated otherwise, nothing deleted.
The migrations (store/migrations) make these tables; this module is what the code reads them by.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects import sqlite

# SQLite's rowid is its fast key only when the column is exactly INTEGER.
KEY = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")
ITEMS = ("item1", "item2", "item3", "item4")
RANKS = ("rank1", "rank2", "rank3", "rank4")
MMS = ("mm1", "mm2", "mm3", "mm4")

metadata = MetaData()


def versioned(table: str) -> list[Column]:
    """A version's columns (after CamCOPS' _current, _predecessor_pk, _successor_pk...): its
    source, who added it, when and why (never empty), the version it replaces, the one that
    replaced it, and whether it is current."""
    return [
        Column("source_pk", KEY, ForeignKey("sources.id"), comment="the file, if any"),
        Column("added_by", String(100), nullable=False),
        Column("added_at", DateTime(timezone=True), nullable=False, comment="UTC"),
        Column("why", Text, nullable=False),
        Column("replaces", KEY, ForeignKey(f"{table}.id")),
        Column("successor", KEY, ForeignKey(f"{table}.id")),
        Column("current", Boolean, nullable=False),
    ]


sources = Table(
    "sources",
    metadata,
    Column("id", KEY, primary_key=True),
    Column("path", Text, nullable=False, comment="the file as named when imported"),
    Column("sha256", String(64), nullable=False, comment="the file's contents"),
    Column("kind", String(16), nullable=False, comment="file, correction or entered"),
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("imported_by", String(100), nullable=False),
    Index("idx_sources_sha256", "sha256"),
)

clients = Table(
    "clients",
    metadata,
    Column("id", KEY, primary_key=True),
    Column("client_id", String(64), nullable=False, unique=True),
)

client_versions = Table(
    "client_versions",
    metadata,
    Column("id", KEY, primary_key=True),
    Column("client_pk", KEY, ForeignKey("clients.id"), nullable=False),
    Column("age_group", String(16), nullable=False),
    Column("clinician", String(100), nullable=False),
    Column("start_date", Date),
    Column("status", String(16), nullable=False),
    Column("name", String(100), nullable=False),
    Column("listed", Boolean, nullable=False, comment="read from a client list"),
    *versioned("client_versions"),
    Index("idx_client_versions_current", "client_pk", "current"),
)

forms = Table(
    "forms",
    metadata,
    Column("id", KEY, primary_key=True),
    Column("client_pk", KEY, ForeignKey("clients.id"), nullable=False),
    Column("instrument", String(16), nullable=False),
    Column("session", Integer, nullable=False),
    UniqueConstraint("client_pk", "instrument", "session", name="uq_forms_session"),
)

form_versions = Table(
    "form_versions",
    metadata,
    Column("id", KEY, primary_key=True),
    Column("form_pk", KEY, ForeignKey("forms.id"), nullable=False),
    Column("origin", Text, nullable=False, comment="whose copy: a file, correction, entered"),
    Column("sheet", String(100)),
    Column("row", Integer),
    Column("page", Integer),
    *(Column(name, Float) for name in ITEMS),
    *(Column(name, SmallInteger, comment="forms.precedence.Rank") for name in RANKS),
    *(Column(name, Float, comment="raw millimetres where measured") for name in MMS),
    Column("date", Date),
    Column("filled_by", String(100), nullable=False),
    Column("notes", Text, nullable=False),
    Column("withdrawn", Boolean, nullable=False),
    *versioned("form_versions"),
    Index("idx_form_versions_form", "form_pk", "current"),
    Index("idx_form_versions_origin", "origin", "current"),
)

appointments = Table(
    "appointments",
    metadata,
    Column("id", KEY, primary_key=True),
    Column("client_pk", KEY, ForeignKey("clients.id"), nullable=False),
    Column("day", Date, nullable=False),
    Column("time", String(5)),
    Column("format", String(16), nullable=False),
    Column("instruments", String(100), nullable=False),
    Column("source_pk", KEY, ForeignKey("sources.id")),
    Column("added_by", String(100), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("client_pk", "day", name="uq_appointments_day"),
    Index("idx_appointments_day", "day"),
)
