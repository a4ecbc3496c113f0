"""The permission rules of JointPlan, in one place.

Every REST route and every sync message asks these functions; nothing else decides who may
read or write a section. They take plain values so the sync server can call them without a
database session.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


def others_hear_of(audience: str, changed_for_them: bool) -> str | None:
    """The other party's audience for a bare notice of an act internal to one party that
    changed what they see (the order of shared sections, where the leader is); None when the
    act is shared already or changed nothing of theirs."""
    if not changed_for_them or audience == SHARED:
        return None
    return other_audience(audience)


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


# ---- parties manage themselves -----------------------------------------------------------
#
# A party is represented by its facilitators. Until a party has one, the other party's
# facilitators may invite and manage its people (bootstrapping a plan); from then on nobody
# outside it changes who belongs to it, with which role or signatory flag, and it never
# loses its last facilitator. See README "Permissions".


class MemberIdentity(Membership, Protocol):
    @property
    def id(self) -> str: ...


@dataclass(frozen=True)
class Census:
    """How many members of each role each party of a plan has."""

    counts: Mapping[tuple[str, str], int]

    @classmethod
    def of(cls, rows: Iterable[tuple[str, str, int]]) -> "Census":
        return cls({(party, role): n for party, role, n in rows})

    def members(self, party: str) -> int:
        return sum(n for (p, _), n in self.counts.items() if p == party)

    def facilitators(self, party: str) -> int:
        return self.counts.get((party, "facilitator"), 0)


def party_is_fixed(member: Membership, party: str) -> bool:
    """A member's party never changes; to move someone, remove and invite them again."""
    return party != member.party


def may_invite(actor: Membership | None, party: str, census: Census) -> bool:
    """Invite into one's own party; into the other only while it has no facilitator."""
    if not can_manage(actor):
        return False
    assert actor is not None
    return party == actor.party or census.facilitators(party) == 0


def may_see_invitation(actor: Membership | None, party: str, census: Census) -> bool:
    """List and revoke invitations into a party: whoever may invite into it now."""
    return may_invite(actor, party, census)


def may_reissue_invitation(
    actor: Membership | None, party: str, inviter_party: str | None, census: Census
) -> bool:
    """Issue a pending invitation's link again (the earlier one stops working): whoever may
    see it, if they belong to the party that sent it. A link is a key into a party; the
    other party never gets one for an invitation it did not send."""
    if not may_see_invitation(actor, party, census):
        return False
    assert actor is not None
    return actor.party == (inviter_party or party)


def invitation_still_valid(
    inviter_party: str | None, party: str, role: str, census: Census
) -> bool:
    """A facilitator invited by the other party is accepted only while the party still has
    no facilitator of its own, so that no party out-numbers the other's facilitators."""
    if inviter_party == party or role != "facilitator":
        return True
    return census.facilitators(party) == 0


def may_manage_member(actor: Membership | None, member: Membership, census: Census) -> bool:
    """Change a member's role or signatory flag: a facilitator of the member's party, or of
    the other party while the member's party has no facilitator (it never had one then, so
    all its members came in through the other party, and a wrong role can be put right)."""
    return may_invite(actor, member.party, census)


def may_remove_member(actor: MemberIdentity | None, member: MemberIdentity, census: Census) -> bool:
    """Remove a member (whoever may manage them) or leave the plan (anyone)."""
    if actor is not None and actor.id == member.id:
        return True
    return may_manage_member(actor, member, census)


def keeps_a_facilitator(member: Membership, new_role: str | None, census: Census) -> bool:
    """Whether the member's party still has a facilitator after the member becomes
    `new_role` (None: leaves the plan). A party that has one never loses its last."""
    if member.role != "facilitator" or new_role == "facilitator":
        return True
    return census.facilitators(member.party) > 1


def roles_assignable(actor: Membership | None, member: Membership, census: Census) -> list[Role]:
    """The roles the actor may give the member (empty: none; the web app offers these)."""
    if not may_manage_member(actor, member, census):
        return []
    return [r for r in ROLES if keeps_a_facilitator(member, r, census)]


# ---- sections cannot be taken away ------------------------------------------------------
#
# A party has a stake in a section it may read and owns alone or jointly. While the party
# has members, the other party's facilitators may not reduce its read or write access to
# such a section, nor gain write access to it: owner and visibility changes (and deletion)
# need that party. The actor's own party is theirs to give away. A section the actor could
# not read afterwards (the other party's internal) is made only by that party.

ROLES: tuple[Role, ...] = ("facilitator", "editor", "commenter", "viewer")
OWNERS: tuple[Owner, ...] = ("supplier", "customer", "joint")
VISIBILITIES: tuple[Visibility, ...] = ("shared", "supplier-only", "customer-only")


@dataclass(frozen=True)
class SectionState:
    owner: str
    visibility: str


def _access(party: str, section: SectionAccess) -> tuple[bool, bool]:
    member = _PartyEditor(party)
    return can_read(member, section), can_write(member, section)


@dataclass(frozen=True)
class _PartyEditor:
    party: str
    role: str = "editor"


def has_stake(party: str, section: SectionAccess) -> bool:
    """The party may read the section and owns it alone or jointly."""
    read, write = _access(party, section)
    return read and write


def may_change_section_access(
    actor: Membership | None, before: SectionAccess, after: SectionAccess, census: Census
) -> bool:
    """Change a section's owner or visibility from `before` to `after`."""
    if not can_manage_section(actor, before) or not can_manage_section(actor, after):
        return False
    assert actor is not None
    other = other_party(actor.party)
    if census.members(other) == 0 or not has_stake(other, before):
        return True
    other_before, other_after = _access(other, before), _access(other, after)
    reduces_other = any(b and not a for b, a in zip(other_before, other_after, strict=True))
    gains_write = _access(actor.party, after)[1] and not _access(actor.party, before)[1]
    return not reduces_other and not gains_write


def may_delete_section(actor: Membership | None, section: SectionAccess, census: Census) -> bool:
    """Delete a section: not one the other party (with members) has a stake in."""
    if not can_manage_section(actor, section):
        return False
    assert actor is not None
    other = other_party(actor.party)
    return census.members(other) == 0 or not has_stake(other, section)


def section_access_options(
    actor: Membership | None, section: SectionAccess, census: Census
) -> tuple[list[Owner], list[Visibility]]:
    """The owners and the visibilities the actor may set, each with the other field kept
    (what the web app offers in a section's settings)."""
    if not can_manage_section(actor, section):
        return [], []
    owners = [
        o
        for o in OWNERS
        if o == section.owner
        or may_change_section_access(actor, section, SectionState(o, section.visibility), census)
    ]
    visibilities = [
        v
        for v in VISIBILITIES
        if v == section.visibility
        or may_change_section_access(actor, section, SectionState(section.owner, v), census)
    ]
    return owners, visibilities


def new_section_options(actor: Membership | None) -> tuple[list[Owner], list[Visibility]]:
    """The owners and the visibilities the actor may give a section they add (what the web
    app's add form offers): those of a section they could manage, the rule create_section
    applies. The owner does not change who reads a section, so any owner goes."""
    visibilities = [v for v in VISIBILITIES if can_manage_section(actor, SectionState("joint", v))]
    return (list(OWNERS) if visibilities else []), visibilities


class Credential(Protocol):
    @property
    def revoked_at(self) -> datetime | None: ...
    @property
    def expires_at(self) -> datetime | None: ...


def credential_is_live(credential: Credential | None, now: datetime) -> bool:
    """A session or personal token counts until it is revoked or expires.

    Asked when a request or socket opens and again for every open socket and event stream
    after a revocation (server/collab/authz.py, server/stream/router.py)."""
    if credential is None or credential.revoked_at is not None:
        return False
    return credential.expires_at is None or credential.expires_at > now


class PlanMembership(Membership, Protocol):
    @property
    def plan_id(self) -> str: ...


def can_issue_password_reset(
    issuer: Iterable[PlanMembership], target: Iterable[PlanMembership]
) -> bool:
    """A facilitator may hand a member of their own party a password-reset link only when
    they manage every membership that account has: whoever holds the link can take the
    account over, so it must open nothing its issuer could not already manage."""
    managed = {(m.plan_id, m.party) for m in issuer if m.role == "facilitator"}
    memberships = [(m.plan_id, m.party) for m in target]
    return bool(memberships) and all(m in managed for m in memberships)
