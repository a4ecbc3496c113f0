"""members remember who invited them, and invitations the party of who made them

Revision ID: 0006_invited_by
Revises: 0005_follow
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_invited_by"
down_revision: str | None = "0005_follow"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("invited_by_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("invited_by_party", sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_member_invited_by_id_user"),
            "user",
            ["invited_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inviter_party", sa.String(length=16), nullable=True))
    # The inviter's party is the party of their membership in the plan, where they still
    # have one; the member's inviter is whoever made the invitation they accepted.
    op.execute(
        """
        UPDATE invitation SET inviter_party = (
            SELECT m.party FROM member m
            WHERE m.plan_id = invitation.plan_id AND m.user_id = invitation.invited_by_id
        )
        """
    )
    op.execute(
        """
        UPDATE member SET
            invited_by_id = (
                SELECT i.invited_by_id FROM invitation i
                WHERE i.plan_id = member.plan_id AND i.accepted_by_id = member.user_id
                ORDER BY i.accepted_at DESC LIMIT 1
            ),
            invited_by_party = (
                SELECT i.inviter_party FROM invitation i
                WHERE i.plan_id = member.plan_id AND i.accepted_by_id = member.user_id
                ORDER BY i.accepted_at DESC LIMIT 1
            )
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("inviter_party")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_member_invited_by_id_user"), type_="foreignkey")
        batch_op.drop_column("invited_by_party")
        batch_op.drop_column("invited_by_id")
