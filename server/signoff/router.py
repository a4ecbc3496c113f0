from typing import Annotated

from fastapi import APIRouter, Query, status

from server.auth.dependencies import CurrentUser
from server.db import SessionDep
from server.plans.dependencies import PlanMember
from server.schemas import PersonRecord
from server.signoff import service
from server.signoff.canonical import goal_content
from server.signoff.models import GoalSignature
from server.signoff.schemas import (
    AgreementCounts,
    AgreementList,
    AgreementRead,
    SignatureRead,
    SignResult,
    WithdrawBody,
)

router = APIRouter(prefix="/api/plans/{plan_id}", tags=["signoff"])
SectionQuery = Annotated[
    str | None, Query(description="Needed only when goal ids repeat across sections.")
]


def signature_read(s: GoalSignature) -> SignatureRead:
    return SignatureRead.model_validate(
        {
            "id": s.id,
            "signer": PersonRecord(id=s.user_id, name=s.signer_name),
            "party": s.party,
            "hash": s.content_hash,
            "signed_at": s.signed_at,
            "ended_at": s.ended_at,
            "end_reason": s.end_reason,
            "withdraw_reason": s.withdraw_reason,
        }
    )


def agreement_read(state: service.AgreementState, names: dict[str, str]) -> AgreementRead:
    a = state.agreement
    current = goal_content(state.item) if state.item is not None else None
    title = (current or (a.agreed_content if a else None) or {}).get("title")
    if title is not None and not isinstance(title, str):
        # Content a hand-made client wrote: a number reads as text, as the web app
        # shows it; a structure is not a title.
        title = str(title) if isinstance(title, int | float) else None
    changed = a is not None and state.status == "changed"
    changed_by = a.changed_by_id if a is not None and changed else None
    return AgreementRead.model_validate(
        {
            "plan_id": state.section.plan_id,
            "section_id": state.section.id,
            "goal_id": state.goal_id,
            "title": title,
            "status": state.status,
            "agreed_hash": state.agreed_hash,
            "current_hash": state.current_hash,
            "agreed_content": a.agreed_content if a else None,
            "current_content": current,
            "agreed_at": a.agreed_at if a else None,
            "changed_at": a.changed_at if a is not None and changed else None,
            "changed_by": PersonRecord(id=changed_by, name=names.get(changed_by, ""))
            if changed_by
            else None,
            "goal_deleted": state.item is None,
            "reopened_at": a.reopened_at if a else None,
            "reopen_reason": a.reopen_reason if a else None,
            "signatures": [signature_read(s) for s in state.signatures],
            "past_signatures": [signature_read(s) for s in state.past],
        }
    )


async def _names(session: SessionDep, states: list[service.AgreementState]) -> dict[str, str]:
    return await service.user_names(
        session,
        {s.agreement.changed_by_id for s in states if s.agreement and s.agreement.changed_by_id},
    )


@router.post(
    "/goals/{goal_id}/signatures", status_code=status.HTTP_201_CREATED, response_model=SignResult
)
async def sign_goal(
    goal_id: str,
    access: PlanMember,
    user: CurrentUser,
    session: SessionDep,
    section_id: SectionQuery = None,
) -> SignResult:
    """Sign the goal's current content (signatories); agreed once both parties signed it."""
    goal = await service.find_goal(session, access.member, goal_id, section_id)
    state, digest = await service.sign(session, access.plan, access.member, user, goal)
    read = agreement_read(state, await _names(session, [state]))
    return SignResult(**read.model_dump(), hash=digest)


@router.delete("/goals/{goal_id}/signatures/mine", response_model=AgreementRead)
async def withdraw_signature(
    goal_id: str,
    access: PlanMember,
    user: CurrentUser,
    session: SessionDep,
    section_id: SectionQuery = None,
    body: WithdrawBody | None = None,
) -> AgreementRead:
    """Withdraw my signature; after agreement this needs a reason and reopens the goal."""
    goal = await service.find_goal(session, access.member, goal_id, section_id)
    state = await service.withdraw(
        session, access.plan, access.member, user, goal, body.reason if body else None
    )
    return agreement_read(state, await _names(session, [state]))


@router.get("/goals/{goal_id}/agreement", response_model=AgreementRead)
async def get_agreement(
    goal_id: str, access: PlanMember, session: SessionDep, section_id: SectionQuery = None
) -> AgreementRead:
    """Where the goal stands: pending, agreed, or changed since agreement (with both texts)."""
    goal = await service.find_goal(session, access.member, goal_id, section_id)
    state = await service.agreement_state(session, goal)
    return agreement_read(state, await _names(session, [state]))


@router.get("/agreements", response_model=AgreementList)
async def list_agreements(access: PlanMember, session: SessionDep) -> AgreementList:
    """Every goal I may read with its agreement status, and how many are in each."""
    states = await service.states_for_member(session, access.member)
    names = await _names(session, states)
    items = [agreement_read(s, names) for s in states]
    return AgreementList(
        counts=AgreementCounts(
            total=len(items),
            agreed=sum(i.status == "agreed" for i in items),
            pending=sum(i.status == "pending" for i in items),
            changed=sum(i.status == "changed" for i in items),
        ),
        items=items,
    )
