"""The plan event stream: events are rows (so a reconnecting client can catch up by id),
filtered for each member by the same read rules as everything else. They are written by
server/activity.py, in the transaction of the act they tell of."""

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server import events
from server.plans import policy
from server.plans.models import Member, Section
from server.stream.models import PlanEvent


async def latest_id(session: AsyncSession, plan_id: str) -> int:
    """The id of the plan's newest event (0 when it has none)."""
    return (
        await session.scalar(select(func.max(PlanEvent.id)).where(PlanEvent.plan_id == plan_id))
    ) or 0


def visible(member: Member, event: PlanEvent, sections: dict[str, Section]) -> bool:
    """Whether the member may see the event (the policy's rule, with its section)."""
    section = sections.get(event.section_id) if event.section_id is not None else None
    return policy.can_see_event(member, event, section)


# What an event may say about a thread. Events written before they carried only references
# held the whole thread, comment texts included; those texts may since have been edited or
# deleted, so they are never served again.
THREAD_REF_FIELDS = ("id", "section_id", "item_id", "status", "visibility")


def public_payload(event: PlanEvent) -> dict[str, Any]:
    """What an event may still say when served (old thread texts are cut)."""
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
    """Wakes waiting streams of a plan when its events commit (in this or another process),
    and when access to the plan or a streaming user's credentials change, so that a stream
    that may no longer run checks again at once and ends."""

    def __init__(self) -> None:
        self._waiters: dict[str, asyncio.Event] = {}
        # user id -> plan id -> number of that user's open streams of the plan
        self._streams: dict[str, Counter[str]] = {}
        self._unsubscribe = [
            events.subscribe(events.PLAN_EVENTS, self.notify),
            events.subscribe(events.ACCESS, self.notify),
            events.subscribe(events.CREDENTIALS, self.credentials_changed),
        ]

    def notify(self, plan_id: str) -> None:
        """Wake the plan's waiting streams."""
        waiter = self._waiters.pop(plan_id, None)
        if waiter is not None:
            waiter.set()

    def credentials_changed(self, user_id: str) -> None:
        """Wake the streams of the user, so they check their credentials."""
        for plan_id in list(self._streams.get(user_id, ())):
            self.notify(plan_id)

    @contextlib.contextmanager
    def streaming(self, plan_id: str, user_id: str) -> Iterator[None]:
        """While a user's stream of a plan is open, a change of their credentials wakes it."""
        plans = self._streams.setdefault(user_id, Counter())
        plans[plan_id] += 1
        try:
            yield
        finally:
            plans[plan_id] -= 1
            if plans[plan_id] <= 0:
                del plans[plan_id]
            if not plans:
                self._streams.pop(user_id, None)

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
        """Stop listening and wake every waiting stream, so they end."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        for waiter in self._waiters.values():
            waiter.set()
