"""Bad input closes only the offending connection; the room, its clients and the stored
document carry on."""

import asyncio
import contextlib
from pathlib import Path

import httpx
import pytest
from pycrdt import Doc
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.collab import protocol
from tests.collab.yclient import YClient, synced_pair
from tests.live import ServerProcess, section_id
from tests.people import People

VALID = protocol.sync_update(b"\x01\x01\x9a\x05\x00\x04\x01\x05items\x01w\x01x\x00")

CASES = [
    ("garbage", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 4400),
    ("truncated update", VALID[:-3], 4400),
    ("truncated header", b"\x00", 4400),
    ("unknown message type", b"\x09\x00", 4400),
    ("unknown sync step", b"\x00\x07\x00", 4400),
    ("malformed update payload", protocol.sync_update(b"\x05\x05\x05\x05"), 4400),
    ("bad awareness", protocol.awareness(b"\x05\x01"), 4400),
    ("trailing bytes", protocol.sync_step1(b"\x00") + b"\x00", 4400),
    ("oversized", protocol.sync_update(b"\x00" * (2 * 1024 * 1024 + 10)), 4413),
]


@pytest.mark.parametrize(("label", "frame", "code"), CASES, ids=[c[0] for c in CASES])
async def test_bad_frame_closes_only_that_connection(
    server: ServerProcess, workshop: People, label: str, frame: bytes, code: int
) -> None:
    async with synced_pair(server, workshop) as pair:
        kam, sid, good, other = pair.kam, pair.section, pair.a, pair.b
        good.push("kept")
        await other.wait_for(lambda: other.titles() == ["kept"])

        bad = await YClient(server.ws, sid, kam.token).connect()
        await bad.wait_synced()
        await bad.send_raw(frame)
        assert await bad.wait_closed() == code, label

        good.push("after")
        await other.wait_for(lambda: other.titles() == ["kept", "after"])
    async with YClient(server.ws, sid, kam.token) as fresh:
        await fresh.wait_synced()
        assert fresh.titles() == ["kept", "after"]
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{server.http}/healthz")).status_code == 200


async def test_text_frame_is_refused(server: ServerProcess, workshop: People) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    c = await YClient(server.ws, section_id(plan, "analysis"), kam.token).connect()
    await c.wait_synced()
    assert c.ws is not None
    await c.ws.send("hello")
    assert await c.wait_closed() == 4400


async def test_flood_beyond_the_rate_limit_is_closed(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "goals_strategic")
    async with YClient(server.ws, sid, kam.token) as other:
        await other.wait_synced()
        flooder = await YClient(server.ws, sid, kam.token).connect()
        await flooder.wait_synced()
        query = bytes([protocol.MESSAGE_QUERY_AWARENESS])
        for _ in range(3000):
            if flooder.closed.is_set():
                break
            try:
                await flooder.send_raw(query)
            except Exception:
                break
        assert await flooder.wait_closed() == 4429
        other.push("still working")
        async with YClient(server.ws, sid, kam.token) as check:
            await check.wait_synced()
            await check.wait_for(lambda: check.titles() == ["still working"])
            # The room still serves the other connection after the flood was dealt with.
            check.push("reply")
            await other.wait_for(lambda: "reply" in other.titles())
        assert not other.closed.is_set()


async def test_a_client_that_stops_reading_is_closed_and_the_room_carries_on(
    live_database: tuple[str, Path],
) -> None:
    """Its socket's buffers fill, its backlog passes the limit: it is closed with 4408,
    while the writer and a reading client see every edit at once."""
    url, data_dir = live_database
    server = ServerProcess(url, data_dir, env_extra={"JOINTPLAN_COLLAB_MAX_QUEUED_BYTES": "262144"})
    server.start()
    workshop = People.on(server)
    try:
        kam = await workshop.signup("Kam")
        plan = await workshop.plan(kam)
        sid = section_id(plan, "goals_tactical")
        # A raw client that sends sync step 1 and then never reads: its library stops
        # reading the socket after one queued message, so the server's writes back up.
        stalled = await connect(
            f"{server.ws}/collab/{sid}?token={kam.token}", max_size=None, max_queue=1
        )
        await stalled.send(protocol.sync_step1(Doc().get_state()))
        async with (
            YClient(server.ws, sid, kam.token) as writer,
            YClient(server.ws, sid, kam.token) as reader,
        ):
            await writer.wait_synced()
            await reader.wait_synced()
            for i in range(120):  # about 80 KB each, 10 MB in all
                writer.push(f"{i}:".ljust(40_000, "x"))
                await asyncio.sleep(0.005)
            await reader.wait_for(lambda: len(reader.items) == 120, within=20)
            assert not reader.closed.is_set()
            assert not writer.closed.is_set()
        # Reading again, it finds what was sent before the limit, then the close.
        assert await _read_until_closed(stalled) == 4408
        assert "fell behind" in server.logs()
    finally:
        await workshop.close()
        server.stop()


async def _read_until_closed(ws: ClientConnection) -> int | None:
    with contextlib.suppress(ConnectionClosed):
        while True:
            await asyncio.wait_for(ws.recv(), 10)
    return ws.close_code
