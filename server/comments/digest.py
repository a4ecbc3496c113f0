"""A digest email of unread mentions, when SMTP is configured; without it nothing is sent."""

import asyncio
import logging
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import mail
from server.auth.models import User
from server.comments import notifications
from server.comments.models import Notification
from server.config import Settings
from server.db import utcnow

log = logging.getLogger(__name__)


async def send_mention_digests(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> int:
    """Email each person their unread, not yet emailed mentions; returns emails sent."""
    if not settings.smtp_enabled:
        return 0
    async with sessionmaker() as session, session.begin():
        pending = (
            await session.scalars(
                select(Notification).where(
                    Notification.kind == "mention",
                    Notification.read_at.is_(None),
                    Notification.emailed_at.is_(None),
                )
            )
        ).all()
        by_user: dict[str, list[Notification]] = defaultdict(list)
        for n in pending:
            by_user[n.user_id].append(n)
        sent = 0
        base = settings.base_url.rstrip("/")
        for user_id, rows in by_user.items():
            user = await session.get(User, user_id)
            if user is None:
                continue
            # Only what the person may still see goes into the email.
            visible, _ = await notifications.notifications_for(
                session, user, unread_only=True, limit=1000
            )
            wanted = {n.id for n in rows}
            lines = [
                f"- {v.actor.name if v.actor else 'Someone'} in “{v.plan_title}”: "
                f"{v.excerpt[:140]}\n  {base}/plans/{v.plan_id}?thread={v.thread_id}"
                for v in visible
                if v.id in wanted
            ]
            if not lines:
                continue
            body = "You were mentioned in JointPlan:\n\n" + "\n".join(lines) + "\n"
            if await mail.send(
                settings,
                to=user.email,
                subject=f"JointPlan: {len(lines)} new mention(s)",
                body=body,
            ):
                now = utcnow()
                for n in rows:
                    n.emailed_at = now
                sent += 1
        return sent


async def run_digests(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    while True:
        await asyncio.sleep(settings.digest_interval_minutes * 60)
        try:
            await send_mention_digests(sessionmaker, settings)
        except Exception:  # the next round tries again
            log.exception("mention digest failed")
