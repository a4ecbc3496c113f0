"""Notifications of new threads, replies and mentions, each member's inbox and their level
per plan (all, mentions or none)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from server import activity
from server.auth.models import User
from server.comments.models import Comment, Notification, NotificationSetting, Thread
from server.db import utcnow
from server.plans import policy
from server.plans.models import Member, Plan, Section

DEFAULT_LEVEL = "mentions"


async def notify(
    session: AsyncSession,
    author: Member,
    thread: Thread,
    section: Section,
    comment: Comment,
    mentioned: list[str],
    new_thread: bool,
) -> None:
    """Notify whoever may read the thread and asked for it; each hears on the stream."""
    members = (await session.scalars(select(Member).where(Member.plan_id == thread.plan_id))).all()
    levels = dict(
        (
            await session.execute(
                select(NotificationSetting.user_id, NotificationSetting.level).where(
                    NotificationSetting.plan_id == thread.plan_id
                )
            )
        ).all()
    )
    for m in members:
        if m.user_id == author.user_id or not policy.can_see_thread(m, thread, section):
            continue
        level = levels.get(m.user_id, DEFAULT_LEVEL)
        if level == "none":
            continue
        if m.user_id in mentioned:
            kind = "mention"
        elif level == "all":
            kind = "thread" if new_thread else "reply"
        else:
            continue
        notification = Notification(
            user_id=m.user_id,
            plan_id=thread.plan_id,
            kind=kind,
            thread_id=thread.id,
            comment_id=comment.id,
            actor_id=author.user_id,
        )
        session.add(notification)
        await session.flush()
        # Not an act of the recipient's to audit: an event for them alone.
        await activity.publish(
            session,
            plan_id=thread.plan_id,
            type="notification.created",
            payload={
                "notification_id": notification.id,
                "kind": kind,
                "thread_id": thread.id,
                "comment_id": comment.id,
            },
            visibility=policy.thread_audience(thread, section),
            section_id=section.id,
            user_id=m.user_id,
        )


@dataclass(frozen=True)
class NotificationView:
    id: str
    plan_id: str
    plan_title: str
    kind: str
    thread_id: str
    comment_id: str
    actor: User | None
    excerpt: str
    created_at: datetime
    read_at: datetime | None


async def notifications_for(
    session: AsyncSession, user: User, *, unread_only: bool, limit: int
) -> tuple[list[NotificationView], int]:
    """My notifications that I may still see (access can change after they were made)."""
    rows = (
        await session.execute(
            select(Notification, Thread, Section, Member, Plan, Comment)
            .join(Thread, Thread.id == Notification.thread_id)
            .join(Section, Section.id == Thread.section_id)
            .join(Plan, Plan.id == Notification.plan_id)
            .join(Comment, Comment.id == Notification.comment_id)
            .join(
                Member,
                and_(
                    Member.plan_id == Notification.plan_id, Member.user_id == Notification.user_id
                ),
            )
            .where(Notification.user_id == user.id)
            .where(Notification.read_at.is_(None) if unread_only else true())
            .order_by(Notification.created_at.desc())
        )
    ).all()
    visible = [r for r in rows if policy.can_see_thread(r[3], r[1], r[2])]
    unread = sum(1 for r in visible if r[0].read_at is None)
    actors = {
        u.id: u
        for u in await session.scalars(
            select(User).where(User.id.in_({r[0].actor_id for r in visible if r[0].actor_id}))
        )
    }
    items = [
        NotificationView(
            id=n.id,
            plan_id=n.plan_id,
            plan_title=plan.title,
            kind=n.kind,
            thread_id=n.thread_id,
            comment_id=n.comment_id,
            actor=actors.get(n.actor_id or ""),
            excerpt="" if comment.deleted_at else comment.body[:200],
            created_at=n.created_at,
            read_at=n.read_at,
        )
        for n, _t, _s, _m, plan, comment in visible[:limit]
    ]
    return items, unread


async def mark_read(
    session: AsyncSession, user: User, ids: list[str] | None, everything: bool
) -> int:
    """Mark some (or all) of my notifications read; returns how many stay unread."""
    query = select(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if not everything:
        query = query.where(Notification.id.in_(ids or []))
    now = utcnow()
    for notification in await session.scalars(query):
        notification.read_at = now
    await session.flush()
    _, unread = await notifications_for(session, user, unread_only=True, limit=0)
    return unread


async def get_level(session: AsyncSession, member: Member) -> str:
    """What the member is notified about in their plan."""
    level = await session.scalar(
        select(NotificationSetting.level).where(
            NotificationSetting.plan_id == member.plan_id,
            NotificationSetting.user_id == member.user_id,
        )
    )
    return level or DEFAULT_LEVEL


async def set_level(session: AsyncSession, member: Member, level: str) -> str:
    """Choose what the member is notified about in their plan."""
    setting = await session.scalar(
        select(NotificationSetting).where(
            NotificationSetting.plan_id == member.plan_id,
            NotificationSetting.user_id == member.user_id,
        )
    )
    if setting is None:
        session.add(
            NotificationSetting(plan_id=member.plan_id, user_id=member.user_id, level=level)
        )
    else:
        setting.level = level
    await session.flush()
    return level
