"""The permission rules of JointPlan, in one place.

Every REST route and every sync message asks these functions; nothing else decides who may
read or write a section. They take plain values so the sync server can call them without a
database session.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

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


def _opposite(party: str) -> str:
    return "customer" if party == "supplier" else "supplier"


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
    other = _opposite(actor.party)
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
    other = _opposite(actor.party)
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
