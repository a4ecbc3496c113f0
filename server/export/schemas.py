from typing import Literal

from pydantic import BaseModel

Format = Literal["md", "pdf"]


class GoalVerdictRead(BaseModel):
    goal_id: str
    section_id: str | None
    title: str | None
    verdict: Literal["matches", "changed", "tampered", "unknown"]
    detail: str
    hash: str | None
    current_hash: str | None
    status: Literal["pending", "agreed", "changed"] | None


class VersionVerdictRead(BaseModel):
    version_id: str | None
    name: str | None
    verdict: Literal["matches", "tampered", "unknown"]
    detail: str


class VerificationRead(BaseModel):
    plan_id: str
    plan_title: str | None
    ok: bool
    matching: int
    goals: list[GoalVerdictRead]
    version: VersionVerdictRead | None
