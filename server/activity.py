"""The one recorder of what people do in JointPlan: an audit row and, when the plan's open
screens should hear of it, a stream event, both with the same audience.

Callers decide the audience with server/plans/policy.py (`audience_of`, `thread_audience`,
…) and pass it once, so the audit log and the event stream cannot disagree about who may
see an act. Both rows are written in the caller's transaction; streams wake once it commits
(`publish` announces the after-commit signal). Events that tell of no audited act (a vote
count, a recipient's notification) are published on their own with `publish`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server import events
from server.audit import service as audit_service
from server.audit.models import AuditEvent
from server.stream.models import PlanEvent

EVERYONE = "shared"  # the default audience: both parties of the plan


@dataclass(frozen=True)
class Event:
    """A stream event about the recorded act: `type` and what it says (ids, never text a
    reader could not fetch). With `section_id` it also follows that section's read rule
    while the section exists (not for an event about the section itself, which may be
    gone: its audience says who hears)."""

    type: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    section_id: str | None = None


@dataclass(frozen=True)
class Notice:
    """What the rest of the plan hears when the act's audience is one party: the same event
    type with a payload of its own, for `audience` (the other party's, from the policy)."""

    audience: str
    payload: Mapping[str, Any] = field(default_factory=dict)


async def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: str | None,
    target_type: str,
    target_id: str | None,
    plan_id: str | None = None,
    section_id: str | None = None,
    audience: str = EVERYONE,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    event: Event | None = None,
    notice: Notice | None = None,
) -> AuditEvent:
    """Record an act in the audit log and publish its event to the plan's stream."""
    row = await audit_service.add(
        session,
        plan_id=plan_id,
        section_id=section_id,
        visibility=audience,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
    )
    if event is not None:
        assert plan_id is not None, "stream events belong to a plan"
        await publish(
            session,
            plan_id=plan_id,
            type=event.type,
            payload=dict(event.payload),
            visibility=audience,
            section_id=event.section_id,
        )
        if notice is not None:
            await publish(
                session,
                plan_id=plan_id,
                type=event.type,
                payload=dict(notice.payload),
                visibility=notice.audience,
            )
    return row


async def publish(
    session: AsyncSession,
    *,
    plan_id: str,
    type: str,
    payload: dict[str, Any],
    visibility: str = "shared",
    section_id: str | None = None,
    user_id: str | None = None,
) -> PlanEvent:
    """Add an event in the caller's transaction; streams wake when it commits.

    visibility: "shared", "supplier-only" or "customer-only"; section_id: the event also
    follows that section's read rule; user_id: only that user receives it.
    """
    event = PlanEvent(
        plan_id=plan_id,
        type=type,
        payload=payload,
        visibility=visibility,
        section_id=section_id,
        user_id=user_id,
    )
    session.add(event)
    await session.flush()
    await events.announce(session, events.PLAN_EVENTS, plan_id)
    return event
