from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from server.plans.policy import Horizon, Kind, Owner, Party, Visibility
from server.schemas import PersonRecord

VersionName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class VersionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: VersionName


class VersionSignatureRead(BaseModel):
    id: str
    signer: PersonRecord
    party: Party
    hash: str
    signed_at: datetime


class VersionAgreement(BaseModel):
    version_id: str
    hash: str
    status: Literal["pending", "agreed"]
    signatures: list[VersionSignatureRead]


class VersionSummary(BaseModel):
    id: str
    name: str
    created_at: datetime
    created_by: PersonRecord
    hash: str
    status: Literal["pending", "agreed"]
    signatures: list[VersionSignatureRead]


class VersionList(BaseModel):
    items: list[VersionSummary]


class FrozenSignature(BaseModel):
    user_id: str | None
    name: str
    party: Party
    hash: str
    signed_at: datetime


class FrozenAgreement(BaseModel):
    """A goal's agreement status at the moment the version was made."""

    goal_id: str
    title: str | None
    status: Literal["pending", "agreed", "changed"]
    agreed_hash: str | None
    current_hash: str | None
    content: dict[str, Any] | None
    agreed_content: dict[str, Any] | None
    signatures: list[FrozenSignature]


class VersionSectionRead(BaseModel):
    section_id: str
    key: str
    title: str
    kind: Kind
    horizon: Horizon | None
    owner: Owner
    visibility: Visibility
    position: int
    content: dict[str, Any]
    agreements: list[FrozenAgreement]


class VersionRead(VersionSummary):
    plan: dict[str, Any]
    sections: list[VersionSectionRead]


class GoalSide(BaseModel):
    section_id: str
    content: dict[str, Any] | None
    hash: str | None
    status: Literal["pending", "agreed", "changed"]


class GoalComparison(BaseModel):
    goal_id: str
    title: str | None
    change: Literal["added", "removed", "changed", "unchanged"]
    fields: list[str]
    before: GoalSide | None
    after: GoalSide | None


class SectionComparison(BaseModel):
    section_id: str
    title: str
    change: Literal["added", "removed", "changed", "unchanged"]


class VersionComparison(BaseModel):
    base: str
    target: str
    goals: list[GoalComparison]
    sections: list[SectionComparison]
