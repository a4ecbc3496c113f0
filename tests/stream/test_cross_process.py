"""The event stream and follow-me across server processes on one PostgreSQL, as behind a
load balancer: what a request to process A causes reaches streams open on process B, to
those who may read it only, and a stream resumed on B gets what it missed, in order, once.

Every event must arrive before the stream's first keep-alive: a stream that was never woken
(a lost NOTIFY) would still find the events at its periodic look, 15 s later."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.live import ServerProcess, require_several_processes, section_id
from tests.people import People, Person
from tests.stream.test_sse import sse, wait_until

DEADLINE = 10.0  # generous, and still under the stream's 15 s keep-alive


def of_type(events: list[dict[str, Any]], *types: str) -> list[dict[str, Any]]:
    return [e for e in events if e["event"] in types]


def thread_ids(events: list[dict[str, Any]]) -> list[str]:
    return [e["data"]["thread"]["id"] for e in of_type(events, "thread.created")]


async def new_thread(who: Person, plan_id: str, section: str, visibility: str, body: str) -> str:
    r = await who.http.post(
        f"/api/plans/{plan_id}/threads",
        json={"section_id": section, "visibility": visibility, "body": body},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def new_section(who: Person, plan_id: str, title: str, visibility: str) -> str:
    r = await who.http.post(
        f"/api/plans/{plan_id}/sections",
        json={"title": title, "kind": "text", "owner": "supplier", "visibility": visibility},
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def arrived(events: list[dict[str, Any]], thread_id: str) -> None:
    """Wait for a thread's creation: a marker that the stream has everything before it."""
    await wait_until(lambda: thread_id in thread_ids(events), within=DEADLINE)


async def test_events_caused_on_one_process_reach_streams_on_another_by_audience(
    server: ServerProcess,
    workshop: People,
    live_database: tuple[str, Path],
    second_server: Callable[[], ServerProcess],
) -> None:
    require_several_processes(live_database)
    other = second_server()
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    buyer = await workshop.invite(kam, pid, "Buyer", "customer", "editor")
    goals = section_id(plan, "goals_strategic")
    waits: dict[str, list[int]] = {"supplier": [], "customer": []}

    async with (
        sse(other, pid, kam.token, keepalives=waits["supplier"]) as supplier,
        sse(other, pid, buyer.token, keepalives=waits["customer"]) as customer,
    ):
        # Each request goes to process A; both streams are on process B.
        internal = await new_thread(kam, pid, goals, "internal", "supplier-internal note")
        shared = await new_thread(kam, pid, goals, "shared", "What do you think?")
        r = await kam.http.post(f"/api/plans/{pid}/threads/{shared}/comments", json={"body": "+1"})
        assert r.status_code == 201, r.text
        viewer = await workshop.invite(kam, pid, "Viewer", "customer", "viewer")
        shared_section = await new_section(kam, pid, "Joint roadmap", "shared")
        internal_section = await new_section(kam, pid, "Margin floor", "supplier-only")
        marker = await new_thread(kam, pid, goals, "shared", "marker")
        await arrived(customer, marker)
        await arrived(supplier, marker)

    wanted = ("thread.created", "comment.created", "member.added", "section.created")
    assert [e["event"] for e in of_type(supplier, *wanted)] == [
        "thread.created",
        "thread.created",
        "comment.created",
        "member.added",
        "section.created",
        "section.created",
        "thread.created",
    ]
    assert thread_ids(supplier) == [internal, shared, marker]
    assert [e["event"] for e in of_type(customer, *wanted)] == [
        "thread.created",
        "comment.created",
        "member.added",
        "section.created",
        "thread.created",
    ]
    assert thread_ids(customer) == [shared, marker]
    (comment,) = of_type(customer, "comment.created")
    assert comment["data"]["thread"]["id"] == shared
    (added,) = of_type(customer, "member.added")
    members = (await buyer.http.get(f"/api/plans/{pid}/members")).json()["items"]
    assert added["data"]["member_id"] == next(
        m["id"] for m in members if m["user"]["id"] == viewer.id
    )
    assert [e["data"]["section_id"] for e in of_type(customer, "section.created")] == [
        shared_section
    ]
    assert [e["data"]["section_id"] for e in of_type(supplier, "section.created")] == [
        shared_section,
        internal_section,
    ]
    # The customer learns nothing of the supplier's internal thread or section.
    seen_by_customer = json.dumps(customer)
    assert internal not in seen_by_customer
    assert internal_section not in seen_by_customer
    assert "Margin floor" not in seen_by_customer
    # Woken by process A's commits, not found at a periodic look.
    assert waits == {"supplier": [], "customer": []}


async def test_follow_me_led_on_one_process_moves_followers_streaming_from_another(
    server: ServerProcess,
    workshop: People,
    live_database: tuple[str, Path],
    second_server: Callable[[], ServerProcess],
) -> None:
    require_several_processes(live_database)
    other = second_server()
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    tactical = section_id(plan, "goals_tactical")
    internal = section_id(plan, "strategy_price")  # supplier-only
    buyer = await workshop.invite(kam, pid, "Buyer", "customer", "editor")
    colleague = await workshop.invite(kam, pid, "Colleague", "supplier", "editor")
    # What the followers ask process B, e.g. when they open the plan late.
    buyer_on_b = workshop.client(buyer.token)
    buyer_on_b.base_url = other.http

    def moves(events: list[dict[str, Any]]) -> list[tuple[bool, str | None, bool]]:
        return [
            (e["data"]["active"], e["data"]["section_id"], e["data"]["hidden"])
            for e in of_type(events, "follow.changed")
        ]

    waits: list[int] = []
    async with (
        sse(other, pid, buyer.token, keepalives=waits) as customer,
        sse(other, pid, colleague.token, keepalives=waits) as supplier,
    ):
        r = await kam.http.put(f"/api/plans/{pid}/follow", json={"section_id": tactical})
        assert r.status_code == 200, r.text
        await wait_until(lambda: len(moves(customer)) == 1, within=DEADLINE)
        assert moves(customer) == [(True, tactical, False)]
        (first,) = of_type(customer, "follow.changed")
        assert first["data"]["leader"] == {"id": kam.id, "name": "Kam"}
        late = (await buyer_on_b.get(f"/api/plans/{pid}/follow")).json()
        assert (late["active"], late["section_id"], late["leader"]["id"]) == (
            True,
            tactical,
            kam.id,
        )

        # Into the supplier's internal section: the customer hears that the leader went
        # somewhere it cannot follow, never where.
        r = await kam.http.put(f"/api/plans/{pid}/follow", json={"section_id": internal})
        assert r.status_code == 200, r.text
        await wait_until(lambda: len(moves(customer)) == 2, within=DEADLINE)
        await wait_until(lambda: len(moves(supplier)) == 2, within=DEADLINE)
        assert moves(customer)[1] == (True, None, True)
        assert moves(supplier) == [(True, tactical, False), (True, internal, False)]
        where = await buyer_on_b.get(f"/api/plans/{pid}/follow")
        assert (where.json()["section_id"], where.json()["hidden"]) == (None, True)
        assert internal not in where.text

        assert (await kam.http.delete(f"/api/plans/{pid}/follow")).status_code == 204
        await wait_until(lambda: len(moves(customer)) == 3, within=DEADLINE)
        await wait_until(lambda: len(moves(supplier)) == 3, within=DEADLINE)
        assert moves(customer)[2] == (False, None, False)
        assert moves(supplier)[2] == (False, None, False)
        assert (await buyer_on_b.get(f"/api/plans/{pid}/follow")).json()["active"] is False
    assert internal not in json.dumps(customer)
    assert waits == []


async def test_a_stream_resumed_on_another_process_gets_what_it_missed_in_order_once(
    server: ServerProcess,
    workshop: People,
    live_database: tuple[str, Path],
    second_server: Callable[[], ServerProcess],
) -> None:
    """Disconnected from B, the customer misses what happens through A; back on B with
    `?after=` or `Last-Event-ID`, it gets exactly that, in order, then live events once."""
    require_several_processes(live_database)
    other = second_server()
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    buyer = await workshop.invite(kam, pid, "Buyer", "customer", "editor")
    goals = section_id(plan, "goals_strategic")
    threads = f"/api/plans/{pid}/threads"

    async with sse(other, pid, buyer.token) as before:
        first = await new_thread(kam, pid, goals, "shared", "before the break")
        await arrived(before, first)
    last_seen = before[-1]["id"]

    # Missed while disconnected, all through process A.
    hidden = await new_thread(kam, pid, goals, "internal", "supplier-internal")
    r = await kam.http.post(f"{threads}/{first}/comments", json={"body": "ping"})
    assert r.status_code == 201, r.text
    await kam.http.post(f"{threads}/{hidden}/comments", json={"body": "internal reply"})
    assert (await kam.http.post(f"{threads}/{first}/resolve")).status_code == 200
    section = await new_section(kam, pid, "Joint roadmap", "shared")
    missed = ["comment.created", "thread.resolved", "section.created"]

    def check_resumed(events: list[dict[str, Any]]) -> None:
        ids = [e["id"] for e in events]
        assert ids == sorted(set(ids)), f"out of order or twice: {ids}"
        assert all(i > last_seen for i in ids)
        assert [e["event"] for e in events][: len(missed)] == missed
        assert events[2]["data"]["section_id"] == section
        assert hidden not in json.dumps(events)

    async with sse(other, pid, buyer.token, after=last_seen) as resumed:
        await wait_until(lambda: len(resumed) >= len(missed), within=DEADLINE)
        # Then live, each event once: the catch-up and the wake-up do not both send it.
        live = await new_thread(kam, pid, goals, "shared", "after the break")
        await arrived(resumed, live)
    check_resumed(resumed)
    assert [e["event"] for e in resumed] == [*missed, "thread.created"]

    # The same with the header a browser's EventSource sends when it reconnects.
    async with sse(other, pid, buyer.token, last_id=last_seen) as by_header:
        marker = await new_thread(kam, pid, goals, "shared", "marker")
        await arrived(by_header, marker)
    check_resumed(by_header)
    assert thread_ids(by_header) == [live, marker]
    assert [e["event"] for e in by_header] == [*missed, "thread.created", "thread.created"]
