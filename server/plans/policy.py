"""The permission rules of JointPlan, in one place.

Every REST route and every sync message asks these functions; nothing else decides who may
read or write a section. They take plain values so the sync server can call them without a
database session.
"""

from datetime import datetime
from typing import Literal, Protocol

from sqlalchemy import ColumnElement, or_
from sqlalchemy.orm import QueryableAttribute

from server.errors import Conflict

Party = Literal["supplier", "customer"]
Role = Literal["facilitator", "editor", "commenter", "viewer"]
Owner = Literal["supplier", "customer", "joint"]
Visibility = Literal["shared", "supplier-only", "customer-only"]
Kind = Literal["goals", "activities", "stakeholders", "text"]
Horizon = Literal["strategic", "tactical", "operative"]

PARTIES: tuple[Party, ...] = ("supplier", "customer")
WRITING_ROLES: frozenset[str] = frozenset({"facilitator", "editor"})
COMMENTING_ROLES: frozenset[str] = frozenset({"facilitator", "editor", "commenter"})


class Membership(Protocol):
    @property
    def party(self) -> str: ...
    @property
    def role(self) -> str: ...


class SectionAccess(Protocol):
    @property
    def owner(self) -> str: ...
    @property
    def visibility(self) -> str: ...


def internal_visibility(party: str) -> str:
    return f"{party}-only"


def can_read(member: Membership | None, section: SectionAccess) -> bool:
    """Read S ⇔ member, and S is shared or internal to the member's party."""
    if member is None:
        return False
    return section.visibility == "shared" or section.visibility == internal_visibility(member.party)


def can_write(member: Membership | None, section: SectionAccess) -> bool:
    """Write S ⇔ read S, role is facilitator or editor, and S is joint or owned by the party."""
    if member is None or not can_read(member, section):
        return False
    return member.role in WRITING_ROLES and section.owner in ("joint", member.party)


def can_comment(member: Membership | None, section: SectionAccess) -> bool:
    return member is not None and can_read(member, section) and member.role in COMMENTING_ROLES


def can_manage(member: Membership | None) -> bool:
    """Manage members, invitations, sections and ownership."""
    return member is not None and member.role == "facilitator"


def can_manage_section(member: Membership | None, section: SectionAccess) -> bool:
    # A facilitator cannot manage what they cannot see: the other party's internal sections
    # stay invisible even to the other party's facilitator.
    return can_manage(member) and can_read(member, section)


# ---- the plan's state, signing, audiences, events, threads and audit rows ---------------
# Callers pass plain rows; nothing here touches the database. A test
# (tests/plans/test_policy_scan.py) keeps these comparisons from reappearing elsewhere.


class PlanState(Protocol):
    @property
    def archived_at(self) -> datetime | None: ...


class Signer(Membership, Protocol):
    @property
    def signatory(self) -> bool: ...


class ThreadAccess(Protocol):
    @property
    def visibility(self) -> str: ...  # "shared" | "internal"
    @property
    def party(self) -> str: ...  # the author's party


class EventAccess(Protocol):
    @property
    def visibility(self) -> str: ...
    @property
    def user_id(self) -> str | None: ...
    @property
    def section_id(self) -> str | None: ...


class AuditAccess(Protocol):
    @property
    def visibility(self) -> str: ...
    @property
    def target_type(self) -> str: ...
    @property
    def actor_id(self) -> str | None: ...


class Reader(Membership, Protocol):
    @property
    def user_id(self) -> str: ...


SHARED = "shared"
INTERNAL_THREAD = "internal"


def other_party(party: str) -> Party:
    return "customer" if party == "supplier" else "supplier"


def is_archived(plan: PlanState) -> bool:
    """An archived plan is read-only everywhere: content, structure, comments, signatures."""
    return plan.archived_at is not None


def ensure_open(plan: PlanState) -> None:
    """Refuse a change to an archived plan (409 plan_archived)."""
    if is_archived(plan):
        raise Conflict("The plan is archived; unarchive it to change it.", code="plan_archived")


def can_write_in(member: Membership | None, section: SectionAccess, plan: PlanState) -> bool:
    """Write S now: the write rule, and the plan is not archived. REST flags and sync agree."""
    return can_write(member, section) and not is_archived(plan)


def can_comment_in(member: Membership | None, section: SectionAccess, plan: PlanState) -> bool:
    return can_comment(member, section) and not is_archived(plan)


def is_signatory(member: Signer | None) -> bool:
    """Only signatories sign (goals and versions)."""
    return member is not None and bool(member.signatory)


def can_sign(member: Signer | None, plan: PlanState) -> bool:
    return is_signatory(member) and not is_archived(plan)


def is_shared(section: SectionAccess) -> bool:
    """Shared sections are read by both parties (and only their goals are signed by both)."""
    return section.visibility == SHARED


def reads_audience(member: Membership | None, audience: str) -> bool:
    """An audience ("shared" or "<party>-only") includes the member."""
    return member is not None and audience in (SHARED, internal_visibility(member.party))


def audience_of(*visibilities: str | None) -> str:
    """The audience of something that mentions sections of these visibilities: the first
    internal one wins, so a mention of an internal section stays with its party."""
    for visibility in visibilities:
        if visibility is not None and visibility != SHARED:
            return visibility
    return SHARED


def other_audience(visibility: str) -> str:
    """The other party's internal audience, for an internal `visibility`."""
    return "customer-only" if visibility == internal_visibility("supplier") else "supplier-only"


def can_see_event(
    member: Reader | None, event: EventAccess, section: SectionAccess | None = None
) -> bool:
    """Who sees a stream event: its audience, its recipient, and its section's read rule
    (`section` is None when the event names a section that is gone)."""
    if member is None or not reads_audience(member, event.visibility):
        return False
    if event.user_id is not None and event.user_id != member.user_id:
        return False
    if event.section_id is not None:
        return section is not None and can_read(member, section)
    return True


def is_internal_thread(thread: ThreadAccess) -> bool:
    return thread.visibility == INTERNAL_THREAD


def can_see_thread(member: Membership | None, thread: ThreadAccess, section: SectionAccess) -> bool:
    """A thread follows its section's read rule; an internal one stays with its party."""
    if member is None or not can_read(member, section):
        return False
    return not is_internal_thread(thread) or thread.party == member.party


def thread_audience(thread: ThreadAccess, section: SectionAccess) -> str:
    """Who may receive events and audit entries about the thread."""
    if is_internal_thread(thread):
        return internal_visibility(thread.party)
    return section.visibility


def can_see_comment_history(member: Reader | None, author_id: str) -> bool:
    """Earlier bodies of an edited comment are for its author only."""
    return member is not None and member.user_id == author_id


# Audit rows whose details name people who were invited (emails, roles): for the
# facilitators of the party the invitation was for.
INVITATION_TARGET = "invitation"


def can_see_audit(
    member: Reader | None, row: AuditAccess, concerned_party: str | None = None
) -> bool:
    """An audit row: its audience; invitation rows (an invitee's email and role) only for the
    facilitators of the party concerned (`concerned_party`) and for whoever sent it (the
    bootstrap case: one party invites the other's first facilitator)."""
    if member is None or not reads_audience(member, row.visibility):
        return False
    if row.target_type == INVITATION_TARGET:
        if row.actor_id is not None and row.actor_id == member.user_id:
            return True
        return can_manage(member) and concerned_party == member.party
    return True


def thread_clause(
    member: Membership, visibility: QueryableAttribute[str], party: QueryableAttribute[str]
) -> ColumnElement[bool]:
    """`can_see_thread`'s thread half as a query filter, over the given columns (the section
    half is the caller's list of readable sections)."""
    return or_(visibility != INTERNAL_THREAD, party == member.party)
