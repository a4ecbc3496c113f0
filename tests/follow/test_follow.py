"""Follow me: facilitators lead, everyone hears where they are, unless they may not know."""

import asyncio
from typing import Any

from tests.people import People, Person, add_member, create_plan


async def _cursor(who: Person, pid: str) -> int:
    return int((await who.http.get(f"/api/plans/{pid}/events/poll")).json()["cursor"])


async def _follow_events(who: Person, pid: str, after: int) -> list[dict[str, Any]]:
    items = (await who.http.get(f"/api/plans/{pid}/events/poll?after={after}")).json()["items"]
    return [e for e in items if e["type"] == "follow.changed"]


async def test_only_facilitators_lead_and_non_members_see_nothing(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    section = plan["sections"][0]["id"]
    editor = await add_member(kam, people, pid, "Ed", party="supplier", role="editor")
    stranger = await people.signup("Stranger")

    assert (
        await editor.http.put(f"/api/plans/{pid}/follow", json={"section_id": section})
    ).status_code == 403
    assert (await editor.http.delete(f"/api/plans/{pid}/follow")).status_code == 403
    for method in ("get", "delete"):
        r = await getattr(stranger.http, method)(f"/api/plans/{pid}/follow")
        assert r.status_code == 404
    r = await stranger.http.put(f"/api/plans/{pid}/follow", json={"section_id": section})
    assert r.status_code == 404
    assert "error" in r.json()
    # None of the refused requests started anything or reached the audit log.
    actions = [e["action"] for e in (await kam.http.get(f"/api/plans/{pid}/audit")).json()["items"]]
    assert not [a for a in actions if a.startswith("follow.")]

    assert (await editor.http.get(f"/api/plans/{pid}/follow")).json()["active"] is False
    r = await kam.http.put(f"/api/plans/{pid}/follow", json={"section_id": section})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["active"] is True
    assert body["section_id"] == section
    assert body["leader"] == {"id": kam.id, "name": "Kam"}

    # A late joiner asks where the leader is.
    late = (await editor.http.get(f"/api/plans/{pid}/follow")).json()
    assert late["active"] is True
    assert late["section_id"] == section
    assert late["hidden"] is False

    # A section of another plan is not found, whoever asks.
    other = await create_plan(kam)
    r = await kam.http.put(
        f"/api/plans/{pid}/follow", json={"section_id": other["sections"][0]["id"]}
    )
    assert r.status_code == 404
    assert other["sections"][0]["id"] not in r.text
    still = (await editor.http.get(f"/api/plans/{pid}/follow")).json()
    assert (still["active"], still["section_id"]) == (True, section)

    assert (await kam.http.delete(f"/api/plans/{pid}/follow")).status_code == 204
    assert (await editor.http.get(f"/api/plans/{pid}/follow")).json() == {
        "active": False,
        "leader": None,
        "section_id": None,
        "hidden": False,
        "started_at": None,
        "updated_at": None,
    }

    actions = [e["action"] for e in (await kam.http.get(f"/api/plans/{pid}/audit")).json()["items"]]
    assert actions[:2] == ["follow.stop", "follow.start"]


async def test_moves_are_pushed_and_internal_sections_do_not_leak(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    by_key = {s["key"]: s["id"] for s in plan["sections"]}
    buyer = await add_member(kam, people, pid, "Buyer", party="customer", role="editor")
    internal = by_key["strategy_price"]  # supplier-only
    start_k, start_b = await _cursor(kam, pid), await _cursor(buyer, pid)

    await kam.http.put(f"/api/plans/{pid}/follow", json={"section_id": by_key["goals_tactical"]})
    await kam.http.put(f"/api/plans/{pid}/follow", json={"section_id": internal})

    supplier = await _follow_events(kam, pid, start_k)
    customer = await _follow_events(buyer, pid, start_b)
    assert [(e["section_id"], e["hidden"]) for e in supplier] == [
        (by_key["goals_tactical"], False),
        (internal, False),
    ]
    assert [(e["section_id"], e["hidden"]) for e in customer] == [
        (by_key["goals_tactical"], False),
        (None, True),
    ]
    assert all(e["leader"]["name"] == "Kam" and e["active"] for e in customer)
    # The customer learns nothing about the internal section, by the stream ...
    assert internal not in (await buyer.http.get(f"/api/plans/{pid}/events/poll?after=0")).text
    # ... by asking where the leader is ...
    where = await buyer.http.get(f"/api/plans/{pid}/follow")
    assert where.json()["section_id"] is None
    assert where.json()["hidden"] is True
    assert internal not in where.text
    # ... or by the audit log.
    assert internal not in (await buyer.http.get(f"/api/plans/{pid}/audit")).text
    assert (await kam.http.get(f"/api/plans/{pid}/follow")).json()["section_id"] == internal

    # The customer's facilitator cannot lead into the supplier's internal section either.
    boss = await add_member(kam, people, pid, "Boss", party="customer", role="facilitator")
    r = await boss.http.put(f"/api/plans/{pid}/follow", json={"section_id": internal})
    assert r.status_code == 404
    assert internal not in r.text
    lead = (await kam.http.get(f"/api/plans/{pid}/follow")).json()
    assert (lead["leader"]["name"], lead["section_id"]) == ("Kam", internal)

    # Stopping reaches everyone.
    before = await _cursor(buyer, pid)
    await kam.http.delete(f"/api/plans/{pid}/follow")
    stopped = await _follow_events(buyer, pid, before)
    assert [(e["active"], e["section_id"]) for e in stopped] == [(False, None)]


async def test_another_facilitator_takes_over(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    first, second = plan["sections"][0]["id"], plan["sections"][2]["id"]
    boss = await add_member(kam, people, pid, "Boss", party="customer", role="facilitator")
    await kam.http.put(f"/api/plans/{pid}/follow", json={"section_id": first})
    r = await boss.http.put(f"/api/plans/{pid}/follow", json={"section_id": second})
    assert r.json()["leader"]["name"] == "Boss"
    seen = (await kam.http.get(f"/api/plans/{pid}/follow")).json()
    assert seen["leader"]["id"] == boss.id
    assert seen["section_id"] == second


async def test_two_facilitators_starting_at_once_both_get_an_answer(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    first, second = plan["sections"][0]["id"], plan["sections"][2]["id"]
    boss = await add_member(kam, people, pid, "Boss", party="customer", role="facilitator")
    replies = await asyncio.gather(
        kam.http.put(f"/api/plans/{pid}/follow", json={"section_id": first}),
        boss.http.put(f"/api/plans/{pid}/follow", json={"section_id": second}),
    )
    assert [r.status_code for r in replies] == [200, 200], [r.text for r in replies]
    seen = (await kam.http.get(f"/api/plans/{pid}/follow")).json()
    assert seen["active"] is True
    # One of the two leads, at the section they chose.
    assert (seen["leader"]["id"], seen["section_id"]) in {(kam.id, first), (boss.id, second)}


async def test_a_leader_who_is_no_longer_facilitator_leads_no_one(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    boss = await add_member(kam, people, pid, "Boss", party="customer", role="facilitator")
    await boss.http.put(f"/api/plans/{pid}/follow", json={"section_id": plan["sections"][0]["id"]})
    assert (await kam.http.get(f"/api/plans/{pid}/follow")).json()["active"] is True
    # The customer's second facilitator steps the leader down (the customer keeps one, and
    # only the customer manages its own people).
    deputy = await add_member(boss, people, pid, "Deputy", party="customer", role="facilitator")
    members = (await kam.http.get(f"/api/plans/{pid}/members")).json()["items"]
    boss_member = next(m["id"] for m in members if m["user"]["id"] == boss.id)
    r = await deputy.http.patch(f"/api/plans/{pid}/members/{boss_member}", json={"role": "editor"})
    assert r.status_code == 200, r.text
    assert (await kam.http.get(f"/api/plans/{pid}/follow")).json()["active"] is False
