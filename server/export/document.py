"""What goes into an export, for one reader: the plan (now, or a version) reduced to what that
member may read, with the agreement record both renderers print and attach."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pycrdt import Doc
from sqlalchemy.ext.asyncio import AsyncSession

from server import offload
from server.collab import layout
from server.db import utcnow
from server.export.richtext import Block, blocks
from server.plans import service as plans_service
from server.plans.models import Member, Plan
from server.signoff import service as signoff_service
from server.signoff.canonical import goal_content
from server.versions import service as versions_service
from server.versions.models import PlanVersion

RECORD_FORMAT = 1
HORIZONS = ("strategic", "tactical", "operative")


@dataclass(frozen=True)
class Signature:
    user_id: str | None
    name: str
    party: str
    hash: str
    signed_at: datetime

    def record(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "name": self.name,
            "party": self.party,
            "hash": self.hash,
            "signed_at": self.signed_at.isoformat(),
        }


@dataclass
class Goal:
    section_id: str
    goal_id: str
    content: dict[str, Any] | None  # the signed fields; None when deleted after agreement
    goal_status: str | None
    status: str  # pending | agreed | changed
    hash: str | None
    agreed_hash: str | None
    agreed_content: dict[str, Any] | None
    signatures: list[Signature]

    @property
    def title(self) -> str:
        content = self.content or self.agreed_content or {}
        return str(content.get("title") or "—")


@dataclass
class Section:
    section_id: str
    title: str
    kind: str
    horizon: str | None
    goals: list[Goal] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)  # activities, stakeholders
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class Version:
    id: str
    name: str
    created_at: datetime
    created_by: str
    hash: str
    signatures: list[Signature]


@dataclass
class Export:
    language: str
    plan_id: str
    plan_title: str
    supplier_name: str
    customer_name: str
    reader_name: str
    reader_party: str
    exported_at: datetime
    people: dict[str, str]  # user id → name, for owners
    sections: list[Section]
    version: Version | None = None

    @property
    def party_name(self) -> str:
        return self.supplier_name if self.reader_party == "supplier" else self.customer_name

    def goals(self) -> list[Goal]:
        return [g for s in self.sections for g in s.goals]

    def goals_by_horizon(self) -> list[tuple[str, list[Goal]]]:
        groups: dict[str, list[Goal]] = {h: [] for h in HORIZONS}
        for section in self.sections:
            if section.kind == "goals":
                live = [g for g in section.goals if g.content is not None]
                groups.setdefault(section.horizon or "none", []).extend(live)
        return list(groups.items())

    def key_activities(self) -> list[dict[str, Any]]:
        """Open activities, soonest due first."""
        rows = [
            a
            for s in self.sections
            if s.kind == "activities"
            for a in s.items
            if a.get("status") not in ("done", "dropped")
        ]
        return sorted(rows, key=lambda a: (str(a.get("due") or "9999"), str(a.get("title"))))

    def size(self) -> int:
        """Characters of content to lay out: what the renderers' time grows with."""
        total = 0
        for section in self.sections:
            total += sum(len(b.text) for b in section.blocks)
            total += sum(_chars(item) for item in section.items)
            total += sum(_chars(g.content) + _chars(g.agreed_content) for g in section.goals)
        return total

    def signed_goals(self) -> list[Goal]:
        return [g for g in self.goals() if g.signatures or g.agreed_hash]

    def record(self) -> dict[str, Any]:
        """The machine-readable agreement record: enough to verify every hash in the file."""
        return {
            "jointplan_record": RECORD_FORMAT,
            "plan_id": self.plan_id,
            "plan_title": self.plan_title,
            "exported_at": self.exported_at.isoformat(),
            "exported_for": {"name": self.reader_name, "party": self.reader_party},
            "version": {
                "id": self.version.id,
                "name": self.version.name,
                "hash": self.version.hash,
                "signatures": [s.record() for s in self.version.signatures],
            }
            if self.version
            else None,
            "goals": [
                {
                    "section_id": g.section_id,
                    "goal_id": g.goal_id,
                    "status": g.status,
                    "content": g.content,
                    "hash": g.hash,
                    "agreed_hash": g.agreed_hash,
                    "agreed_content": g.agreed_content,
                    "signatures": [s.record() for s in g.signatures],
                }
                for g in self.signed_goals()
            ],
        }


def _chars(value: Any) -> int:
    """The length of the strings in a JSON value (iterative: any depth)."""
    total, stack = 0, [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            total += len(v)
        elif isinstance(v, dict):
            stack.extend(v.values())
            total += sum(len(str(k)) for k in v)
        elif isinstance(v, list):
            stack.extend(v)
        elif v is not None:
            total += 8
    return total


def _contents(kind: str, doc: Doc[Any]) -> tuple[list[dict[str, Any]], list[Block]]:
    """A section's items (activities, stakeholders) or blocks (text): run in a worker."""
    items = _section_items(kind, doc) if kind not in ("goals", "text") else []
    return items, blocks(doc) if kind == "text" else []


def _section_items(kind: str, doc: Doc[Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = layout.to_json(doc, kind).get("items", [])
    return items


def _people(members: Sequence[Member]) -> dict[str, str]:
    return {m.user_id: m.user.name for m in members}


def _signature(raw: dict[str, Any]) -> Signature:
    signed_at = datetime.fromisoformat(raw["signed_at"])
    return Signature(
        user_id=raw.get("user_id"),
        name=raw["name"],
        party=raw["party"],
        hash=raw["hash"],
        signed_at=signed_at if signed_at.tzinfo else signed_at.replace(tzinfo=UTC),
    )


async def for_plan(session: AsyncSession, plan: Plan, member: Member, reader: str) -> Export:
    """The plan as it stands, as this member may read it."""
    sections = plans_service.readable_sections(
        member, await plans_service.list_sections(session, plan.id)
    )
    docs = {s.id: await signoff_service.load_doc(session, s.id) for s in sections}
    states = await signoff_service.states_for_sections(session, sections, docs)
    by_section: dict[str, list[Goal]] = {}
    for state in states:
        agreement = state.agreement
        by_section.setdefault(state.section.id, []).append(
            Goal(
                section_id=state.section.id,
                goal_id=state.goal_id,
                content=goal_content(state.item) if state.item is not None else None,
                goal_status=state.item.get("status") if state.item else None,
                status=state.status,
                hash=state.current_hash,
                agreed_hash=state.agreed_hash,
                agreed_content=agreement.agreed_content if agreement else None,
                signatures=[
                    Signature(s.user_id, s.signer_name, s.party, s.content_hash, s.signed_at)
                    for s in state.signatures
                ],
            )
        )
    members = await plans_service.list_members(session, plan.id)
    out: list[Section] = []
    for s in sections:
        items, text = await offload.run(_contents, s.kind, docs[s.id])
        out.append(
            Section(
                section_id=s.id,
                title=s.title,
                kind=s.kind,
                horizon=s.horizon,
                goals=by_section.get(s.id, []),
                items=items,
                blocks=text,
            )
        )
    return Export(
        language=plan.language,
        plan_id=plan.id,
        plan_title=plan.title,
        supplier_name=plan.supplier_name,
        customer_name=plan.customer_name,
        reader_name=reader,
        reader_party=member.party,
        exported_at=utcnow(),
        people=_people(members),
        sections=out,
    )


async def for_version(
    session: AsyncSession, plan: Plan, member: Member, reader: str, version: PlanVersion
) -> Export:
    """A frozen version, as this member may read it."""
    sections = await versions_service.readable_sections(session, member, version)
    signed = (await versions_service.signatures(session, [version.id]))[version.id]
    members = await plans_service.list_members(session, plan.id)
    out: list[Section] = []
    for s in sections:
        doc = versions_service.version_doc(s)
        goals = [
            Goal(
                section_id=s.section_id,
                goal_id=a["goal_id"],
                content=a["content"],
                goal_status=None,
                status=a["status"],
                hash=a["current_hash"],
                agreed_hash=a["agreed_hash"],
                agreed_content=a["agreed_content"],
                signatures=[_signature(raw) for raw in a["signatures"]],
            )
            for a in s.agreements
        ]
        if s.kind == "goals":
            raw = await offload.run(_section_items, "goals", doc)
            statuses = {i["id"]: i.get("status") for i in raw}
            for goal in goals:
                goal.goal_status = statuses.get(goal.goal_id)
        items, text = await offload.run(_contents, s.kind, doc)
        out.append(
            Section(
                section_id=s.section_id,
                title=s.title,
                kind=s.kind,
                horizon=s.horizon,
                goals=goals,
                items=items,
                blocks=text,
            )
        )
    return Export(
        language=plan.language,
        plan_id=plan.id,
        plan_title=str(version.plan.get("title") or plan.title),
        supplier_name=str(version.plan.get("supplier_name") or plan.supplier_name),
        customer_name=str(version.plan.get("customer_name") or plan.customer_name),
        reader_name=reader,
        reader_party=member.party,
        exported_at=utcnow(),
        people=_people(members),
        sections=out,
        version=Version(
            id=version.id,
            name=version.name,
            created_at=version.created_at,
            created_by=version.created_by_name,
            hash=version.shared_hash,
            signatures=[
                Signature(s.user_id, s.signer_name, s.party, s.content_hash, s.signed_at)
                for s in signed
            ],
        ),
    )
