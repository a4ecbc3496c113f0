from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEvent


async def add(
    session: AsyncSession,
    *,
    actor_id: str | None,
    action: str,
    target_type: str,
    target_id: str | None,
    plan_id: str | None = None,
    section_id: str | None = None,
    visibility: str = "shared",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one row to the audit log, in the caller's transaction (through
    server/activity.py, which publishes the stream event with the same audience)."""
    event = AuditEvent(
        plan_id=plan_id,
        section_id=section_id,
        visibility=visibility,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
    )
    session.add(event)
    await session.flush()
    return event


async def list_for_plan(
    session: AsyncSession, plan_id: str, *, before_id: int | None, limit: int
) -> Sequence[AuditEvent]:
    """Newest first; the caller filters by what the reader may see."""
    query = select(AuditEvent).where(AuditEvent.plan_id == plan_id)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    result = await session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit))
    return result.all()
