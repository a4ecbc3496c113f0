from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# The rule itself (length, common, repetitive) is checked by server/auth/passwords.py, so that
# a weak password gets its own error code rather than a validation error.
Password = Annotated[str, Field(min_length=1, max_length=1000)]


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    name: str


class SignupIn(BaseModel):
    email: EmailStr
    name: Name
    password: Password


class SignupOut(BaseModel):
    user: UserRead
    token: str


class LoginIn(BaseModel):
    email: EmailStr
    password: Annotated[str, Field(min_length=1, max_length=1000)]


class LoginOut(BaseModel):
    token: str
    user: UserRead


class TokenCreate(BaseModel):
    name: Name
    expires_in_days: Annotated[int | None, Field(ge=1, le=3650)] = None


class TokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    current: bool = False


class TokenCreated(TokenRead):
    token: str


class TokenList(BaseModel):
    items: list[TokenRead]


class PasswordResetRequest(BaseModel):
    email: EmailStr


class PasswordResetInfo(BaseModel):
    email: str
    expires_at: datetime


class PasswordResetComplete(BaseModel):
    password: Password


class PasswordResetIssued(BaseModel):
    """A reset link for a member, shown once to the facilitator who asked for it."""

    url: str
    expires_at: datetime
