"""Pydantic shapes shared by every domain's API."""

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A request body: unknown fields are refused (422), so a misspelt field is not
    silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Person(BaseModel):
    """Someone named in a response: a comment's author, an audit row's actor, the leader."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str


class PersonRecord(BaseModel):
    """Someone as a signature or a version recorded them: the name stays, the account may
    be gone since (`id` null)."""

    id: str | None
    name: str
