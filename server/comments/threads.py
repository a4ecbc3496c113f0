"""Threads and their comments: opening, replying, editing, deleting, resolving, listing.

Every act is recorded with the thread's audience (server/plans/policy.py `thread_audience`):
its audit row and its stream event reach the same people.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pycrdt import Doc
from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server import activity
from server.auth.models import User
from server.collab import service as collab_service
from server.comments import anchors, markdown, notifications
from server.comments.models import Comment, CommentRevision, Mention, Thread
from server.comments.schemas import ThreadCreate
from server.db import utcnow
from server.errors import BadRequest, Forbidden, NotFound
from server.plans import policy
from server.plans import service as plans_service
from server.plans.models import Member, Plan, Section

# ---- who may act -----------------------------------------------------------------------


async def require_comment_right(session: AsyncSession, member: Member, section: Section) -> None:
    """Refuse viewers (403 cannot_comment) and archived plans (409 plan_archived)."""
    if not policy.can_comment(member, section):
        raise Forbidden("Viewers can read but not comment.", code="cannot_comment")
    await require_open(session, member)


async def require_open(session: AsyncSession, member: Member) -> None:
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
    if row is None or not policy.can_see_thread(member, row[0], row[1]):
        raise NotFound("Thread not found.", code="thread_not_found")
    return row[0], row[1]


# ---- what a reader gets (the router turns these into responses) -------------------------


@dataclass(frozen=True)
class CommentView:
    comment: Comment
    mentions: list[str]


@dataclass(frozen=True)
class ThreadView:
    thread: Thread
    author: User
    resolved_by: User | None
    anchor_state: dict[str, Any] | None  # {"detached", "quote"}, for anchored threads
    comments: list[CommentView]


class DocCache:
    """Section documents loaded at most once per request."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.docs: dict[str, Doc[Any]] = {}

    async def get(self, section_id: str) -> Doc[Any]:
        """The section's committed document, loaded once."""
        if section_id not in self.docs:
            self.docs[section_id] = await collab_service.load_document(self.session, section_id)
        return self.docs[section_id]


async def _anchor_state(docs: DocCache, thread: Thread, section: Section) -> dict[str, Any] | None:
    """Where an anchored thread's text range is now, or that its item is gone."""
    if not thread.anchor:
        return None
    doc = await docs.get(section.id)
    item = collab_service.find_item(doc, section.kind, thread.item_id) if thread.item_id else None
    if thread.item_id and item is None:
        return {"detached": True, "quote": None}
    return anchors.resolve(doc, thread.anchor, item)


async def views(
    session: AsyncSession, threads: Sequence[tuple[Thread, Section]], docs: DocCache | None = None
) -> list[ThreadView]:
    """The threads with their comments, mentions, people and anchors, in a few queries."""
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
    # Rendered here, off the event loop, so that the response finds them cached.
    await markdown.prerender(c.body for c in comments if c.deleted_at is None)
    by_thread: dict[str, list[CommentView]] = {}
    for c in comments:
        by_thread.setdefault(c.thread_id, []).append(CommentView(c, mentions.get(c.id, [])))
    return [
        ThreadView(
            thread=thread,
            author=users[thread.author_id],
            resolved_by=users.get(thread.resolved_by_id or ""),
            anchor_state=await _anchor_state(docs, thread, section),
            comments=by_thread.get(thread.id, []),
        )
        for thread, section in threads
    ]


async def view(session: AsyncSession, thread: Thread, section: Section) -> ThreadView:
    """One thread with its comments."""
    return (await views(session, [(thread, section)]))[0]


async def read(session: AsyncSession, member: Member, thread_id: str) -> ThreadView:
    """A thread the member may see, with its comments; 404 for anything else."""
    return await view(session, *await get_thread(session, member, thread_id))


async def _comment_view(
    session: AsyncSession, thread: Thread, section: Section, comment: Comment
) -> CommentView:
    return next(
        c for c in (await view(session, thread, section)).comments if c.comment.id == comment.id
    )


# ---- threads and comments --------------------------------------------------------------


def thread_ref(thread: Thread) -> dict[str, Any]:
    """What an event says about a thread: which one, where, its state; never its text."""
    return {
        "id": thread.id,
        "section_id": thread.section_id,
        "item_id": thread.item_id,
        "status": thread.status,
        "visibility": thread.visibility,
    }


def _event(type: str, member: Member, thread: Thread, comment: Comment | None) -> activity.Event:
    """Events name the thread and comment, who and how long; readers fetch the thread for its
    text. Stored events are served again to anyone catching up (`after=0`), so a comment's
    text in an event would outlive its edit or deletion."""
    payload: dict[str, Any] = {"thread": thread_ref(thread), "actor_id": member.user_id}
    if comment is not None:
        payload["comment_id"] = comment.id
        payload["length"] = 0 if comment.deleted_at is not None else len(comment.body)
    return activity.Event(type, payload, section_id=thread.section_id)


async def create_thread(session: AsyncSession, member: Member, body: ThreadCreate) -> ThreadView:
    """Open a thread on a section, an item in it, or a text range; with its first comment."""
    section = await plans_service.get_readable_section(session, member, body.section_id)
    await require_comment_right(session, member, section)
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
    comment = await _add_comment(session, member, thread, section, body.body, new_thread=True)
    await activity.record(
        session,
        "thread.create",
        plan_id=thread.plan_id,
        section_id=section.id,
        actor_id=member.user_id,
        target_type="thread",
        target_id=thread.id,
        audience=policy.thread_audience(thread, section),
        after={"visibility": thread.visibility, "item_id": thread.item_id},
        event=_event("thread.created", member, thread, comment),
    )
    return await view(session, thread, section)


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
        if mentioned is None or not policy.can_see_thread(mentioned, thread, section):
            raise BadRequest(
                "You can only mention members of this plan who can read this thread.",
                code="mention_not_allowed",
            )


async def _add_comment(
    session: AsyncSession,
    member: Member,
    thread: Thread,
    section: Section,
    body: str,
    *,
    new_thread: bool,
) -> Comment:
    """The comment, its mentions and the notifications it causes."""
    await require_comment_right(session, member, section)
    mentioned = markdown.mentioned_user_ids(body)
    await _check_mentions(session, thread, section, mentioned)
    comment = Comment(thread_id=thread.id, author_id=member.user_id, body=body)
    session.add(comment)
    await session.flush()
    for user_id in mentioned:
        session.add(Mention(comment_id=comment.id, user_id=user_id))
    thread.updated_at = utcnow()
    await session.flush()
    await notifications.notify(session, member, thread, section, comment, mentioned, new_thread)
    return comment


async def reply(
    session: AsyncSession, member: Member, thread_id: str, body: str, reply_to: str | None
) -> CommentView:
    """Answer a thread (one level deep: `reply_to` may only be its first comment)."""
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
    comment = await _add_comment(session, member, thread, section, body, new_thread=False)
    await activity.record(
        session,
        "comment.create",
        plan_id=thread.plan_id,
        section_id=section.id,
        actor_id=member.user_id,
        target_type="comment",
        target_id=comment.id,
        audience=policy.thread_audience(thread, section),
        event=_event("comment.created", member, thread, comment),
    )
    return await _comment_view(session, thread, section, comment)


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
) -> CommentView:
    """Change my comment; the earlier text is kept in its history."""
    thread, section, comment = await _own_comment(session, member, thread_id, comment_id)
    if comment.author_id != member.user_id:
        raise Forbidden("Only the author can edit a comment.", code="not_author")
    await require_open(session, member)
    if body == comment.body:
        return await _comment_view(session, thread, section, comment)
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
    await activity.record(
        session,
        "comment.edit",
        plan_id=thread.plan_id,
        section_id=section.id,
        actor_id=member.user_id,
        target_type="comment",
        target_id=comment.id,
        audience=policy.thread_audience(thread, section),
        before={"length": len(before)},
        after={"length": len(body)},
        event=_event("comment.updated", member, thread, comment),
    )
    return await _comment_view(session, thread, section, comment)


async def delete_comment(
    session: AsyncSession, member: Member, thread_id: str, comment_id: str
) -> None:
    """Soft delete: the comment stays in place as "deleted"; its text is gone from views."""
    thread, section, comment = await _own_comment(session, member, thread_id, comment_id)
    if comment.author_id != member.user_id and not policy.can_manage(member):
        raise Forbidden("Only the author or a facilitator can delete a comment.", code="not_author")
    await require_open(session, member)
    comment.deleted_at = utcnow()
    thread.updated_at = comment.deleted_at
    await session.flush()
    await activity.record(
        session,
        "comment.delete",
        plan_id=thread.plan_id,
        section_id=section.id,
        actor_id=member.user_id,
        target_type="comment",
        target_id=comment.id,
        audience=policy.thread_audience(thread, section),
        before={"length": len(comment.body)},
        event=_event("comment.deleted", member, thread, comment),
    )


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
) -> ThreadView:
    """Resolve a thread or open it again (whoever may comment on its section)."""
    thread, section = await get_thread(session, member, thread_id)
    await require_comment_right(session, member, section)
    if thread.status == status:
        return await view(session, thread, section)
    resolved = status == "resolved"
    thread.status = status
    thread.resolved_at = utcnow() if resolved else None
    thread.resolved_by_id = member.user_id if resolved else None
    thread.updated_at = utcnow()
    await session.flush()
    await activity.record(
        session,
        "thread.resolve" if resolved else "thread.reopen",
        plan_id=thread.plan_id,
        section_id=section.id,
        actor_id=member.user_id,
        target_type="thread",
        target_id=thread.id,
        audience=policy.thread_audience(thread, section),
        event=_event("thread.resolved" if resolved else "thread.reopened", member, thread, None),
    )
    return await view(session, thread, section)


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
) -> tuple[list[ThreadView], str | None]:
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
    return await views(session, [(t, by_id[t.section_id]) for t in page]), next_cursor


@dataclass(frozen=True)
class OpenCounts:
    sections: dict[str, int]
    items: list[tuple[str, str | None, int]]  # section id, item id, open threads


async def open_counts(session: AsyncSession, member: Member) -> OpenCounts:
    """Open threads the member may see, per section and per item."""
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
    return OpenCounts(
        sections={sid: n for sid, n in per_section},
        items=[(s, i, n) for s, i, n in per_item],
    )
