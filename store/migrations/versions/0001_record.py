"""The practice's record: sources, clients, forms, their versions, appointments.

Revision ID: 0001
Revises: none

Written out in full (not taken from store/schema.py), so that it makes the same tables however
the schema changes later.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import sqlite

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

KEY = sa.BigInteger().with_variant(sqlite.INTEGER(), "sqlite")


def _added(table: str) -> list[sa.Column]:
    """Who added a version, when and why, what it replaces, and whether it is current."""
    return [
        sa.Column("source_pk", KEY, sa.ForeignKey("sources.id")),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("replaces", KEY, sa.ForeignKey(f"{table}.id")),
        sa.Column("successor", KEY, sa.ForeignKey(f"{table}.id")),
        sa.Column("current", sa.Boolean, nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", KEY, primary_key=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
    )
    op.create_index("idx_sources_sha256", "sources", ["sha256"])
    op.create_table(
        "clients",
        sa.Column("id", KEY, primary_key=True),
        sa.Column("client_id", sa.String(64), nullable=False, unique=True),
    )
    op.create_table(
        "client_versions",
        sa.Column("id", KEY, primary_key=True),
        sa.Column("client_pk", KEY, sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("age_group", sa.String(16), nullable=False),
        sa.Column("clinician", sa.String(100), nullable=False),
        sa.Column("start_date", sa.Date),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("listed", sa.Boolean, nullable=False),
        *_added("client_versions"),
    )
    op.create_index("idx_client_versions_current", "client_versions", ["client_pk", "current"])
    op.create_table(
        "forms",
        sa.Column("id", KEY, primary_key=True),
        sa.Column("client_pk", KEY, sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("instrument", sa.String(16), nullable=False),
        sa.Column("session", sa.Integer, nullable=False),
        sa.UniqueConstraint("client_pk", "instrument", "session", name="uq_forms_session"),
    )
    op.create_table(
        "form_versions",
        sa.Column("id", KEY, primary_key=True),
        sa.Column("form_pk", KEY, sa.ForeignKey("forms.id"), nullable=False),
        sa.Column("origin", sa.Text, nullable=False),
        sa.Column("sheet", sa.String(100)),
        sa.Column("row", sa.Integer),
        sa.Column("page", sa.Integer),
        *(sa.Column(f"item{n}", sa.Float) for n in range(1, 5)),
        *(sa.Column(f"rank{n}", sa.SmallInteger) for n in range(1, 5)),
        *(sa.Column(f"mm{n}", sa.Float) for n in range(1, 5)),
        sa.Column("date", sa.Date),
        sa.Column("filled_by", sa.String(100), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("withdrawn", sa.Boolean, nullable=False),
        *_added("form_versions"),
    )
    op.create_index("idx_form_versions_form", "form_versions", ["form_pk", "current"])
    op.create_index("idx_form_versions_origin", "form_versions", ["origin", "current"])
    op.create_table(
        "appointments",
        sa.Column("id", KEY, primary_key=True),
        sa.Column("client_pk", KEY, sa.ForeignKey("clients.id"), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("time", sa.String(5)),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("instruments", sa.String(100), nullable=False),
        sa.Column("source_pk", KEY, sa.ForeignKey("sources.id")),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("client_pk", "day", name="uq_appointments_day"),
    )
    op.create_index("idx_appointments_day", "appointments", ["day"])
