"""The password rule: at least 10 characters, not a common password, not a repeated few.

Length matters most against guessing; the list catches what people pick first (and the throttle
makes online guessing of the rest slow). The same rule is shown in the web app before anyone
types (web/src/i18n: `auth.passwordRule`).
"""

import re
from functools import cache
from pathlib import Path

from server.errors import BadRequest

MIN_LENGTH = 10
MIN_DISTINCT = 4
_LIST = Path(__file__).with_name("common_passwords.txt")
_ENDING = re.compile(r"[\W\d_]+$")


@cache
def common_passwords() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _is_common(password: str, email: str | None) -> bool:
    lowered = password.lower().strip()
    candidates = {lowered, _ENDING.sub("", lowered)}
    common = common_passwords()
    if any(c in common for c in candidates):
        return True
    local = (email or "").split("@", 1)[0].lower()
    return len(local) >= 3 and local in candidates


def check_password(password: str, *, email: str | None = None) -> None:
    """400 with a code the web app explains when the password breaks the rule."""
    if len(password) < MIN_LENGTH:
        raise BadRequest(
            f"Choose a password of at least {MIN_LENGTH} characters.", code="password_too_short"
        )
    if len(set(password)) < MIN_DISTINCT:
        raise BadRequest(
            "The password repeats the same few characters; choose another.",
            code="password_repetitive",
        )
    if _is_common(password, email):
        raise BadRequest(
            "This password is on a list of common passwords; choose another.",
            code="password_too_common",
        )
