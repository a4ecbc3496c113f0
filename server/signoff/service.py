"""Two-party sign-off of goals, bound to the exact content signed.

A signature stores the SHA-256 of the goal's canonical content (signoff/canonical.py). A goal
is agreed when an active signature of each party carries the goal's current hash; it is
changed since agreement when its content no longer hashes to the agreed hash (the watcher
records that from the sync path, REST answers it live).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server import activity
from server.auth.models import User
from server.collab import layout
from server.collab import service as collab_service
from server.db import utcnow
from server.errors import BadRequest, Conflict, Forbidden, NotFound
from server.plans import policy
from server.plans import service as plans_service
from server.plans.models import Member, Plan, Section
from server.signoff.canonical import goal_content, goal_hash
from server.signoff.models import GoalAgreement, GoalSignature

PARTIES = frozenset(policy.PARTIES)
MAX_GOAL_ID = 64  # goal_agreement.goal_id


# ---- documents -------------------------------------------------------------------------


async def load_doc(session: AsyncSession, section_id: str) -> Doc[Any]:
    """A section's committed document (what every client of its room sees)."""
    return await collab_service.load_document(session, section_id)


def goal_items(doc: Doc[Any]) -> dict[str, dict[str, Any]]:
    """Goal items by id (the first of duplicated ids wins)."""
    items: dict[str, dict[str, Any]] = {}
    for item in layout.to_json(doc, "goals")["items"]:
        items.setdefault(item["id"], item)
    return items


def current_hashes(doc: Doc[Any], goal_ids: set[str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Hash and content of those goals still in the document."""
    return {
        goal_id: (goal_hash(item), goal_content(item))
        for goal_id, item in goal_items(doc).items()
        if goal_id in goal_ids
    }


# ---- looking goals up ------------------------------------------------------------------


@dataclass
class Goal:
    section: Section
    goal_id: str
    item: dict[str, Any] | None  # None: no longer in the document

    @property
    def content(self) -> dict[str, Any] | None:
        """The goal's canonical content, or None once it is deleted."""
        return goal_content(self.item) if self.item is not None else None

    @property
    def hash(self) -> str | None:
        """The hash of the goal's canonical content, or None once it is deleted."""
        return goal_hash(self.item) if self.item is not None else None


async def readable_goal_sections(session: AsyncSession, member: Member) -> list[Section]:
    """The plan's goals sections the member may read."""
    sections = await plans_service.list_sections(session, member.plan_id)
    return [s for s in plans_service.readable_sections(member, sections) if s.kind == "goals"]


async def find_goal(
    session: AsyncSession, member: Member, goal_id: str, section_id: str | None = None
) -> Goal:
    """A goal in a goals section the member may read (or one that was agreed and deleted);
    404 otherwise. Goal ids are unique per plan in practice; `section_id` settles the rest."""
    if len(goal_id) > MAX_GOAL_ID:
        raise NotFound("Goal not found.", code="goal_not_found")
    sections = await readable_goal_sections(session, member)
    if section_id is not None:
        sections = [s for s in sections if s.id == section_id]
    with_agreement = set(
        await session.scalars(
            select(GoalAgreement.section_id).where(
                GoalAgreement.goal_id == goal_id,
                GoalAgreement.section_id.in_([s.id for s in sections]),
            )
        )
    )
    found: list[Goal] = []
    for section in sections:
        item = goal_items(await load_doc(session, section.id)).get(goal_id)
        if item is not None or section.id in with_agreement:
            found.append(Goal(section, goal_id, item))
    if not found:
        raise NotFound("Goal not found.", code="goal_not_found")
    if len(found) > 1:
        raise Conflict(
            "Several sections have a goal with this id; say which with ?section_id=.",
            code="goal_ambiguous",
        )
    return found[0]


# ---- agreement state -------------------------------------------------------------------


def effective_status(agreement: GoalAgreement | None, current_hash: str | None) -> str:
    """pending | agreed | changed, from the agreed hash and the content as it is now."""
    if agreement is None or agreement.agreed_hash is None:
        return "pending"
    return "agreed" if current_hash == agreement.agreed_hash else "changed"


@dataclass
class AgreementState:
    section: Section
    goal_id: str
    item: dict[str, Any] | None
    agreement: GoalAgreement | None
    signatures: list[GoalSignature] = field(default_factory=list)  # active, oldest first
    past: list[GoalSignature] = field(default_factory=list)

    @property
    def current_hash(self) -> str | None:
        """The hash of the goal's content now (None: deleted)."""
        return goal_hash(self.item) if self.item is not None else None

    @property
    def status(self) -> str:
        """pending, agreed or changed, against the content now."""
        return effective_status(self.agreement, self.current_hash)

    @property
    def agreed_hash(self) -> str | None:
        """The hash both parties signed, if agreed."""
        return self.agreement.agreed_hash if self.agreement else None


async def _agreement(
    session: AsyncSession, section_id: str, goal_id: str, *, lock: bool = True
) -> GoalAgreement | None:
    query = select(GoalAgreement).where(
        GoalAgreement.section_id == section_id, GoalAgreement.goal_id == goal_id
    )
    if lock and session.get_bind().dialect.name == "postgresql":
        # Two signatories signing at once must see each other's signature.
        query = query.with_for_update()
    return await session.scalar(query)


async def _signatures(
    session: AsyncSession, agreement_ids: Sequence[str]
) -> dict[str, list[GoalSignature]]:
    by_agreement: dict[str, list[GoalSignature]] = {a: [] for a in agreement_ids}
    if not agreement_ids:
        return by_agreement
    rows = await session.scalars(
        select(GoalSignature)
        .where(GoalSignature.agreement_id.in_(agreement_ids))
        .order_by(GoalSignature.signed_at, GoalSignature.id)
    )
    for signature in rows:
        by_agreement[signature.agreement_id].append(signature)
    return by_agreement


def _state(
    section: Section,
    goal_id: str,
    item: dict[str, Any] | None,
    agreement: GoalAgreement | None,
    signatures: list[GoalSignature],
) -> AgreementState:
    return AgreementState(
        section=section,
        goal_id=goal_id,
        item=item,
        agreement=agreement,
        signatures=[s for s in signatures if s.ended_at is None],
        past=[s for s in signatures if s.ended_at is not None],
    )


async def agreement_state(session: AsyncSession, goal: Goal) -> AgreementState:
    """The goal's agreement and signatures now."""
    agreement = await _agreement(session, goal.section.id, goal.goal_id, lock=False)
    signatures = (await _signatures(session, [agreement.id]))[agreement.id] if agreement else []
    return _state(goal.section, goal.goal_id, goal.item, agreement, signatures)


async def states_for_sections(
    session: AsyncSession, sections: Sequence[Section], docs: dict[str, Doc[Any]] | None = None
) -> list[AgreementState]:
    """Every goal of these goals sections, in document order, then agreed goals that were
    deleted since."""
    goal_sections = [s for s in sections if s.kind == "goals"]
    agreements = (
        list(
            await session.scalars(
                select(GoalAgreement).where(
                    GoalAgreement.section_id.in_([s.id for s in goal_sections])
                )
            )
        )
        if goal_sections
        else []
    )
    signatures = await _signatures(session, [a.id for a in agreements])
    by_goal = {(a.section_id, a.goal_id): a for a in agreements}
    states: list[AgreementState] = []
    for section in goal_sections:
        doc = (docs or {}).get(section.id) or await load_doc(session, section.id)
        items = goal_items(doc)
        for goal_id, item in items.items():
            agreement = by_goal.get((section.id, goal_id))
            states.append(
                _state(
                    section, goal_id, item, agreement, signatures[agreement.id] if agreement else []
                )
            )
        for agreement in agreements:
            if agreement.section_id != section.id or agreement.goal_id in items:
                continue
            if agreement.agreed_hash is not None or any(
                s.ended_at is None for s in signatures[agreement.id]
            ):
                states.append(
                    _state(section, agreement.goal_id, None, agreement, signatures[agreement.id])
                )
    return states


async def states_for_member(session: AsyncSession, member: Member) -> list[AgreementState]:
    """The agreement state of every goal the member may read."""
    return await states_for_sections(session, await readable_goal_sections(session, member))


async def user_names(session: AsyncSession, ids: set[str]) -> dict[str, str]:
    """Names of these users by id."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    return {r[0]: r[1] for r in rows}


# ---- signing ---------------------------------------------------------------------------


def _agreement_event(state: AgreementState, action: str, actor_id: str | None) -> activity.Event:
    """What the stream says when a goal's agreement changes: its state, never its text."""
    return activity.Event(
        "agreement.changed",
        {
            "action": action,
            "goal_id": state.goal_id,
            "status": state.status,
            "agreed_hash": state.agreed_hash,
            "current_hash": state.current_hash,
            "actor_id": actor_id,
        },
        section_id=state.section.id,
    )


async def _get_or_create_agreement(session: AsyncSession, goal: Goal) -> GoalAgreement:
    agreement = await _agreement(session, goal.section.id, goal.goal_id)
    if agreement is not None:
        return agreement
    try:
        async with session.begin_nested():
            agreement = GoalAgreement(
                plan_id=goal.section.plan_id, section_id=goal.section.id, goal_id=goal.goal_id
            )
            session.add(agreement)
    except IntegrityError:
        # Someone signed the same goal first, at the same moment.
        agreement = await _agreement(session, goal.section.id, goal.goal_id)
        assert agreement is not None
    return agreement


async def sign(
    session: AsyncSession, plan: Plan, member: Member, user: User, goal: Goal
) -> tuple[AgreementState, str]:
    """Sign the goal's current content; returns the new state and the hash signed."""
    if not policy.is_signatory(member):
        raise Forbidden("Only a signatory of this plan can sign goals.", code="not_signatory")
    policy.ensure_open(plan)
    if not policy.is_shared(goal.section):
        raise Conflict(
            "This goal is internal to one party; only shared goals are signed by both.",
            code="goal_not_shared",
        )
    content, digest = goal.content, goal.hash
    if content is None or digest is None:
        raise Conflict("This goal has been deleted.", code="goal_deleted")
    agreement = await _get_or_create_agreement(session, goal)
    signatures = (await _signatures(session, [agreement.id]))[agreement.id]
    active = [s for s in signatures if s.ended_at is None]
    mine = [s for s in active if s.user_id == user.id]
    if any(s.content_hash == digest for s in mine):
        return _state(goal.section, goal.goal_id, goal.item, agreement, signatures), digest
    now = utcnow()
    for old in mine:
        old.ended_at, old.end_reason = now, "replaced"
    signature = GoalSignature(
        agreement_id=agreement.id,
        user_id=user.id,
        signer_name=user.name,
        party=member.party,
        content_hash=digest,
        content=content,
        signed_at=now,
    )
    session.add(signature)
    signatures.append(signature)
    parties = {s.party for s in signatures if s.ended_at is None and s.content_hash == digest}
    agreed = parties >= PARTIES and (
        agreement.status != "agreed" or agreement.agreed_hash != digest
    )
    before = {"status": agreement.status, "agreed_hash": agreement.agreed_hash}
    if agreed:
        agreement.status = "agreed"
        agreement.agreed_hash = digest
        agreement.agreed_content = content
        agreement.agreed_at = now
        agreement.changed_at = agreement.changed_by_id = agreement.changed_hash = None
        agreement.goal_deleted = False
    agreement.updated_at = now
    await session.flush()
    state = _state(goal.section, goal.goal_id, goal.item, agreement, signatures)
    # A goal's rows and events are for those who may read its section.
    audience = plans_service.event_visibility(goal.section)
    await activity.record(
        session,
        "goal.sign",
        plan_id=goal.section.plan_id,
        section_id=goal.section.id,
        actor_id=user.id,
        target_type="goal",
        target_id=agreement.id,
        audience=audience,
        after={
            "goal_id": agreement.goal_id,
            "hash": digest,
            "party": member.party,
            "content": content,
        },
        event=_agreement_event(state, "signed", user.id),
    )
    if agreed:
        await activity.record(
            session,
            "agreement.agreed",
            plan_id=goal.section.plan_id,
            section_id=goal.section.id,
            actor_id=user.id,
            target_type="goal",
            target_id=agreement.id,
            audience=audience,
            before=before,
            after={"goal_id": agreement.goal_id, "agreed_hash": digest, "content": content},
        )
    return state, digest


async def withdraw(
    session: AsyncSession, plan: Plan, member: Member, user: User, goal: Goal, reason: str | None
) -> AgreementState:
    """Withdraw my signature. Before agreement that is all; after agreement it needs a reason
    and reopens the goal: every signature ends and both parties sign again."""
    policy.ensure_open(plan)
    agreement = await _agreement(session, goal.section.id, goal.goal_id)
    signatures = (await _signatures(session, [agreement.id]))[agreement.id] if agreement else []
    mine = [s for s in signatures if s.ended_at is None and s.user_id == user.id]
    if agreement is None or not mine:
        raise NotFound("You have not signed this goal.", code="signature_not_found")
    reason = (reason or "").strip() or None
    reopens = agreement.agreed_hash is not None and any(
        s.content_hash == agreement.agreed_hash for s in mine
    )
    if reopens and reason is None:
        raise BadRequest(
            "The goal is agreed: say why you withdraw your signature.", code="reason_required"
        )
    now = utcnow()
    for signature in mine:
        signature.ended_at, signature.end_reason = now, "withdrawn"
        signature.withdraw_reason = reason
    before = {"status": agreement.status, "agreed_hash": agreement.agreed_hash}
    if reopens:
        for signature in signatures:
            if signature.ended_at is None:
                signature.ended_at, signature.end_reason = now, "reopened"
        agreement.status = "pending"
        agreement.agreed_hash = agreement.agreed_content = agreement.agreed_at = None
        agreement.changed_at = agreement.changed_by_id = agreement.changed_hash = None
        agreement.goal_deleted = False
        agreement.reopened_at, agreement.reopened_by_id = now, user.id
        agreement.reopen_reason = reason
    agreement.updated_at = now
    await session.flush()
    state = _state(goal.section, goal.goal_id, goal.item, agreement, signatures)
    audience = plans_service.event_visibility(goal.section)
    await activity.record(
        session,
        "goal.withdraw",
        plan_id=goal.section.plan_id,
        section_id=goal.section.id,
        actor_id=user.id,
        target_type="goal",
        target_id=agreement.id,
        audience=audience,
        before={"hash": mine[0].content_hash, "party": member.party},
        after={"goal_id": agreement.goal_id, "reason": reason},
        event=_agreement_event(state, "reopened" if reopens else "withdrawn", user.id),
    )
    if reopens:
        await activity.record(
            session,
            "agreement.reopened",
            plan_id=goal.section.plan_id,
            section_id=goal.section.id,
            actor_id=user.id,
            target_type="goal",
            target_id=agreement.id,
            audience=audience,
            before=before,
            after={"goal_id": agreement.goal_id, "reason": reason},
        )
    return state


# ---- change after agreement (called by the watcher) -----------------------------------


@dataclass(frozen=True)
class Watched:
    agreed_hash: str
    status: str
    deleted: bool


async def watched_goals(session: AsyncSession, plan_id: str) -> dict[str, dict[str, Watched]]:
    """Agreed (or changed) goals of a plan by section: all that edits can affect."""
    rows = await session.scalars(
        select(GoalAgreement).where(
            GoalAgreement.plan_id == plan_id, GoalAgreement.agreed_hash.is_not(None)
        )
    )
    watched: dict[str, dict[str, Watched]] = {}
    for a in rows:
        assert a.agreed_hash is not None
        watched.setdefault(a.section_id, {})[a.goal_id] = Watched(
            a.agreed_hash, a.status, a.goal_deleted
        )
    return watched


async def reconcile(
    session: AsyncSession,
    section_id: str,
    goal_id: str,
    current: tuple[str, dict[str, Any]] | None,
    user_id: str | None,
) -> Watched | None:
    """Bring a goal's stored agreement in line with its content (hash and content, or None
    when the goal is gone); records who changed it. Returns the new state to watch."""
    agreement = await _agreement(session, section_id, goal_id)
    if agreement is None or agreement.agreed_hash is None:
        return None
    section = await session.get(Section, section_id)
    if section is None:
        return None
    current_hash, content = current if current is not None else (None, None)
    deleted = current is None
    now = utcnow()
    action: str | None = None
    if agreement.status != "changed" and current_hash != agreement.agreed_hash:
        agreement.status = "changed"
        agreement.changed_at, agreement.changed_by_id = now, user_id
        agreement.changed_hash = current_hash
        agreement.goal_deleted = deleted
        action = "agreement.goal_deleted" if deleted else "agreement.changed"
    elif agreement.status == "changed" and current_hash == agreement.agreed_hash:
        agreement.status = "agreed"
        agreement.changed_at = agreement.changed_by_id = agreement.changed_hash = None
        agreement.goal_deleted = False
        action = "agreement.restored"
    elif agreement.status == "changed" and agreement.goal_deleted != deleted:
        # Deleted after an edit, or brought back: the last to act is who changed it.
        agreement.changed_at, agreement.changed_by_id = now, user_id
        agreement.goal_deleted = deleted
        agreement.changed_hash = current_hash
        action = "agreement.goal_deleted" if deleted else "agreement.changed"
    if action is not None:
        agreement.updated_at = now
        await session.flush()
        state = AgreementState(section, goal_id, content, agreement)
        await activity.record(
            session,
            action,
            plan_id=section.plan_id,
            section_id=section.id,
            actor_id=user_id,
            target_type="goal",
            target_id=agreement.id,
            audience=plans_service.event_visibility(section),
            before={"agreed_hash": agreement.agreed_hash, "content": agreement.agreed_content},
            after={"goal_id": agreement.goal_id, "current_hash": current_hash, "content": content},
            event=_agreement_event(state, action.removeprefix("agreement."), user_id),
        )
    return Watched(agreement.agreed_hash, agreement.status, agreement.goal_deleted)
