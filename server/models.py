"""Imports every model so that Base.metadata is complete (Alembic, tests)."""

from server.audit.models import AuditEvent
from server.auth.models import AccessToken, User
from server.collab.models import SectionSnapshot, SectionUpdate
from server.db import Base
from server.plans.models import Invitation, Member, Plan, Section

__all__ = [
    "AccessToken",
    "AuditEvent",
    "Base",
    "Invitation",
    "Member",
    "Plan",
    "Section",
    "SectionSnapshot",
    "SectionUpdate",
    "User",
]
