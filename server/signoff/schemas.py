from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from server.plans.policy import Party
from server.schemas import PersonRecord

Status = Literal["pending", "agreed", "changed"]


class SignatureRead(BaseModel):
    id: str
    signer: PersonRecord
    party: Party
    hash: str
    signed_at: datetime
    ended_at: datetime | None = None
    end_reason: Literal["withdrawn", "replaced", "reopened"] | None = None
    withdraw_reason: str | None = None


class AgreementRead(BaseModel):
    plan_id: str
    section_id: str
    goal_id: str
    title: str | None
    status: Status
    agreed_hash: str | None
    current_hash: str | None
    agreed_content: dict[str, Any] | None
    current_content: dict[str, Any] | None
    agreed_at: datetime | None
    changed_at: datetime | None
    changed_by: PersonRecord | None
    goal_deleted: bool
    reopened_at: datetime | None
    reopen_reason: str | None
    signatures: list[SignatureRead]
    past_signatures: list[SignatureRead]


class SignResult(AgreementRead):
    hash: str


class AgreementCounts(BaseModel):
    total: int
    agreed: int
    pending: int
    changed: int


class AgreementList(BaseModel):
    counts: AgreementCounts
    items: list[AgreementRead]


class WithdrawBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str | None, Field(max_length=2000)] = None
