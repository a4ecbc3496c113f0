from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, utcnow


class LoggedUpdate(Base):
    """The write-ahead log of a section's document: one row per accepted Yjs update."""

    __tablename__ = "section_update"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    section_id: Mapped[str] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # Who wrote it, so later features can say who changed what (None for server-made content).
    user_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SectionSnapshot(Base):
    """The compacted state of a section: the merge of every update folded into it."""

    __tablename__ = "section_snapshot"

    section_id: Mapped[str] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SectionQuarantine(Base):
    """A stored update or snapshot that could not be read back (yrs refused or panicked on
    it). Moved out of the log so it never bricks the section; kept for a bug report
    (`jointplan doctor`)."""

    __tablename__ = "section_quarantine"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    section_id: Mapped[str] = mapped_column(
        ForeignKey("section.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(16))  # "log" or "snapshot"
    source_id: Mapped[int | None] = mapped_column(BigInteger())  # the log row's id
    data: Mapped[bytes] = mapped_column(LargeBinary)
    user_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # when it was written
    reason: Mapped[str] = mapped_column(String(500))
    quarantined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
