"""The plan event stream: events are rows (so a reconnecting client can catch up by id),
filtered for each member by the same read rules as everything else."""

import asyncio
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import events
from server.plans import policy
from server.plans.models import Member, Section
from server.stream.models import PlanEvent


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


async def latest_id(session: AsyncSession, plan_id: str) -> int:
    return (
        await session.scalar(select(func.max(PlanEvent.id)).where(PlanEvent.plan_id == plan_id))
    ) or 0


def visible(member: Member, event: PlanEvent, sections: dict[str, Section]) -> bool:
    section = sections.get(event.section_id) if event.section_id is not None else None
    return policy.can_see_event(member, event, section)


# What an event may say about a thread. Events written before they carried only references
# held the whole thread, comment texts included; those texts may since have been edited or
# deleted, so they are never served again.
THREAD_REF_FIELDS = ("id", "section_id", "item_id", "status", "visibility")


def public_payload(event: PlanEvent) -> dict[str, Any]:
    payload = event.payload
    thread = payload.get("thread")
    if isinstance(thread, dict) and "comments" in thread:
        payload = {**payload, "thread": {k: thread.get(k) for k in THREAD_REF_FIELDS}}
    return payload


async def events_after(
    session: AsyncSession, member: Member, after_id: int, limit: int = 500
) -> tuple[list[PlanEvent], int]:
    """Events after `after_id` that the member may see, and the id to continue from."""
    rows: Sequence[PlanEvent] = (
        await session.scalars(
            select(PlanEvent)
            .where(PlanEvent.plan_id == member.plan_id, PlanEvent.id > after_id)
            .order_by(PlanEvent.id)
            .limit(limit)
        )
    ).all()
    if not rows:
        return [], after_id
    sections = {
        s.id: s
        for s in await session.scalars(select(Section).where(Section.plan_id == member.plan_id))
    }
    return [e for e in rows if visible(member, e, sections)], rows[-1].id


class StreamHub:
    """Wakes waiting streams of a plan when its events commit (in this or another process)."""

    def __init__(self) -> None:
        self._waiters: dict[str, asyncio.Event] = {}
        self._unsubscribe = events.subscribe(events.PLAN_EVENTS, self.notify)

    def notify(self, plan_id: str) -> None:
        waiter = self._waiters.pop(plan_id, None)
        if waiter is not None:
            waiter.set()

    def waiter(self, plan_id: str) -> asyncio.Event:
        """Take this before looking for new events, so none can slip in between."""
        return self._waiters.setdefault(plan_id, asyncio.Event())

    @staticmethod
    async def wait(waiter: asyncio.Event, within: float) -> bool:
        """True when woken, False on timeout."""
        try:
            await asyncio.wait_for(waiter.wait(), within)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        self._unsubscribe()
        for waiter in self._waiters.values():
            waiter.set()
