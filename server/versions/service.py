"""Plan versions: named, frozen copies of every section and of the agreement status, opened
read-only by visibility, compared goal by goal, and signed as a whole by both parties."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server import activity, offload
from server.auth.models import User
from server.collab import guard, layout
from server.errors import Forbidden, NotFound
from server.plans import policy
from server.plans import service as plans_service
from server.plans.models import Member, Plan
from server.signoff import service as signoff_service
from server.signoff.canonical import GOAL_FIELDS, goal_content, sha256
from server.versions.models import PlanVersion, VersionSection, VersionSignature

PARTIES = frozenset(policy.PARTIES)
log = logging.getLogger(__name__)


def frozen_agreement(state: signoff_service.AgreementState) -> dict[str, Any]:
    """A goal's agreement as a version keeps it: content, hashes, signatures."""
    agreement = state.agreement
    content = goal_content(state.item) if state.item is not None else None
    return {
        "goal_id": state.goal_id,
        "title": (content or (agreement.agreed_content if agreement else None) or {}).get("title"),
        "status": state.status,
        "agreed_hash": state.agreed_hash,
        "current_hash": state.current_hash,
        "content": content,
        "agreed_content": agreement.agreed_content if agreement else None,
        "signatures": [
            {
                "user_id": s.user_id,
                "name": s.signer_name,
                "party": s.party,
                "hash": s.content_hash,
                "signed_at": s.signed_at.isoformat(),
            }
            for s in state.signatures
        ],
    }


def shared_hash(sections: Sequence[VersionSection]) -> str:
    """What a version signature binds to: the canonical JSON of the shared sections."""
    shared = sorted((s for s in sections if policy.is_shared(s)), key=lambda s: s.position)
    return sha256(
        [
            {
                "section_id": s.section_id,
                "key": s.key,
                "title": s.title,
                "kind": s.kind,
                "horizon": s.horizon,
                "owner": s.owner,
                "content": s.content,
            }
            for s in shared
        ]
    )


async def create_version(
    session: AsyncSession, plan: Plan, member: Member, user: User, name: str
) -> PlanVersion:
    """Freeze every section of the plan (all of them: each reader later sees their share)."""
    policy.ensure_open(plan)
    sections = await plans_service.list_sections(session, plan.id)
    docs = {s.id: await signoff_service.load_doc(session, s.id) for s in sections}
    agreements: dict[str, list[dict[str, Any]]] = {}
    for state in await signoff_service.states_for_sections(session, sections, docs):
        agreements.setdefault(state.section.id, []).append(frozen_agreement(state))
    contents = {s.id: await offload.run(layout.to_json, docs[s.id], s.kind) for s in sections}
    rows = [
        VersionSection(
            section_id=s.id,
            key=s.key,
            title=s.title,
            kind=s.kind,
            horizon=s.horizon,
            owner=s.owner,
            visibility=s.visibility,
            position=s.position,
            state=docs[s.id].get_update(),
            content=contents[s.id],
            agreements=agreements.get(s.id, []),
        )
        for s in sections
    ]
    version = PlanVersion(
        plan_id=plan.id,
        name=name,
        plan={
            "title": plan.title,
            "supplier_name": plan.supplier_name,
            "customer_name": plan.customer_name,
            "language": plan.language,
        },
        shared_hash=shared_hash(rows),
        created_by_id=user.id,
        created_by_name=user.name,
    )
    session.add(version)
    await session.flush()
    for row in rows:
        row.version_id = version.id
        session.add(row)
    await session.flush()
    await activity.record(
        session,
        "version.create",
        plan_id=plan.id,
        actor_id=user.id,
        target_type="version",
        target_id=version.id,
        after={"name": name, "hash": version.shared_hash},
        event=activity.Event(
            "version.created", {"version_id": version.id, "name": name, "actor_id": user.id}
        ),
    )
    return version


async def list_versions(session: AsyncSession, plan_id: str) -> Sequence[PlanVersion]:
    """The plan's versions, newest first."""
    result = await session.scalars(
        select(PlanVersion)
        .where(PlanVersion.plan_id == plan_id)
        .order_by(PlanVersion.created_at.desc(), PlanVersion.id)
    )
    return result.all()


async def get_version(session: AsyncSession, plan_id: str, version_id: str) -> PlanVersion:
    """A version of the plan; 404 otherwise."""
    version = await session.get(PlanVersion, version_id)
    if version is None or version.plan_id != plan_id:
        raise NotFound("Version not found.", code="version_not_found")
    return version


async def readable_sections(
    session: AsyncSession, member: Member, version: PlanVersion
) -> list[VersionSection]:
    """The version's sections this member may read, by their visibility when frozen."""
    rows = await session.scalars(
        select(VersionSection)
        .where(VersionSection.version_id == version.id)
        .order_by(VersionSection.position, VersionSection.id)
    )
    return [s for s in rows if policy.can_read(member, s)]


@dataclass(frozen=True)
class _State:
    data: bytes


def version_doc(section: VersionSection) -> Doc[Any]:
    """The frozen document; a state that cannot be read shows as empty, never an error."""
    doc, bad = guard.assemble([_State(section.state)], layout.root_name(section.kind))
    if bad:
        log.error("version section %s cannot be read: %s", section.id, bad[0][1])
    return doc


async def signatures(
    session: AsyncSession, version_ids: Sequence[str]
) -> dict[str, list[VersionSignature]]:
    """The signatures of these versions, oldest first, by version id."""
    by_version: dict[str, list[VersionSignature]] = {v: [] for v in version_ids}
    if version_ids:
        rows = await session.scalars(
            select(VersionSignature)
            .where(VersionSignature.version_id.in_(version_ids))
            .order_by(VersionSignature.signed_at, VersionSignature.id)
        )
        for row in rows:
            by_version[row.version_id].append(row)
    return by_version


def version_status(version: PlanVersion, signed: Sequence[VersionSignature]) -> str:
    """agreed once both parties signed the version's shared hash, else pending."""
    parties = {s.party for s in signed if s.content_hash == version.shared_hash}
    return "agreed" if parties >= PARTIES else "pending"


async def sign_version(
    session: AsyncSession, plan: Plan, member: Member, user: User, version: PlanVersion
) -> list[VersionSignature]:
    """Sign the version as a whole: its shared sections' hash."""
    if not policy.is_signatory(member):
        raise Forbidden("Only a signatory of this plan can sign a version.", code="not_signatory")
    policy.ensure_open(plan)
    existing = (await signatures(session, [version.id]))[version.id]
    if any(s.user_id == user.id for s in existing):
        return existing
    before = version_status(version, existing)
    signature = VersionSignature(
        version_id=version.id,
        user_id=user.id,
        signer_name=user.name,
        party=member.party,
        content_hash=version.shared_hash,
    )
    try:
        async with session.begin_nested():
            session.add(signature)
    except IntegrityError:
        return (await signatures(session, [version.id]))[version.id]
    existing.append(signature)
    status = version_status(version, existing)
    await activity.record(
        session,
        "version.sign",
        plan_id=plan.id,
        actor_id=user.id,
        target_type="version",
        target_id=version.id,
        after={"hash": version.shared_hash, "party": member.party, "status": status},
        event=activity.Event(
            "version.signed",
            {
                "version_id": version.id,
                "status": status,
                "agreed": status == "agreed" and before != "agreed",
                "actor_id": user.id,
            },
        ),
    )
    return existing


# ---- comparing -------------------------------------------------------------------------


@dataclass
class GoalView:
    section_id: str
    content: dict[str, Any] | None
    hash: str | None
    status: str


def goals_of_version(sections: Sequence[VersionSection]) -> dict[str, GoalView]:
    """The goals a version froze, by goal id."""
    goals: dict[str, GoalView] = {}
    for section in sections:
        if section.kind != "goals":
            continue
        frozen = {a["goal_id"]: a for a in section.agreements}
        for goal_id, a in frozen.items():
            goals.setdefault(
                goal_id, GoalView(section.section_id, a["content"], a["current_hash"], a["status"])
            )
    return goals


def goals_of_states(states: Sequence[signoff_service.AgreementState]) -> dict[str, GoalView]:
    """The goals as they are now, by goal id."""
    goals: dict[str, GoalView] = {}
    for state in states:
        content = goal_content(state.item) if state.item is not None else None
        goals.setdefault(
            state.goal_id,
            GoalView(state.section.id, content, state.current_hash, state.status),
        )
    return goals


def compare_goals(before: dict[str, GoalView], after: dict[str, GoalView]) -> list[dict[str, Any]]:
    """How each goal differs between two sets: added, removed, changed or unchanged."""
    items = []
    for goal_id in list(before) + [g for g in after if g not in before]:
        a, b = before.get(goal_id), after.get(goal_id)
        a_content = a.content if a else None
        b_content = b.content if b else None
        if a_content is None and b_content is None:
            continue
        if a_content is None:
            change, fields = "added", list(GOAL_FIELDS)
        elif b_content is None:
            change, fields = "removed", list(GOAL_FIELDS)
        else:
            fields = [f for f in GOAL_FIELDS if a_content.get(f) != b_content.get(f)]
            change = "changed" if fields else "unchanged"
        title = (b_content or a_content or {}).get("title")
        items.append(
            {
                "goal_id": goal_id,
                "title": title,
                "change": change,
                "fields": fields,
                "before": a.__dict__ if a and a_content is not None else None,
                "after": b.__dict__ if b and b_content is not None else None,
            }
        )
    return items


def compare_sections(
    before: dict[str, tuple[str, dict[str, Any]]], after: dict[str, tuple[str, dict[str, Any]]]
) -> list[dict[str, Any]]:
    """(title, content) by section id on each side."""
    items = []
    for section_id in list(before) + [s for s in after if s not in before]:
        a, b = before.get(section_id), after.get(section_id)
        if a is None:
            change = "added"
        elif b is None:
            change = "removed"
        else:
            change = "unchanged" if sha256(a) == sha256(b) else "changed"
        title = (b or a or ("", {}))[0]
        items.append({"section_id": section_id, "title": title, "change": change})
    return items
