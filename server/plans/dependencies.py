from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from server.auth.dependencies import CurrentUser
from server.db import SessionDep
from server.errors import Forbidden
from server.plans import policy, service
from server.plans.models import Member, Plan, Section


@dataclass(frozen=True)
class PlanAccess:
    plan: Plan
    member: Member


async def plan_member(plan_id: str, user: CurrentUser, session: SessionDep) -> PlanAccess:
    """The plan and the caller's membership; 404 if the caller is not a member."""
    plan, member = await service.get_plan_for_member(session, plan_id, user.id)
    return PlanAccess(plan=plan, member=member)


async def plan_facilitator(
    access: Annotated[PlanAccess, Depends(plan_member)],
) -> PlanAccess:
    if not policy.can_manage(access.member):
        raise Forbidden("Only a facilitator of this plan can do this.", code="not_facilitator")
    return access


PlanMember = Annotated[PlanAccess, Depends(plan_member)]
PlanFacilitator = Annotated[PlanAccess, Depends(plan_facilitator)]


async def readable_section(section_id: str, access: PlanMember, session: SessionDep) -> Section:
    return await service.get_readable_section(session, access.member, section_id)


ReadableSection = Annotated[Section, Depends(readable_section)]
