from fastapi import APIRouter, status

from server.auth.dependencies import CurrentUser
from server.db import SessionDep
from server.follow import service
from server.follow.schemas import FollowRead, FollowStart
from server.plans import service as plans_service
from server.plans.dependencies import PlanFacilitator, PlanMember

router = APIRouter(prefix="/api", tags=["follow"])


@router.get("/plans/{plan_id}/follow", response_model=FollowRead)
async def get_follow(access: PlanMember, session: SessionDep) -> FollowRead:
    """Whether a facilitator leads "follow me", and where (for screens opened late)."""
    return await service.read_for(
        session, access.member, await service.get_state(session, access.plan.id)
    )


@router.put("/plans/{plan_id}/follow", response_model=FollowRead)
async def lead_follow(
    body: FollowStart, access: PlanFacilitator, user: CurrentUser, session: SessionDep
) -> FollowRead:
    """Lead "follow me" (facilitators): everyone's screen opens this section."""
    section = await plans_service.get_readable_section(session, access.member, body.section_id)
    state = await service.lead(session, access.plan, access.member, user, section)
    return await service.read_for(session, access.member, state)


@router.delete("/plans/{plan_id}/follow", status_code=status.HTTP_204_NO_CONTENT)
async def stop_follow(access: PlanFacilitator, session: SessionDep) -> None:
    """Stop leading "follow me" (facilitators); screens stay where they are."""
    await service.stop(session, access.plan, access.member)
