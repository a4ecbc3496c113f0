"""Outgoing email. Without SMTP settings nothing is sent and nothing fails."""

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from server.config import Settings

log = logging.getLogger(__name__)


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


@dataclass(frozen=True)
class Email:
    """A plain-text email a service composed, for the caller to send (or schedule)."""

    to: str
    subject: str
    body: str


async def send(settings: Settings, *, to: str, subject: str, body: str) -> bool:
    """Send a plain-text email; True if handed to the SMTP server."""
    if not settings.smtp_enabled:
        return False
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        await asyncio.to_thread(_send, settings, message)
    except (OSError, smtplib.SMTPException):
        log.warning("could not send email to %s", to, exc_info=True)
        return False
    return True


async def send_email(settings: Settings, email: Email) -> bool:
    """Send a composed email; True if handed to the SMTP server."""
    return await send(settings, to=email.to, subject=email.subject, body=email.body)
