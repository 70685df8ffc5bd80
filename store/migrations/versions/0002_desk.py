"""The desk's tables: logins, uploaded files kept by sha256, scanned pages and marks to review.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_users",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column(
            "role", sa.String(20), nullable=False, comment="front desk, admin, clinician or manager"
        ),
        sa.Column(
            "password_hash", sa.String(300), nullable=False, comment="werkzeug.security hash"
        ),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "desk_uploads",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False, comment="the file's name as uploaded"),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False, comment="the file, kept as it came"),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
        sa.Column("forms", sa.Integer, nullable=False),
        sa.Column("to_review", sa.Integer, nullable=False),
    )
    op.create_table(
        "desk_scan_pages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("desk_uploads.sha256"), nullable=False),
        sa.Column("page", sa.Integer, nullable=True),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=True),
        sa.Column("instrument", sa.String(20), nullable=True),
        sa.Column("session", sa.Integer, nullable=True),
        sa.Column("date", sa.String(10), nullable=True),
        sa.Column("thumbnail", sa.LargeBinary, nullable=True),
        sa.Column(
            "state",
            sa.String(20),
            nullable=False,
            comment="ok, to review, confirmed, assigned, blank, unread",
        ),
        sa.Column(
            "worst",
            sa.Float,
            nullable=False,
            comment="how much the page needs a look; highest first",
        ),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("idx_desk_scan_pages_sha256", "desk_scan_pages", ["sha256"])
    op.create_index("idx_desk_scan_pages_state", "desk_scan_pages", ["state"])
    op.create_table(
        "desk_scan_marks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("page_id", sa.Integer, sa.ForeignKey("desk_scan_pages.id"), nullable=False),
        sa.Column("item", sa.Integer, nullable=False),
        sa.Column("status", sa.String(40), nullable=False),
        sa.Column("value", sa.Float, nullable=True, comment="as read (or the best guess), cm"),
        sa.Column("picture", sa.LargeBinary, nullable=False, comment="the line's crop, PNG"),
        sa.Column("mark_at", sa.Float, nullable=True),
        sa.Column("tick_left", sa.Float, nullable=True),
        sa.Column("tick_right", sa.Float, nullable=True),
        sa.Column("decided_value", sa.Float, nullable=True),
        sa.Column("decided_by", sa.String(100), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("idx_desk_scan_marks_page_id", "desk_scan_marks", ["page_id"])


def downgrade() -> None:
    op.drop_index("idx_desk_scan_marks_page_id", "desk_scan_marks")
    op.drop_table("desk_scan_marks")
    op.drop_index("idx_desk_scan_pages_state", "desk_scan_pages")
    op.drop_index("idx_desk_scan_pages_sha256", "desk_scan_pages")
    op.drop_table("desk_scan_pages")
    op.drop_table("desk_uploads")
    op.drop_table("desk_users")
