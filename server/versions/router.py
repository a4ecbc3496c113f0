from typing import Annotated, Any

from fastapi import APIRouter, Query, status

from server import offload
from server.auth.dependencies import CurrentUser
from server.collab import layout
from server.db import SessionDep
from server.plans import service as plans_service
from server.plans.dependencies import PlanFacilitator, PlanMember
from server.schemas import PersonRecord
from server.signoff import service as signoff_service
from server.versions import service
from server.versions.models import PlanVersion, VersionSignature
from server.versions.schemas import (
    VersionAgreement,
    VersionComparison,
    VersionCreate,
    VersionList,
    VersionRead,
    VersionSectionRead,
    VersionSignatureRead,
    VersionSummary,
)

router = APIRouter(prefix="/api/plans/{plan_id}/versions", tags=["versions"])


def signature_read(s: VersionSignature) -> VersionSignatureRead:
    return VersionSignatureRead.model_validate(
        {
            "id": s.id,
            "signer": PersonRecord(id=s.user_id, name=s.signer_name),
            "party": s.party,
            "hash": s.content_hash,
            "signed_at": s.signed_at,
        }
    )


def summary(version: PlanVersion, signed: list[VersionSignature]) -> dict[str, Any]:
    return {
        "id": version.id,
        "name": version.name,
        "created_at": version.created_at,
        "created_by": PersonRecord(id=version.created_by_id, name=version.created_by_name),
        "hash": version.shared_hash,
        "status": service.version_status(version, signed),
        "signatures": [signature_read(s) for s in signed],
    }


def agreement(version: PlanVersion, signed: list[VersionSignature]) -> VersionAgreement:
    return VersionAgreement.model_validate(
        {
            "version_id": version.id,
            "hash": version.shared_hash,
            "status": service.version_status(version, signed),
            "signatures": [signature_read(s) for s in signed],
        }
    )


@router.post("", status_code=status.HTTP_201_CREATED, response_model=VersionSummary)
async def create_version(
    body: VersionCreate, access: PlanFacilitator, user: CurrentUser, session: SessionDep
) -> VersionSummary:
    """Freeze the plan as a named version: every section and every goal's agreement status."""
    version = await service.create_version(session, access.plan, access.member, user, body.name)
    return VersionSummary.model_validate(summary(version, []))


@router.get("", response_model=VersionList)
async def list_versions(access: PlanMember, session: SessionDep) -> VersionList:
    """The plan's versions, newest first."""
    versions = await service.list_versions(session, access.plan.id)
    signed = await service.signatures(session, [v.id for v in versions])
    return VersionList(
        items=[VersionSummary.model_validate(summary(v, signed[v.id])) for v in versions]
    )


@router.get("/{version_id}", response_model=VersionRead)
async def get_version(version_id: str, access: PlanMember, session: SessionDep) -> VersionRead:
    """A version, read-only, with the sections I may read as they were."""
    version = await service.get_version(session, access.plan.id, version_id)
    signed = (await service.signatures(session, [version.id]))[version.id]
    sections = await service.readable_sections(session, access.member, version)
    return VersionRead.model_validate(
        {
            **summary(version, signed),
            "plan": version.plan,
            "sections": [
                VersionSectionRead.model_validate(
                    {
                        "section_id": s.section_id,
                        "key": s.key,
                        "title": s.title,
                        "kind": s.kind,
                        "horizon": s.horizon,
                        "owner": s.owner,
                        "visibility": s.visibility,
                        # The place among the sections this reader can read: stored positions
                        # have gaps where the other party's internal sections were.
                        "position": place,
                        "content": {"section_id": s.section_id, **s.content},
                        "agreements": s.agreements,
                    }
                )
                for place, s in enumerate(sections)
            ],
        }
    )


@router.get("/{version_id}/compare", response_model=VersionComparison)
async def compare_versions(
    version_id: str,
    access: PlanMember,
    session: SessionDep,
    to: Annotated[str, Query(description="Another version's id, or `current`.")] = "current",
) -> VersionComparison:
    """What changed between this version and another one (or the plan now), goal by goal."""
    base = await service.get_version(session, access.plan.id, version_id)
    base_sections = await service.readable_sections(session, access.member, base)
    before_sections = {s.section_id: (s.title, s.content) for s in base_sections}
    if to == "current":
        sections = plans_service.readable_sections(
            access.member, await plans_service.list_sections(session, access.plan.id)
        )
        docs = {s.id: await signoff_service.load_doc(session, s.id) for s in sections}
        after_goals = service.goals_of_states(
            await signoff_service.states_for_sections(session, sections, docs)
        )
        after_sections = {
            s.id: (s.title, await offload.run(layout.to_json, docs[s.id], s.kind)) for s in sections
        }
    else:
        target = await service.get_version(session, access.plan.id, to)
        target_sections = await service.readable_sections(session, access.member, target)
        after_goals = service.goals_of_version(target_sections)
        after_sections = {s.section_id: (s.title, s.content) for s in target_sections}
    return VersionComparison.model_validate(
        {
            "base": base.id,
            "target": to,
            "goals": service.compare_goals(service.goals_of_version(base_sections), after_goals),
            "sections": service.compare_sections(before_sections, after_sections),
        }
    )


@router.post(
    "/{version_id}/signatures",
    status_code=status.HTTP_201_CREATED,
    response_model=VersionAgreement,
)
async def sign_version(
    version_id: str, access: PlanMember, user: CurrentUser, session: SessionDep
) -> VersionAgreement:
    """Sign the version as a whole (signatories): its shared sections' hash."""
    version = await service.get_version(session, access.plan.id, version_id)
    signed = await service.sign_version(session, access.plan, access.member, user, version)
    return agreement(version, signed)


@router.get("/{version_id}/signatures", response_model=VersionAgreement)
async def version_signatures(
    version_id: str, access: PlanMember, session: SessionDep
) -> VersionAgreement:
    """Who signed the version, and whether both parties have."""
    version = await service.get_version(session, access.plan.id, version_id)
    return agreement(version, (await service.signatures(session, [version.id]))[version.id])
