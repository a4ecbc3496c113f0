"""Follow me: a facilitator leads, every participant's screen opens the section they open.

The leader's section is only ever told to members who may read it; the other party hears
that the leader is somewhere they cannot see (a separate event, internal to that party).
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server import activity
from server.auth.models import User
from server.db import utcnow
from server.follow.models import FollowState
from server.follow.schemas import FollowRead
from server.plans import policy
from server.plans.models import Member, Plan, Section
from server.schemas import Person

EVENT = "follow.changed"


async def get_state(session: AsyncSession, plan_id: str) -> FollowState | None:
    """The plan's follow-me row, if someone leads."""
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
        leader=Person.model_validate(leader) if leader else None,
        section_id=section.id if section is not None and readable else None,
        hidden=section is not None and not readable,
        started_at=state.started_at,
        updated_at=state.updated_at,
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
    # Readers of the section learn where the leader is; the other party, when the section
    # is internal, only that the leader is somewhere they cannot see.
    audience = policy.audience_of(section.visibility)
    others = policy.others_hear_of(audience, True)
    base: dict[str, Any] = {"active": True, "leader": {"id": user.id, "name": user.name}}
    await activity.record(
        session,
        "follow.start" if started else "follow.move",
        plan_id=plan.id,
        section_id=section.id,
        actor_id=user.id,
        target_type="plan",
        target_id=plan.id,
        audience=audience,
        after={"section_id": section.id},
        event=activity.Event(EVENT, {**base, "hidden": False}, section_id=section.id),
        notice=activity.Notice(others, {**base, "hidden": True}) if others else None,
    )
    return state


async def stop(session: AsyncSession, plan: Plan, actor: Member) -> None:
    """Stop leading; every screen is free again."""
    state = await get_state(session, plan.id)
    if state is None:
        return
    await session.delete(state)
    await session.flush()
    await activity.record(
        session,
        "follow.stop",
        plan_id=plan.id,
        actor_id=actor.user_id,
        target_type="plan",
        target_id=plan.id,
        event=activity.Event(EVENT, {"active": False, "hidden": False}),
    )
