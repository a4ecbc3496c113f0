from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from server.auth.dependencies import CurrentUser
from server.comments import service
from server.comments.schemas import (
    CommentCreate,
    CommentRead,
    CommentUpdate,
    MarkRead,
    NotificationList,
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
from server.plans import service as plans_service
from server.plans.dependencies import PlanMember

router = APIRouter(prefix="/api", tags=["comments"])


@router.post(
    "/plans/{plan_id}/threads", status_code=status.HTTP_201_CREATED, response_model=ThreadRead
)
async def create_thread(body: ThreadCreate, access: PlanMember, session: SessionDep) -> ThreadRead:
    """Open a thread on a section, an item or a text range, shared or internal to my party."""
    thread = await service.create_thread(session, access.member, body)
    section = await plans_service.get_readable_section(session, access.member, body.section_id)
    return await service.thread_read(session, thread, section)


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
    items, next_cursor = await service.list_threads(
        session,
        access.member,
        section_id=section_id,
        item_id=item_id,
        status=status,
        author_id=author_id,
        cursor=cursor,
        limit=limit,
    )
    return ThreadPage(items=items, next_cursor=next_cursor)


@router.get("/plans/{plan_id}/threads/counts", response_model=ThreadCounts)
async def thread_counts(access: PlanMember, session: SessionDep) -> ThreadCounts:
    """Open threads per section and per item, for badges."""
    return await service.open_counts(session, access.member)


@router.get("/plans/{plan_id}/threads/{thread_id}", response_model=ThreadRead)
async def get_thread(thread_id: str, access: PlanMember, session: SessionDep) -> ThreadRead:
    """One thread with its comments."""
    thread, section = await service.get_thread(session, access.member, thread_id)
    return await service.thread_read(session, thread, section)


@router.post(
    "/plans/{plan_id}/threads/{thread_id}/comments",
    status_code=status.HTTP_201_CREATED,
    response_model=CommentRead,
)
async def reply(
    thread_id: str, body: CommentCreate, access: PlanMember, session: SessionDep
) -> CommentRead:
    """Reply to a thread."""
    thread, section, comment = await service.reply(
        session, access.member, thread_id, body.body, body.reply_to
    )
    read = await service.thread_read(session, thread, section)
    return next(c for c in read.comments if c.id == comment.id)


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
    thread, section, comment = await service.edit_comment(
        session, access.member, thread_id, comment_id, body.body
    )
    read = await service.thread_read(session, thread, section)
    return next(c for c in read.comments if c.id == comment.id)


@router.delete(
    "/plans/{plan_id}/threads/{thread_id}/comments/{comment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
)
async def delete_comment(
    thread_id: str, comment_id: str, access: PlanMember, session: SessionDep
) -> None:
    """Delete a comment (its author, or a facilitator); it shows as deleted."""
    await service.delete_comment(session, access.member, thread_id, comment_id)


@router.get(
    "/plans/{plan_id}/threads/{thread_id}/comments/{comment_id}/history",
    response_model=RevisionList,
)
async def comment_history(
    thread_id: str, comment_id: str, access: PlanMember, session: SessionDep
) -> RevisionList:
    """Earlier versions of an edited comment, oldest first."""
    rows, readable = await service.revisions(session, access.member, thread_id, comment_id)
    return RevisionList(
        items=[
            Revision(body=r.body if readable else None, length=len(r.body), created_at=r.created_at)
            for r in rows
        ]
    )


@router.post("/plans/{plan_id}/threads/{thread_id}/resolve", response_model=ThreadRead)
async def resolve_thread(thread_id: str, access: PlanMember, session: SessionDep) -> ThreadRead:
    """Mark a thread resolved."""
    thread, section = await service.set_status(session, access.member, thread_id, "resolved")
    return await service.thread_read(session, thread, section)


@router.post("/plans/{plan_id}/threads/{thread_id}/reopen", response_model=ThreadRead)
async def reopen_thread(thread_id: str, access: PlanMember, session: SessionDep) -> ThreadRead:
    """Open a resolved thread again."""
    thread, section = await service.set_status(session, access.member, thread_id, "open")
    return await service.thread_read(session, thread, section)


@router.post(
    "/plans/{plan_id}/votes", status_code=status.HTTP_201_CREATED, response_model=VoteCounts
)
async def vote(body: VoteIn, access: PlanMember, session: SessionDep) -> VoteCounts:
    """Show my support for a goal or a proposed activity; returns the counts per party."""
    return await service.vote(session, access.member, body.section_id, body.item_id)


@router.delete("/plans/{plan_id}/votes/{section_id}/{item_id}", response_model=VoteCounts)
async def unvote(
    section_id: str, item_id: str, access: PlanMember, session: SessionDep
) -> VoteCounts:
    """Take my support back."""
    return await service.unvote(session, access.member, section_id, item_id)


@router.get("/plans/{plan_id}/votes", response_model=VoteList)
async def list_votes(section_id: str, access: PlanMember, session: SessionDep) -> VoteList:
    """Support per item of a section, counted per party."""
    section = await plans_service.get_readable_section(session, access.member, section_id)
    return VoteList(items=await service.vote_counts(session, access.member, section.id, None))


@router.get("/plans/{plan_id}/notification-settings", response_model=NotificationSettingRead)
async def get_notification_settings(
    access: PlanMember, session: SessionDep
) -> NotificationSettingRead:
    """What I am notified about in this plan: all, mentions (default) or none."""
    return NotificationSettingRead(level=await service.get_level(session, access.member))


@router.put("/plans/{plan_id}/notification-settings", response_model=NotificationSettingRead)
async def set_notification_settings(
    body: NotificationSettingIn, access: PlanMember, session: SessionDep
) -> NotificationSettingRead:
    """Choose what I am notified about in this plan."""
    await service.set_level(session, access.member, body.level)
    return NotificationSettingRead(level=body.level)


@router.get("/notifications", response_model=NotificationList)
async def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    unread_only: bool = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NotificationList:
    """My inbox across plans, newest first, with the unread count."""
    items, unread = await service.notifications_for(
        session, user, unread_only=unread_only, limit=limit
    )
    return NotificationList(items=items, unread=unread)


@router.post("/notifications/read", response_model=UnreadCount)
async def mark_notifications_read(
    body: MarkRead, user: CurrentUser, session: SessionDep
) -> UnreadCount:
    """Mark some (`ids`) or all (`all: true`) of my notifications read."""
    return UnreadCount(unread=await service.mark_read(session, user, body.ids, body.all))
