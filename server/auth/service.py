import asyncio
import hashlib
import secrets
from collections.abc import Sequence
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import activity, events
from server.auth.models import AccessToken, User
from server.auth.passwords import check_password
from server.auth.throttle import LoginThrottle
from server.config import Settings
from server.db import utcnow
from server.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized
from server.plans import policy

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
TOKEN_PREFIX = "jp_"
_LAST_USED_RESOLUTION = timedelta(minutes=5)


def normalize_email(email: str) -> str:
    """The form emails are stored and compared in: trimmed, lower case."""
    return email.strip().lower()


async def hash_password(password: str) -> str:
    """The Argon2 hash of a password, computed off the event loop."""
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches the hash (False for a missing or broken hash)."""

    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def hash_secret(secret: str) -> str:
    """The stored form of a token, link or code secret (SHA-256)."""
    # Secrets are 256 random bits, so a plain SHA-256 is enough to make a stolen table useless.
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret(prefix: str = TOKEN_PREFIX) -> str:
    """A fresh random secret with its kind's prefix."""
    return prefix + secrets.token_urlsafe(32)


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    """The account with this email, if any."""
    return await session.scalar(select(User).where(User.email == normalize_email(email)))


async def create_user(
    session: AsyncSession, *, email: str, name: str, password: str | None
) -> User:
    """Create an account; 409 if the email is taken."""
    if await get_user_by_email(session, email) is not None:
        raise Conflict("An account with this email already exists.", code="email_taken")
    if password is not None:
        check_password(password, email=email)
    user = User(
        email=normalize_email(email),
        name=name,
        password_hash=await hash_password(password) if password else None,
    )
    session.add(user)
    await session.flush()
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    """The user with this email and password, or None; as slow for an unknown email."""
    user = await get_user_by_email(session, email)
    ok = await verify_password(user.password_hash if user else None, password)
    return user if ok else None


async def sign_in(
    session: AsyncSession, throttle: LoginThrottle, *, email: str, password: str, address: str
) -> User:
    """The user with this email and password, through the throttle (429 while it says wait)."""
    account = normalize_email(email)
    wait = throttle.retry_after(account, address)
    if wait:
        raise TooManyRequests(
            f"Too many failed sign-ins. Try again in {wait} seconds.",
            code="too_many_attempts",
            headers={"Retry-After": str(wait)},
        )
    # Counted before the (slow) check, so parallel guesses cannot all pass the throttle.
    throttle.failed(account, address)
    user = await authenticate(session, email, password)
    if user is None:
        raise Unauthorized("Email or password is wrong.", code="invalid_credentials")
    throttle.succeeded(account, address)
    return user


async def issue_token(
    session: AsyncSession,
    user: User,
    *,
    kind: str,
    name: str = "",
    ttl: timedelta | None,
) -> tuple[AccessToken, str]:
    """Create a session or personal token; the secret is returned once and never stored."""
    secret = new_secret()
    token = AccessToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=hash_secret(secret),
        expires_at=utcnow() + ttl if ttl else None,
    )
    session.add(token)
    await session.flush()
    return token, secret


async def sign_up(
    session: AsyncSession, settings: Settings, *, email: str, name: str, password: str
) -> User:
    """Create an account where sign-up is allowed (403 signup_disabled elsewhere)."""
    if not settings.allow_signup:
        raise Forbidden(
            "Sign-up is disabled on this server; ask for an invitation.", code="signup_disabled"
        )
    user = await create_user(session, email=email, name=name, password=password)
    await activity.record(
        session, "user.signup", actor_id=user.id, target_type="user", target_id=user.id
    )
    return user


async def create_personal_token(
    session: AsyncSession, user: User, *, name: str, expires_in_days: int | None
) -> tuple[AccessToken, str]:
    """A personal access token for API and WebSocket clients; the secret is returned once."""
    ttl = timedelta(days=expires_in_days) if expires_in_days else None
    token, secret = await issue_token(session, user, kind="personal", name=name, ttl=ttl)
    await activity.record(
        session,
        "token.create",
        actor_id=user.id,
        target_type="access_token",
        target_id=token.id,
        after={"name": token.name},
    )
    return token, secret


async def revoke_session(session: AsyncSession, user: User, token_id: str) -> None:
    """Sign out one of the user's sessions (404 if it is not theirs or already ended)."""
    if await revoke_token(session, user, token_id) is None:
        raise NotFound("No such session.")


async def revoke_personal_token(session: AsyncSession, user: User, token_id: str) -> None:
    """Revoke one of the user's tokens (404 if it is not theirs or already revoked)."""
    token = await revoke_token(session, user, token_id)
    if token is None:
        raise NotFound("No such token.")
    await activity.record(
        session,
        "token.revoke",
        actor_id=user.id,
        target_type="access_token",
        target_id=token.id,
    )


async def resolve_token(session: AsyncSession, secret: str) -> tuple[AccessToken, User] | None:
    """The live token and its user, or None if unknown, revoked or expired."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    row = (
        await session.execute(
            select(AccessToken, User)
            .join(User, User.id == AccessToken.user_id)
            .where(AccessToken.token_hash == hash_secret(secret))
        )
    ).first()
    if row is None:
        return None
    token, user = row
    now = utcnow()
    if not policy.credential_is_live(token, now):
        return None
    if token.last_used_at is None or now - token.last_used_at > _LAST_USED_RESOLUTION:
        token.last_used_at = now
    return token, user


async def list_tokens(session: AsyncSession, user: User, kind: str) -> Sequence[AccessToken]:
    """The user's live sessions or personal tokens (`kind`), newest first."""
    now = utcnow()
    result = await session.scalars(
        select(AccessToken)
        .where(
            AccessToken.user_id == user.id,
            AccessToken.kind == kind,
            AccessToken.revoked_at.is_(None),
        )
        .order_by(AccessToken.created_at.desc())
    )
    return [t for t in result.all() if t.expires_at is None or t.expires_at > now]


async def revoke_token(session: AsyncSession, user: User, token_id: str) -> AccessToken | None:
    """Revoke one of the user's sessions or tokens; its open sockets and streams close once
    the transaction commits."""
    token = await session.get(AccessToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return None
    token.revoked_at = utcnow()
    await session.flush()
    await events.credentials_changed(session, user.id)
    return token


async def revoke_all_sessions(
    session: AsyncSession,
    user_id: str,
    *,
    keep_token_id: str | None = None,
    personal_tokens: bool = False,
) -> int:
    """Sign the user out everywhere (e.g. after a password reset): revoke every browser
    session except `keep_token_id`, and the personal tokens too if asked. Their open sockets
    and streams close once the transaction commits. Returns how many were revoked."""
    kinds = ("session", "personal") if personal_tokens else ("session",)
    statement = (
        update(AccessToken)
        .where(
            AccessToken.user_id == user_id,
            AccessToken.kind.in_(kinds),
            AccessToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if keep_token_id is not None:
        statement = statement.where(AccessToken.id != keep_token_id)
    result = await session.execute(statement)
    await events.credentials_changed(session, user_id)
    return int(getattr(result, "rowcount", 0) or 0)
