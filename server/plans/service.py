import hmac
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from server import activity, events, mail
from server.audit import service as audit_service
from server.audit.models import AuditEvent
from server.auth import service as auth_service
from server.auth.models import User
from server.auth.throttle import LoginThrottle
from server.config import Settings
from server.db import utcnow
from server.errors import BadRequest, Conflict, Forbidden, Gone, NotFound, TooManyRequests
from server.plans import policy
from server.plans.models import Invitation, Member, Plan, Section
from server.plans.schemas import (
    InvitationCreate,
    MemberUpdate,
    PlanCreate,
    PlanUpdate,
    SectionCreate,
    SectionUpdate,
)
from server.plans.templates import TEMPLATES

log = logging.getLogger(__name__)

# No position: a stored position counts the sections the reader cannot see.
SECTION_FIELDS = ("key", "title", "kind", "horizon", "owner", "visibility")
MEMBER_FIELDS = ("user_id", "party", "role", "signatory")


def snapshot(row: Any, fields: Sequence[str]) -> dict[str, Any]:
    """These fields of a row, for an audit row's before or after."""
    return {name: getattr(row, name) for name in fields}


def section_snapshot(section: Section) -> dict[str, Any]:
    """What an audit row records of a section."""
    return snapshot(section, SECTION_FIELDS)


# ---- plans -----------------------------------------------------------------------------


async def create_plan(session: AsyncSession, user: User, body: PlanCreate) -> tuple[Plan, Member]:
    """Create a plan from a template; the creator is a facilitator and supplier signatory."""
    plan = Plan(
        title=body.title,
        supplier_name=body.supplier_name,
        customer_name=body.customer_name,
        language=body.language,
        created_by_id=user.id,
    )
    session.add(plan)
    await session.flush()
    member = Member(
        plan_id=plan.id, user_id=user.id, party="supplier", role="facilitator", signatory=True
    )
    session.add(member)
    for position, template in enumerate(TEMPLATES[body.template]):
        session.add(
            Section(
                plan_id=plan.id,
                key=template.key,
                title=template.title[body.language],
                kind=template.kind,
                horizon=template.horizon,
                owner=template.owner,
                visibility=template.visibility,
                position=position,
                help=template.help[body.language],
            )
        )
    await session.flush()
    await activity.record(
        session,
        "plan.create",
        plan_id=plan.id,
        actor_id=user.id,
        target_type="plan",
        target_id=plan.id,
        after={"title": plan.title, "template": body.template},
    )
    return plan, member


async def get_membership(session: AsyncSession, plan_id: str, user_id: str) -> Member | None:
    """The user's membership of the plan, if any."""
    return await session.scalar(
        select(Member).where(Member.plan_id == plan_id, Member.user_id == user_id)
    )


async def get_plan_for_member(
    session: AsyncSession, plan_id: str, user_id: str
) -> tuple[Plan, Member]:
    """The plan and the caller's membership; 404 for anyone who is not a member."""
    row = (
        await session.execute(
            select(Plan, Member)
            .join(Member, Member.plan_id == Plan.id)
            .where(Plan.id == plan_id, Member.user_id == user_id)
        )
    ).first()
    if row is None:
        raise NotFound("Plan not found.", code="plan_not_found")
    plan, member = row
    return plan, member


async def list_plans(
    session: AsyncSession, user: User, *, archived: bool
) -> list[tuple[Plan, Member, int]]:
    """The user's plans (archived or not) with their membership and head count."""
    counts = select(Member.plan_id, func.count().label("n")).group_by(Member.plan_id).subquery()
    query = (
        select(Plan, Member, counts.c.n)
        .join(Member, Member.plan_id == Plan.id)
        .join(counts, counts.c.plan_id == Plan.id)
        .where(Member.user_id == user.id)
        .where(Plan.archived_at.is_not(None) if archived else Plan.archived_at.is_(None))
        .order_by(Plan.updated_at.desc())
    )
    return [(row[0], row[1], row[2]) for row in (await session.execute(query)).all()]


async def member_count(session: AsyncSession, plan_id: str) -> int:
    """How many members the plan has."""
    return (await session.scalar(select(func.count()).where(Member.plan_id == plan_id))) or 0


async def census(session: AsyncSession, plan_id: str, *, lock: bool = False) -> policy.Census:
    """The plan's head count per party and role. With `lock`, member and section changes of
    the plan wait for each other, so that two at once cannot both count the other's last
    facilitator as spare."""
    if lock:
        # A write that changes nothing: a row lock on PostgreSQL, and on SQLite the write
        # lock taken as the transaction's first statement (a SELECT … FOR UPDATE would be
        # ignored there), so the count below is read after the other change committed.
        await session.execute(
            update(Plan)
            .where(Plan.id == plan_id)
            .values(updated_at=Plan.updated_at)
            .execution_options(synchronize_session=False)
        )
    rows = await session.execute(
        select(Member.party, Member.role, func.count())
        .where(Member.plan_id == plan_id)
        .group_by(Member.party, Member.role)
    )
    return policy.Census.of((party, role, n) for party, role, n in rows.all())


def touch(plan: Plan) -> None:
    """Mark the plan changed now (the plan list orders by it)."""
    plan.updated_at = utcnow()


async def update_plan(session: AsyncSession, plan: Plan, actor: Member, body: PlanUpdate) -> Plan:
    """Rename the plan or its parties (a facilitator; not while archived)."""
    policy.ensure_open(plan)
    fields = body.model_dump(exclude_unset=True, exclude_none=True)
    before = snapshot(plan, list(fields))
    for name, value in fields.items():
        setattr(plan, name, value)
    touch(plan)
    # Events name what changed (ids only): the open screens fetch what they may read.
    await activity.record(
        session,
        "plan.update",
        plan_id=plan.id,
        actor_id=actor.user_id,
        target_type="plan",
        target_id=plan.id,
        before=before,
        after=fields,
        event=activity.Event("plan.updated"),
    )
    return plan


async def set_archived(session: AsyncSession, plan: Plan, actor: Member, archived: bool) -> Plan:
    """Archive the plan or bring it back; access is re-checked everywhere."""
    if policy.is_archived(plan) == archived:
        return plan
    plan.archived_at = utcnow() if archived else None
    await events.access_changed(session, plan.id)
    await activity.record(
        session,
        "plan.archive" if archived else "plan.unarchive",
        plan_id=plan.id,
        actor_id=actor.user_id,
        target_type="plan",
        target_id=plan.id,
        event=activity.Event("plan.archived" if archived else "plan.unarchived"),
    )
    return plan


# ---- sections --------------------------------------------------------------------------


async def list_sections(session: AsyncSession, plan_id: str) -> Sequence[Section]:
    """Every section of the plan in stored order, hidden ones included."""
    result = await session.scalars(
        select(Section).where(Section.plan_id == plan_id).order_by(Section.position, Section.id)
    )
    return result.all()


def readable_sections(member: Member, sections: Sequence[Section]) -> list[Section]:
    """The sections the member may read, in order."""
    return [s for s in sections if policy.can_read(member, s)]


def reader_positions(member: Member, sections: Sequence[Section]) -> dict[str, int]:
    """Each readable section's place among those the member can read (0, 1, 2, …): stored
    positions have gaps where the other party's internal sections sit."""
    return {s.id: i for i, s in enumerate(readable_sections(member, sections))}


async def get_readable_section(session: AsyncSession, member: Member, section_id: str) -> Section:
    """A section of the member's plan that they may read; 404 otherwise, whichever it is."""
    section = await session.get(Section, section_id)
    if section is None or section.plan_id != member.plan_id or not policy.can_read(member, section):
        raise NotFound("Section not found.", code="section_not_found")
    return section


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
    return slug[:48] or "section"


def _new_key(title: str, taken: set[str]) -> str:
    """The slug of the title with a random suffix. Keys are unique in the plan, hidden
    sections included, so a key de-duplicated against existing ones ("price_2") would tell
    a facilitator that a section they cannot see has that title; a random suffix looks the
    same whether or not it had to avoid anything."""
    base = _slug(title)
    while True:
        key = f"{base}_{secrets.token_hex(3)}"
        if key not in taken:
            return key


async def create_section(
    session: AsyncSession, plan: Plan, actor: Member, body: SectionCreate
) -> Section:
    """Add a section at the end of the plan (one the actor can see)."""
    policy.ensure_open(plan)
    if body.kind == "goals" and body.horizon is None:
        raise BadRequest("A goals section needs a horizon.", code="horizon_required")
    section = Section(
        plan_id=plan.id,
        title=body.title,
        kind=body.kind,
        horizon=body.horizon,
        owner=body.owner,
        visibility=body.visibility,
        help=body.help,
        position=0,
        key="",
    )
    if not policy.can_manage_section(actor, section):
        raise Forbidden(
            "You would not be able to see this section yourself.", code="visibility_forbidden"
        )
    existing = await list_sections(session, plan.id)
    section.key = _new_key(body.title, {s.key for s in existing})
    section.position = max((s.position for s in existing), default=-1) + 1
    session.add(section)
    await session.flush()
    touch(plan)
    # Seen only by those who can see the section.
    after = section_snapshot(section)
    await activity.record(
        session,
        "section.create",
        plan_id=plan.id,
        section_id=section.id,
        actor_id=actor.user_id,
        target_type="section",
        target_id=section.id,
        audience=event_visibility(after),
        after=after,
        event=activity.Event("section.created", {"section_id": section.id}),
    )
    return section


async def update_section(
    session: AsyncSession, plan: Plan, actor: Member, section: Section, body: SectionUpdate
) -> Section:
    """Change a section's fields; owner and visibility within the party rules."""
    policy.ensure_open(plan)
    fields = body.model_dump(exclude_unset=True)
    for name in ("title", "owner", "visibility"):
        if name in fields and fields[name] is None:
            fields.pop(name)
    if not fields:
        return section
    if "owner" in fields or "visibility" in fields:
        after = policy.SectionState(
            fields.get("owner", section.owner), fields.get("visibility", section.visibility)
        )
        if not policy.can_manage_section(actor, after):
            raise Forbidden(
                "You would not be able to see this section yourself; "
                "only the other party makes its internal sections.",
                code="visibility_forbidden",
            )
        counts = await census(session, plan.id, lock=True)
        if not policy.may_change_section_access(actor, section, after, counts):
            raise Forbidden(
                "The other party owns this section, alone or with you: only its facilitators "
                "can change who may see or edit it.",
                code="section_protected",
            )
    before = section_snapshot(section)
    for name, value in fields.items():
        setattr(section, name, value)
    if section.kind == "goals" and section.horizon is None:
        raise BadRequest("A goals section needs a horizon.", code="horizon_required")
    await session.flush()
    touch(plan)
    if "owner" in fields or "visibility" in fields:
        await events.access_changed(session, plan.id)
    # Seen only by those who could see the section before or can see it now.
    changed = section_snapshot(section)
    await activity.record(
        session,
        "section.update",
        plan_id=plan.id,
        section_id=section.id,
        actor_id=actor.user_id,
        target_type="section",
        target_id=section.id,
        audience=event_visibility(before, changed),
        before=before,
        after=changed,
        event=activity.Event("section.updated", {"section_id": section.id}),
    )
    return section


async def delete_section(
    session: AsyncSession, plan: Plan, actor: Member, section: Section
) -> None:
    """Remove a section (not one the other party has a stake in)."""
    policy.ensure_open(plan)
    if not policy.may_delete_section(actor, section, await census(session, plan.id, lock=True)):
        raise Forbidden(
            "The other party owns this section, alone or with you: only its facilitators "
            "can remove it (or hand it to your party first).",
            code="section_protected",
        )
    before = section_snapshot(section)
    await session.delete(section)
    await session.flush()
    touch(plan)
    await events.access_changed(session, plan.id)
    # Seen only by those who could see the section.
    await activity.record(
        session,
        "section.delete",
        plan_id=plan.id,
        section_id=section.id,
        actor_id=actor.user_id,
        target_type="section",
        target_id=section.id,
        audience=event_visibility(before),
        before=before,
        event=activity.Event("section.deleted", {"section_id": section.id}),
    )


async def reorder_sections(
    session: AsyncSession, plan: Plan, actor: Member, section_ids: list[str]
) -> Sequence[Section]:
    """Order the sections the actor can see; sections they cannot see keep their slots."""
    policy.ensure_open(plan)
    sections = await list_sections(session, plan.id)
    visible = readable_sections(actor, sections)
    if sorted(section_ids) != sorted(s.id for s in visible):
        raise BadRequest(
            "Give every section of the plan exactly once.", code="section_order_mismatch"
        )
    # Visible sections take the visible sections' slots in the new order, so the position of
    # a section the actor cannot see is neither revealed nor disturbed.
    slots = [s.position for s in visible]
    by_id = {s.id: s for s in visible}
    before = [s.id for s in visible]
    for slot, section_id in zip(slots, section_ids, strict=True):
        by_id[section_id].position = slot
    await session.flush()
    touch(plan)
    # The other party hears of it when the order of what it reads (the shared sections)
    # changed; a move among one party's internal sections stays with that party.
    audience = event_visibility(*visible)
    shared_before = [sid for sid in before if policy.is_shared(by_id[sid])]
    shared_after = [sid for sid in section_ids if policy.is_shared(by_id[sid])]
    others = policy.others_hear_of(audience, shared_before != shared_after)
    await activity.record(
        session,
        "section.reorder",
        plan_id=plan.id,
        actor_id=actor.user_id,
        target_type="plan",
        target_id=plan.id,
        audience=audience,
        before={"order": before},
        after={"order": section_ids},
        event=activity.Event("section.reordered"),
        notice=activity.Notice(others) if others is not None else None,
    )
    return await list_sections(session, plan.id)


# ---- members ---------------------------------------------------------------------------


async def list_members(session: AsyncSession, plan_id: str) -> Sequence[Member]:
    """The plan's members with their accounts and inviters, supplier first."""
    result = await session.scalars(
        select(Member)
        .where(Member.plan_id == plan_id)
        .options(selectinload(Member.user), selectinload(Member.inviter))
        .order_by(Member.party.desc(), Member.created_at)
    )
    return result.all()


async def get_member(session: AsyncSession, plan_id: str, member_id: str) -> Member:
    """A member of the plan; 404 otherwise."""
    member = await session.scalar(
        select(Member)
        .where(Member.id == member_id, Member.plan_id == plan_id)
        .options(selectinload(Member.user), selectinload(Member.inviter))
    )
    if member is None:
        raise NotFound("Member not found.", code="member_not_found")
    return member


def _ensure_keeps_facilitator(member: Member, new_role: str | None, counts: policy.Census) -> None:
    if not policy.keeps_a_facilitator(member, new_role, counts):
        raise Conflict(
            "Each party keeps at least one facilitator; make someone else of this party "
            "facilitator first.",
            code="last_facilitator",
        )


async def update_member(
    session: AsyncSession, plan: Plan, actor: Member, member: Member, body: MemberUpdate
) -> Member:
    """Change a member's role or signatory flag (a facilitator of the member's party)."""
    fields = body.model_dump(exclude_unset=True, exclude_none=True)
    if "party" in fields:
        if policy.party_is_fixed(member, fields["party"]):
            raise Conflict(
                "A member's party cannot change. Remove them and invite them again "
                "into the other party.",
                code="party_fixed",
            )
        del fields["party"]
    counts = await census(session, plan.id, lock=True)
    if not policy.may_manage_member(actor, member, counts):
        raise Forbidden(
            "Only a facilitator of this member's own party can change their role or "
            "signatory flag.",
            code="other_party_member",
        )
    if not fields:
        return member
    if "role" in fields:
        _ensure_keeps_facilitator(member, fields["role"], counts)
    before = snapshot(member, MEMBER_FIELDS)
    await events.access_changed(session, plan.id)
    for name, value in fields.items():
        setattr(member, name, value)
    await session.flush()
    touch(plan)
    await activity.record(
        session,
        "member.update",
        plan_id=plan.id,
        actor_id=actor.user_id,
        target_type="member",
        target_id=member.id,
        before=before,
        after=snapshot(member, MEMBER_FIELDS),
        event=activity.Event("member.updated", {"member_id": member.id}),
    )
    return member


async def remove_member(session: AsyncSession, plan: Plan, actor: Member, member: Member) -> None:
    """Remove a member (a facilitator of their party), or leave the plan (anyone)."""
    counts = await census(session, plan.id, lock=True)
    if not policy.may_remove_member(actor, member, counts):
        raise Forbidden(
            "Only a facilitator of this member's own party can remove them.",
            code="other_party_member",
        )
    _ensure_keeps_facilitator(member, None, counts)
    before = snapshot(member, MEMBER_FIELDS)
    await events.access_changed(session, plan.id)
    await session.delete(member)
    await session.flush()
    touch(plan)
    await activity.record(
        session,
        "member.remove",
        plan_id=plan.id,
        actor_id=actor.user_id,
        target_type="member",
        target_id=member.id,
        before=before,
        event=activity.Event("member.removed", {"member_id": member.id}),
    )


# ---- invitations -----------------------------------------------------------------------


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


@dataclass(frozen=True)
class InvitationSent:
    invitation: Invitation
    secret: str
    url: str
    code: str
    emailed: bool


async def invite(
    session: AsyncSession, settings: Settings, plan: Plan, actor: Member, body: InvitationCreate
) -> InvitationSent:
    """Invite someone and email them the link and code (when SMTP is set up)."""
    invitation, secret, code = await create_invitation(
        session, plan, actor, body, timedelta(days=settings.invitation_days)
    )
    return await _send_invitation(settings, plan, invitation, secret, code)


async def _send_invitation(
    settings: Settings, plan: Plan, invitation: Invitation, secret: str, code: str
) -> InvitationSent:
    url = f"{settings.base_url.rstrip('/')}/invite/{secret}"
    emailed = await mail.send(
        settings,
        to=invitation.email,
        subject=f"You are invited to the key-account plan “{plan.title}”",
        body=(
            f"You are invited to plan together: {plan.title} "
            f"({plan.supplier_name} and {plan.customer_name}).\n\n"
            f"Open this link to join: {url}\nYour one-time code: {code}\n\n"
            f"The link can be used once and expires on {invitation.expires_at:%Y-%m-%d}."
        ),
    )
    if not emailed:
        # No mail server: the facilitator passes the link on from the response. The link and
        # code are never logged: whoever reads the log could join the plan with them.
        log.info(
            "invitation %s to plan %s not emailed (no SMTP): shown to the facilitator",
            invitation.id,
            plan.id,
        )
    return InvitationSent(invitation, secret, url, code, emailed)


async def create_invitation(
    session: AsyncSession, plan: Plan, actor: Member, body: InvitationCreate, ttl: timedelta
) -> tuple[Invitation, str, str]:
    """A single-use, expiring invitation; returns it with its link secret and one-time code."""
    if not policy.may_invite(actor, body.party, await census(session, plan.id)):
        raise Forbidden(
            "The other party has its own facilitator: they invite their people.",
            code="other_party_invitation",
        )
    email = auth_service.normalize_email(body.email)
    existing = await session.scalar(
        select(Member.id)
        .join(User, User.id == Member.user_id)
        .where(Member.plan_id == plan.id, User.email == email)
    )
    if existing is not None:
        raise Conflict("This person is already a member of the plan.", code="already_member")
    secret = auth_service.new_secret("inv_")
    code = _new_code()
    invitation = Invitation(
        plan_id=plan.id,
        email=email,
        party=body.party,
        role=body.role,
        signatory=body.signatory,
        token_hash=auth_service.hash_secret(secret),
        code_hash=auth_service.hash_secret(code + secret),
        invited_by_id=actor.user_id,
        inviter_party=actor.party,
        expires_at=utcnow() + ttl,
    )
    session.add(invitation)
    await session.flush()
    await activity.record(
        session,
        "invitation.create",
        plan_id=plan.id,
        actor_id=actor.user_id,
        target_type="invitation",
        target_id=invitation.id,
        after={"email": email, "party": body.party, "role": body.role, "signatory": body.signatory},
    )
    return invitation, secret, code


async def list_invitations(session: AsyncSession, actor: Member) -> list[Invitation]:
    """The plan's invitations into the parties the actor may invite into, newest first."""
    counts = await census(session, actor.plan_id)
    result = await session.scalars(
        select(Invitation)
        .where(Invitation.plan_id == actor.plan_id)
        .order_by(Invitation.created_at.desc())
    )
    return [i for i in result.all() if policy.may_see_invitation(actor, i.party, counts)]


async def revoke_invitation(
    session: AsyncSession, plan: Plan, actor: Member, invitation_id: str
) -> None:
    """Withdraw an unused invitation the actor may see; 404 or 410 otherwise."""
    invitation = await session.get(Invitation, invitation_id)
    if (
        invitation is None
        or invitation.plan_id != plan.id
        or not policy.may_see_invitation(actor, invitation.party, await census(session, plan.id))
    ):
        raise NotFound("Invitation not found.", code="invitation_not_found")
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Gone("This invitation was already used or revoked.", code="invitation_gone")
    invitation.revoked_at = utcnow()
    await activity.record(
        session,
        "invitation.revoke",
        plan_id=plan.id,
        actor_id=actor.user_id,
        target_type="invitation",
        target_id=invitation.id,
        before={"party": invitation.party},
    )


async def reissue_invitation(
    session: AsyncSession, settings: Settings, plan: Plan, actor: Member, invitation_id: str
) -> InvitationSent:
    """A new link and code for an unused invitation (sent again by email when SMTP is set
    up): the earlier link and code stop working, and the new link gets a full validity."""
    invitation = await session.get(Invitation, invitation_id)
    counts = await census(session, plan.id)
    if (
        invitation is None
        or invitation.plan_id != plan.id
        or not policy.may_see_invitation(actor, invitation.party, counts)
    ):
        raise NotFound("Invitation not found.", code="invitation_not_found")
    if not policy.may_reissue_invitation(actor, invitation.party, invitation.inviter_party, counts):
        raise Forbidden(
            "Only the party that sent this invitation can issue its link again; "
            "revoke it and invite them yourself.",
            code="not_inviting_party",
        )
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Gone("This invitation was already used or revoked.", code="invitation_gone")
    if not policy.invitation_still_valid(
        invitation.inviter_party, invitation.party, invitation.role, counts
    ):
        raise Gone(
            "This party has its own facilitator now; they invite their people.",
            code="invitation_superseded",
        )
    secret = auth_service.new_secret("inv_")
    code = _new_code()
    invitation.token_hash = auth_service.hash_secret(secret)
    invitation.code_hash = auth_service.hash_secret(code + secret)
    invitation.expires_at = utcnow() + timedelta(days=settings.invitation_days)
    await session.flush()
    await activity.record(
        session,
        "invitation.reissue",
        plan_id=plan.id,
        actor_id=actor.user_id,
        target_type="invitation",
        target_id=invitation.id,
        after={"party": invitation.party, "expires_at": invitation.expires_at.isoformat()},
    )
    return await _send_invitation(settings, plan, invitation, secret, code)


async def open_invitation(session: AsyncSession, secret: str) -> tuple[Invitation, Plan]:
    """A usable invitation by its link secret: 404 if unknown, 410 if used, revoked or expired."""
    row = (
        await session.execute(
            select(Invitation, Plan)
            .join(Plan, Plan.id == Invitation.plan_id)
            .where(Invitation.token_hash == auth_service.hash_secret(secret))
            .options(selectinload(Invitation.invited_by))
        )
    ).first()
    if row is None:
        raise NotFound("This invitation link is not valid.", code="invitation_not_found")
    invitation, plan = row
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Gone(
            "This invitation has already been used or was withdrawn.", code="invitation_gone"
        )
    if invitation.expires_at <= utcnow():
        raise Gone("This invitation has expired; ask for a new one.", code="invitation_gone")
    return invitation, plan


async def preview_invitation(session: AsyncSession, secret: str) -> tuple[Invitation, Plan, bool]:
    """A usable invitation, its plan and whether its email has an account already."""
    invitation, plan = await open_invitation(session, secret)
    exists = await auth_service.get_user_by_email(session, invitation.email) is not None
    return invitation, plan, exists


async def _claim(session: AsyncSession, invitation: Invitation) -> datetime:
    """Mark the invitation used, atomically: of several accepts at once one gets it, the
    others wait for its row (PostgreSQL) or the write lock (SQLite) and then find it used."""
    now = utcnow()
    claimed = await session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(accepted_at=now)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], claimed).rowcount != 1:
        raise Gone(
            "This invitation has already been used or was withdrawn.", code="invitation_gone"
        )
    return now


async def _ensure_still_valid(session: AsyncSession, invitation: Invitation) -> None:
    counts = await census(session, invitation.plan_id, lock=True)
    if not policy.invitation_still_valid(
        invitation.inviter_party, invitation.party, invitation.role, counts
    ):
        raise Gone(
            "This party has its own facilitator now; ask them for a new invitation.",
            code="invitation_superseded",
        )


async def accept_invitation(
    session: AsyncSession,
    throttle: LoginThrottle,
    secret: str,
    *,
    user: User | None,
    name: str | None,
    password: str | None,
    code: str | None,
) -> tuple[Member, User, bool]:
    """Join the plan; creates the account when nobody is signed in.

    Returns the membership, the user and whether a session must be started for them.
    """
    # Six-digit codes are guessable without a limit on tries.
    key = f"invitation:{auth_service.hash_secret(secret)}"
    wait = throttle.retry_after_key(key) if code else 0
    if wait:
        raise TooManyRequests(
            f"Too many wrong codes. Try again in {wait} seconds.",
            code="too_many_attempts",
            headers={"Retry-After": str(wait)},
        )
    try:
        return await _accept(session, secret, user=user, name=name, password=password, code=code)
    except BadRequest as exc:
        if exc.code == "invalid_code":
            throttle.failed_key(key)
        raise


async def _accept(
    session: AsyncSession,
    secret: str,
    *,
    user: User | None,
    name: str | None,
    password: str | None,
    code: str | None,
) -> tuple[Member, User, bool]:
    invitation, plan = await open_invitation(session, secret)
    await _ensure_still_valid(session, invitation)
    if user is not None:
        if user.email != invitation.email:
            raise Forbidden(
                f"This invitation is for {invitation.email}. Sign out and open the link again.",
                code="invitation_email_mismatch",
            )
        if await get_membership(session, plan.id, user.id) is not None:
            raise Conflict("You are already a member of this plan.", code="already_member")
        new_session = False
    else:
        if not name:
            raise BadRequest("Give your name to create your account.", code="name_required")
        if await auth_service.get_user_by_email(session, invitation.email) is not None:
            raise Conflict(
                "You already have an account; sign in and open the link again.",
                code="account_exists",
            )
        if code and not password:
            expected = auth_service.hash_secret(code + secret)
            if not hmac.compare_digest(expected, invitation.code_hash):
                raise BadRequest("The code is not right.", code="invalid_code")
        elif not password:
            raise BadRequest(
                "Choose a password or enter the code you were sent.",
                code="password_or_code_required",
            )
        new_session = True
    accepted_at = await _claim(session, invitation)
    try:
        async with session.begin_nested():
            if user is None:
                assert name is not None
                user = await auth_service.create_user(
                    session, email=invitation.email, name=name, password=password or None
                )
            member = Member(
                plan_id=plan.id,
                user_id=user.id,
                party=invitation.party,
                role=invitation.role,
                signatory=invitation.signatory,
                invited_by_id=invitation.invited_by_id,
                invited_by_party=invitation.inviter_party,
            )
            session.add(member)
            invitation.accepted_at = accepted_at
            invitation.accepted_by_id = user.id
    except IntegrityError as exc:
        # The account or the membership came into being meanwhile by another way in (sign-up,
        # a second invitation): the same answers as when they were there before.
        raise Conflict(
            "You already have an account or are already a member; sign in and open the plan.",
            code="already_member",
        ) from exc
    touch(plan)
    await activity.record(
        session,
        "invitation.accept",
        plan_id=plan.id,
        actor_id=user.id,
        target_type="member",
        target_id=member.id,
        after=snapshot(member, MEMBER_FIELDS),
        event=activity.Event("member.added", {"member_id": member.id}),
    )
    return member, user, new_session


# ---- audit -----------------------------------------------------------------------------


def event_visibility(*sections: Section | dict[str, Any] | None) -> str:
    """The audience of an event that mentions these sections (or their recorded states)."""
    return policy.audience_of(
        *(
            None
            if state is None
            else str(state["visibility"])
            if isinstance(state, dict)
            else state.visibility
            for state in sections
        )
    )


async def _invitation_parties(session: AsyncSession, rows: Sequence[AuditEvent]) -> dict[int, str]:
    """The party each invitation row is about: recorded in the row, or (rows written before
    it was) the invitation's own."""
    parties: dict[int, str] = {}
    unknown: dict[str, list[int]] = {}
    for e in rows:
        if e.target_type != policy.INVITATION_TARGET:
            continue
        party = (e.after or {}).get("party") or (e.before or {}).get("party")
        if isinstance(party, str):
            parties[e.id] = party
        elif e.target_id:
            unknown.setdefault(e.target_id, []).append(e.id)
    if unknown:
        for invitation_id, party in await session.execute(
            select(Invitation.id, Invitation.party).where(Invitation.id.in_(unknown))
        ):
            for event_id in unknown[invitation_id]:
                parties[event_id] = party
    return parties


def redacted(event: AuditEvent) -> AuditEvent:
    """Rows written before the log kept only what changed held a comment's old and new text:
    served with its length instead (the log itself is append-only)."""
    if not event.action.startswith("comment.") or not any(
        "body" in (state or {}) for state in (event.before, event.after)
    ):
        return event
    copy = AuditEvent(**{c.key: getattr(event, c.key) for c in AuditEvent.__table__.columns})
    for name in ("before", "after"):
        state = dict(getattr(event, name) or {})
        body = state.pop("body", None)
        if isinstance(body, str):
            state["length"] = len(body)
        setattr(copy, name, state or None)
    return copy


async def audit_for_member(
    session: AsyncSession, member: Member, *, before_id: int | None, limit: int
) -> tuple[list[AuditEvent], dict[str, User], int | None]:
    """A page of the plan's audit log as the member may see it, with the actors and the next
    cursor."""
    rows = await audit_service.list_for_plan(
        session, member.plan_id, before_id=before_id, limit=limit
    )
    parties = await _invitation_parties(session, rows)
    visible = [redacted(e) for e in rows if policy.can_see_audit(member, e, parties.get(e.id))]
    actor_ids = {e.actor_id for e in visible if e.actor_id}
    users = (
        {u.id: u for u in await session.scalars(select(User).where(User.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    next_cursor = rows[-1].id if len(rows) == limit else None
    return visible, users, next_cursor
