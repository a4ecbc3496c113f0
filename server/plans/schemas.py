from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from server.auth.schemas import Name, Password, UserRead
from server.plans.policy import Horizon, Kind, Owner, Party, Role, Visibility
from server.plans.templates import Language, TemplateName

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    user: UserRead
    party: Party
    role: Role
    signatory: bool
    created_at: datetime


class MemberList(BaseModel):
    items: list[MemberRead]


class MemberUpdate(StrictModel):
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


class AuditActor(BaseModel):
    id: str
    name: str


class AuditRead(BaseModel):
    id: int
    actor: AuditActor | None
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
