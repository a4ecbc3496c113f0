from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from server.auth.schemas import Name, Password, UserRead
from server.plans.policy import Horizon, Kind, Owner, Party, Role, Visibility
from server.plans.templates import Language, TemplateName
from server.schemas import Person, StrictModel

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class PlanCreate(StrictModel):
    title: Title
    supplier_name: Title
    customer_name: Title
    template: TemplateName = "kam"
    language: Language = "en"


class PlanUpdate(StrictModel):
    title: Title | None = None
    supplier_name: Title | None = None
    customer_name: Title | None = None
    language: Language | None = None


class MembershipRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    plan_id: str
    party: Party
    role: Role
    signatory: bool


class SectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    key: str
    title: str
    kind: Kind
    horizon: Horizon | None
    owner: Owner
    visibility: Visibility
    position: int
    help: str
    can_write: bool = False
    # What the reader may do to the section's settings (the server refuses the rest).
    can_manage: bool = False
    can_delete: bool = False
    owner_options: list[Owner] = []
    visibility_options: list[Visibility] = []


class PlanSummary(BaseModel):
    id: str
    title: str
    supplier_name: str
    customer_name: str
    language: Language
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    my_membership: MembershipRead
    member_count: int


class PlanRead(PlanSummary):
    sections: list[SectionRead]
    # What the reader may give a section they add (empty: they may not add sections).
    new_section_owners: list[Owner] = []
    new_section_visibilities: list[Visibility] = []


class PlanList(BaseModel):
    items: list[PlanSummary]


class SectionCreate(StrictModel):
    title: Title
    kind: Kind
    horizon: Horizon | None = None
    owner: Owner = "joint"
    visibility: Visibility = "shared"
    help: Annotated[str, Field(max_length=2000)] = ""


class SectionUpdate(StrictModel):
    title: Title | None = None
    owner: Owner | None = None
    visibility: Visibility | None = None
    horizon: Horizon | None = None
    help: Annotated[str | None, Field(max_length=2000)] = None


class SectionOrder(StrictModel):
    section_ids: Annotated[list[str], Field(min_length=1, max_length=500)]


class Inviter(BaseModel):
    id: str
    name: str
    # The party the inviter acted for (their party in the plan when they invited).
    party: Party | None


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    user: UserRead
    party: Party
    role: Role
    signatory: bool
    created_at: datetime
    invited_by: Inviter | None = None
    # What the reader may do to this member: the roles they may give (empty: none), whether
    # they may set the signatory flag, and whether they may remove them (or leave, for self).
    role_options: list[Role] = []
    can_set_signatory: bool = False
    can_remove: bool = False


class MemberList(BaseModel):
    items: list[MemberRead]
    # The parties the reader may invite into now (empty for all but facilitators).
    invite_parties: list[Party] = []


class MemberUpdate(StrictModel):
    # A member's party never changes; sending a different one is refused (`party_fixed`).
    party: Party | None = None
    role: Role | None = None
    signatory: bool | None = None


class InvitationCreate(StrictModel):
    email: EmailStr
    party: Party
    role: Role = "editor"
    signatory: bool = False


class InvitationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    party: Party
    role: Role
    signatory: bool
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None
    inviter_party: Party | None = None


class InvitationCreated(InvitationRead):
    token: str
    url: str
    # The one-time code is shown to the facilitator only when no email can be sent.
    code: str | None
    emailed: bool


class InvitationList(BaseModel):
    items: list[InvitationRead]


class InvitationPreview(BaseModel):
    plan_title: str
    supplier_name: str
    customer_name: str
    email: str
    party: Party
    role: Role
    signatory: bool
    invited_by: str | None
    expires_at: datetime
    account_exists: bool


class InvitationAccept(StrictModel):
    """Empty when signed in; otherwise a name and a password or the emailed one-time code."""

    name: Name | None = None
    password: Password | None = None
    code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = None


class InvitationAccepted(BaseModel):
    membership: MembershipRead
    token: str | None


class AuditRead(BaseModel):
    id: int
    actor: Person | None
    action: str
    target_type: str
    target_id: str | None
    section_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime


class AuditList(BaseModel):
    items: list[AuditRead]
    next_cursor: int | None


class ServerConfig(BaseModel):
    allow_signup: bool
    smtp_enabled: bool
