"""Imports every model so that Base.metadata is complete (Alembic, tests)."""

from server.audit.models import AuditEvent
from server.auth.models import AccessToken, PasswordReset, User
from server.collab.models import LoggedUpdate, SectionQuarantine, SectionSnapshot
from server.comments.models import (
    Comment,
    CommentRevision,
    Mention,
    Notification,
    NotificationSetting,
    Thread,
    Vote,
)
from server.db import Base
from server.follow.models import FollowState
from server.plans.models import Invitation, Member, Plan, Section
from server.signoff.models import GoalAgreement, GoalSignature
from server.stream.models import PlanEvent
from server.versions.models import PlanVersion, VersionSection, VersionSignature

__all__ = [
    "Comment",
    "FollowState",
    "CommentRevision",
    "Mention",
    "Notification",
    "NotificationSetting",
    "PasswordReset",
    "PlanEvent",
    "PlanVersion",
    "Thread",
    "Vote",
    "AccessToken",
    "AuditEvent",
    "GoalAgreement",
    "GoalSignature",
    "Base",
    "Invitation",
    "Member",
    "Plan",
    "Section",
    "SectionQuarantine",
    "SectionSnapshot",
    "LoggedUpdate",
    "User",
    "VersionSection",
    "VersionSignature",
]
