import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.auth.dependencies import CurrentPrincipal
from server.auth.models import AccessToken
from server.db import SessionDep, utcnow
from server.plans import policy
from server.plans import service as plans_service
from server.plans.dependencies import PlanMember
from server.stream import service
from server.stream.models import PlanEvent

router = APIRouter(prefix="/api", tags=["stream"])
KEEPALIVE_SECONDS = 15.0


class EventPage(BaseModel):
    items: list[dict[str, Any]]
    cursor: int


def _data(event: PlanEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "type": event.type,
        "plan_id": event.plan_id,
        "section_id": event.section_id,
        "created_at": event.created_at.isoformat(),
        **service.public_payload(event),
    }


def _frame(event: PlanEvent) -> str:
    return f"id: {event.id}\nevent: {event.type}\ndata: {json.dumps(_data(event))}\n\n"


async def _still_allowed(session: AsyncSession, token_id: str) -> bool:
    token = await session.scalar(select(AccessToken).where(AccessToken.id == token_id))
    return policy.credential_is_live(token, utcnow())


@router.get("/plans/{plan_id}/events/poll", response_model=EventPage)
async def poll_events(
    access: PlanMember,
    session: SessionDep,
    after: Annotated[int, Query(ge=0)] = 0,
) -> EventPage:
    """The same events without a stream, for clients that poll: everything after `after`."""
    batch, cursor = await service.events_after(session, access.member, after)
    return EventPage(items=[_data(e) for e in batch], cursor=cursor)


@router.get("/plans/{plan_id}/events", response_class=StreamingResponse)
async def plan_events(
    access: PlanMember,
    principal: CurrentPrincipal,
    request: Request,
    session: SessionDep,
    last_event_id: Annotated[str | None, Header()] = None,
    after: Annotated[int | None, Query(ge=0)] = None,
) -> StreamingResponse:
    """Server-Sent Events of the plan (threads, comments, votes, notifications, agreement),
    filtered by what I may read. Reconnect with `Last-Event-ID` (or `?after=`) to get what
    was missed."""
    start = after
    if start is None and last_event_id and last_event_id.isdigit():
        start = int(last_event_id)
    if start is None:
        start = await service.latest_id(session, access.plan.id)
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    hub: service.StreamHub = request.app.state.stream_hub
    plan_id, user_id, token_id = access.plan.id, principal.user.id, principal.token.id

    async def stream() -> AsyncIterator[str]:
        cursor = start
        yield "retry: 2000\n\n"
        with hub.streaming(plan_id, user_id):  # a revocation of this user's tokens wakes it
            while True:
                woken = hub.waiter(plan_id)
                # A short session per poll: the stream never holds a database connection.
                async with sessionmaker() as poll:
                    member = await plans_service.get_membership(poll, plan_id, user_id)
                    if member is None or not await _still_allowed(poll, token_id):
                        yield "event: access-revoked\ndata: {}\n\n"
                        return
                    batch, cursor_next = await service.events_after(poll, member, cursor)
                for event in batch:
                    yield _frame(event)
                if cursor_next != cursor:
                    cursor = cursor_next
                    continue
                if not await hub.wait(woken, KEEPALIVE_SECONDS):
                    yield ": keep-alive\n\n"

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
