"""Checking an exported file's agreement record against the server's records.

Per goal: the content in the file must hash to the hashes it states, every signature it
lists must be one the server recorded, and a hash it calls agreed must carry signatures of
both parties on the server. Then it either still matches the goal as it is now, or the goal
has changed since the export.
"""

import json
import re
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import offload
from server.errors import BadRequest, NotFound
from server.plans import policy
from server.plans import service as plans_service
from server.plans.models import Member, Plan, Section
from server.signoff import service as signoff_service
from server.signoff.canonical import goal_hash
from server.signoff.models import GoalAgreement, GoalSignature
from server.versions.models import PlanVersion, VersionSignature

MAX_BYTES = 8 * 1024 * 1024  # the body limit of POST /api/verify (docs/limits.md)
MAX_GOALS = 2000
# The start of a record as the exports write it: the format key, then the plan's id. A
# bounded pattern, so finding every candidate is one linear scan.
_START = re.compile(
    r'\{\s{0,16}"jointplan_record"\s{0,16}:\s{0,16}\d{1,4}\s{0,16},'
    r'\s{0,16}"plan_id"\s{0,16}:\s{0,16}"([0-9a-f]{32})"'
)
# A goal's text may hold something that looks like a record; the real one is the last.
# Decoding is tried from at most this many starts (each try reads at most the whole text).
_TRIES = 4
PARTIES = frozenset(policy.PARTIES)


def _not_an_export() -> BadRequest:
    return BadRequest(
        "This file holds no JointPlan agreement record (export the plan as Markdown or PDF).",
        code="not_an_export",
    )


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # PDF: the attached record is plain ASCII


def _starts(text: str, plan_id: str | None = None) -> list[re.Match[str]]:
    """The last few record starts (for plan_id, if given), scanned a window at a time: one
    regex call holds the GIL for as long as it runs, and this runs in a worker thread beside
    the event loop. Only the last few are kept: a crafted body holds ~100,000 starts, and
    keeping them all made the collector's next full pass stall the loop."""
    window, overlap = 256 * 1024, 256  # overlap: longer than any match
    kept: deque[re.Match[str]] = deque(maxlen=_TRIES)
    after = -1
    for begin in range(0, max(len(text), 1), window):
        for match in _START.finditer(text, begin, min(len(text), begin + window + overlap)):
            if match.start() > after and (plan_id is None or match.group(1) == plan_id):
                kept.append(match)
                after = match.start()
    return list(kept)


def claimed_plan_id(data: bytes) -> str:
    """The plan the file's record names, found without parsing it (linear in the size)."""
    matches = _starts(_text(data))
    if not matches:
        raise _not_an_export()
    return matches[-1].group(1)


def parse_record(data: bytes, plan_id: str | None = None) -> dict[str, Any]:
    """The agreement record inside a Markdown or PDF export (the last one, should a goal's
    text happen to contain something that looks like one), for plan_id if given."""
    text = _text(data)
    decoder = json.JSONDecoder()
    for match in reversed(_starts(text, plan_id)):
        try:
            record, _ = decoder.raw_decode(text, match.start())
        except (ValueError, RecursionError):
            continue
        if (
            isinstance(record, dict)
            and isinstance(record.get("plan_id"), str)
            and isinstance(record.get("goals"), list)
        ):
            if len(record["goals"]) > MAX_GOALS:
                raise BadRequest(
                    f"This record lists more than {MAX_GOALS} goals.", code="record_too_large"
                )
            return record
    raise _not_an_export()


@dataclass
class GoalVerdict:
    goal_id: str
    section_id: str | None
    title: str | None
    verdict: str  # matches | changed | tampered | unknown
    detail: str
    hash: str | None
    current_hash: str | None
    status: str | None  # the server's agreement status now


@dataclass
class VersionVerdict:
    version_id: str | None
    name: str | None
    verdict: str  # matches | tampered | unknown
    detail: str


@dataclass
class Verification:
    plan_id: str
    plan_title: str | None
    goals: list[GoalVerdict]
    version: VersionVerdict | None

    @property
    def matching(self) -> int:
        return sum(g.verdict == "matches" for g in self.goals)

    @property
    def ok(self) -> bool:
        goals = all(g.verdict == "matches" for g in self.goals)
        return goals and (self.version is None or self.version.verdict == "matches")


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _same_signature(claimed: dict[str, Any], party: str, digest: str, at: datetime) -> bool:
    when = _time(claimed.get("signed_at"))
    return (
        claimed.get("party") == party
        and claimed.get("hash") == digest
        and when is not None
        and when.tzinfo is not None
        and abs((when - at).total_seconds()) < 1
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _genuine(claimed: list[Any], recorded: list[tuple[str, str, datetime]]) -> bool:
    return all(
        isinstance(c, dict) and any(_same_signature(c, *r) for r in recorded) for c in claimed
    )


def _intact(goal: dict[str, Any]) -> bool:
    for content_key, hash_key in (("content", "hash"), ("agreed_content", "agreed_hash")):
        content, digest = goal.get(content_key), goal.get(hash_key)
        if content is None and digest is None:
            continue
        if not isinstance(content, dict) or goal_hash(content) != digest:
            return False
    return True


async def _goal(
    session: AsyncSession,
    goal: dict[str, Any],
    sections: dict[str, Section],
    items: dict[str, dict[str, dict[str, Any]]],
) -> GoalVerdict:
    goal_id = str(goal.get("goal_id"))
    section_id = goal.get("section_id")
    content = goal.get("content") if isinstance(goal.get("content"), dict) else None
    agreed = goal.get("agreed_content") if isinstance(goal.get("agreed_content"), dict) else None
    title = (content or agreed or {}).get("title")
    claimed_hash = goal.get("agreed_hash") or goal.get("hash")

    def verdict(
        kind: str, detail: str, current: str | None = None, status: str | None = None
    ) -> GoalVerdict:
        return GoalVerdict(
            goal_id=goal_id,
            section_id=section_id if isinstance(section_id, str) else None,
            title=title if isinstance(title, str) else None,
            verdict=kind,
            detail=detail,
            hash=claimed_hash if isinstance(claimed_hash, str) else None,
            current_hash=current,
            status=status,
        )

    section = sections.get(str(section_id))
    if section is None:
        return verdict("unknown", "No such goal on this server that you may read.")
    if not _intact(goal):
        return verdict("tampered", "The content in the file does not hash to the hash it states.")
    agreement = await session.scalar(
        select(GoalAgreement).where(
            GoalAgreement.section_id == section.id, GoalAgreement.goal_id == goal_id
        )
    )
    recorded = (
        [
            (s.party, s.content_hash, s.signed_at)
            for s in await session.scalars(
                select(GoalSignature).where(GoalSignature.agreement_id == agreement.id)
            )
        ]
        if agreement
        else []
    )
    if not _genuine(_list(goal.get("signatures")), recorded):
        return verdict("tampered", "A signature in the file is not in the server's records.")
    if goal.get("agreed_hash"):
        parties = {party for party, digest, _ in recorded if digest == goal["agreed_hash"]}
        if not parties >= PARTIES:
            return verdict("tampered", "The server never recorded an agreement on this hash.")
    if section.id not in items:  # each section read once, however many goals name it
        doc = await signoff_service.load_doc(session, section.id)
        items[section.id] = await offload.run(signoff_service.goal_items, doc)
    item = items[section.id].get(goal_id)
    current = goal_hash(item) if item is not None else None
    status = signoff_service.effective_status(agreement, current)
    if current is not None and current == claimed_hash:
        return verdict("matches", "The goal still reads exactly as in the file.", current, status)
    if current is None:
        return verdict("changed", "The goal has been deleted since.", None, status)
    return verdict("changed", "The goal has changed since this export.", current, status)


async def _version(session: AsyncSession, plan_id: str, claimed: dict[str, Any]) -> VersionVerdict:
    version_id = claimed.get("id")
    name = claimed.get("name")
    version = await session.get(PlanVersion, str(version_id))
    if version is None or version.plan_id != plan_id:
        return VersionVerdict(version_id, name, "unknown", "No such version on this server.")
    if claimed.get("hash") != version.shared_hash:
        return VersionVerdict(version.id, name, "tampered", "The version hash does not match.")
    recorded = [
        (s.party, s.content_hash, s.signed_at)
        for s in await session.scalars(
            select(VersionSignature).where(VersionSignature.version_id == version.id)
        )
    ]
    if not _genuine(_list(claimed.get("signatures")), recorded):
        return VersionVerdict(
            version.id, name, "tampered", "A signature in the file is not in the server's records."
        )
    return VersionVerdict(version.id, version.name, "matches", "The version and its hash match.")


async def verify(
    session: AsyncSession, record: dict[str, Any], user_id: str | None
) -> Verification:
    """Check a record as a member (user_id: only what they may read; 404 for non-members) or,
    with None, as the server's operator (the `jointplan verify` command)."""
    plan = await session.get(Plan, record["plan_id"])
    member: Member | None = None
    if plan is not None and user_id is not None:
        member = await plans_service.get_membership(session, plan.id, user_id)
    if plan is None or (user_id is not None and member is None):
        raise NotFound("Plan not found.", code="plan_not_found")
    sections = await plans_service.list_sections(session, plan.id)
    readable = {
        s.id: s
        for s in sections
        if s.kind == "goals" and (member is None or policy.can_read(member, s))
    }
    items: dict[str, dict[str, dict[str, Any]]] = {}
    goals = [
        await _goal(session, g, readable, items) for g in record["goals"] if isinstance(g, dict)
    ]
    version = (
        await _version(session, plan.id, record["version"])
        if isinstance(record.get("version"), dict)
        else None
    )
    return Verification(plan.id, plan.title, goals, version)
