"""Revocation is immediate: a writer that keeps sending while its credential, membership,
role or section access is taken away has nothing stored that it sent after the revoking
request answered. Real server processes; stored state read back through the content route
after a barrier write, never from the writer's own document."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Array, Doc, Map, Text
from websockets.exceptions import ConnectionClosed

from server.collab import protocol
from tests.collab.node import NodeClient
from tests.collab.yclient import YClient
from tests.live import ServerProcess, section_id
from tests.people import PASSWORD, People, Person
from tests.stream.test_sse import sse

DEADLINE = 10.0  # generous: the server closes or downgrades well within a second


class Writer:
    """Sends a new numbered goal (`w0`, `w1`, …) every 10 ms over its own socket until it is
    closed or stopped. `started` is how many it had begun to send at any moment."""

    def __init__(self, client: YClient) -> None:
        self.client = client
        self.doc: Doc[Any] = Doc()
        self.items = self.doc.get("items", type=Array)
        self.started = 0
        self._stop = False
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while not self._stop and not self.client.closed.is_set():
            before = self.doc.get_state()
            n = self.started
            self.items.append(Map({"id": f"w{n}", "title": Text(f"w{n}")}))
            self.started += 1
            try:
                await self.client.send_raw(protocol.sync_update(self.doc.get_update(before)))
            except ConnectionClosed:
                return
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self._stop = True
        if self._task is not None:
            await self._task


async def stored_ids(reader: Person, plan_id: str, sid: str) -> list[str]:
    r = await reader.http.get(f"/api/plans/{plan_id}/sections/{sid}/content")
    assert r.status_code == 200, r.text
    return [str(item["id"]) for item in r.json()["items"]]


def written(ids: list[str]) -> list[int]:
    return sorted(int(i[1:]) for i in ids if i.startswith("w") and i[1:].isdigit())


async def poll(predicate: Callable[[], Awaitable[bool]], within: float = DEADLINE) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("condition not reached")
        await asyncio.sleep(0.05)


async def barrier(server: ServerProcess, owner: Person, plan_id: str, sid: str) -> None:
    """Write a marker as the plan's owner and wait until it is stored: the writer's frames,
    all received before it, have been handled by then."""
    async with YClient(server.ws, sid, owner.token) as marker:
        await marker.wait_synced()
        marker.push("barrier")

        async def stored() -> bool:
            return "barrier" in await stored_ids(owner, plan_id, sid)

        await poll(stored)


async def login(workshop: People, who: Person) -> str:
    r = await workshop.client().post(
        "/api/auth/login", json={"email": who.email, "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    return str(r.json()["token"])


async def session_id_of(workshop: People, token: str) -> str:
    sessions = (await workshop.client(token).get("/api/auth/sessions")).json()["items"]
    return str(next(s["id"] for s in sessions if s["current"]))


async def member_id_of(owner: Person, plan_id: str, user_id: str) -> str:
    members = (await owner.http.get(f"/api/plans/{plan_id}/members")).json()["items"]
    return str(next(m["id"] for m in members if m["user"]["id"] == user_id))


# Each case: how the writer's socket is opened and how its access is taken away. Returns the
# writer's token and a coroutine that revokes (and checks the answer); `expect` is the close
# code, or None when the socket stays open read-only.
Revoke = Callable[[], Awaitable[httpx.Response]]


async def _case(
    kind: str, workshop: People, kam: Person, plan: dict[str, Any], sid: str
) -> tuple[str, Revoke]:
    pid = plan["id"]
    # The customer's own facilitator manages the customer's people and the customer's share
    # of a joint section; the supplier's facilitator cannot take either away.
    cfac = await workshop.invite(kam, pid, "Cfac", "customer", "facilitator")
    buyer = await workshop.invite(cfac, pid, "Buyer", "customer", "editor")
    if kind == "sign-out":
        return buyer.token, lambda: buyer.http.post("/api/auth/logout")
    if kind == "session":
        other = await login(workshop, buyer)
        sess = await session_id_of(workshop, other)
        return other, lambda: buyer.http.delete(f"/api/auth/sessions/{sess}")
    if kind == "token":
        r = await buyer.http.post("/api/auth/tokens", json={"name": "script"})
        assert r.status_code == 201, r.text
        token, token_id = r.json()["token"], r.json()["id"]
        return token, lambda: buyer.http.delete(f"/api/auth/tokens/{token_id}")
    member = await member_id_of(kam, pid, buyer.id)
    if kind == "removal":
        return buyer.token, lambda: cfac.http.delete(f"/api/plans/{pid}/members/{member}")
    if kind == "leaving":
        return buyer.token, lambda: buyer.http.delete(f"/api/plans/{pid}/members/{member}")
    if kind == "role":
        return buyer.token, lambda: cfac.http.patch(
            f"/api/plans/{pid}/members/{member}", json={"role": "viewer"}
        )
    if kind == "owner":
        # The customer hands its share of the joint section to the supplier.
        return buyer.token, lambda: cfac.http.patch(
            f"/api/plans/{pid}/sections/{sid}", json={"owner": "supplier"}
        )
    raise AssertionError(kind)


# Losing sight of a section while writing to it has no case: a party that may write a
# section cannot lose sight of it in one request (its own facilitator cannot hide it from
# themselves, the other party's may not take it away; see policy.may_change_section_access
# and the section matrix in tests/plans). A reader losing sight is the test further down.
CASES = {
    "sign-out": 4401,
    "session": 4401,
    "token": 4401,
    "removal": 4403,
    "leaving": 4403,
    "role": None,  # editor -> viewer: the socket stays open, read-only
    "owner": None,  # the section becomes the other party's: read-only
}


@pytest.mark.parametrize("kind", list(CASES))
async def test_nothing_sent_after_the_revoking_request_is_stored(
    server: ServerProcess, workshop: People, kind: str
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    sid = section_id(plan, "goals_strategic")
    token, revoke = await _case(kind, workshop, kam, plan, sid)
    await revoke_during_writes(server, server, kam, pid, sid, token, revoke, CASES[kind])


async def revoke_during_writes(
    server: ServerProcess,
    writer_server: ServerProcess,
    kam: Person,
    pid: str,
    sid: str,
    token: str,
    revoke: Revoke,
    expect: int | None,
) -> None:
    async with YClient(writer_server.ws, sid, token) as client:
        await client.wait_synced()
        writer = Writer(client)
        writer.start()

        async def some_stored() -> bool:
            return len(written(await stored_ids(kam, pid, sid))) >= 3

        await poll(some_stored)
        response = await revoke()
        cutoff = writer.started  # w{cutoff} and later were sent after the answer
        assert response.status_code in (200, 204), response.text
        if expect is None:
            await client.wait_for(lambda: bool(client.denied), within=DEADLINE)
            await client.wait_for(lambda: writer.started >= cutoff + 10, within=DEADLINE)
            assert not client.closed.is_set()
        else:
            assert await client.wait_closed(within=DEADLINE) == expect
        await writer.stop()
        await barrier(server, kam, pid, sid)
        stored = written(await stored_ids(kam, pid, sid))
        assert stored, "the writer's earlier goals are kept"
        late = [n for n in stored if n >= cutoff]
        assert not late, f"stored after the revocation answered: {late} (cutoff {cutoff})"
        if expect is None:
            # Every goal it sent was either stored (before) or refused (after).
            async def all_answered() -> bool:
                stored_now = written(await stored_ids(kam, pid, sid))
                return len(stored_now) + len(client.denied) >= writer.started

            await poll(all_answered)


async def test_stock_client_signed_out_while_writing_stores_nothing_after(
    server: ServerProcess, workshop: People
) -> None:
    """A stock y-websocket WebsocketProvider pushing every 10 ms while its user signs out."""
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    sid = section_id(plan, "goals_strategic")
    buyer = await workshop.invite(kam, pid, "Buyer", "customer", "editor")
    async with NodeClient(server.ws, sid, buyer.token) as node:
        await node.wait_event("synced")
        pushed = 0
        stop = asyncio.Event()

        async def keep_pushing() -> None:
            nonlocal pushed
            while not stop.is_set():
                await node.send(cmd="push", text=f"w{pushed}", id=f"w{pushed}")
                pushed += 1
                await asyncio.sleep(0.01)

        task = asyncio.create_task(keep_pushing())

        async def some_stored() -> bool:
            return len(written(await stored_ids(kam, pid, sid))) >= 3

        await poll(some_stored)
        r = await buyer.http.post("/api/auth/logout")
        cutoff = pushed  # pushes from here on reach the client after the answer
        assert r.status_code == 204
        close = await node.wait_event("close", within=DEADLINE)
        assert close["code"] == 4401
        assert close["willReconnect"] is False
        stop.set()
        await task
    await barrier(server, kam, pid, sid)
    stored = written(await stored_ids(kam, pid, sid))
    assert stored
    assert all(n < cutoff for n in stored), (stored, cutoff)


async def test_a_reader_who_loses_read_access_is_closed_and_a_writer_kept(
    server: ServerProcess, workshop: People
) -> None:
    """Visibility changes: the other party's viewer is closed with 4403, the owner's party's
    editor keeps writing on the same section."""
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    # A goals section the supplier owns alone: theirs to hide from the customer.
    created = await kam.http.post(
        f"/api/plans/{pid}/sections",
        json={"title": "Our goals", "kind": "goals", "horizon": "tactical", "owner": "supplier"},
    )
    assert created.status_code == 201, created.text
    sid = created.json()["id"]
    viewer = await workshop.invite(kam, pid, "Viewer", "customer", "viewer")
    editor = await workshop.invite(kam, pid, "Seller", "supplier", "editor")
    async with (
        YClient(server.ws, sid, viewer.token) as reader,
        YClient(server.ws, sid, editor.token) as writer,
    ):
        await reader.wait_synced()
        await writer.wait_synced()
        r = await kam.http.patch(
            f"/api/plans/{pid}/sections/{sid}", json={"visibility": "supplier-only"}
        )
        assert r.status_code == 200
        assert await reader.wait_closed(within=DEADLINE) == 4403
        writer.push("still mine")

        async def kept() -> bool:
            return "still mine" in await stored_ids(kam, pid, sid)

        await poll(kept)
        assert not writer.closed.is_set()
        assert not writer.denied


async def test_other_sockets_of_the_user_stay_open_after_one_session_is_revoked(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    sid = section_id(plan, "goals_strategic")
    laptop = await login(workshop, kam)
    async with (
        YClient(server.ws, sid, laptop) as lost,
        YClient(server.ws, sid, kam.token) as kept,
    ):
        await lost.wait_synced()
        await kept.wait_synced()
        r = await kam.http.delete(f"/api/auth/sessions/{await session_id_of(workshop, laptop)}")
        assert r.status_code == 204
        assert await lost.wait_closed(within=DEADLINE) == 4401
        kept.push("from the desk")

        async def stored() -> bool:
            return "from the desk" in await stored_ids(kam, pid, sid)

        await poll(stored)
        assert not kept.closed.is_set()


async def test_event_stream_ends_at_once_for_a_removed_member_and_a_signed_out_user(
    server: ServerProcess, workshop: People
) -> None:
    """No later plan event is needed to wake the stream: the change itself does."""
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    buyer = await workshop.invite(kam, pid, "Buyer", "customer", "editor")
    seller = await workshop.invite(kam, pid, "Seller", "supplier", "editor")
    async with sse(server, pid, buyer.token) as removed, sse(server, pid, seller.token) as out:
        member = await member_id_of(kam, pid, buyer.id)
        assert (await kam.http.delete(f"/api/plans/{pid}/members/{member}")).status_code == 204
        assert (await seller.http.post("/api/auth/logout")).status_code == 204
        await wait_revoked(removed)
        await wait_revoked(out)


async def wait_revoked(events: list[dict[str, Any]]) -> None:
    async def revoked() -> bool:
        return any(e.get("event") == "access-revoked" for e in events)

    await poll(revoked)


# ---- two processes on one PostgreSQL ---------------------------------------------------


@pytest.mark.parametrize("kind", ["sign-out", "removal", "role"])
async def test_revocation_through_one_process_reaches_a_socket_on_another(
    server: ServerProcess,
    workshop: People,
    live_database: tuple[str, Path],
    second_server: Callable[[], ServerProcess],
    kind: str,
) -> None:
    """The revoking request goes to process A, the writer's socket is on process B: the
    signal travels by NOTIFY, and nothing B receives after A answered is stored."""
    if live_database[0].startswith("sqlite"):
        pytest.skip("SQLite mode is one process by design")
    other = second_server()
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    sid = section_id(plan, "goals_strategic")
    token, revoke = await _case(kind, workshop, kam, plan, sid)
    stream_user = await workshop.invite(kam, pid, "Watcher", "supplier", "viewer")
    async with sse(other, pid, stream_user.token) as watched:
        await revoke_during_writes(server, other, kam, pid, sid, token, revoke, CASES[kind])
        member = await member_id_of(kam, pid, stream_user.id)
        assert (await kam.http.delete(f"/api/plans/{pid}/members/{member}")).status_code == 204
        await wait_revoked(watched)


async def test_a_process_that_never_confirms_delays_a_revocation_by_a_second_at_most(
    server: ServerProcess, workshop: People, live_database: tuple[str, Path]
) -> None:
    """A listener that is there but does not answer (a hung process) costs the revoking
    request the confirmation wait, not its answer; the server says which process it was."""
    if live_database[0].startswith("sqlite"):
        pytest.skip("PostgreSQL only")
    import asyncpg

    from server import events
    from server.db import asyncpg_dsn

    kam = await workshop.signup("Kam")
    hung = await asyncpg.connect(
        asyncpg_dsn(live_database[0]),
        server_settings={"application_name": events.LISTENER_NAME_PREFIX + "hung-1"},
    )
    try:
        r = await kam.http.post("/api/auth/logout")
        assert r.status_code == 204
    finally:
        await hung.close()
    assert "['hung-1'] did not confirm a revocation" in server.logs()
    assert (await kam.http.get("/api/auth/me")).status_code == 401
