from datetime import timedelta

from fastapi import APIRouter, Request, Response, status

from server.audit import service as audit_service
from server.auth import service
from server.auth.dependencies import (
    SESSION_COOKIE,
    CurrentPrincipal,
    CurrentUser,
    start_session,
)
from server.auth.schemas import (
    LoginIn,
    LoginOut,
    SignupIn,
    SignupOut,
    TokenCreate,
    TokenCreated,
    TokenList,
    TokenRead,
    UserRead,
)
from server.config import SettingsDep
from server.db import SessionDep
from server.errors import Forbidden, NotFound

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=SignupOut)
async def signup(
    body: SignupIn, response: Response, session: SessionDep, settings: SettingsDep
) -> SignupOut:
    """Create an account and sign in."""
    if not settings.allow_signup:
        raise Forbidden(
            "Sign-up is disabled on this server; ask for an invitation.", code="signup_disabled"
        )
    user = await service.create_user(
        session, email=body.email, name=body.name, password=body.password
    )
    await audit_service.record(
        session, actor_id=user.id, action="user.signup", target_type="user", target_id=user.id
    )
    secret = await start_session(session, response, user, settings)
    return SignupOut(user=UserRead.model_validate(user), token=secret)


@router.post("/login", response_model=LoginOut)
async def login(
    body: LoginIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> LoginOut:
    """Sign in with email and password; sets the session cookie and returns the token."""
    user = await service.sign_in(
        session,
        request.app.state.login_throttle,
        email=body.email,
        password=body.password,
        address=request.client.host if request.client else "-",
    )
    secret = await start_session(session, response, user, settings)
    return LoginOut(token=secret, user=UserRead.model_validate(user))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(principal: CurrentPrincipal, response: Response, session: SessionDep) -> None:
    """End the current session (or revoke the token used for this call)."""
    await service.revoke_token(session, principal.user, principal.token.id)
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=UserRead)
async def me(user: CurrentUser) -> UserRead:
    """The signed-in user."""
    return UserRead.model_validate(user)


@router.get("/sessions", response_model=TokenList)
async def list_sessions(principal: CurrentPrincipal, session: SessionDep) -> TokenList:
    """My open browser sessions; `current` marks the one making this call."""
    tokens = await service.list_tokens(session, principal.user, "session")
    return TokenList(
        items=[
            TokenRead.model_validate(t).model_copy(update={"current": t.id == principal.token.id})
            for t in tokens
        ]
    )


@router.delete("/sessions/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_session(token_id: str, user: CurrentUser, session: SessionDep) -> None:
    """Sign out one of my sessions, e.g. on a lost laptop."""
    if await service.revoke_token(session, user, token_id) is None:
        raise NotFound("No such session.")


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
async def create_token(body: TokenCreate, user: CurrentUser, session: SessionDep) -> TokenCreated:
    """Create a personal access token for API and WebSocket clients; shown once."""
    ttl = timedelta(days=body.expires_in_days) if body.expires_in_days else None
    token, secret = await service.issue_token(
        session, user, kind="personal", name=body.name, ttl=ttl
    )
    await audit_service.record(
        session,
        actor_id=user.id,
        action="token.create",
        target_type="access_token",
        target_id=token.id,
        after={"name": token.name},
    )
    return TokenCreated(**TokenRead.model_validate(token).model_dump(), token=secret)


@router.get("/tokens", response_model=TokenList)
async def list_tokens(user: CurrentUser, session: SessionDep) -> TokenList:
    """My personal access tokens (without their secrets)."""
    tokens = await service.list_tokens(session, user, "personal")
    return TokenList(items=[TokenRead.model_validate(t) for t in tokens])


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_token(token_id: str, user: CurrentUser, session: SessionDep) -> None:
    """Revoke a personal access token; clients using it are refused from now on."""
    token = await service.revoke_token(session, user, token_id)
    if token is None:
        raise NotFound("No such token.")
    await audit_service.record(
        session,
        actor_id=user.id,
        action="token.revoke",
        target_type="access_token",
        target_id=token.id,
    )
