"""Front-door limits on a live server (uvicorn as `jointplan serve` runs it): a body that
declares 200 MB is refused at once, unread; a socket that sends nothing, or trickles its
request head, is closed after the header timeout; an idle keep-alive connection too."""

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.live import ServerProcess

pytestmark = pytest.mark.parametrize("live_database", ["sqlite"], indirect=True)


@pytest.fixture(scope="module")
def server(live_database: tuple[str, Path]) -> Iterator[ServerProcess]:
    url, data_dir = live_database
    process = ServerProcess(
        url,
        data_dir,
        env_extra={"JOINTPLAN_HTTP_HEADER_SECONDS": "1", "JOINTPLAN_HTTP_KEEP_ALIVE_SECONDS": "1"},
    )
    process.start()
    yield process
    process.stop()


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> bytes:
    """What the server sent before it closed the connection (fails if it did not)."""
    received = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        chunk = await asyncio.wait_for(reader.read(65536), deadline - time.monotonic())
        if not chunk:
            return received
        received += chunk
    raise AssertionError("the server kept the connection open")


async def test_a_200_mb_login_is_refused_before_its_body(server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(
        b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 209715200\r\n\r\n" + b"{" * 100
    )
    # Only the start of the body is sent: the server answers without waiting for the rest.
    # (Had it more unread bytes when it closes, the kernel would reset the connection, and
    # the reset can reach this client before it reads the answer.)
    await writer.drain()
    answer = await closed_within(reader, 10)  # long before 200 MB could have been sent
    assert answer.startswith(b"HTTP/1.1 413")
    assert b'"error":"payload_too_large"' in answer.replace(b" ", b"")
    writer.close()


async def test_silent_and_slow_sockets_are_closed(server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    assert await closed_within(reader, 10) == b""  # connected, sent nothing
    writer.close()

    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)

    async def trickle() -> None:
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.2)

    sender = asyncio.create_task(trickle())
    try:
        assert await closed_within(reader, 10) == b""
    finally:
        sender.cancel()
        writer.close()


async def test_an_oversized_request_head_is_refused(server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000)
        await writer.drain()
        answer = await closed_within(reader, 10)
    except ConnectionResetError:  # refused while the rest was still on its way
        answer = b"HTTP/1.1 400 (reset)"
    assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 431"))
    writer.close()
    r = await asyncio.to_thread(httpx.get, f"{server.http}/healthz")
    assert r.status_code == 200


async def test_an_idle_keep_alive_connection_is_closed(server: ServerProcess) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    answer = await closed_within(reader, 10)
    assert answer.startswith(b"HTTP/1.1 200")
    writer.close()
