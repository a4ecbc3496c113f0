from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, new_id, utcnow


class GoalAgreement(Base):
    """Where a goal stands: pending, agreed on a hash, or changed since that agreement.

    A row exists once anyone has signed the goal. `agreed_*` keep the last agreed content
    (until the goal is reopened), so the agreed text can be shown beside the current one.
    """

    __tablename__ = "goal_agreement"
    __table_args__ = (UniqueConstraint("section_id", "goal_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    section_id: Mapped[str] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"))
    goal_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    agreed_hash: Mapped[str | None] = mapped_column(String(64))
    agreed_content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the content stops matching the agreed hash: when, by whom, to what.
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    changed_by_id: Mapped[str | None] = mapped_column(String(32))
    changed_hash: Mapped[str | None] = mapped_column(String(64))
    goal_deleted: Mapped[bool] = mapped_column(default=False)
    reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reopened_by_id: Mapped[str | None] = mapped_column(String(32))
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GoalSignature(Base):
    """One signatory's signature on one exact content of a goal. Never deleted: a signature
    ends (withdrawn, replaced by a newer one, or the goal reopened) and stays on record."""

    __tablename__ = "goal_signature"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    agreement_id: Mapped[str] = mapped_column(
        ForeignKey("goal_agreement.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(16))  # withdrawn | replaced | reopened
    withdraw_reason: Mapped[str | None] = mapped_column(Text)
