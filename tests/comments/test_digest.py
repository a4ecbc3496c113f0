"""With SMTP configured, unread mentions go out as one digest email per person."""

import asyncio
from collections.abc import AsyncIterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest

from server.comments.digest import send_mention_digests
from tests.comments.helpers import mention, workshop_plan
from tests.people import People


class FakeSMTP:
    """Just enough SMTP to receive messages over a real socket."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 fake ESMTP\r\n")
        while line := await reader.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                writer.write(b"250 fake\r\n")
            elif command == "DATA":
                writer.write(b"354 go on\r\n")
                await writer.drain()
                data = b""
                while (chunk := await reader.readline()) != b".\r\n":
                    data += chunk
                self.messages.append(message_from_bytes(data))
                writer.write(b"250 queued\r\n")
            elif command == "QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@pytest.fixture
async def smtp() -> AsyncIterator[FakeSMTP]:
    server = FakeSMTP()
    await server.start()
    yield server
    await server.stop()


async def test_mention_digest_is_sent_once(app: Any, people: People, smtp: FakeSMTP) -> None:
    p = await workshop_plan(app, people)
    goals = p.sections["goals_strategic"]
    await p.kam.http.post(
        f"/api/plans/{p.id}/threads",
        json={"section_id": goals, "visibility": "shared", "body": f"{mention(p.cus)} first"},
    )
    await p.kam.http.post(
        f"/api/plans/{p.id}/threads",
        json={"section_id": goals, "visibility": "internal", "body": f"{mention(p.sup)} internal"},
    )
    settings = app.state.settings
    sessionmaker = app.state.sessionmaker

    settings.smtp_host = ""
    assert await send_mention_digests(sessionmaker, settings) == 0  # no SMTP: nothing, no error

    settings.smtp_host, settings.smtp_port, settings.smtp_starttls = "127.0.0.1", smtp.port, False
    assert await send_mention_digests(sessionmaker, settings) == 2
    by_recipient = {m["To"]: m for m in smtp.messages}
    assert set(by_recipient) == {p.cus.email, p.sup.email}
    customer_mail = by_recipient[p.cus.email].get_payload()
    assert isinstance(customer_mail, str)
    assert "first" in customer_mail
    assert "internal" not in customer_mail
    assert await send_mention_digests(sessionmaker, settings) == 0  # not sent twice
