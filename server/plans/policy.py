"""The permission rules of JointPlan, in one place.

Every REST route and every sync message asks these functions; nothing else decides who may
read or write a section. They take plain values so the sync server can call them without a
database session.
"""

from datetime import datetime
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
