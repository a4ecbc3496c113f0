"""section quarantine: stored updates that cannot be read back, kept out of the log

Revision ID: 0008_quarantine
Revises: 0007_password_reset
Create Date: 2026-12-01 22:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_quarantine"
down_revision: str | None = "0007_password_reset"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "section_quarantine",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("section_id", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["section.id"],
            name=op.f("fk_section_quarantine_section_id_section"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_quarantine")),
    )
    with op.batch_alter_table("section_quarantine", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_section_quarantine_section_id"), ["section_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("section_quarantine", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_section_quarantine_section_id"))
    op.drop_table("section_quarantine")
