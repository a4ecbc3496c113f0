from datetime import datetime

from pydantic import BaseModel

from server.schemas import Person


class FollowStart(BaseModel):
    section_id: str


class FollowRead(BaseModel):
    """The plan's "follow me" state as the caller may see it."""

    active: bool
    leader: Person | None = None
    # The leader's section; null when it is one the caller cannot read (see `hidden`).
    section_id: str | None = None
    # True when the leader is in a section the caller cannot read.
    hidden: bool = False
    started_at: datetime | None = None
    updated_at: datetime | None = None
