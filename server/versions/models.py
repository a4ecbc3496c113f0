from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, UTCDateTime, new_id, utcnow


class PlanVersion(Base):
    """A named, frozen copy of a plan. Nothing updates a version after it is made."""

    __tablename__ = "plan_version"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Plan title, party names and language as they were.
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    # SHA-256 of the canonical JSON of the shared sections: what a version signature binds to.
    shared_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_by_name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VersionSection(Base):
    """One section as it was: metadata, the Yjs state, its JSON view, and for goals sections
    the agreement status of each goal at that moment."""

    __tablename__ = "plan_version_section"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    version_id: Mapped[str] = mapped_column(
        ForeignKey("plan_version.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    horizon: Mapped[str | None] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(16))
    visibility: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    agreements: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class VersionSignature(Base):
    __tablename__ = "plan_version_signature"
    __table_args__ = (UniqueConstraint("version_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    version_id: Mapped[str] = mapped_column(
        ForeignKey("plan_version.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    signer_name: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
