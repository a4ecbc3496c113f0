"""The plan event stream over real HTTP: live within a second, filtered per member,
catch-up with Last-Event-ID."""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from tests.live import ServerProcess, section_id
from tests.people import People


@contextlib.asynccontextmanager
async def sse(
    server: ServerProcess,
    plan_id: str,
    token: str,
    last_id: int | None = None,
    *,
    after: int | None = None,
    keepalives: list[int] | None = None,
) -> AsyncIterator[list[dict[str, Any]]]:
    """Collects the stream's events into a list while the block runs. `last_id` resumes by
    the Last-Event-ID header, `after` by the query parameter; `keepalives`, when given, gets
    how many events had arrived at each keep-alive (an event that comes after one may have
    been found by the stream's periodic look rather than by a wake-up)."""
    received: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {token}"}
    if last_id is not None:
        headers["Last-Event-ID"] = str(last_id)
    params = {} if after is None else {"after": str(after)}
    client = httpx.AsyncClient(base_url=server.http, timeout=None)
    opened = asyncio.Event()

    async def read() -> None:
        path = f"/api/plans/{plan_id}/events"
        async with client.stream("GET", path, headers=headers, params=params) as r:
            assert r.status_code == 200
            assert r.headers["content-type"].startswith("text/event-stream")
            opened.set()
            event: dict[str, Any] = {}
            async for line in r.aiter_lines():
                if line.startswith("id: "):
                    event["id"] = int(line[4:])
                elif line.startswith("event: "):
                    event["event"] = line[7:]
                elif line.startswith("data: "):
                    event["data"] = json.loads(line[6:])
                elif line.startswith(": keep-alive") and keepalives is not None:
                    keepalives.append(len(received))
                elif line == "" and event:
                    received.append(event)
                    event = {}

    task = asyncio.create_task(read())
    await asyncio.wait_for(opened.wait(), 5)
    try:
        yield received
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await client.aclose()


async def wait_until(predicate: Any, within: float = 2.0) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > within:
            raise TimeoutError("event did not arrive")
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def test_events_arrive_live_filtered_and_catch_up(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    buyer = await workshop.invite(kam, plan["id"], "Buyer", "customer", "editor")
    stranger = await workshop.signup("Stranger")
    goals = section_id(plan, "goals_strategic")
    threads = f"/api/plans/{plan['id']}/threads"

    refused = await stranger.http.get(f"/api/plans/{plan['id']}/events")
    assert refused.status_code == 404

    async with (
        sse(server, plan["id"], buyer.token) as customer,
        sse(server, plan["id"], kam.token) as supplier,
    ):
        await kam.http.post(
            threads,
            json={"section_id": goals, "visibility": "internal", "body": "supplier-internal note"},
        )
        shared = (
            await kam.http.post(
                threads,
                json={
                    "section_id": goals,
                    "visibility": "shared",
                    "body": f"@[Buyer](user:{buyer.id}) what do you think?",
                },
            )
        ).json()
        # Delivery latency is a budget for bench/, not a test assert on a loaded machine.
        await wait_until(lambda: any(e["event"] == "thread.created" for e in customer), within=10)
        await wait_until(lambda: any(e["event"] == "notification.created" for e in customer))
        await wait_until(lambda: len([e for e in supplier if e["event"] == "thread.created"]) == 2)
        # A stream sends in event order: the internal thread's event and the mention's
        # notification came before the shared thread's, so they would be here by now.
        created = [e for e in customer if e["event"] == "thread.created"]
        assert [e["data"]["thread"]["id"] for e in created] == [shared["id"]]
        assert "supplier-internal note" not in json.dumps(customer)
        # The mention notification went to the buyer only.
        assert not any(e["event"] == "notification.created" for e in supplier)
        last_seen = customer[-1]["id"]

    # Missed while disconnected: a reply and a resolve.
    await kam.http.post(f"{threads}/{shared['id']}/comments", json={"body": "ping"})
    await kam.http.post(f"{threads}/{shared['id']}/resolve")
    async with sse(server, plan["id"], buyer.token, last_id=last_seen) as again:
        await wait_until(lambda: any(e["event"] == "thread.resolved" for e in again))
        types = [e["event"] for e in again]
        assert types[:2] == ["comment.created", "thread.resolved"]
        assert all(e["id"] > last_seen for e in again)


async def test_stream_ends_when_the_member_is_removed(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    buyer = await workshop.invite(kam, plan["id"], "Buyer", "customer", "editor")
    async with sse(server, plan["id"], buyer.token) as events:
        members = (await kam.http.get(f"/api/plans/{plan['id']}/members")).json()["items"]
        member_id = next(m["id"] for m in members if m["user"]["id"] == buyer.id)
        await kam.http.delete(f"/api/plans/{plan['id']}/members/{member_id}")
        # Any later event of the plan wakes the stream, which then notices.
        await kam.http.post(
            f"/api/plans/{plan['id']}/threads",
            json={
                "section_id": section_id(plan, "goals_strategic"),
                "visibility": "shared",
                "body": "after removal",
            },
        )
        await wait_until(lambda: any(e.get("event") == "access-revoked" for e in events))
        assert "after removal" not in json.dumps(events)
