"""Live co-editing against a real server process with pycrdt y-websocket clients."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from server.collab import protocol
from server.collab.models import LoggedUpdate, SectionSnapshot
from tests.collab.yclient import YClient, synced_pair
from tests.live import ServerProcess, section_id
from tests.people import People


async def poll_json(
    http: httpx.AsyncClient, path: str, check: Callable[[Any], bool], within: float = 10
) -> Any:
    """GET `path` until its JSON satisfies `check`; that JSON."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        r = await http.get(path)
        assert r.status_code == 200, r.text
        body = r.json()
        if check(body):
            return body
        assert asyncio.get_running_loop().time() < deadline, f"{path} never got there: {body}"
        await asyncio.sleep(0.05)


async def rooms_unloaded(health: httpx.AsyncClient) -> Any:
    """Wait until the server holds no room: every client of this module has left and the
    rooms' grace has passed. Its /healthz then."""
    return await poll_json(health, "/healthz", lambda h: h["rooms"] == 0)


async def test_two_editors_converge_and_content_is_served_as_json(
    server: ServerProcess, workshop: People
) -> None:
    async with synced_pair(server, workshop, other=("customer", "editor")) as pair:
        kam, plan, goals, a, b = pair.kam, pair.plan, pair.section, pair.a, pair.b
        for i in range(20):
            a.push(f"supplier goal {i}")
            b.push(f"customer goal {i}")
        await a.wait_for(lambda: len(a.items) == 40)
        await b.wait_for(lambda: len(b.items) == 40)
        assert a.titles() == b.titles()
        with b.doc.transaction():
            b.items[0]["title"].insert(0, "Grow share: ")
        await a.wait_for(lambda: a.titles()[0].startswith("Grow share: "))

    content = (await kam.http.get(f"/api/plans/{plan['id']}/sections/{goals}/content")).json()
    assert content["kind"] == "goals"
    assert [i["title"] for i in content["items"]] == a.titles()
    assert content["items"][0]["id"] == a.titles()[0].removeprefix("Grow share: ")


async def test_new_sections_have_their_root_types(server: ServerProcess, workshop: People) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    for key, expected in (("goals_tactical", "items"), ("analysis", "body")):
        sid = section_id(plan, key)
        body = (await kam.http.get(f"/api/plans/{plan['id']}/sections/{sid}/content")).json()
        assert expected in body
        assert body.get("items", []) == []


async def test_read_only_connection_gets_updates_but_cannot_write(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    viewer = await workshop.invite(kam, plan["id"], "Viewer", "customer", "viewer")
    sid = section_id(plan, "goals_strategic")
    async with (
        YClient(server.ws, sid, kam.token) as writer,
        YClient(server.ws, sid, viewer.token) as reader,
    ):
        await writer.wait_synced()
        await reader.wait_synced()
        writer.push("from the writer")
        await reader.wait_for(lambda: reader.titles() == ["from the writer"])
        reader.push("sneaky")
        await reader.wait_for(lambda: bool(reader.denied))
        assert "read-only" in reader.denied[0]
        # A later write from another connection: when it reaches the writer, anything the
        # server did with the refused one (handled before it) would have reached it too.
        async with YClient(server.ws, sid, kam.token) as marker:
            await marker.wait_synced()
            marker.push("second")
            await writer.wait_for(lambda: "second" in writer.titles())
        assert writer.titles() == ["from the writer", "second"]
    async with YClient(server.ws, sid, kam.token) as fresh:
        await fresh.wait_synced()
        assert fresh.titles() == ["from the writer", "second"]


async def test_customer_cannot_write_supplier_owned_section(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    buyer = await workshop.invite(kam, plan["id"], "Buyer", "customer", "editor")
    product = section_id(plan, "strategy_product")  # supplier-owned, shared
    async with (
        YClient(server.ws, product, kam.token) as supplier,
        YClient(server.ws, product, buyer.token) as c,
    ):
        await supplier.wait_synced()
        await c.wait_synced()
        # Into the root the JSON view, the exports and the web app read.
        c.doc.get("body", type=XmlFragment).children.append(
            XmlElement("paragraph", {}, [XmlText("Free support forever")])
        )
        await c.wait_for(lambda: bool(c.denied))
        supplier.doc.get("body", type=XmlFragment).children.append(
            XmlElement("paragraph", {}, [XmlText("Our service levels")])
        )
        await c.wait_for(lambda: "Our service levels" in str(c.doc.get("body", type=XmlFragment)))
    body = (await kam.http.get(f"/api/plans/{plan['id']}/sections/{product}/content")).json()
    assert body["body"] == "<paragraph>Our service levels</paragraph>"
    async with YClient(server.ws, product, kam.token) as fresh:
        await fresh.wait_synced()
        stored = str(fresh.doc.get("body", type=XmlFragment))
        assert stored == "<paragraph>Our service levels</paragraph>"
    # And in the database: the supplier's words are in the section's log, the customer's
    # nowhere.
    logged = await _stored_bytes(server.database_url, product)
    assert b"Our service levels" in logged
    assert b"Free support" not in logged


async def _stored_bytes(database_url: str, sid: str) -> bytes:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            updates = (
                await conn.scalars(select(LoggedUpdate.data).where(LoggedUpdate.section_id == sid))
            ).all()
            snapshots = (
                await conn.scalars(
                    select(SectionSnapshot.data).where(SectionSnapshot.section_id == sid)
                )
            ).all()
    finally:
        await engine.dispose()
    return b"".join([*updates, *snapshots])


async def test_unauthenticated_and_no_access_are_closed_without_leaking(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    buyer = await workshop.invite(kam, plan["id"], "Buyer", "customer", "editor")
    stranger = await workshop.signup("Stranger")
    price = section_id(plan, "strategy_price")  # supplier-only
    shared = section_id(plan, "goals_strategic")
    cases = [
        (shared, None, 4401),
        (shared, "jp_not-a-token", 4401),
        (shared, stranger.token, 4404),
        (price, buyer.token, 4404),
        ("0" * 32, kam.token, 4404),
    ]
    for sid, token, code in cases:
        c = await YClient(server.ws, sid, token).connect()
        assert await c.wait_closed() == code
        assert not c.synced.is_set()
        assert len(c.items) == 0


async def test_authority_change_applies_to_open_connections(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    buyer = await workshop.invite(kam, plan["id"], "Buyer", "customer", "editor")
    boss = await workshop.invite(kam, plan["id"], "Boss", "customer", "facilitator")
    pid = plan["id"]
    goals = section_id(plan, "goals_operative")
    analysis = section_id(plan, "analysis")
    async with (
        YClient(server.ws, goals, buyer.token) as c,
        YClient(server.ws, analysis, buyer.token) as other,
        YClient(server.ws, goals, kam.token) as k,
    ):
        await c.wait_synced()
        await other.wait_synced()
        await k.wait_synced()
        c.push("before")
        await k.wait_for(lambda: k.titles() == ["before"])

        # The customer hands the joint section to the supplier (only the customer can give
        # up its share): the customer's connection turns read-only.
        r = await boss.http.patch(f"/api/plans/{pid}/sections/{goals}", json={"owner": "supplier"})
        assert r.status_code == 200, r.text
        # Read-only from the moment the request answered, no grace.
        c.push("after demotion")
        await c.wait_for(lambda: bool(c.denied), within=10)
        async with YClient(server.ws, goals, kam.token) as marker:  # handled after it
            await marker.wait_synced()
            marker.push("marker")
            await k.wait_for(lambda: "marker" in k.titles(), within=10)
        assert k.titles() == ["before", "marker"]

        # The supplier makes its section supplier-only: the customer's connection is closed.
        r = await kam.http.patch(
            f"/api/plans/{pid}/sections/{goals}", json={"visibility": "supplier-only"}
        )
        assert r.status_code == 200, r.text
        assert await c.wait_closed() == 4403
        assert not k.closed.is_set()

        # Removing the member (the customer's facilitator removes its own people) closes
        # their other connections too.
        members = (await kam.http.get(f"/api/plans/{pid}/members")).json()["items"]
        member_id = next(m["id"] for m in members if m["user"]["id"] == buyer.id)
        r = await boss.http.delete(f"/api/plans/{pid}/members/{member_id}")
        assert r.status_code == 204, r.text
        assert await other.wait_closed() == 4403


async def test_presence_is_relayed_and_removed_on_disconnect(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "goals_strategic")
    async with YClient(server.ws, sid, kam.token) as watcher:
        await watcher.wait_synced()
        visitor = await YClient(server.ws, sid, kam.token).connect()
        await visitor.wait_synced()
        await visitor.set_presence({"user": {"name": "Visitor"}}, client_id=4242, clock=1)
        await watcher.wait_for(lambda: 4242 in watcher.remote_awareness.states)
        assert watcher.remote_awareness.states[4242] == {"user": {"name": "Visitor"}}
        # The sender does not get its own presence echoed back: the watcher's, sent after
        # the server relayed the visitor's, reaches the visitor, and nothing else does.
        await watcher.set_presence({"user": {"name": "Watcher"}}, client_id=4343, clock=1)
        await visitor.wait_for(lambda: 4343 in visitor.remote_awareness.states)
        assert 4242 not in visitor.remote_awareness.states
        # A same-clock echo is not forwarded again: the next real change is the next frame.
        frames = watcher.awareness_frames
        await visitor.set_presence({"user": {"name": "Visitor"}}, client_id=4242, clock=1)
        moved = {"user": {"name": "Visitor"}, "at": "goal 2"}
        await visitor.set_presence(moved, client_id=4242, clock=2)
        await watcher.wait_for(lambda: watcher.remote_awareness.states[4242] == moved)
        assert watcher.awareness_frames == frames + 1
        await visitor.close()
        await watcher.wait_for(lambda: 4242 not in watcher.remote_awareness.states, within=10)
        # The server is not a participant.
        assert watcher.remote_awareness.states == {}


async def test_many_clients_opening_a_cold_section_at_once_all_sync(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "goals_tactical")
    async with YClient(server.ws, sid, kam.token) as seed, YClient(server.ws, sid, kam.token) as w:
        await seed.wait_synced()
        await w.wait_synced()
        seed.push("already there")
        await w.wait_for(lambda: w.titles() == ["already there"])  # stored before relayed
    await rooms_unloaded(workshop.client())  # cold: the room unloads (grace 0.5 s)
    clients = [YClient(server.ws, sid, kam.token) for _ in range(60)]
    await asyncio.gather(*(c.connect() for c in clients))
    try:
        await asyncio.gather(*(c.wait_synced(within=10) for c in clients))
        assert all(c.titles() == ["already there"] for c in clients)
    finally:
        await asyncio.gather(*(c.close() for c in clients))


async def test_sending_to_a_closed_socket_does_not_disturb_the_room(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "goals_strategic")
    a = await YClient(server.ws, sid, kam.token).connect()
    b = await YClient(server.ws, sid, kam.token).connect()
    gone = await YClient(server.ws, sid, kam.token).connect()
    for c in (a, b, gone):
        await c.wait_synced()
    assert gone.ws is not None
    gone.ws.transport.abort()  # vanishes without a close handshake
    for i in range(30):
        a.push(f"edit {i}")
    await b.wait_for(lambda: len(b.items) == 30)
    await a.close()
    await b.close()


async def test_json_view_survives_malformed_content(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "action_plan")
    async with YClient(server.ws, sid, kam.token) as c:
        await c.wait_synced()
        with c.doc.transaction():
            c.items.append("not a map")
            c.items.append(Map({"title": Text("no id")}))
            c.items.append(
                Map(
                    {
                        "id": "ok",
                        "title": Text("Kick-off"),
                        "due": 12,
                        "owner": Map({"nested": "x"}),
                    }
                )
            )
        path = f"/api/plans/{plan['id']}/sections/{sid}/content"
        # One transaction, one update: stored whole once "ok" shows.
        body = await poll_json(kam.http, path, lambda b: "ok" in [i["id"] for i in b["items"]])
    assert [i["id"] for i in body["items"]] == ["ok"]
    assert body["items"][0]["title"] == "Kick-off"
    assert body["skipped"] == 2


async def test_token_is_not_written_to_logs(server: ServerProcess, workshop: People) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "goals_strategic")
    async with YClient(server.ws, sid, kam.token) as c:
        await c.wait_synced()
    bad = await YClient(server.ws, sid, kam.token).connect()
    await bad.wait_synced()
    await bad.send_raw(b"\x00\x07")
    await bad.wait_closed()
    logs = server.logs()
    assert f"/collab/{sid}" in logs  # the connection was logged, without its token
    assert kam.token not in logs
    assert kam.token.removeprefix("jp_")[:12] not in logs


def _doc_with(title: str) -> bytes:
    d: Doc[Array[Any]] = Doc()
    d.get("items", type=Array).append(Map({"id": title, "title": Text(title)}))
    return d.get_update()


async def test_pycrdt_update_message_from_raw_frames(
    server: ServerProcess, workshop: People
) -> None:
    """A client that only speaks frames (no provider) can write and read."""
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "goals_strategic")
    async with YClient(server.ws, sid, kam.token) as listener:
        await listener.wait_synced()
        raw = await YClient(server.ws, sid, kam.token).connect()
        await raw.wait_synced()
        await raw.send_raw(protocol.sync_update(_doc_with("raw goal")))
        await listener.wait_for(lambda: listener.titles() == ["raw goal"])
        await raw.close()
    async with httpx.AsyncClient() as http:
        r = await http.get(
            f"{server.http}/api/plans/{plan['id']}/sections/{sid}/content",
            headers={"Authorization": f"Bearer {kam.token}"},
        )
    assert [i["title"] for i in r.json()["items"]] == ["raw goal"]


async def test_rooms_unload_after_the_last_client_leaves(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    health = workshop.client()
    baseline = await rooms_unloaded(health)  # rooms of earlier tests in this module
    clients = [
        YClient(server.ws, section_id(plan, key), kam.token)
        for key in ("goals_strategic", "goals_tactical", "analysis")
    ]
    for c in clients:
        await c.connect()
        await c.wait_synced()
    during = (await health.get("/healthz")).json()
    assert during["rooms"] == baseline["rooms"] + 3
    assert during["connections"] == baseline["connections"] + 3
    for c in clients:
        await c.close()
    after = await poll_json(
        health, "/healthz", lambda h: h["rooms"] == baseline["rooms"]
    )  # grace period of 0.5 s in these tests
    assert after["rooms"] == baseline["rooms"]
    assert after["connections"] == baseline["connections"]
