"""After-commit signals between parts of the server and between server processes.

A service marks its transaction (`announce`); once the transaction commits — never for a
rolled-back one — every handler subscribed to that channel in this process is called with the
key, and with PostgreSQL the same signal reaches the other processes through NOTIFY (itself
transactional; collab/fanout.py listens and calls `publish`).

Channels:
- ACCESS (key: plan id): who may read or write the plan's sections changed; open WebSocket
  connections and event streams of the plan are re-checked.
- CREDENTIALS (key: user id): one or more of the user's sessions or tokens were revoked; the
  user's open WebSocket connections and event streams are re-checked, in every plan.
- PLAN_EVENTS (key: plan id): new events on the plan's event stream; waiting streams wake.
"""

import os
import uuid
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

ACCESS = "jointplan_access"
CREDENTIALS = "jointplan_credentials"
PLAN_EVENTS = "jointplan_events"
CHANNELS = (ACCESS, CREDENTIALS, PLAN_EVENTS)

_KEY = "jointplan.announcements"
# Tags this process's notifications: its own signals were already published to every
# handler here after the commit, so the listener skips them when they come back.
ORIGIN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
_handlers: dict[str, list[Callable[[str], None]]] = defaultdict(list)


def subscribe(channel: str, handler: Callable[[str], None]) -> Callable[[], None]:
    _handlers[channel].append(handler)
    return lambda: _handlers[channel].remove(handler)


def publish(channel: str, key: str) -> None:
    for handler in list(_handlers[channel]):
        handler(key)


async def announce(session: AsyncSession, channel: str, key: str) -> None:
    """Signal `key` on `channel` once this transaction commits."""
    pending: set[tuple[str, str]] = session.info.setdefault(_KEY, set())
    if (channel, key) in pending:
        return
    pending.add((channel, key))
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": channel, "payload": f"{ORIGIN} {key}"},
        )


def from_notification(channel: str, payload: str) -> None:
    """A signal another process sent (NOTIFY payload "origin key"); ours are skipped."""
    origin, _, key = payload.rpartition(" ")
    if origin != ORIGIN and key:
        publish(channel, key)


async def access_changed(session: AsyncSession, plan_id: str) -> None:
    """Mark that access to the plan changes with this transaction."""
    await announce(session, ACCESS, plan_id)


async def credentials_changed(session: AsyncSession, user_id: str) -> None:
    """Mark that some of the user's credentials stop working with this transaction."""
    await announce(session, CREDENTIALS, user_id)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for channel, key in session.info.pop(_KEY, set()):
        publish(channel, key)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
