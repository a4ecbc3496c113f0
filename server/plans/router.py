from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from server.auth.dependencies import CurrentUser, OptionalPrincipal, start_session
from server.config import SettingsDep
from server.db import SessionDep
from server.plans import policy, service
from server.plans.dependencies import PlanAccess, PlanFacilitator, PlanMember, ReadableSection
from server.plans.models import Member, Plan, Section
from server.plans.schemas import (
    AuditList,
    AuditRead,
    InvitationAccept,
    InvitationAccepted,
    InvitationCreate,
    InvitationCreated,
    InvitationList,
    InvitationPreview,
    InvitationRead,
    Inviter,
    MemberList,
    MemberRead,
    MembershipRead,
    MemberUpdate,
    PlanCreate,
    PlanList,
    PlanRead,
    PlanSummary,
    PlanUpdate,
    SectionCreate,
    SectionOrder,
    SectionRead,
    SectionUpdate,
    ServerConfig,
)
from server.schemas import Person

router = APIRouter(prefix="/api", tags=["plans"])


def section_read(
    access: PlanAccess, section: Section, position: int, counts: policy.Census
) -> SectionRead:
    """A section as this reader sees it: their write flag (the archived rule included, as the
    sync server applies it), what they may change, and its place among the sections they can
    read."""
    member = access.member
    owners, visibilities = policy.section_access_options(member, section, counts)
    return SectionRead.model_validate(section).model_copy(
        update={
            "can_write": policy.can_write_in(member, section, access.plan),
            "can_manage": policy.can_manage_section(member, section),
            "can_delete": policy.may_delete_section(member, section, counts),
            "owner_options": owners,
            "visibility_options": visibilities,
            "position": position,
        }
    )


def member_read(reader: Member, member: Member, counts: policy.Census) -> MemberRead:
    inviter = member.inviter
    return MemberRead.model_validate(member, from_attributes=True).model_copy(
        update={
            "invited_by": Inviter(id=inviter.id, name=inviter.name, party=member.invited_by_party)
            if inviter is not None
            else None,
            "role_options": policy.roles_assignable(reader, member, counts),
            "can_set_signatory": policy.may_manage_member(reader, member, counts),
            "can_remove": policy.may_remove_member(reader, member, counts)
            and policy.keeps_a_facilitator(member, None, counts),
        }
    )


async def one_section_read(
    session: SessionDep, access: PlanAccess, section: Section
) -> SectionRead:
    positions = service.reader_positions(
        access.member, await service.list_sections(session, access.plan.id)
    )
    counts = await service.census(session, access.plan.id)
    return section_read(access, section, positions.get(section.id, len(positions)), counts)


def plan_summary(plan: Plan, member: Member, count: int) -> PlanSummary:
    return PlanSummary(
        id=plan.id,
        title=plan.title,
        supplier_name=plan.supplier_name,
        customer_name=plan.customer_name,
        language=plan.language,
        created_at=plan.created_at,
        updated_at=plan.updated_at,
        archived_at=plan.archived_at,
        my_membership=MembershipRead.model_validate(member),
        member_count=count,
    )


async def plan_read(session: SessionDep, access: PlanAccess) -> PlanRead:
    sections = service.readable_sections(
        access.member, await service.list_sections(session, access.plan.id)
    )
    summary = plan_summary(
        access.plan, access.member, await service.member_count(session, access.plan.id)
    )
    counts = await service.census(session, access.plan.id)
    owners, visibilities = policy.new_section_options(access.member)
    return PlanRead(
        **summary.model_dump(),
        sections=[section_read(access, s, i, counts) for i, s in enumerate(sections)],
        new_section_owners=owners,
        new_section_visibilities=visibilities,
    )


@router.get("/config", response_model=ServerConfig, tags=["meta"])
async def server_config(settings: SettingsDep) -> ServerConfig:
    """What the web app needs to know about this server."""
    return ServerConfig(allow_signup=settings.allow_signup, smtp_enabled=settings.smtp_enabled)


# ---- plans -----------------------------------------------------------------------------


@router.get("/plans", response_model=PlanList)
async def list_plans(user: CurrentUser, session: SessionDep, archived: bool = False) -> PlanList:
    """The plans I am a member of, most recently changed first."""
    rows = await service.list_plans(session, user, archived=archived)
    return PlanList(items=[plan_summary(p, m, n) for p, m, n in rows])


@router.post("/plans", status_code=status.HTTP_201_CREATED, response_model=PlanRead)
async def create_plan(body: PlanCreate, user: CurrentUser, session: SessionDep) -> PlanRead:
    """Create a plan from a template; I become its facilitator and supplier signatory."""
    plan, member = await service.create_plan(session, user, body)
    return await plan_read(session, PlanAccess(plan=plan, member=member))


@router.get("/plans/{plan_id}", response_model=PlanRead)
async def get_plan(access: PlanMember, session: SessionDep) -> PlanRead:
    """A plan with the sections I may read."""
    return await plan_read(session, access)


@router.patch("/plans/{plan_id}", response_model=PlanRead)
async def update_plan(body: PlanUpdate, access: PlanFacilitator, session: SessionDep) -> PlanRead:
    """Rename a plan or its parties."""
    await service.update_plan(session, access.plan, access.member, body)
    return await plan_read(session, access)


@router.post("/plans/{plan_id}/archive", response_model=PlanRead)
async def archive_plan(access: PlanFacilitator, session: SessionDep) -> PlanRead:
    """Archive a plan: it leaves the default list but stays readable."""
    await service.set_archived(session, access.plan, access.member, True)
    return await plan_read(session, access)


@router.post("/plans/{plan_id}/unarchive", response_model=PlanRead)
async def unarchive_plan(access: PlanFacilitator, session: SessionDep) -> PlanRead:
    """Bring an archived plan back."""
    await service.set_archived(session, access.plan, access.member, False)
    return await plan_read(session, access)


# ---- sections --------------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/sections", status_code=status.HTTP_201_CREATED, response_model=SectionRead
)
async def create_section(
    body: SectionCreate, access: PlanFacilitator, session: SessionDep
) -> SectionRead:
    """Add a section at the end of the plan."""
    section = await service.create_section(session, access.plan, access.member, body)
    return await one_section_read(session, access, section)


@router.get("/plans/{plan_id}/sections/{section_id}", response_model=SectionRead)
async def get_section(
    access: PlanMember, section: ReadableSection, session: SessionDep
) -> SectionRead:
    """One section's metadata."""
    return await one_section_read(session, access, section)


@router.patch("/plans/{plan_id}/sections/{section_id}", response_model=SectionRead)
async def update_section(
    body: SectionUpdate, access: PlanFacilitator, section: ReadableSection, session: SessionDep
) -> SectionRead:
    """Rename a section or change its owner or visibility."""
    await service.update_section(session, access.plan, access.member, section, body)
    return await one_section_read(session, access, section)


@router.delete("/plans/{plan_id}/sections/{section_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_section(
    access: PlanFacilitator, section: ReadableSection, session: SessionDep
) -> None:
    """Remove a section and its content."""
    await service.delete_section(session, access.plan, access.member, section)


@router.post("/plans/{plan_id}/sections/order", response_model=list[SectionRead])
async def reorder_sections(
    body: SectionOrder, access: PlanFacilitator, session: SessionDep
) -> list[SectionRead]:
    """Put the sections I can see in the given order."""
    sections = await service.reorder_sections(session, access.plan, access.member, body.section_ids)
    counts = await service.census(session, access.plan.id)
    return [
        section_read(access, s, i, counts)
        for i, s in enumerate(service.readable_sections(access.member, sections))
    ]


# ---- members ---------------------------------------------------------------------------


@router.get("/plans/{plan_id}/members", response_model=MemberList)
async def list_members(access: PlanMember, session: SessionDep) -> MemberList:
    """Everyone in the plan, both parties, with who invited them."""
    members = await service.list_members(session, access.plan.id)
    counts = await service.census(session, access.plan.id)
    return MemberList(
        items=[member_read(access.member, m, counts) for m in members],
        invite_parties=[p for p in policy.PARTIES if policy.may_invite(access.member, p, counts)],
    )


@router.patch("/plans/{plan_id}/members/{member_id}", response_model=MemberRead)
async def update_member(
    member_id: str, body: MemberUpdate, access: PlanFacilitator, session: SessionDep
) -> MemberRead:
    """Change the role or signatory flag of a member of my party (the party is fixed)."""
    member = await service.get_member(session, access.plan.id, member_id)
    await service.update_member(session, access.plan, access.member, member, body)
    return member_read(access.member, member, await service.census(session, access.plan.id))


@router.delete("/plans/{plan_id}/members/{member_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(member_id: str, access: PlanMember, session: SessionDep) -> None:
    """Remove a member of my party (facilitators), or leave the plan (anyone, for themselves)."""
    member = await service.get_member(session, access.plan.id, member_id)
    await service.remove_member(session, access.plan, access.member, member)


# ---- invitations -----------------------------------------------------------------------


@router.post(
    "/plans/{plan_id}/invitations",
    status_code=status.HTTP_201_CREATED,
    response_model=InvitationCreated,
)
async def create_invitation(
    body: InvitationCreate, access: PlanFacilitator, session: SessionDep, settings: SettingsDep
) -> InvitationCreated:
    """Invite someone into my party (or the other, while it has no facilitator); the link is
    single-use and expires."""
    sent = await service.invite(session, settings, access.plan, access.member, body)
    return invitation_created(sent)


def invitation_created(sent: service.InvitationSent) -> InvitationCreated:
    return InvitationCreated(
        **InvitationRead.model_validate(sent.invitation).model_dump(),
        token=sent.secret,
        url=sent.url,
        code=None if sent.emailed else sent.code,
        emailed=sent.emailed,
    )


@router.get("/plans/{plan_id}/invitations", response_model=InvitationList)
async def list_invitations(access: PlanFacilitator, session: SessionDep) -> InvitationList:
    """Invitations into the parties I may invite into, newest first."""
    invitations = await service.list_invitations(session, access.member)
    return InvitationList(items=[InvitationRead.model_validate(i) for i in invitations])


@router.post("/plans/{plan_id}/invitations/{invitation_id}/link", response_model=InvitationCreated)
async def reissue_invitation(
    invitation_id: str, access: PlanFacilitator, session: SessionDep, settings: SettingsDep
) -> InvitationCreated:
    """A new link (and code) for a pending invitation my party sent; the earlier one stops
    working. Links are stored hashed, so the first one cannot be shown again."""
    sent = await service.reissue_invitation(
        session, settings, access.plan, access.member, invitation_id
    )
    return invitation_created(sent)


@router.delete(
    "/plans/{plan_id}/invitations/{invitation_id}", status_code=status.HTTP_204_NO_CONTENT
)
async def revoke_invitation(
    invitation_id: str, access: PlanFacilitator, session: SessionDep
) -> None:
    """Withdraw an invitation that has not been used."""
    await service.revoke_invitation(session, access.plan, access.member, invitation_id)


@router.get("/invitations/{token}", response_model=InvitationPreview)
async def preview_invitation(token: str, session: SessionDep) -> InvitationPreview:
    """What the invitation link offers, for the accept screen."""
    invitation, plan, account_exists = await service.preview_invitation(session, token)
    return InvitationPreview(
        plan_title=plan.title,
        supplier_name=plan.supplier_name,
        customer_name=plan.customer_name,
        email=invitation.email,
        party=invitation.party,
        role=invitation.role,
        signatory=invitation.signatory,
        invited_by=invitation.invited_by.name if invitation.invited_by else None,
        expires_at=invitation.expires_at,
        account_exists=account_exists,
    )


@router.post("/invitations/{token}/accept", response_model=InvitationAccepted)
async def accept_invitation(
    token: str,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    principal: OptionalPrincipal,
    body: InvitationAccept | None = None,
) -> InvitationAccepted:
    """Join a plan: signed in, or creating the account with a name and password (or code)."""
    body = body or InvitationAccept()
    member, user, new_session = await service.accept_invitation(
        session,
        request.app.state.login_throttle,
        token,
        user=principal.user if principal else None,
        name=body.name,
        password=body.password,
        code=body.code,
    )
    secret = await start_session(session, response, user, settings) if new_session else None
    return InvitationAccepted(membership=MembershipRead.model_validate(member), token=secret)


# ---- audit -----------------------------------------------------------------------------


@router.get("/plans/{plan_id}/audit", response_model=AuditList)
async def list_audit(
    access: PlanMember,
    session: SessionDep,
    before: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditList:
    """The plan's audit log, newest first, limited to what I may read."""
    rows, users, next_cursor = await service.audit_for_member(
        session, access.member, before_id=before, limit=limit
    )
    return AuditList(
        items=[
            AuditRead(
                id=e.id,
                actor=Person.model_validate(users[e.actor_id]) if e.actor_id in users else None,
                action=e.action,
                target_type=e.target_type,
                target_id=e.target_id,
                section_id=e.section_id,
                before=e.before,
                after=e.after,
                created_at=e.created_at,
            )
            for e in rows
        ],
        next_cursor=next_cursor,
    )
