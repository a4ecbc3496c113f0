from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class FollowState(Base):
    """Who leads "follow me" in a plan and which section they have open (one row per plan).

    In the database rather than in memory, because several server processes may serve one plan.
    """

    __tablename__ = "plan_follow"

    plan_id: Mapped[str] = mapped_column(
        ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True
    )
    leader_id: Mapped[str] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # Null when the leader's section was deleted.
    section_id: Mapped[str | None] = mapped_column(ForeignKey("section.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
