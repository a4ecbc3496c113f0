"""Who may read and write a section's live document, decided by the plans policy."""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from server.auth import service as auth_service
from server.auth.dependencies import credential_from
from server.auth.models import AccessToken
from server.collab.closecodes import CloseCode
from server.db import utcnow
from server.plans import policy
from server.plans.models import Member, Plan, Section

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Access:
    user_id: str
    user_name: str
    token_id: str
    plan_id: str
    section_id: str
    kind: str
    party: str
    can_write: bool


async def authorize(
    session: AsyncSession, connection: HTTPConnection, section_id: str
) -> Access | CloseCode:
    """The caller's access to a section, or the close code to refuse them with."""
    secret = credential_from(connection)
    resolved = await auth_service.resolve_token(session, secret) if secret else None
    if resolved is None:
        return CloseCode.UNAUTHENTICATED
    token, user = resolved
    row = (
        await session.execute(
            select(Section, Member)
            .join(Member, Member.plan_id == Section.plan_id)
            .where(Section.id == section_id, Member.user_id == user.id)
        )
    ).first()
    if row is None:
        return CloseCode.NOT_FOUND
    section, member = row
    if not policy.can_read(member, section):
        return CloseCode.NOT_FOUND
    plan = await session.get(Plan, section.plan_id)
    assert plan is not None  # the section's foreign key
    return Access(
        user_id=user.id,
        user_name=user.name,
        token_id=token.id,
        plan_id=section.plan_id,
        section_id=section.id,
        kind=section.kind,
        party=member.party,
        can_write=policy.can_write_in(member, section, plan),
    )


@dataclass(frozen=True)
class Verdict:
    read: bool
    write: bool
    # False when the session or token was revoked or expired: closed with 4401 (sign in
    # again) rather than 4403.
    signed_in: bool = True


async def recheck(
    session: AsyncSession, section_id: str, grants: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Verdict]:
    """Fresh verdicts for (user_id, token_id) pairs connected to a section: asked after every
    revocation or access change (and every 30 s) for the sockets open on it."""
    grants = list(grants)
    section = await session.get(Section, section_id)
    if section is None:
        return {g: Verdict(False, False) for g in grants}
    user_ids = {u for u, _ in grants}
    members = {
        m.user_id: m
        for m in await session.scalars(
            select(Member).where(Member.plan_id == section.plan_id, Member.user_id.in_(user_ids))
        )
    }
    now = utcnow()
    live_tokens = {
        token.id
        for token in await session.scalars(
            select(AccessToken).where(AccessToken.id.in_({t for _, t in grants}))
        )
        if policy.credential_is_live(token, now)
    }
    plan = await session.get(Plan, section.plan_id, populate_existing=True)
    verdicts = {}
    for user_id, token_id in grants:
        signed_in = token_id in live_tokens
        member = members.get(user_id) if signed_in else None
        read = policy.can_read(member, section)
        write = read and plan is not None and policy.can_write_in(member, section, plan)
        verdicts[(user_id, token_id)] = Verdict(read, write, signed_in)
    return verdicts


class Open(Protocol):
    """An open connection as the re-check sees it (collab.connection.Connection)."""

    access: Access
    can_write: bool

    @property
    def closed(self) -> bool: ...

    def close(self, code: CloseCode) -> None: ...


async def enforce(session: AsyncSession, section_id: str, conns: Sequence[Open]) -> None:
    """Apply the current rules to connections open on a section: closed when signed out
    (4401) or no longer allowed to read (4403), read-only or writable as they may now."""
    verdicts = await recheck(
        session, section_id, {(c.access.user_id, c.access.token_id) for c in conns}
    )
    for conn in conns:
        verdict = verdicts[(conn.access.user_id, conn.access.token_id)]
        if conn.closed:
            continue
        if not verdict.signed_in:
            log.info("%r: its session or token was revoked; closing", conn)
            conn.close(CloseCode.UNAUTHENTICATED)
        elif not verdict.read:
            log.info("%r lost read access; closing", conn)
            conn.close(CloseCode.ACCESS_REVOKED)
        elif conn.can_write != verdict.write:
            log.info("%r may write now: %s", conn, verdict.write)
            conn.can_write = verdict.write
