"""Exports and their verification, as the routes ask for them: each recorded in the audit
log of the plan."""

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server import activity, offload
from server.auth.models import User
from server.config import Settings
from server.errors import NotFound
from server.export import document, markdown, pdf, verify
from server.export.schemas import Format
from server.plans import service as plans_service
from server.plans.models import Member, Plan
from server.versions import service as versions_service


@dataclass(frozen=True)
class ExportFile:
    body: bytes
    media_type: str
    filename: str


def filename(title: str, suffix: str, extension: str) -> str:
    """A download name from the plan's title: `<slug>-<date>.<extension>`."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-").lower()[:60] or "plan"
    return f"{slug}-{suffix}.{extension}"


async def export_plan(
    session: AsyncSession,
    settings: Settings,
    plan: Plan,
    member: Member,
    user: User,
    format: Format,
    version_id: str | None,
) -> ExportFile:
    """The plan (or a version) rendered for this reader, within the size budget of the
    format (413 export_too_large beyond)."""
    if version_id:
        version = await versions_service.get_version(session, plan.id, version_id)
        export = await document.for_version(session, plan, member, user.name, version)
    else:
        export = await document.for_plan(session, plan, member, user.name)
    await activity.record(
        session,
        "plan.export",
        plan_id=plan.id,
        actor_id=user.id,
        target_type="version" if version_id else "plan",
        target_id=version_id or plan.id,
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
    return ExportFile(body, media, filename(export.plan_title, suffix, extension))


async def verify_file(session: AsyncSession, user: User, data: bytes) -> verify.Verification:
    """Check an exported file against the server's records, as a member of its plan (404
    for anyone else)."""
    plan_id = await offload.run_in_process(verify.claimed_plan_id, data)
    if await plans_service.get_membership(session, plan_id, user.id) is None:
        raise NotFound("Plan not found.", code="plan_not_found")
    record = await offload.run_in_process(verify.parse_record, data, plan_id)
    result = await verify.verify(session, record, user.id)
    await activity.record(
        session,
        "plan.verify",
        plan_id=result.plan_id,
        actor_id=user.id,
        target_type="plan",
        target_id=result.plan_id,
        after={
            "ok": result.ok,
            "matching": result.matching,
            "goals": len(result.goals),
            "version_id": result.version.version_id
            if result.version and result.version.verdict != "unknown"
            else None,
        },
    )
    return result
