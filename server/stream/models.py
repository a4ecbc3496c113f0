from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class PlanEvent(Base):
    """One event on a plan's live stream; kept so a reconnecting client can catch up."""

    __tablename__ = "plan_event"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    plan_id: Mapped[str] = mapped_column(String(32), index=True)
    type: Mapped[str] = mapped_column(String(48))
    # Who may receive it: "shared" or internal to one party; plus the section's read rule
    # when section_id is set, plus a single recipient when user_id is set.
    visibility: Mapped[str] = mapped_column(String(16))
    section_id: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
