from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from server.auth.dependencies import CurrentUser
from server.comments import markdown, notifications, threads, votes
from server.comments.schemas import (
    AnchorState,
    CommentCreate,
    CommentRead,
    CommentUpdate,
    ItemCount,
    MarkRead,
    NotificationList,
    NotificationRead,
    NotificationSettingIn,
    NotificationSettingRead,
    Revision,
    RevisionList,
    ThreadCounts,
    ThreadCreate,
    ThreadPage,
    ThreadRead,
    UnreadCount,
    VoteCounts,
    VoteIn,
    VoteList,
)
from server.db import SessionDep
from server.plans.dependencies import PlanMember
from server.schemas import Person

router = APIRouter(prefix="/api", tags=["comments"])


def comment_read(view: threads.CommentView) -> CommentRead:
    """A comment as readers see it: a deleted one keeps its place but loses its text."""
    comment = view.comment
    deleted = comment.deleted_at is not None
    return CommentRead(
        id=comment.id,
        thread_id=comment.thread_id,
        author=Person.model_validate(comment.author, from_attributes=True),
        body="" if deleted else comment.body,
        html="" if deleted else markdown.render(comment.body),
        mentions=[] if deleted else view.mentions,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        deleted=deleted,
    )


def thread_read(view: threads.ThreadView) -> ThreadRead:
    """A thread with its comments and where its anchor is now."""
    thread = view.thread
    return ThreadRead(
        id=thread.id,
        plan_id=thread.plan_id,
        section_id=thread.section_id,
        item_id=thread.item_id,
        anchor=thread.anchor,
        anchor_state=AnchorState(**view.anchor_state) if view.anchor_state else None,
        visibility=thread.visibility,
        party=thread.party,
        status=thread.status,
        author=Person.model_validate(view.author, from_attributes=True),
        created_at=thread.created_at,
        updated_at=thread.updated_at,
        resolved_at=thread.resolved_at,
        resolved_by=Person.model_validate(view.resolved_by, from_attributes=True)
        if view.resolved_by
        else None,
        comments=[comment_read(c) for c in view.comments],
    )


def vote_read(tally: votes.Tally) -> VoteCounts:
    """Support for one item."""
    return VoteCounts.model_validate(tally, from_attributes=True)


@router.post(
    "/plans/{plan_id}/threads", status_code=status.HTTP_201_CREATED, response_model=ThreadRead
)
async def create_thread(body: ThreadCreate, access: PlanMember, session: SessionDep) -> ThreadRead:
    """Open a thread on a section, an item or a text range, shared or internal to my party."""
    return thread_read(await threads.create_thread(session, access.member, body))


@router.get("/plans/{plan_id}/threads", response_model=ThreadPage)
async def list_threads(
    access: PlanMember,
    session: SessionDep,
    section_id: str | None = None,
    item_id: str | None = None,
    status: Literal["open", "resolved"] | None = None,
    author_id: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
) -> ThreadPage:
    """Threads I may see, newest first, filtered and paginated (`next_cursor`)."""
    items, next_cursor = await threads.list_threads(
        session,
        access.member,
        section_id=section_id,
        item_id=item_id,
        status=status,
        author_id=author_id,
        cursor=cursor,
        limit=limit,
    )
    return ThreadPage(items=[thread_read(v) for v in items], next_cursor=next_cursor)


@router.get("/plans/{plan_id}/threads/counts", response_model=ThreadCounts)
async def thread_counts(access: PlanMember, session: SessionDep) -> ThreadCounts:
    """Open threads per section and per item, for badges."""
    counts = await threads.open_counts(session, access.member)
    return ThreadCounts(
        sections=counts.sections,
        items=[ItemCount(section_id=s, item_id=i, open=n) for s, i, n in counts.items],
    )


@router.get("/plans/{plan_id}/threads/{thread_id}", response_model=ThreadRead)
async def get_thread(thread_id: str, access: PlanMember, session: SessionDep) -> ThreadRead:
    """One thread with its comments."""
    return thread_read(await threads.read(session, access.member, thread_id))


@router.post(
    "/plans/{plan_id}/threads/{thread_id}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentRead,
)
async def reply(
    thread_id: str, body: CommentCreate, access: PlanMember, session: SessionDep
) -> CommentRead:
    """Reply to a thread."""
    return comment_read(
        await threads.reply(session, access.member, thread_id, body.body, body.reply_to)
    )


@router.patch(
    "/plans/{plan_id}/threads/{thread_id}/comments/{comment_id}", response_model=CommentRead
)
async def edit_comment(
    thread_id: str,
    comment_id: str,
    body: CommentUpdate,
    access: PlanMember,
    session: SessionDep,
) -> CommentRead:
    """Edit my comment; earlier versions stay in its history."""
    return comment_read(
        await threads.edit_comment(session, access.member, thread_id, comment_id, body.body)
    )


@router.delete(
    "/plans/{plan_id}/threads/{thread_id}/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_comment(
    thread_id: str, comment_id: str, access: PlanMember, session: SessionDep
) -> None:
    """Delete a comment (its author, or a facilitator); it shows as deleted."""
    await threads.delete_comment(session, access.member, thread_id, comment_id)


@router.get(
    "/plans/{plan_id}/threads/{thread_id}/comments/{comment_id}/history",
    response_model=RevisionList,
)
async def comment_history(
    thread_id: str, comment_id: str, access: PlanMember, session: SessionDep
) -> RevisionList:
    """Earlier versions of an edited comment, oldest first."""
    rows, readable = await threads.revisions(session, access.member, thread_id, comment_id)
    return RevisionList(
        items=[
            Revision(body=r.body if readable else None, length=len(r.body), created_at=r.created_at)
            for r in rows
        ]
    )


@router.post("/plans/{plan_id}/threads/{thread_id}/resolve", response_model=ThreadRead)
async def resolve_thread(thread_id: str, access: PlanMember, session: SessionDep) -> ThreadRead:
    """Mark a thread resolved."""
    return thread_read(await threads.set_status(session, access.member, thread_id, "resolved"))


@router.post("/plans/{plan_id}/threads/{thread_id}/reopen", response_model=ThreadRead)
async def reopen_thread(thread_id: str, access: PlanMember, session: SessionDep) -> ThreadRead:
    """Open a resolved thread again."""
    return thread_read(await threads.set_status(session, access.member, thread_id, "open"))


@router.post(
    "/plans/{plan_id}/votes", status_code=status.HTTP_201_CREATED, response_model=VoteCounts
)
async def vote(body: VoteIn, access: PlanMember, session: SessionDep) -> VoteCounts:
    """Show my support for a goal or a proposed activity; returns the counts per party."""
    return vote_read(await votes.vote(session, access.member, body.section_id, body.item_id))


@router.delete("/plans/{plan_id}/votes/{section_id}/{item_id}", response_model=VoteCounts)
async def unvote(
    section_id: str, item_id: str, access: PlanMember, session: SessionDep
) -> VoteCounts:
    """Take my support back."""
    return vote_read(await votes.unvote(session, access.member, section_id, item_id))


@router.get("/plans/{plan_id}/votes", response_model=VoteList)
async def list_votes(section_id: str, access: PlanMember, session: SessionDep) -> VoteList:
    """Support per item of a section, counted per party."""
    tallies = await votes.section_counts(session, access.member, section_id)
    return VoteList(items=[vote_read(t) for t in tallies])


@router.get("/plans/{plan_id}/notification-settings", response_model=NotificationSettingRead)
async def get_notification_settings(
    access: PlanMember, session: SessionDep
) -> NotificationSettingRead:
    """What I am notified about in this plan: all, mentions (default) or none."""
    return NotificationSettingRead(level=await notifications.get_level(session, access.member))


@router.put("/plans/{plan_id}/notification-settings", response_model=NotificationSettingRead)
async def set_notification_settings(
    body: NotificationSettingIn, access: PlanMember, session: SessionDep
) -> NotificationSettingRead:
    """Choose what I am notified about in this plan."""
    await notifications.set_level(session, access.member, body.level)
    return NotificationSettingRead(level=body.level)


@router.get("/notifications", response_model=NotificationList)
async def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NotificationList:
    """My inbox across plans, newest first, with the unread count."""
    items, unread = await notifications.notifications_for(
        session, user, unread_only=unread_only, limit=limit
    )
    return NotificationList(
        items=[NotificationRead.model_validate(n, from_attributes=True) for n in items],
        unread=unread,
    )


@router.post("/notifications/read", response_model=UnreadCount)
async def mark_notifications_read(
    body: MarkRead, user: CurrentUser, session: SessionDep
) -> UnreadCount:
    """Mark some (`ids`) or all (`all: true`) of my notifications read."""
    return UnreadCount(unread=await notifications.mark_read(session, user, body.ids, body.all))
