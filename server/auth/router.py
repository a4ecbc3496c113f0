from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from server import mail
from server.auth import reset, service
from server.auth.dependencies import (
    SESSION_COOKIE,
    CurrentPrincipal,
    CurrentUser,
    start_session,
)
from server.auth.schemas import (
    LoginIn,
    LoginOut,
    PasswordResetComplete,
    PasswordResetInfo,
    PasswordResetIssued,
    PasswordResetRequest,
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

router = APIRouter(prefix="/api/auth", tags=["auth"])
# The facilitator's reset link lives under the plan it is issued in.
plan_router = APIRouter(prefix="/api/plans", tags=["auth"])


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=SignupOut)
async def signup(
    body: SignupIn, response: Response, session: SessionDep, settings: SettingsDep
) -> SignupOut:
    """Create an account and sign in."""
    user = await service.sign_up(
        session, settings, email=body.email, name=body.name, password=body.password
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
    await service.revoke_session(session, user, token_id)


@router.post("/tokens", status_code=status.HTTP_201_CREATED, response_model=TokenCreated)
async def create_token(body: TokenCreate, user: CurrentUser, session: SessionDep) -> TokenCreated:
    """Create a personal access token for API and WebSocket clients; shown once."""
    token, secret = await service.create_personal_token(
        session, user, name=body.name, expires_in_days=body.expires_in_days
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
    await service.revoke_personal_token(session, user, token_id)


# ---- password reset ----------------------------------------------------------------------


@router.post("/password-reset", status_code=status.HTTP_202_ACCEPTED)
async def request_password_reset(
    body: PasswordResetRequest,
    request: Request,
    background: BackgroundTasks,
    session: SessionDep,
    settings: SettingsDep,
) -> None:
    """Email a single-use reset link, if an account has this email and SMTP is set up.

    Always 202: the answer does not say whether the account exists."""
    email = await reset.request_by_email(
        session,
        settings,
        request.app.state.login_throttle,
        body.email,
        request.client.host if request.client else "-",
    )
    if email is not None:
        # After the response, so that its timing does not tell whether an email went out.
        background.add_task(mail.send_email, settings, email)


@router.get("/password-reset/{token}", response_model=PasswordResetInfo)
async def open_password_reset(
    token: str, session: SessionDep, settings: SettingsDep
) -> PasswordResetInfo:
    """Whose password the link resets, while it can still be used."""
    link, user = await reset.open_reset(session, settings, token)
    return PasswordResetInfo(email=user.email, expires_at=link.expires_at)


@router.post("/password-reset/{token}", response_model=LoginOut)
async def complete_password_reset(
    token: str,
    body: PasswordResetComplete,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> LoginOut:
    """Choose the new password: the link is spent, every other session signed out, and a new
    one started here."""
    user = await reset.complete(session, settings, token, body.password)
    secret = await start_session(session, response, user, settings)
    return LoginOut(token=secret, user=UserRead.model_validate(user))


@plan_router.post(
    "/{plan_id}/members/{member_id}/password-reset",
    status_code=status.HTTP_201_CREATED,
    response_model=PasswordResetIssued,
)
async def issue_password_reset(
    plan_id: str, member_id: str, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> PasswordResetIssued:
    """A reset link for a member of my party, to hand over in person (servers without SMTP);
    shown once, and in the audit log without the link."""
    link, url = await reset.issue_for_member(session, settings, user, plan_id, member_id)
    return PasswordResetIssued(url=url, expires_at=link.expires_at)
