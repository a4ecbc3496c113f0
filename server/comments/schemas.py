from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from server.schemas import Person, StrictModel

MAX_BODY = 10_000

Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BODY)]
ItemId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class AnchorIn(StrictModel):
    start: Annotated[str, Field(min_length=1, max_length=1000)]
    end: Annotated[str, Field(min_length=1, max_length=1000)]
    quote: Annotated[str, Field(max_length=2000)] = ""
    field: Literal["title", "description", "notes"] | None = None


class ThreadCreate(StrictModel):
    section_id: str
    item_id: ItemId | None = None
    anchor: AnchorIn | None = None
    visibility: Literal["shared", "internal"]
    body: Body


class CommentCreate(StrictModel):
    body: Body
    # Replies are one level deep: a reply may only answer the thread's first comment.
    reply_to: str | None = None


class CommentUpdate(StrictModel):
    body: Body


class CommentRead(BaseModel):
    id: str
    thread_id: str
    author: Person
    body: str
    html: str
    mentions: list[str]
    created_at: datetime
    edited_at: datetime | None
    deleted: bool


class AnchorState(BaseModel):
    detached: bool
    quote: str | None


class ThreadRead(BaseModel):
    id: str
    plan_id: str
    section_id: str
    item_id: str | None
    anchor: dict[str, Any] | None
    anchor_state: AnchorState | None
    visibility: Literal["shared", "internal"]
    party: str
    status: Literal["open", "resolved"]
    author: Person
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolved_by: Person | None
    comments: list[CommentRead]


class ThreadPage(BaseModel):
    items: list[ThreadRead]
    next_cursor: str | None


class ItemCount(BaseModel):
    section_id: str
    item_id: str
    open: int


class ThreadCounts(BaseModel):
    sections: dict[str, int]
    items: list[ItemCount]


class Revision(BaseModel):
    # The earlier text, for the comment's author only; everyone else gets when and how long.
    body: str | None
    length: int
    created_at: datetime


class RevisionList(BaseModel):
    items: list[Revision]


class VoteIn(StrictModel):
    section_id: str
    item_id: ItemId


class VoteCounts(BaseModel):
    section_id: str
    item_id: str
    counts: dict[str, int]  # per party
    mine: bool


class VoteList(BaseModel):
    items: list[VoteCounts]


class NotificationRead(BaseModel):
    id: str
    plan_id: str
    plan_title: str
    kind: str
    thread_id: str
    comment_id: str
    actor: Person | None
    excerpt: str
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    items: list[NotificationRead]
    unread: int


class MarkRead(StrictModel):
    ids: list[str] | None = None
    all: bool = False


class UnreadCount(BaseModel):
    unread: int


class NotificationSettingIn(StrictModel):
    level: Literal["all", "mentions", "none"]


class NotificationSettingRead(BaseModel):
    level: Literal["all", "mentions", "none"]
