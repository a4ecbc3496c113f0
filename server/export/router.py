import re
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from server import offload
from server.audit import service as audit_service
from server.auth.dependencies import CurrentUser
from server.config import SettingsDep
from server.db import SessionDep
from server.errors import NotFound
from server.export import document, markdown, pdf, verify
from server.export.schemas import Format, VerificationRead
from server.plans import service as plans_service
from server.plans.dependencies import PlanMember
from server.versions import service as versions_service

router = APIRouter(prefix="/api", tags=["export"])


def filename(title: str, suffix: str, extension: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:60] or "plan"
    return f"{slug}-{suffix}.{extension}"


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
    if version_id:
        version = await versions_service.get_version(session, access.plan.id, version_id)
        export = await document.for_version(session, access.plan, access.member, user.name, version)
    else:
        export = await document.for_plan(session, access.plan, access.member, user.name)
    await audit_service.record(
        session,
        plan_id=access.plan.id,
        actor_id=user.id,
        action="plan.export",
        target_type="version" if version_id else "plan",
        target_id=version_id or access.plan.id,
        after={"format": format, "version_id": version_id},
    )
    suffix = export.exported_at.strftime("%Y-%m-%d")
    budget = settings.export_pdf_max_chars if format == "pdf" else settings.export_md_max_chars
    if export.size() > budget:
        raise offload.ContentTooLarge(
            f"This plan has more text than one {format.upper()} export may hold "
            f"({budget} characters); export it as Markdown or in parts.",
            code="export_too_large",
        )
    if format == "pdf":
        body = await offload.run_in_process(pdf.render, export)
        media, extension = "application/pdf", "pdf"
    else:
        body = await offload.run(lambda: markdown.render(export).encode("utf-8"))
        media, extension = "text/markdown; charset=utf-8", "md"
    name = filename(export.plan_title, suffix, extension)
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
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
    data = await request.body()
    plan_id = await offload.run_in_process(verify.claimed_plan_id, data)
    if await plans_service.get_membership(session, plan_id, user.id) is None:
        raise NotFound("Plan not found.", code="plan_not_found")
    record = await offload.run_in_process(verify.parse_record, data, plan_id)
    result = await verify.verify(session, record, user.id)
    matching = sum(g.verdict == "matches" for g in result.goals)
    await audit_service.record(
        session,
        plan_id=result.plan_id,
        actor_id=user.id,
        action="plan.verify",
        target_type="plan",
        target_id=result.plan_id,
        after={
            "ok": result.ok,
            "matching": matching,
            "goals": len(result.goals),
            "version_id": result.version.version_id
            if result.version and result.version.verdict != "unknown"
            else None,
        },
    )
    return VerificationRead.model_validate(
        {
            "plan_id": result.plan_id,
            "plan_title": result.plan_title,
            "ok": result.ok,
            "matching": matching,
            "goals": [asdict(g) for g in result.goals],
            "version": asdict(result.version) if result.version else None,
        }
    )
