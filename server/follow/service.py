"""Follow me: a facilitator leads, every participant's screen opens the section they open.

The leader's section is only ever told to members who may read it; the other party hears
that the leader is somewhere they cannot see (a separate event, internal to that party).
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit_service
from server.auth.models import User
from server.db import utcnow
from server.follow.models import FollowState
from server.follow.schemas import FollowLeader, FollowRead
from server.plans import policy
from server.plans.models import Member, Plan, Section
from server.stream import service as stream_service

EVENT = "follow.changed"


async def get_state(session: AsyncSession, plan_id: str) -> FollowState | None:
    return await session.scalar(select(FollowState).where(FollowState.plan_id == plan_id))


async def read_for(session: AsyncSession, member: Member, state: FollowState | None) -> FollowRead:
    """The state as `member` may see it: no section id of a section they cannot read."""
    if state is None:
        return FollowRead(active=False)
    # A leader who left the plan or is no longer a facilitator leads no one.
    leading = await session.scalar(
        select(Member).where(Member.plan_id == state.plan_id, Member.user_id == state.leader_id)
    )
    if not policy.can_manage(leading):
        return FollowRead(active=False)
    leader = await session.get(User, state.leader_id)
    section = await session.get(Section, state.section_id) if state.section_id else None
    readable = section is not None and policy.can_read(member, section)
    return FollowRead(
        active=True,
        leader=FollowLeader(id=leader.id, name=leader.name) if leader else None,
        section_id=section.id if section is not None and readable else None,
        hidden=section is not None and not readable,
        started_at=state.started_at,
        updated_at=state.updated_at,
    )


async def _announce(
    session: AsyncSession, plan_id: str, leader: FollowLeader, section: Section | None
) -> None:
    base: dict[str, Any] = {"active": True, "leader": leader.model_dump()}
    if section is None:
        await stream_service.publish(
            session, plan_id=plan_id, type=EVENT, payload={**base, "hidden": False}
        )
        return
    # Readers of the section get its id (the stream applies the section's read rule) ...
    await stream_service.publish(
        session,
        plan_id=plan_id,
        type=EVENT,
        payload={**base, "hidden": False},
        section_id=section.id,
    )
    if not policy.is_shared(section):
        # ... and the other party only that the leader is somewhere they cannot see.
        await stream_service.publish(
            session,
            plan_id=plan_id,
            type=EVENT,
            payload={**base, "hidden": True},
            visibility=policy.other_audience(section.visibility),
        )


async def lead(
    session: AsyncSession, plan: Plan, actor: Member, user: User, section: Section
) -> FollowState:
    """Start leading, or move everyone to `section` (which the actor can read)."""
    now = utcnow()
    state = await get_state(session, plan.id)
    created = False
    if state is None:
        try:
            async with session.begin_nested():
                session.add(FollowState(plan_id=plan.id, leader_id=user.id, section_id=section.id))
            created = True
        except IntegrityError:
            pass  # another facilitator started at the same instant: this one takes over
        state = await get_state(session, plan.id)
        assert state is not None
    started = created or state.leader_id != user.id
    if started:
        state.started_at = now
    state.leader_id = user.id
    state.section_id = section.id
    state.updated_at = now
    await session.flush()
    await audit_service.record(
        session,
        plan_id=plan.id,
        section_id=section.id,
        actor_id=user.id,
        action="follow.start" if started else "follow.move",
        target_type="plan",
        target_id=plan.id,
        visibility=section.visibility,
        after={"section_id": section.id},
    )
    await _announce(session, plan.id, FollowLeader(id=user.id, name=user.name), section)
    return state


async def stop(session: AsyncSession, plan: Plan, actor: Member) -> None:
    state = await get_state(session, plan.id)
    if state is None:
        return
    await session.delete(state)
    await session.flush()
    await audit_service.record(
        session,
        plan_id=plan.id,
        actor_id=actor.user_id,
        action="follow.stop",
        target_type="plan",
        target_id=plan.id,
    )
    await stream_service.publish(
        session, plan_id=plan.id, type=EVENT, payload={"active": False, "hidden": False}
    )
