"""After-commit signals between parts of the server and between server processes.

A service marks its transaction (`announce`); once the transaction commits — never for a
rolled-back one — every handler subscribed to that channel in this process is called with the
key, and with PostgreSQL the same signal reaches the other processes through NOTIFY (itself
transactional; collab/fanout.py listens and calls `from_notification`). For the signals that
take access away (ACCESS, CREDENTIALS) the other processes confirm on ACK once they hold the
affected connections, and the session dependency waits for that before answering
(`delivered`).

Channels:
- ACCESS (key: plan id): who may read or write the plan's sections changed; open WebSocket
  connections and event streams of the plan are re-checked.
- CREDENTIALS (key: user id): one or more of the user's sessions or tokens were revoked; the
  user's open WebSocket connections and event streams are re-checked, in every plan.
- PLAN_EVENTS (key: plan id): new events on the plan's event stream; waiting streams wake.
"""

import asyncio
import itertools
import logging
import os
import time
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Callable

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

ACCESS = "jointplan_access"
CREDENTIALS = "jointplan_credentials"
PLAN_EVENTS = "jointplan_events"
CHANNELS = (ACCESS, CREDENTIALS, PLAN_EVENTS)

_KEY = "jointplan.announcements"
_AWAITING = "jointplan.awaiting"
# Tags this process's notifications: its own signals were already published to every
# handler here after the commit, so the listener skips them when they come back.
ORIGIN = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
# Each process's listener connection is named after its origin, so that a process can
# tell which others must confirm a revocation (see `delivered`).
LISTENER_NAME_PREFIX = "jointplan-listener "
ACK = "jointplan_ack"
# Signals that take access away: the request that sends one answers only after every other
# process has confirmed that it holds the affected connections (or after ACK_WAIT_SECONDS).
CONFIRMED = frozenset({ACCESS, CREDENTIALS})
ACK_WAIT_SECONDS = 1.0

log = logging.getLogger(__name__)
_handlers: dict[str, list[Callable[[str], None]]] = defaultdict(list)
_sequence = itertools.count(1)
# tag of one of our signals -> origins of the processes that confirmed it (the newest 1000).
_acks: OrderedDict[str, set[str]] = OrderedDict()


def subscribe(channel: str, handler: Callable[[str], None]) -> Callable[[], None]:
    """Call `handler` with each key signalled on `channel` here; returns the unsubscribe."""
    _handlers[channel].append(handler)
    return lambda: _handlers[channel].remove(handler)


def publish(channel: str, key: str) -> None:
    """Call this process's handlers of `channel` with `key` now."""
    for handler in list(_handlers[channel]):
        handler(key)


async def announce(session: AsyncSession, channel: str, key: str) -> None:
    """Signal `key` on `channel` once this transaction commits."""
    pending: set[tuple[str, str]] = session.info.setdefault(_KEY, set())
    if (channel, key) in pending:
        return
    pending.add((channel, key))
    if session.get_bind().dialect.name == "postgresql":
        tag = f"{ORIGIN}/{next(_sequence)}"
        await session.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": channel, "payload": f"{tag} {key}"},
        )
        if channel in CONFIRMED:
            session.info.setdefault(_AWAITING, []).append(tag)


def from_notification(channel: str, payload: str) -> str | None:
    """A signal from a NOTIFY (payload "origin/sequence key"): published here unless it is
    our own. Returns its tag when the sender waits for this process to confirm it."""
    tag, _, key = payload.partition(" ")
    if not key or tag.partition("/")[0] == ORIGIN:
        return None
    publish(channel, key)
    return tag if channel in CONFIRMED else None


def acknowledged(payload: str) -> None:
    """Another process confirmed one of our signals (ACK payload "tag origin")."""
    tag, _, peer = payload.partition(" ")
    if tag.partition("/")[0] != ORIGIN or not peer:
        return
    _acks.setdefault(tag, set()).add(peer)
    _acks.move_to_end(tag)
    while len(_acks) > 1000:
        _acks.popitem(last=False)


async def delivered(session: AsyncSession) -> None:
    """After the commit: wait until every other server process on this database has taken
    in the access-revoking signals of the transaction, so that once the caller has the answer
    no process handles a message under the old rules. PostgreSQL only; at most
    ACK_WAIT_SECONDS, then a warning (the periodic re-check still applies)."""
    tags: list[str] = session.info.pop(_AWAITING, [])
    if not tags:
        return
    try:
        # On a connection of its own: the committed session's objects stay as they are for
        # the response.
        bind = session.bind
        assert isinstance(bind, AsyncEngine)
        async with bind.connect() as connection:
            names = (
                await connection.execute(
                    text(
                        "SELECT application_name FROM pg_stat_activity WHERE datname = "
                        "current_database() AND starts_with(application_name, :prefix)"
                    ),
                    {"prefix": LISTENER_NAME_PREFIX},
                )
            ).scalars()
            peers = {str(n).removeprefix(LISTENER_NAME_PREFIX) for n in names} - {ORIGIN}
    except Exception:
        log.exception("could not list the other server processes")
        return
    deadline = time.monotonic() + ACK_WAIT_SECONDS
    try:
        while True:
            missing = {p for t in tags for p in peers - _acks.get(t, set())}
            if not missing:
                return
            if time.monotonic() > deadline:
                log.warning(
                    "processes %s did not confirm a revocation within %.1f s",
                    sorted(missing),
                    ACK_WAIT_SECONDS,
                )
                return
            await asyncio.sleep(0.002)
    finally:
        for tag in tags:
            _acks.pop(tag, None)


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
    session.info.pop(_AWAITING, None)
