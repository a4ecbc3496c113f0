from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from server.auth import service
from server.auth.models import AccessToken, User
from server.config import Settings
from server.db import SessionDep
from server.errors import Unauthorized

SESSION_COOKIE = "jointplan_session"


@dataclass(frozen=True)
class Principal:
    user: User
    token: AccessToken


def credential_from(connection: HTTPConnection) -> str | None:
    """The bearer secret of a request or WebSocket: header, then cookie, then `token` query."""
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    cookie = connection.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie
    if connection.scope["type"] == "websocket":
        return connection.query_params.get("token") or None
    return None


async def optional_principal(request: Request, session: SessionDep) -> Principal | None:
    secret = credential_from(request)
    if secret is None:
        return None
    resolved = await service.resolve_token(session, secret)
    if resolved is None:
        return None
    token, user = resolved
    return Principal(user=user, token=token)


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized()
    return principal


async def current_user(principal: Annotated[Principal, Depends(current_principal)]) -> User:
    return principal.user


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
CurrentUser = Annotated[User, Depends(current_user)]


async def start_session(
    session: AsyncSession, response: Response, user: User, settings: Settings
) -> str:
    """Open a browser session for the user: a server-side token plus its HttpOnly cookie."""
    ttl = timedelta(days=settings.session_days)
    _, secret = await service.issue_token(session, user, kind="session", ttl=ttl)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(ttl.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    return secret
