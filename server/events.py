"""Access-changed signals: when who may read or write a plan's sections changes, open
WebSocket connections must learn it within a second.

Changes are announced after their transaction commits (never for a rolled-back one): in this
process through registered handlers, and to other processes through PostgreSQL NOTIFY, which
is itself transactional.
"""

from collections.abc import Callable

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

ACCESS_CHANNEL = "jointplan_access"
_KEY = "jointplan.access_changed"
_handlers: list[Callable[[str], None]] = []


def subscribe(handler: Callable[[str], None]) -> Callable[[], None]:
    _handlers.append(handler)
    return lambda: _handlers.remove(handler)


def publish(plan_id: str) -> None:
    for handler in list(_handlers):
        handler(plan_id)


async def access_changed(session: AsyncSession, plan_id: str) -> None:
    """Mark that access to the plan changes with this transaction."""
    session.info.setdefault(_KEY, set()).add(plan_id)
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_notify(:channel, :plan)"), {"channel": ACCESS_CHANNEL, "plan": plan_id}
        )


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for plan_id in session.info.pop(_KEY, set()):
        publish(plan_id)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_KEY, None)
