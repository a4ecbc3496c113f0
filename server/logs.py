"""Logging set-up: secrets in URLs never reach the logs."""

import logging
import re
from typing import Any

_SECRET_QUERY = re.compile(r"(?i)\b(token|code)=[^&\s\"']+")


_INVITATION_PATH = re.compile(r"/api/invitations/[^/\s?\"']+")
# Password-reset links: the API path and the web page (`/reset/jpr_…`) both carry the secret.
_RESET_SECRET = re.compile(r"jpr_[A-Za-z0-9_-]+")


def redact(text: str) -> str:
    text = _SECRET_QUERY.sub(r"\1=[redacted]", text)
    text = _RESET_SECRET.sub("jpr_[redacted]", text)
    return _INVITATION_PATH.sub("/api/invitations/[redacted]", text)


def _redact_value(value: Any) -> Any:
    return redact(value) if isinstance(value, str) else value


class RedactSecrets(logging.Filter):
    """Removes secrets from access lines: `token=`/`code=` query values (WebSocket URLs) and
    invitation link secrets in API paths."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _redact_value(v) for k, v in record.args.items()}
        return True


# Loggers that write bound values or result rows at DEBUG (aiosqlite: each statement with its
# parameters; SQLAlchemy: result rows, though hide_parameters hides the parameters), where
# password hashes and token hashes travel. A debug log must never carry those.
DATA_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "asyncpg")


def install_redaction() -> None:
    for name in DATA_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    redactor = RedactSecrets()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "server", "jointplan"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(redactor)
