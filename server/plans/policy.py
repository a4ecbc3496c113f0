"""The permission rules of JointPlan, in one place.

Every REST route and every sync message asks these functions; nothing else decides who may
read or write a section. They take plain values so the sync server can call them without a
database session.
"""

from collections.abc import Iterable
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
