"""Password reset by a single-use link: emailed on request when SMTP is configured, or issued
by a facilitator for a member of their own party when it is not (docs/frontdoor.md)."""

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import activity, mail
from server.auth import service
from server.auth.models import PasswordReset, User
from server.auth.passwords import check_password
from server.auth.throttle import LoginThrottle
from server.config import Settings
from server.db import utcnow
from server.errors import Conflict, Forbidden, Gone, NotFound, TooManyRequests
from server.plans import policy
from server.plans.models import Member

RESET_PREFIX = "jpr_"


def link_hash(settings: Settings, secret: str) -> str:
    """HMAC-SHA256 keyed with JOINTPLAN_SECRET: the stored form of a link's secret."""
    return hmac.new(settings.secret.encode(), secret.encode(), hashlib.sha256).hexdigest()


def link_url(settings: Settings, secret: str) -> str:
    """The web address of a reset link."""
    return f"{settings.base_url.rstrip('/')}/reset/{secret}"


async def _issue(
    session: AsyncSession, settings: Settings, user: User, issued_by: User | None
) -> tuple[PasswordReset, str]:
    now = utcnow()
    # A new link replaces any earlier one that is still open.
    await session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    secret = service.new_secret(RESET_PREFIX)
    reset = PasswordReset(
        user_id=user.id,
        token_hash=link_hash(settings, secret),
        issued_by_id=issued_by.id if issued_by else None,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.password_reset_minutes),
    )
    session.add(reset)
    await session.flush()
    return reset, link_url(settings, secret)


async def request_by_email(
    session: AsyncSession, settings: Settings, throttle: LoginThrottle, email: str, address: str
) -> mail.Email | None:
    """The email with a reset link for this address, or None (no such account, or no SMTP);
    429 while this address or the client asks too often."""
    keys = (f"reset:{service.normalize_email(email)}", f"reset-ip:{address}")
    wait = max(throttle.retry_after_key(k) for k in keys)
    if wait:
        raise TooManyRequests(
            f"Too many reset requests. Try again in {wait} seconds.",
            code="too_many_attempts",
            headers={"Retry-After": str(wait)},
        )
    for key in keys:
        throttle.failed_key(key)
    if not settings.smtp_enabled:
        return None
    user = await service.get_user_by_email(session, email)
    if user is None:
        return None
    _, url = await _issue(session, settings, user, None)
    await activity.record(
        session,
        "user.password_reset_requested",
        actor_id=None,
        target_type="user",
        target_id=user.id,
    )
    subject, body = reset_email(url, settings.password_reset_minutes)
    return mail.Email(to=email, subject=subject, body=body)


def reset_email(url: str, minutes: int) -> tuple[str, str]:
    """Subject and text of the reset email, in English and Norwegian."""
    subject = "Choose a new JointPlan password / Velg nytt passord i JointPlan"
    body = (
        f"Someone asked to reset the password of your JointPlan account. To choose a new one,\n"
        f"open this link within {minutes} minutes (it works once):\n\n{url}\n\n"
        "If it was not you, ignore this email; your password stays as it is.\n\n"
        f"Noen ba om å tilbakestille passordet til JointPlan-kontoen din. Åpne lenken innen\n"
        f"{minutes} minutter for å velge et nytt (den virker én gang):\n\n{url}\n\n"
        "Var det ikke deg, kan du se bort fra denne e-posten.\n"
    )
    return subject, body


async def issue_for_member(
    session: AsyncSession, settings: Settings, issuer: User, plan_id: str, member_id: str
) -> tuple[PasswordReset, str]:
    """A facilitator's reset link for a member of their own party (servers without SMTP)."""
    memberships = (await session.scalars(select(Member).where(Member.user_id == issuer.id))).all()
    if not any(m.plan_id == plan_id for m in memberships):
        raise NotFound("Plan not found.", code="plan_not_found")
    target = await session.scalar(
        select(Member).where(Member.id == member_id, Member.plan_id == plan_id)
    )
    if target is None:
        raise NotFound("Member not found.", code="member_not_found")
    if settings.smtp_enabled:
        raise Conflict(
            "This server emails reset links: ask the member to use “Forgot your password?”.",
            code="reset_by_email",
        )
    target_memberships = (
        await session.scalars(select(Member).where(Member.user_id == target.user_id))
    ).all()
    if target.user_id == issuer.id or not policy.can_issue_password_reset(
        memberships, target_memberships
    ):
        raise Forbidden(
            "Only a facilitator of the member's own party, in every plan the member belongs "
            "to, can issue them a reset link.",
            code="reset_not_allowed",
        )
    user = await session.get(User, target.user_id)
    assert user is not None  # the foreign key holds it
    reset, url = await _issue(session, settings, user, issuer)
    await activity.record(
        session,
        "member.password_reset_issued",
        plan_id=plan_id,
        actor_id=issuer.id,
        target_type="member",
        target_id=target.id,
        after={"expires_at": reset.expires_at.isoformat()},
    )
    return reset, url


async def open_reset(
    session: AsyncSession, settings: Settings, secret: str
) -> tuple[PasswordReset, User]:
    """The live reset and its user; 410 for a link that is unknown, used or expired."""
    row = None
    if secret.startswith(RESET_PREFIX) and len(secret) <= 200:
        row = (
            await session.execute(
                select(PasswordReset, User)
                .join(User, User.id == PasswordReset.user_id)
                .where(PasswordReset.token_hash == link_hash(settings, secret))
            )
        ).first()
    if row is None or row[0].used_at is not None or row[0].expires_at <= utcnow():
        raise Gone(
            "This reset link has been used or has expired; ask for a new one.",
            code="reset_link_gone",
        )
    return row[0], row[1]


async def complete(session: AsyncSession, settings: Settings, secret: str, password: str) -> User:
    """Set the new password, spend the link and sign the account out everywhere."""
    reset, user = await open_reset(session, settings, secret)
    check_password(password, email=user.email)
    # Spent first, in one statement, so two parallel uses cannot both succeed.
    spent = await session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if spent.rowcount != 1:  # type: ignore[attr-defined]
        raise Gone("This reset link has just been used.", code="reset_link_gone")
    user.password_hash = await service.hash_password(password)
    # Every browser session ends, and its open sockets and streams close after the commit.
    await service.revoke_all_sessions(session, user.id)
    await activity.record(
        session,
        "user.password_reset",
        actor_id=user.id,
        target_type="user",
        target_id=user.id,
        after={"issued_by": reset.issued_by_id},
    )
    await session.flush()
    return user
