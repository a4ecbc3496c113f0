from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from server.auth.dependencies import CurrentUser
from server.config import SettingsDep
from server.db import SessionDep
from server.export import service
from server.export.schemas import Format, VerificationRead
from server.plans.dependencies import PlanMember

router = APIRouter(prefix="/api", tags=["export"])


@router.get(
    "/plans/{plan_id}/export",
    response_class=Response,
    responses={
        200: {
            "content": {"text/markdown": {}, "application/pdf": {}},
            "description": "The export file.",
        }
    },
)
async def export_plan(
    access: PlanMember,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    format: Annotated[Format, Query()] = "md",
    version_id: Annotated[str | None, Query()] = None,
) -> Response:
    """The plan (or a version) as Markdown or PDF, in the plan's language, with only what I may
    read: summary, sections, signatures and the agreement record."""
    file = await service.export_plan(
        session, settings, access.plan, access.member, user, format, version_id
    )
    return Response(
        file.body,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


@router.post(
    "/verify",
    response_model=VerificationRead,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/markdown": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def verify_export(
    request: Request, user: CurrentUser, session: SessionDep
) -> VerificationRead:
    """Check an exported file (the raw Markdown or PDF as the request body) against the
    server's records: which goals still match, which changed, and any tampering."""
    # The body limit (server/limits.py) stops reading past verify.MAX_BYTES.
    result = await service.verify_file(session, user, await request.body())
    return VerificationRead.model_validate(
        {
            "plan_id": result.plan_id,
            "plan_title": result.plan_title,
            "ok": result.ok,
            "matching": result.matching,
            "goals": [asdict(g) for g in result.goals],
            "version": asdict(result.version) if result.version else None,
        }
    )
