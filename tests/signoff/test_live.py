"""Change after agreement, noticed on the sync path of a real server with real sync clients."""

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from pycrdt import Map, Text

from tests.collab.yclient import YClient
from tests.live import ServerProcess, require_several_processes, section_id
from tests.people import People, Person


async def make_signatory(owner: Person, plan_id: str, person: Person) -> None:
    members = (await owner.http.get(f"/api/plans/{plan_id}/members")).json()["items"]
    member_id = next(m["id"] for m in members if m["user"]["id"] == person.id)
    r = await owner.http.patch(
        f"/api/plans/{plan_id}/members/{member_id}", json={"signatory": True}
    )
    assert r.status_code == 200, r.text


def goal(goal_id: str, title: str) -> Map[Any]:
    return Map(
        {
            "id": goal_id,
            "title": Text(title),
            "description": Text("Both sides commit."),
            "target": "30 %",
            "due": "2028-12-31",
        }
    )


async def sign(who: Person, plan_id: str, goal_id: str) -> dict[str, Any]:
    r = await who.http.post(f"/api/plans/{plan_id}/goals/{goal_id}/signatures")
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def wait_recorded(
    who: Person, plan_id: str, goal_id: str, check: Any, within: float = 10
) -> dict[str, Any]:
    """Poll the agreement until `check` holds, and return it. How soon is a budget for
    bench/agreement_change.py, not an assert here."""
    start = time.monotonic()
    while True:
        r = await who.http.get(f"/api/plans/{plan_id}/goals/{goal_id}/agreement")
        body: dict[str, Any] = r.json()
        if check(body):
            return body
        if time.monotonic() - start > within:
            raise AssertionError(f"not recorded in {within} s: {body}")
        await asyncio.sleep(0.02)


async def wait_committed(who: Person, plan_id: str, sid: str, count: int) -> None:
    for _ in range(500):
        r = await who.http.get(f"/api/plans/{plan_id}/sections/{sid}/content")
        if len(r.json()["items"]) == count:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("content never committed")


async def test_an_edit_of_an_agreed_goal_is_recorded(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    ola = await workshop.invite(kam, pid, "Ola", "customer", "editor")
    await make_signatory(kam, pid, ola)
    sid = section_id(plan, "goals_strategic")
    async with YClient(server.ws, sid, kam.token) as a, YClient(server.ws, sid, ola.token) as b:
        await a.wait_synced()
        await b.wait_synced()
        a.items.append(goal("g1", "Grow fibre share"))
        await b.wait_for(lambda: len(b.items) == 1)
        await wait_committed(kam, pid, sid, 1)
        await sign(kam, pid, "g1")
        agreed = await sign(ola, pid, "g1")
        assert agreed["status"] == "agreed"

        with b.doc.transaction():
            b.items[0]["title"].insert(0, "Double: ")
        await a.wait_for(lambda: str(a.items[0]["title"]).startswith("Double"))
        changed = await wait_recorded(kam, pid, "g1", lambda x: x["changed_by"] is not None)
        assert changed["status"] == "changed"
        assert changed["changed_by"] == {"id": ola.id, "name": "Ola"}
        # The agreed text beside the current one.
        assert changed["agreed_content"]["title"] == "Grow fibre share"
        assert changed["current_content"]["title"] == "Double: Grow fibre share"
        assert changed["agreed_hash"] == agreed["hash"] != changed["current_hash"]
        overview = (await kam.http.get(f"/api/plans/{pid}/agreements")).json()
        assert overview["counts"]["changed"] == 1

        events = (await ola.http.get(f"/api/plans/{pid}/events/poll")).json()["items"]
        assert ("changed", ola.id) in {
            (e.get("action"), e.get("actor_id")) for e in events if e["type"] == "agreement.changed"
        }
        audit = (await kam.http.get(f"/api/plans/{pid}/audit")).json()["items"]
        entry = next(e for e in audit if e["action"] == "agreement.changed")
        assert entry["actor"]["name"] == "Ola"
        assert entry["before"]["content"]["title"] == "Grow fibre share"
        assert entry["after"]["content"]["title"] == "Double: Grow fibre share"

        # Re-signing the new words restores the agreement.
        await sign(kam, pid, "g1")
        again = await sign(ola, pid, "g1")
        assert again["status"] == "agreed"
        assert again["agreed_hash"] == changed["current_hash"]
        assert again["changed_by"] is None

        # Deleting an agreed goal is recorded the same way.
        with a.doc.transaction():
            del a.items[0]
        gone = await wait_recorded(ola, pid, "g1", lambda x: x["changed_by"] is not None)
        assert gone["status"] == "changed"
        assert gone["goal_deleted"] is True
        assert gone["changed_by"]["id"] == kam.id
        assert gone["agreed_content"]["title"] == "Double: Grow fibre share"
        audit = (await kam.http.get(f"/api/plans/{pid}/audit")).json()["items"]
        assert audit[0]["action"] == "agreement.goal_deleted"


async def test_concurrent_edits_of_two_agreed_goals_are_put_on_their_authors(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    ola = await workshop.invite(kam, pid, "Ola", "customer", "editor")
    await make_signatory(kam, pid, ola)
    sid = section_id(plan, "goals_tactical")
    async with YClient(server.ws, sid, kam.token) as a, YClient(server.ws, sid, ola.token) as b:
        await a.wait_synced()
        await b.wait_synced()
        a.items.append(goal("t1", "Line trial in Bergen"))
        a.items.append(goal("t2", "Joint CO2 report"))
        a.items.append(goal("t3", "Not agreed yet"))
        await b.wait_for(lambda: len(b.items) == 3)
        await wait_committed(kam, pid, sid, 3)
        for goal_id in ("t1", "t2"):
            await sign(kam, pid, goal_id)
            await sign(ola, pid, goal_id)
        # Both type at the same time, each in a different goal; a third goal is not agreed.
        with a.doc.transaction():
            a.items[0]["target"] = "2 trials"
        with b.doc.transaction():
            b.items[1]["title"].insert(0, "Quarterly ")
            b.items[2]["title"].insert(0, "Still ")
        first = await wait_recorded(kam, pid, "t1", lambda x: x["changed_by"] is not None)
        second = await wait_recorded(kam, pid, "t2", lambda x: x["changed_by"] is not None)
        assert first["changed_by"]["id"] == kam.id
        assert second["changed_by"]["id"] == ola.id
        third = (await kam.http.get(f"/api/plans/{pid}/goals/t3/agreement")).json()
        assert third["status"] == "pending"


async def test_a_room_opened_after_the_agreement_watches_the_goal(
    server: ServerProcess, workshop: People
) -> None:
    """The goal is agreed while nobody has its section open; the next session's edit is
    still recorded (the watcher learns the agreements when the room loads)."""
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    ola = await workshop.invite(kam, pid, "Ola", "customer", "editor")
    await make_signatory(kam, pid, ola)
    sid = section_id(plan, "goals_operative")
    async with YClient(server.ws, sid, kam.token) as a:
        await a.wait_synced()
        a.items.append(goal("o1", "Two-week stock"))
        await wait_committed(kam, pid, sid, 1)
    await sign(kam, pid, "o1")
    await sign(ola, pid, "o1")
    async with YClient(server.ws, sid, ola.token) as b:
        await b.wait_synced()
        b.items[0]["target"] = "10 %"
        changed = await wait_recorded(kam, pid, "o1", lambda x: x["changed_by"] is not None)
    assert changed["changed_by"]["id"] == ola.id
    async with httpx.AsyncClient(base_url=server.http) as anonymous:
        r = await anonymous.get(f"/api/plans/{pid}/goals/o1/agreement")
        assert r.status_code == 401


async def test_two_processes_record_a_change_once_with_its_author(
    server: ServerProcess,
    workshop: People,
    live_database: tuple[str, Path],
    second_server: Callable[[], ServerProcess],
) -> None:
    """Signing through one process, editing through another (PostgreSQL): the process that
    accepted the edit records it, once, with its author."""
    require_several_processes(live_database)
    other = second_server()
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    pid = plan["id"]
    ola = await workshop.invite(kam, pid, "Ola", "customer", "editor")
    await make_signatory(kam, pid, ola)
    sid = section_id(plan, "goals_strategic")
    async with YClient(server.ws, sid, kam.token) as a, YClient(other.ws, sid, ola.token) as b:
        await a.wait_synced()
        await b.wait_synced()
        a.items.append(goal("p1", "Shared forecast"))
        a.items.append(goal("p2", "Joint forecast review"))
        await b.wait_for(lambda: len(b.items) == 2)
        await wait_committed(kam, pid, sid, 2)
        for goal_id in ("p1", "p2"):
            await sign(kam, pid, goal_id)
            await sign(ola, pid, goal_id)
        b.items[0]["target"] = "45 %"
        changed = await wait_recorded(kam, pid, "p1", lambda x: x["changed_by"] is not None)
        assert changed["changed_by"]["id"] == ola.id
        # Barrier: an edit through A, after A applied B's. A checks the whole section when it
        # records p2, so a record of p1 by A too would be there by the time p2's is.
        await a.wait_for(lambda: a.items[0]["target"] == "45 %")
        a.items[1]["target"] = "monthly"
        other_changed = await wait_recorded(ola, pid, "p2", lambda x: x["changed_by"] is not None)
        assert other_changed["changed_by"]["id"] == kam.id
    audit = (await kam.http.get(f"/api/plans/{pid}/audit")).json()["items"]
    changes = [e["after"]["goal_id"] for e in audit if e["action"] == "agreement.changed"]
    assert sorted(changes) == ["p1", "p2"]
