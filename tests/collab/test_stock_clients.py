"""The stock npm y-websocket client (unmodified) against the real server, beside pycrdt."""

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

from pycrdt import XmlFragment

from tests.collab.node import NodeClient
from tests.collab.yclient import YClient
from tests.live import ServerProcess, section_id
from tests.people import People


async def test_stock_clients_and_pycrdt_converge_with_concurrent_edits(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    buyer = await workshop.invite(kam, plan["id"], "Buyer", "customer", "editor")
    sid = section_id(plan, "action_plan")
    async with (
        NodeClient(server.ws, sid, kam.token, "--name", "sup") as sup,
        NodeClient(server.ws, sid, buyer.token, "--name", "cus") as cus,
        YClient(server.ws, sid, kam.token) as py,
    ):
        await sup.wait_event("synced")
        await cus.wait_event("synced")
        await py.wait_synced()
        for i in range(15):
            await sup.send(cmd="push", text=f"supplier step {i}")
            await cus.send(cmd="push", text=f"customer step {i}")
            py.push(f"python step {i}")
        a = await sup.wait_items(45)
        b = await cus.wait_items(45)
        await py.wait_for(lambda: len(py.items) == 45)
        assert len(a) == 45
        assert a == b
        assert [i["title"] for i in a] == py.titles()
    body = (await kam.http.get(f"/api/plans/{plan['id']}/sections/{sid}/content")).json()
    assert [i["title"] for i in body["items"]] == [i["title"] for i in a]


async def test_stock_client_without_write_authority_is_told_and_ignored(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    buyer = await workshop.invite(kam, plan["id"], "Buyer", "customer", "editor")
    sid = section_id(plan, "strategy_service")  # supplier-owned, shared
    async with (
        NodeClient(server.ws, sid, buyer.token, "--kind", "text") as cus,
        NodeClient(server.ws, sid, kam.token, "--kind", "text") as sup,
    ):
        await cus.wait_event("synced")
        await sup.wait_event("synced")
        await sup.send(cmd="insert-text", index=0, text="Service levels")
        await poll(lambda: _json_has(cus, "Service levels"))
        await cus.send(cmd="insert-text", index=0, text="Free support forever. ")
        # The server answers the refused update when it has handled it.
        denied = await cus.wait_event("permission-denied")
        assert "read-only" in denied["reason"]
    # The server's state, through REST and through an empty client.
    body = (await kam.http.get(f"/api/plans/{plan['id']}/sections/{sid}/content")).json()
    assert "Service levels" in body["text"]
    assert "Free support" not in body["text"]
    async with YClient(server.ws, sid, kam.token) as fresh:
        await fresh.wait_synced()
        stored = str(fresh.doc.get("body", type=XmlFragment))
        assert "Service levels" in stored
        assert "Free support" not in stored


async def test_stock_client_refused_without_access_stops_reconnecting(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "strategy_price")
    buyer = await workshop.invite(kam, plan["id"], "Buyer", "customer", "editor")
    for token, code in ((None, 4401), (buyer.token, 4404)):
        async with NodeClient(server.ws, sid, token) as c:
            closed = await c.wait_event("close")
            assert closed["code"] == code
            assert closed["willReconnect"] is False
            assert not any(e["event"] == "synced" for e in c.events)


async def test_stock_presence_relayed_and_removed_on_disconnect(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "goals_strategic")
    async with NodeClient(server.ws, sid, kam.token) as watcher:
        ready = await watcher.wait_event("ready")
        await watcher.wait_event("synced")
        visitor = await NodeClient(server.ws, sid, kam.token).start()
        visitor_id = str((await visitor.wait_event("ready"))["clientId"])
        await visitor.wait_event("synced")
        await visitor.send(cmd="awareness", state={"user": {"name": "Kari"}})

        async def visitor_visible(present: bool) -> None:
            for _ in range(100):
                states = [e for e in watcher.events if e["event"] == "awareness"]
                if states and (visitor_id in states[-1]["states"]) == present:
                    return
                await asyncio.sleep(0.05)
            raise AssertionError(f"visitor presence should be {present}")

        await visitor_visible(True)
        await visitor.stop()  # closes its socket
        visitor.check_no_errors()
        await visitor_visible(False)
        assert str(ready["clientId"]) != visitor_id


async def test_stock_client_reconnects_after_restart_and_keeps_offline_edits(
    live_database: tuple[str, Path],
) -> None:
    url, data_dir = live_database
    first = ServerProcess(url, data_dir)
    first.start()
    workshop = People.on(first)
    started = [first]
    try:
        kam = await workshop.signup("Kam")
        plan = await workshop.plan(kam)
        sid = section_id(plan, "goals_operative")
        async with NodeClient(first.ws, sid, kam.token) as c:
            await c.wait_event("synced")
            await c.send(cmd="push", text="before restart")
            async with YClient(first.ws, sid, kam.token) as seen:
                await seen.wait_synced()
                await seen.wait_for(lambda: seen.titles() == ["before restart"], within=10)
            first.stop()
            await c.wait_event("close")
            await c.send(cmd="push", text="while the server was down")

            # The server's own store, read by an empty client on a port the stock client
            # does not know: only what was stored before the restart.
            elsewhere = ServerProcess(url, data_dir)
            started.append(elsewhere)
            elsewhere.start()
            async with YClient(elsewhere.ws, sid, kam.token) as empty:
                await empty.wait_synced()
                assert empty.titles() == ["before restart"]
            elsewhere.stop()

            second = ServerProcess(url, data_dir, port=first.port)
            started.append(second)
            mark = len(c.events)
            second.start()
            await c.wait_event("synced", within=15, after=mark)
            async with YClient(second.ws, sid, kam.token) as fresh:
                await fresh.wait_synced()
                await fresh.wait_for(lambda: len(fresh.items) == 2, within=10)
                assert fresh.titles() == ["before restart", "while the server was down"]
    finally:
        for process in started:
            process.stop()
        await workshop.close()


async def _json_has(client: NodeClient, text: str) -> bool:
    return text in str((await client.state())["json"])


async def poll(condition: Callable[[], Awaitable[bool]], within: float = 10) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not await condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.05)
