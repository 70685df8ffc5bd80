"""The desk's own tables in the store (made by the store's migration "0002"): logins, the
uploaded files kept by their sha256, and the scanned pages and marks waiting for a person.

Every decision on a scanned page is also a version in the store's forms (Store.correct or
Store.enter_form); these tables say which page and which mark it came from.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

users = Table(
    "desk_users",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(300), nullable=False),
    Column("added_by", String(100), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)

uploads = Table(
    "desk_uploads",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("uploaded_by", String(100), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("pages", Integer, nullable=False, default=0),
    Column("forms", Integer, nullable=False, default=0),
    Column("to_review", Integer, nullable=False, default=0),
)

scan_pages = Table(
    "desk_scan_pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), ForeignKey("desk_uploads.sha256"), nullable=False),
    Column("page", Integer, nullable=True),
    Column("status", String(40), nullable=False),
    Column("reason", Text, nullable=False, default=""),
    Column("client_id", String(64), nullable=True),
    Column("instrument", String(20), nullable=True),
    Column("session", Integer, nullable=True),
    Column("date", String(10), nullable=True),
    Column("thumbnail", LargeBinary, nullable=True),
    Column("state", String(20), nullable=False),
    Column("worst", Float, nullable=False, default=0.0),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)

scan_marks = Table(
    "desk_scan_marks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("page_id", Integer, ForeignKey("desk_scan_pages.id"), nullable=False),
    Column("item", Integer, nullable=False),
    Column("status", String(40), nullable=False),
    Column("value", Float, nullable=True),
    Column("picture", LargeBinary, nullable=False),
    Column("mark_at", Float, nullable=True),
    Column("tick_left", Float, nullable=True),
    Column("tick_right", Float, nullable=True),
    Column("decided_value", Float, nullable=True),
    Column("decided_by", String(100), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
)
