"""Presence (awareness) as an attacker sends it: bounded per connection, owned by the
connection that introduced a client id, and joiners are told only who is there."""

import asyncio
import json
from typing import Any

import httpx
import pytest

from server.collab import encoding, presence, protocol
from tests.collab.node import NodeClient
from tests.collab.yclient import YClient
from tests.live import ServerProcess, section_id
from tests.people import People


def _entries(*entries: tuple[int, int, bytes]) -> bytes:
    parts = [encoding.var_uint(len(entries))]
    for client_id, clock, state in entries:
        parts += [encoding.var_uint(client_id), encoding.var_uint(clock), encoding.var_bytes(state)]
    return protocol.awareness(b"".join(parts))


def _state(**fields: Any) -> bytes:
    return json.dumps(fields).encode()


async def _room(workshop: People, key: str = "goals_strategic") -> tuple[Any, str]:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    return kam, section_id(plan, key)


async def _joined(server: ServerProcess, sid: str, token: str) -> YClient:
    client = await YClient(server.ws, sid, token).connect()
    await client.wait_synced()
    return client


async def test_a_frame_of_250000_fake_clients_closes_its_sender_and_joiners_see_only_people(
    server: ServerProcess, workshop: People
) -> None:
    kam, sid = await _room(workshop)
    async with YClient(server.ws, sid, kam.token) as kari:
        await kari.wait_synced()
        await kari.set_presence({"user": {"name": "Kari"}}, client_id=11, clock=1)
        attacker = await _joined(server, sid, kam.token)
        flood = _entries(*((1000 + i, 1, b"{}") for i in range(250_000)))
        assert len(flood) < 2 * 1024 * 1024  # under the message limit
        await attacker.send_raw(flood)
        assert await attacker.wait_closed() == 4413
        async with YClient(server.ws, sid, kam.token) as joiner:
            await joiner.wait_synced()
            await joiner.wait_for(lambda: 11 in joiner.remote_awareness.states)
            assert joiner.remote_awareness.states == {11: {"user": {"name": "Kari"}}}
            assert joiner.awareness_bytes < 200
        assert not kari.closed.is_set()
        assert 1000 not in kari.remote_awareness.states
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{server.http}/healthz")).status_code == 200


async def test_more_client_ids_than_a_tab_needs_close_the_connection(
    server: ServerProcess, workshop: People
) -> None:
    kam, sid = await _room(workshop)
    async with YClient(server.ws, sid, kam.token) as watcher:
        await watcher.wait_synced()
        greedy = await _joined(server, sid, kam.token)
        limit = presence.MAX_CLIENTS_PER_CONNECTION
        for i in range(limit):  # a tab and a few reconnects' worth: accepted
            await greedy.set_presence({"user": {"name": f"tab {i}"}}, client_id=500 + i, clock=1)
        await watcher.wait_for(lambda: len(watcher.remote_awareness.states) == limit)
        await greedy.set_presence({"user": {"name": "one more"}}, client_id=600, clock=1)
        assert await greedy.wait_closed() == 4429
        # Its clients left with it.
        await watcher.wait_for(lambda: watcher.remote_awareness.states == {})
        assert not watcher.closed.is_set()


async def test_an_oversized_state_closes_the_connection(
    server: ServerProcess, workshop: People
) -> None:
    kam, sid = await _room(workshop)
    async with YClient(server.ws, sid, kam.token) as watcher:
        await watcher.wait_synced()
        big = await _joined(server, sid, kam.token)
        await big.set_presence({"user": {"name": "x" * presence.MAX_STATE_BYTES}}, 77, 1)
        assert await big.wait_closed() == 4413
        # Presence sent after the close reaches the watcher; the oversized state did not.
        marker = await _joined(server, sid, kam.token)
        await marker.set_presence({"user": {"name": "Marker"}}, 78, 1)
        await watcher.wait_for(lambda: 78 in watcher.remote_awareness.states)
        assert watcher.remote_awareness.states == {78: {"user": {"name": "Marker"}}}
        await marker.close()
        assert not watcher.closed.is_set()


async def test_another_partys_viewer_cannot_overwrite_or_remove_someone_elses_presence(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    viewer = await workshop.invite(kam, plan["id"], "Peeker", "customer", "viewer")
    sid = section_id(plan, "goals_strategic")
    kari_state = {"user": {"name": "Kari", "party": "supplier"}}
    async with (
        YClient(server.ws, sid, kam.token) as kari,
        YClient(server.ws, sid, kam.token) as watcher,
    ):
        await kari.wait_synced()
        await watcher.wait_synced()
        await kari.set_presence(kari_state, client_id=31, clock=3)
        await watcher.wait_for(lambda: 31 in watcher.remote_awareness.states)
        forger = await _joined(server, sid, viewer.token)
        await forger.wait_for(lambda: 31 in forger.remote_awareness.states)
        forged = {"user": {"name": "Kari (agrees to everything)", "color": "red;x:url(y)"}}
        await forger.set_presence(forged, client_id=31, clock=99)
        await forger.send_raw(_entries((31, 100, b"null")))
        await forger.set_presence({"user": {"name": "Peeker"}}, client_id=32, clock=1)
        # Its own client arrives, after the forgeries, and they did nothing.
        await watcher.wait_for(lambda: 32 in watcher.remote_awareness.states)
        assert watcher.remote_awareness.states[31] == kari_state
        # Dropped like the stock clients' echoes, not closed.
        assert not forger.closed.is_set()
        async with YClient(server.ws, sid, kam.token) as joiner:
            await joiner.wait_synced()
            await joiner.wait_for(lambda: len(joiner.remote_awareness.states) == 2)
            assert joiner.remote_awareness.states[31] == kari_state
        # Kari still owns her client id: her next state goes through.
        await kari.set_presence({"user": {"name": "Kari", "party": "supplier"}, "x": 1}, 31, 4)
        await watcher.wait_for(lambda: watcher.remote_awareness.states[31].get("x") == 1)
        await forger.close()


async def test_joiners_and_query_awareness_get_only_live_states(
    server: ServerProcess, workshop: People
) -> None:
    kam, sid = await _room(workshop)
    async with YClient(server.ws, sid, kam.token) as kari:
        await kari.wait_synced()
        await kari.set_presence({"user": {"name": "Kari"}}, client_id=41, clock=1)
        for round_ in range(3):  # people come and go
            passer = await _joined(server, sid, kam.token)
            for i in range(presence.MAX_CLIENTS_PER_CONNECTION):
                state = {"user": {"name": "passer", "pad": "p" * 3000}}
                await passer.set_presence(state, client_id=900 + 10 * round_ + i, clock=1)
            await kari.wait_for(lambda: len(kari.remote_awareness.states) == 4)
            await passer.close()
            await kari.wait_for(lambda: kari.remote_awareness.states == {})
        async with YClient(server.ws, sid, kam.token) as joiner:
            await joiner.wait_synced()
            await joiner.wait_for(lambda: 41 in joiner.remote_awareness.states)
            await joiner.send_raw(bytes([protocol.MESSAGE_QUERY_AWARENESS]))
            await joiner.wait_for(lambda: joiner.awareness_frames >= 2)
            assert list(joiner.remote_awareness.states) == [41]
            assert joiner.awareness_bytes < 200


@pytest.mark.parametrize(
    ("label", "state"),
    [
        ("not JSON", b"{user:"),
        ("NaN, which JSON.parse refuses", b'{"x": NaN}'),
        ("nested deeper than Python's json reads", b"[" * 2000 + b"]" * 2000),
        ("empty", b""),
        ("not UTF-8", b'"\xff\xfe"'),
    ],
)
async def test_a_state_the_browsers_could_not_read_closes_with_4400(
    server: ServerProcess, workshop: People, label: str, state: bytes
) -> None:
    kam, sid = await _room(workshop)
    async with YClient(server.ws, sid, kam.token) as watcher:
        await watcher.wait_synced()
        bad = await _joined(server, sid, kam.token)
        await bad.send_raw(_entries((51, 1, state)))
        assert await bad.wait_closed() == 4400, label
        assert watcher.remote_awareness.states == {}
        assert not watcher.closed.is_set()


async def test_a_reconnecting_tab_takes_its_client_id_over_from_its_old_connection(
    server: ServerProcess, workshop: People
) -> None:
    """The server may not have noticed yet that a tab's old socket is gone: the same user's
    new connection speaks for the tab's client id at once."""
    kam, sid = await _room(workshop)
    async with YClient(server.ws, sid, kam.token) as watcher:
        await watcher.wait_synced()
        old = await _joined(server, sid, kam.token)
        await old.set_presence({"user": {"name": "Kari"}, "n": 1}, client_id=61, clock=5)
        await watcher.wait_for(lambda: 61 in watcher.remote_awareness.states)
        new = await _joined(server, sid, kam.token)
        await new.set_presence({"user": {"name": "Kari"}, "n": 2}, client_id=61, clock=6)
        await watcher.wait_for(lambda: watcher.remote_awareness.states[61].get("n") == 2)
        await old.close()  # the old socket's end does not take the new one's presence away
        await new.set_presence({"user": {"name": "Kari"}, "n": 3}, client_id=62, clock=1)
        await watcher.wait_for(lambda: 62 in watcher.remote_awareness.states)
        assert watcher.remote_awareness.states[61]["n"] == 2
        await new.close()
        await watcher.wait_for(lambda: watcher.remote_awareness.states == {})


async def test_stock_clients_echoing_each_others_presence_stay_connected(
    server: ServerProcess, workshop: People
) -> None:
    """Stock providers re-send every awareness entry they receive: for a room of stock
    clients that is the normal traffic, and nobody is closed for it."""
    kam, sid = await _room(workshop)
    clients = [NodeClient(server.ws, sid, kam.token) for _ in range(4)]
    try:
        ids = []
        for i, client in enumerate(clients):
            await client.start()
            ids.append(str((await client.wait_event("ready"))["clientId"]))
            await client.wait_event("synced")
            await client.send(cmd="awareness", state={"user": {"name": f"person {i}"}})
        for _round in range(3):
            for i, client in enumerate(clients):
                await client.send(
                    cmd="awareness", state={"user": {"name": f"person {i}"}, "r": _round}
                )
        last = clients[0]
        for _ in range(200):
            states = [e for e in last.events if e["event"] == "awareness"]
            if states and all(states[-1]["states"].get(i, {}).get("r") == 2 for i in ids[1:]):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"presence did not arrive: {states[-1:]}")
        for client in clients:
            assert not any(e["event"] == "close" for e in client.events), client.events[-3:]
    finally:
        for client in clients:
            await client.stop()


async def test_a_peer_whose_network_died_leaves_within_a_few_seconds(
    server: ServerProcess, workshop: People
) -> None:
    """A cut network closes nothing: the server's pings (every 3 s, 3 s to answer) find the
    dead socket, and the others see the person go, not 30-40 s later."""
    kam, sid = await _room(workshop)
    async with YClient(server.ws, sid, kam.token) as kari:
        await kari.wait_synced()
        gone = await _joined(server, sid, kam.token)
        await gone.set_presence({"user": {"name": "Gone"}}, client_id=77, clock=1)
        await kari.wait_for(lambda: 77 in kari.remote_awareness.states)
        # Its socket stays open but reads nothing from now on: no pong is ever sent.
        assert gone.ws is not None
        gone.ws.transport.pause_reading()
        started = asyncio.get_running_loop().time()
        await kari.wait_for(lambda: 77 not in kari.remote_awareness.states, within=15)
        assert asyncio.get_running_loop().time() - started < 8
        gone.ws.transport.resume_reading()
        await gone.close()
