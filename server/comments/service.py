import base64
import binascii
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pycrdt import Doc
from sqlalchemy import and_, func, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server.audit import service as audit_service
from server.auth.models import User
from server.collab import service as collab_service
from server.comments import anchors, markdown
from server.comments.models import (
    Comment,
    CommentRevision,
    Mention,
    Notification,
    NotificationSetting,
    Thread,
    Vote,
)
from server.comments.schemas import (
    AnchorState,
    CommentRead,
    ItemCount,
    NotificationRead,
    Person,
    ThreadCounts,
    ThreadCreate,
    ThreadRead,
    VoteCounts,
)
from server.db import utcnow
from server.errors import BadRequest, Forbidden, NotFound
from server.plans import policy
from server.plans import service as plans_service
from server.plans.models import Member, Plan, Section
from server.stream import service as stream_service

DEFAULT_LEVEL = "mentions"


# ---- who sees what ---------------------------------------------------------------------


def can_see(member: Member, thread: Thread, section: Section) -> bool:
    """A thread follows its section's read rule; an internal one stays with its party."""
    return policy.can_see_thread(member, thread, section)


def audience(thread: Thread, section: Section) -> str:
    """Who may receive events and audit entries about the thread."""
    return policy.thread_audience(thread, section)


async def _require_comment_right(session: AsyncSession, member: Member, section: Section) -> None:
    if not policy.can_comment(member, section):
        raise Forbidden("Viewers can read but not comment.", code="cannot_comment")
    await _require_open(session, member)


async def _require_open(session: AsyncSession, member: Member) -> None:
    """An archived plan takes no comments, edits, resolutions or votes (the plan row is in
    the session already: the route loaded it with the membership)."""
    plan = await session.get(Plan, member.plan_id)
    assert plan is not None
    policy.ensure_open(plan)


async def get_thread(
    session: AsyncSession, member: Member, thread_id: str
) -> tuple[Thread, Section]:
    """A thread the member may see; 404 for anything else."""
    row = (
        await session.execute(
            select(Thread, Section)
            .join(Section, Section.id == Thread.section_id)
            .where(Thread.id == thread_id, Thread.plan_id == member.plan_id)
        )
    ).first()
    if row is None or not can_see(member, row[0], row[1]):
        raise NotFound("Thread not found.", code="thread_not_found")
    return row[0], row[1]


# ---- serialisation ---------------------------------------------------------------------


def _person(user: User | None) -> Person | None:
    return Person(id=user.id, name=user.name) if user else None


def comment_read(comment: Comment, mentions: list[str]) -> CommentRead:
    deleted = comment.deleted_at is not None
    return CommentRead(
        id=comment.id,
        thread_id=comment.thread_id,
        author=Person(id=comment.author.id, name=comment.author.name),
        body="" if deleted else comment.body,
        html="" if deleted else markdown.render(comment.body),
        mentions=[] if deleted else mentions,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        deleted=deleted,
    )


class DocCache:
    """Section documents loaded at most once per request."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.docs: dict[str, Doc[Any]] = {}

    async def get(self, section_id: str) -> Doc[Any]:
        if section_id not in self.docs:
            self.docs[section_id] = await collab_service.load_document(self.session, section_id)
        return self.docs[section_id]


async def thread_reads(
    session: AsyncSession, threads: Sequence[tuple[Thread, Section]], docs: DocCache | None = None
) -> list[ThreadRead]:
    if not threads:
        return []
    docs = docs or DocCache(session)
    ids = [t.id for t, _ in threads]
    comments = (
        await session.scalars(
            select(Comment)
            .where(Comment.thread_id.in_(ids))
            .options(selectinload(Comment.author))
            .order_by(Comment.created_at, Comment.id)
        )
    ).all()
    mentions: dict[str, list[str]] = {}
    for comment_id, user_id in await session.execute(
        select(Mention.comment_id, Mention.user_id).where(
            Mention.comment_id.in_([c.id for c in comments])
        )
    ):
        mentions.setdefault(comment_id, []).append(user_id)
    user_ids = {t.author_id for t, _ in threads} | {
        t.resolved_by_id for t, _ in threads if t.resolved_by_id
    }
    users = {u.id: u for u in await session.scalars(select(User).where(User.id.in_(user_ids)))}
    await markdown.prerender(c.body for c in comments if c.deleted_at is None)
    by_thread: dict[str, list[CommentRead]] = {}
    for c in comments:
        by_thread.setdefault(c.thread_id, []).append(comment_read(c, mentions.get(c.id, [])))
    result = []
    for thread, section in threads:
        state = None
        if thread.anchor:
            doc = await docs.get(section.id)
            item = (
                collab_service.find_item(doc, section.kind, thread.item_id)
                if thread.item_id
                else None
            )
            if thread.item_id and item is None:
                state = AnchorState(detached=True, quote=None)
            else:
                state = AnchorState(**anchors.resolve(doc, thread.anchor, item))
        author = users[thread.author_id]
        result.append(
            ThreadRead(
                id=thread.id,
                plan_id=thread.plan_id,
                section_id=thread.section_id,
                item_id=thread.item_id,
                anchor=thread.anchor,
                anchor_state=state,
                visibility=thread.visibility,
                party=thread.party,
                status=thread.status,
                author=Person(id=author.id, name=author.name),
                created_at=thread.created_at,
                updated_at=thread.updated_at,
                resolved_at=thread.resolved_at,
                resolved_by=_person(users.get(thread.resolved_by_id or "")),
                comments=by_thread.get(thread.id, []),
            )
        )
    return result


async def thread_read(session: AsyncSession, thread: Thread, section: Section) -> ThreadRead:
    return (await thread_reads(session, [(thread, section)]))[0]


async def _audit(
    session: AsyncSession,
    member: Member,
    thread: Thread,
    section: Section,
    action: str,
    target_type: str,
    target_id: str,
    **states: dict[str, Any] | None,
) -> None:
    """An audit entry about a thread, seen by whoever may see the thread."""
    await audit_service.record(
        session,
        plan_id=thread.plan_id,
        section_id=section.id,
        actor_id=member.user_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        visibility=audience(thread, section),
        **states,
    )


# ---- threads and comments --------------------------------------------------------------


async def create_thread(session: AsyncSession, member: Member, body: ThreadCreate) -> Thread:
    """Open a thread on a section, an item in it, or a text range; with its first comment."""
    section = await plans_service.get_readable_section(session, member, body.section_id)
    await _require_comment_right(session, member, section)
    item = None
    if body.item_id is not None or body.anchor is not None:
        doc = await collab_service.load_document(session, section.id)
        if body.item_id is not None:
            item = collab_service.find_item(doc, section.kind, body.item_id)
            if item is None:
                raise BadRequest("There is no such item in this section.", code="item_not_found")
        if body.anchor is not None:
            try:
                anchors.validate(body.anchor.model_dump(), kind=section.kind, item=item)
            except anchors.AnchorError as exc:
                raise BadRequest(
                    f"The text anchor is not valid: {exc}.", code="invalid_anchor"
                ) from exc
    thread = Thread(
        plan_id=member.plan_id,
        section_id=section.id,
        item_id=body.item_id,
        anchor=body.anchor.model_dump(exclude_none=True) if body.anchor else None,
        visibility=body.visibility,
        party=member.party,
        author_id=member.user_id,
        status="open",
    )
    session.add(thread)
    await session.flush()
    await _audit(
        session,
        member,
        thread,
        section,
        "thread.create",
        "thread",
        thread.id,
        after={"visibility": thread.visibility, "item_id": thread.item_id},
    )
    await add_comment(session, member, thread, section, body.body, new_thread=True)
    return thread


async def _check_mentions(
    session: AsyncSession, thread: Thread, section: Section, user_ids: list[str]
) -> None:
    if not user_ids:
        return
    members = {
        m.user_id: m
        for m in await session.scalars(
            select(Member).where(Member.plan_id == thread.plan_id, Member.user_id.in_(user_ids))
        )
    }
    for user_id in user_ids:
        mentioned = members.get(user_id)
        if mentioned is None or not can_see(mentioned, thread, section):
            raise BadRequest(
                "You can only mention members of this plan who can read this thread.",
                code="mention_not_allowed",
            )


async def add_comment(
    session: AsyncSession,
    member: Member,
    thread: Thread,
    section: Section,
    body: str,
    *,
    new_thread: bool = False,
) -> Comment:
    await _require_comment_right(session, member, section)
    mentioned = markdown.mentioned_user_ids(body)
    await _check_mentions(session, thread, section, mentioned)
    comment = Comment(thread_id=thread.id, author_id=member.user_id, body=body)
    session.add(comment)
    await session.flush()
    for user_id in mentioned:
        session.add(Mention(comment_id=comment.id, user_id=user_id))
    thread.updated_at = utcnow()
    await session.flush()
    if not new_thread:
        await _audit(session, member, thread, section, "comment.create", "comment", comment.id)
    await _notify(session, member, thread, section, comment, mentioned, new_thread)
    await _publish(
        session,
        member,
        thread,
        section,
        "thread.created" if new_thread else "comment.created",
        comment=comment,
    )
    return comment


def thread_ref(thread: Thread) -> dict[str, Any]:
    """What an event says about a thread: which one, where, its state; never its text."""
    return {
        "id": thread.id,
        "section_id": thread.section_id,
        "item_id": thread.item_id,
        "status": thread.status,
        "visibility": thread.visibility,
    }


async def _publish(
    session: AsyncSession,
    member: Member,
    thread: Thread,
    section: Section,
    type: str,
    *,
    comment: Comment | None = None,
) -> None:
    """Events name the thread and comment, who and how long; readers fetch the thread for its
    text. Stored events are served again to anyone catching up (`after=0`), so a comment's
    text in an event would outlive its edit or deletion."""
    payload: dict[str, Any] = {"thread": thread_ref(thread), "actor_id": member.user_id}
    if comment is not None:
        payload["comment_id"] = comment.id
        payload["length"] = 0 if comment.deleted_at is not None else len(comment.body)
    await stream_service.publish(
        session,
        plan_id=thread.plan_id,
        type=type,
        payload=payload,
        visibility=audience(thread, section),
        section_id=section.id,
    )


async def _notify(
    session: AsyncSession,
    author: Member,
    thread: Thread,
    section: Section,
    comment: Comment,
    mentioned: list[str],
    new_thread: bool,
) -> None:
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
        if m.user_id == author.user_id or not can_see(m, thread, section):
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
        await stream_service.publish(
            session,
            plan_id=thread.plan_id,
            type="notification.created",
            payload={
                "notification_id": notification.id,
                "kind": kind,
                "thread_id": thread.id,
                "comment_id": comment.id,
            },
            visibility=audience(thread, section),
            section_id=section.id,
            user_id=m.user_id,
        )


async def reply(
    session: AsyncSession, member: Member, thread_id: str, body: str, reply_to: str | None
) -> tuple[Thread, Section, Comment]:
    thread, section = await get_thread(session, member, thread_id)
    if reply_to is not None:
        first = await session.scalar(
            select(Comment.id)
            .where(Comment.thread_id == thread.id)
            .order_by(Comment.created_at, Comment.id)
            .limit(1)
        )
        if reply_to != first:
            raise BadRequest(
                "Replies are one level deep: answer the thread, not a reply.",
                code="nested_reply",
            )
    comment = await add_comment(session, member, thread, section, body)
    return thread, section, comment


async def _own_comment(
    session: AsyncSession, member: Member, thread_id: str, comment_id: str
) -> tuple[Thread, Section, Comment]:
    thread, section = await get_thread(session, member, thread_id)
    comment = await session.scalar(
        select(Comment)
        .where(Comment.id == comment_id, Comment.thread_id == thread.id)
        .options(selectinload(Comment.author))
    )
    if comment is None or comment.deleted_at is not None:
        raise NotFound("Comment not found.", code="comment_not_found")
    return thread, section, comment


async def edit_comment(
    session: AsyncSession, member: Member, thread_id: str, comment_id: str, body: str
) -> tuple[Thread, Section, Comment]:
    """Change my comment; the earlier text is kept in its history."""
    thread, section, comment = await _own_comment(session, member, thread_id, comment_id)
    if comment.author_id != member.user_id:
        raise Forbidden("Only the author can edit a comment.", code="not_author")
    await _require_open(session, member)
    if body == comment.body:
        return thread, section, comment
    await _check_mentions(session, thread, section, markdown.mentioned_user_ids(body))
    session.add(
        CommentRevision(
            comment_id=comment.id,
            body=comment.body,
            created_at=comment.edited_at or comment.created_at,
        )
    )
    before = comment.body
    comment.body = body
    comment.edited_at = utcnow()
    thread.updated_at = comment.edited_at
    await session.flush()
    await _audit(
        session,
        member,
        thread,
        section,
        "comment.edit",
        "comment",
        comment.id,
        before={"length": len(before)},
        after={"length": len(body)},
    )
    await _publish(session, member, thread, section, "comment.updated", comment=comment)
    return thread, section, comment


async def delete_comment(
    session: AsyncSession, member: Member, thread_id: str, comment_id: str
) -> None:
    """Soft delete: the comment stays in place as "deleted"; its text is gone from views."""
    thread, section, comment = await _own_comment(session, member, thread_id, comment_id)
    if comment.author_id != member.user_id and not policy.can_manage(member):
        raise Forbidden("Only the author or a facilitator can delete a comment.", code="not_author")
    await _require_open(session, member)
    comment.deleted_at = utcnow()
    thread.updated_at = comment.deleted_at
    await session.flush()
    await _audit(
        session,
        member,
        thread,
        section,
        "comment.delete",
        "comment",
        comment.id,
        before={"length": len(comment.body)},
    )
    await _publish(session, member, thread, section, "comment.deleted", comment=comment)


async def revisions(
    session: AsyncSession, member: Member, thread_id: str, comment_id: str
) -> tuple[Sequence[CommentRevision], bool]:
    """The earlier bodies of a comment, and whether the member may read them (its author):
    everyone else learns when it changed and how long it was, not what it said."""
    _, _, comment = await _own_comment(session, member, thread_id, comment_id)
    rows = (
        await session.scalars(
            select(CommentRevision)
            .where(CommentRevision.comment_id == comment_id)
            .order_by(CommentRevision.created_at)
        )
    ).all()
    return rows, policy.can_see_comment_history(member, comment.author_id)


async def set_status(
    session: AsyncSession, member: Member, thread_id: str, status: str
) -> tuple[Thread, Section]:
    thread, section = await get_thread(session, member, thread_id)
    await _require_comment_right(session, member, section)
    if thread.status == status:
        return thread, section
    thread.status = status
    thread.resolved_at = utcnow() if status == "resolved" else None
    thread.resolved_by_id = member.user_id if status == "resolved" else None
    thread.updated_at = utcnow()
    await session.flush()
    action = "thread.resolve" if status == "resolved" else "thread.reopen"
    await _audit(session, member, thread, section, action, "thread", thread.id)
    await _publish(
        session,
        member,
        thread,
        section,
        "thread.resolved" if status == "resolved" else "thread.reopened",
    )
    return thread, section


# ---- lists -----------------------------------------------------------------------------


def _visible_filter(member: Member, sections: Sequence[Section]) -> Any:
    readable = [s.id for s in sections if policy.can_read(member, s)]
    return and_(
        Thread.plan_id == member.plan_id,
        Thread.section_id.in_(readable),
        policy.thread_clause(member, Thread.visibility, Thread.party),
    )


def _encode_cursor(thread: Thread) -> str:
    return base64.urlsafe_b64encode(
        f"{thread.created_at.isoformat()}|{thread.id}".encode()
    ).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        stamp, thread_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(stamp), thread_id
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The cursor is not valid.", code="invalid_cursor") from exc


async def list_threads(
    session: AsyncSession,
    member: Member,
    *,
    section_id: str | None,
    item_id: str | None,
    status: str | None,
    author_id: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[ThreadRead], str | None]:
    """Newest first, only what the member may see."""
    sections = await plans_service.list_sections(session, member.plan_id)
    by_id = {s.id: s for s in sections}
    query = select(Thread).where(_visible_filter(member, sections))
    if section_id is not None:
        query = query.where(Thread.section_id == section_id)
    if item_id is not None:
        query = query.where(Thread.item_id == item_id)
    if status is not None:
        query = query.where(Thread.status == status)
    if author_id is not None:
        query = query.where(Thread.author_id == author_id)
    if cursor is not None:
        stamp, last_id = _decode_cursor(cursor)
        query = query.where(tuple_(Thread.created_at, Thread.id) < tuple_(stamp, last_id))
    rows = (
        await session.scalars(
            query.order_by(Thread.created_at.desc(), Thread.id.desc()).limit(limit + 1)
        )
    ).all()
    page = rows[:limit]
    next_cursor = _encode_cursor(page[-1]) if len(rows) > limit else None
    reads = await thread_reads(session, [(t, by_id[t.section_id]) for t in page])
    return reads, next_cursor


async def open_counts(session: AsyncSession, member: Member) -> ThreadCounts:
    sections = await plans_service.list_sections(session, member.plan_id)
    visible = _visible_filter(member, sections)
    per_section = await session.execute(
        select(Thread.section_id, func.count())
        .where(visible, Thread.status == "open")
        .group_by(Thread.section_id)
    )
    per_item = await session.execute(
        select(Thread.section_id, Thread.item_id, func.count())
        .where(visible, Thread.status == "open", Thread.item_id.is_not(None))
        .group_by(Thread.section_id, Thread.item_id)
    )
    return ThreadCounts(
        sections={sid: n for sid, n in per_section},
        items=[ItemCount(section_id=s, item_id=i, open=n) for s, i, n in per_item],
    )


# ---- votes -----------------------------------------------------------------------------


async def _votable_section(
    session: AsyncSession, member: Member, section_id: str, item_id: str
) -> Section:
    section = await plans_service.get_readable_section(session, member, section_id)
    await _require_comment_right(session, member, section)
    doc = await collab_service.load_document(session, section.id)
    item = collab_service.find_item(doc, section.kind, item_id)
    if item is None:
        raise BadRequest("There is no such item in this section.", code="item_not_found")
    votable = section.kind == "goals" or (
        section.kind == "activities" and item.get("status") == "proposed"
    )
    if not votable:
        raise BadRequest(
            "Support can be shown for goals and for proposed activities.", code="not_votable"
        )
    return section


async def vote_counts(
    session: AsyncSession, member: Member, section_id: str, item_ids: Sequence[str] | None
) -> list[VoteCounts]:
    query = select(Vote.item_id, Vote.party, Vote.user_id).where(Vote.section_id == section_id)
    if item_ids is not None:
        query = query.where(Vote.item_id.in_(item_ids))
    counts: dict[str, VoteCounts] = {}
    for item_id in item_ids or []:
        counts[item_id] = VoteCounts(
            section_id=section_id,
            item_id=item_id,
            counts={"supplier": 0, "customer": 0},
            mine=False,
        )
    for item_id, party, user_id in await session.execute(query):
        entry = counts.setdefault(
            item_id,
            VoteCounts(
                section_id=section_id,
                item_id=item_id,
                counts={"supplier": 0, "customer": 0},
                mine=False,
            ),
        )
        entry.counts[party] = entry.counts.get(party, 0) + 1
        entry.mine = entry.mine or user_id == member.user_id
    return list(counts.values())


async def _publish_votes(
    session: AsyncSession, member: Member, section: Section, item_id: str
) -> VoteCounts:
    await session.flush()
    counts = (await vote_counts(session, member, section.id, [item_id]))[0]
    await stream_service.publish(
        session,
        plan_id=member.plan_id,
        type="vote.changed",
        payload={"section_id": section.id, "item_id": item_id, "counts": counts.counts},
        visibility=section.visibility,
        section_id=section.id,
    )
    return counts


async def vote(session: AsyncSession, member: Member, section_id: str, item_id: str) -> VoteCounts:
    section = await _votable_section(session, member, section_id, item_id)
    existing = await session.scalar(
        select(Vote).where(
            Vote.section_id == section.id, Vote.item_id == item_id, Vote.user_id == member.user_id
        )
    )
    if existing is None:
        session.add(
            Vote(
                plan_id=member.plan_id,
                section_id=section.id,
                item_id=item_id,
                user_id=member.user_id,
                party=member.party,
            )
        )
    return await _publish_votes(session, member, section, item_id)


async def unvote(
    session: AsyncSession, member: Member, section_id: str, item_id: str
) -> VoteCounts:
    section = await plans_service.get_readable_section(session, member, section_id)
    existing = await session.scalar(
        select(Vote).where(
            Vote.section_id == section.id, Vote.item_id == item_id, Vote.user_id == member.user_id
        )
    )
    if existing is not None:
        await session.delete(existing)
    return await _publish_votes(session, member, section, item_id)


# ---- notifications ---------------------------------------------------------------------


async def notifications_for(
    session: AsyncSession, user: User, *, unread_only: bool, limit: int
) -> tuple[list[NotificationRead], int]:
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
    visible = [r for r in rows if can_see(r[3], r[1], r[2])]
    unread = sum(1 for r in visible if r[0].read_at is None)
    actors = {
        u.id: u
        for u in await session.scalars(
            select(User).where(User.id.in_({r[0].actor_id for r in visible if r[0].actor_id}))
        )
    }
    items = [
        NotificationRead(
            id=n.id,
            plan_id=n.plan_id,
            plan_title=plan.title,
            kind=n.kind,
            thread_id=n.thread_id,
            comment_id=n.comment_id,
            actor=_person(actors.get(n.actor_id or "")),
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
    level = await session.scalar(
        select(NotificationSetting.level).where(
            NotificationSetting.plan_id == member.plan_id,
            NotificationSetting.user_id == member.user_id,
        )
    )
    return level or DEFAULT_LEVEL


async def set_level(session: AsyncSession, member: Member, level: str) -> str:
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
