"""Every event type on the plan stream, each with who receives it and who does not.

Read through the poll endpoint (the same rows and the same filter as the SSE stream, see
server/stream/router.py); tests/stream/test_sse.py covers the live delivery and `?after=`
over SSE."""

from typing import Any

from tests.comments.helpers import put_content, workshop_plan
from tests.people import People, Person, add_member


async def cursor(who: Person, pid: str) -> int:
    return int((await who.http.get(f"/api/plans/{pid}/events/poll")).json()["cursor"])


async def types_after(who: Person, pid: str, after: int) -> list[str]:
    r = await who.http.get(f"/api/plans/{pid}/events/poll?after={after}")
    assert r.status_code == 200, r.text
    return [e["type"] for e in r.json()["items"]]


async def events_after(who: Person, pid: str, after: int) -> list[dict[str, Any]]:
    r = await who.http.get(f"/api/plans/{pid}/events/poll?after={after}")
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def test_comment_and_thread_events_follow_the_threads_visibility(
    app: Any, people: People
) -> None:
    p = await workshop_plan(app, people)
    goals = p.sections["goals_strategic"]
    threads = f"/api/plans/{p.id}/threads"
    shared = (
        await p.kam.http.post(
            threads, json={"section_id": goals, "visibility": "shared", "body": "a"}
        )
    ).json()
    internal = (
        await p.kam.http.post(
            threads, json={"section_id": goals, "visibility": "internal", "body": "b"}
        )
    ).json()
    start = {who.name: await cursor(who, p.id) for who in (p.kam, p.sup, p.cus, p.viewer)}

    for thread in (shared, internal):
        comment = f"{threads}/{thread['id']}/comments/{thread['comments'][0]['id']}"
        assert (await p.kam.http.patch(comment, json={"body": "edited"})).status_code == 200
        assert (await p.kam.http.post(f"{threads}/{thread['id']}/resolve")).status_code == 200
        assert (await p.kam.http.post(f"{threads}/{thread['id']}/reopen")).status_code == 200
        assert (await p.kam.http.delete(comment)).status_code == 204

    lifecycle = ["comment.updated", "thread.resolved", "thread.reopened", "comment.deleted"]
    for who in (p.kam, p.sup):  # the supplier's party: both threads
        assert await types_after(who, p.id, start[who.name]) == lifecycle * 2
    for who in (p.cus, p.viewer):  # the customer's party: the shared thread only
        events = await events_after(who, p.id, start[who.name])
        assert [e["type"] for e in events] == lifecycle
        assert internal["id"] not in str(events)


async def test_vote_changed_reaches_those_who_read_the_section(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    goals = p.sections["goals_strategic"]
    made = await p.kam.http.post(
        f"/api/plans/{p.id}/sections",
        json={
            "title": "Our own targets",
            "kind": "goals",
            "horizon": "tactical",
            "visibility": "supplier-only",
        },
    )
    assert made.status_code == 201, made.text
    buying = made.json()["id"]
    await put_content(app, buying, "goals", [{"id": "s1", "title": "Margin", "status": "proposed"}])
    start = {who.name: await cursor(who, p.id) for who in (p.kam, p.cus, p.viewer)}

    votes = f"/api/plans/{p.id}/votes"
    r = await p.cus.http.post(votes, json={"section_id": goals, "item_id": "g1"})
    assert r.status_code == 201, r.text
    assert (await p.cus.http.delete(f"{votes}/{goals}/g1")).status_code == 200
    # A vote in a supplier-only goals section.
    r = await p.kam.http.post(votes, json={"section_id": buying, "item_id": "s1"})
    assert r.status_code == 201, r.text

    assert await types_after(p.kam, p.id, start["Kam"]) == ["vote.changed"] * 3
    for who in (p.cus, p.viewer):
        events = await events_after(who, p.id, start[who.name])
        assert [e["type"] for e in events] == ["vote.changed"] * 2
        assert buying not in str(events)


async def test_section_events_reach_only_those_who_may_read_the_section(
    app: Any, people: People
) -> None:
    p = await workshop_plan(app, people)
    start = {who.name: await cursor(who, p.id) for who in (p.kam, p.sup, p.cus)}
    sections = f"/api/plans/{p.id}/sections"

    # Supplier-owned, so the supplier may delete it again (a joint one needs the customer).
    shared = await p.kam.http.post(
        sections, json={"title": "Risks", "kind": "text", "owner": "supplier"}
    )
    assert shared.status_code == 201, shared.text
    secret = await p.kam.http.post(
        sections, json={"title": "Walk-away", "kind": "text", "visibility": "supplier-only"}
    )
    assert secret.status_code == 201, secret.text
    plan = (await p.kam.http.get(f"/api/plans/{p.id}")).json()
    order = [s["id"] for s in reversed(plan["sections"])]
    assert (
        await p.kam.http.post(f"{sections}/order", json={"section_ids": order})
    ).status_code == 200
    # A move among the supplier's internal sections only: the customer's order is the same.
    plan = (await p.kam.http.get(f"/api/plans/{p.id}")).json()
    order = [s["id"] for s in plan["sections"]]
    internal = [s["id"] for s in plan["sections"] if s["visibility"] == "supplier-only"]
    i, j = order.index(internal[0]), order.index(internal[1])
    order[i], order[j] = order[j], order[i]
    assert (
        await p.kam.http.post(f"{sections}/order", json={"section_ids": order})
    ).status_code == 200
    for created in (shared, secret):
        assert (await p.kam.http.delete(f"{sections}/{created.json()['id']}")).status_code == 204

    supplier = ["section.created"] * 2 + ["section.reordered"] * 2 + ["section.deleted"] * 2
    for who in (p.kam, p.sup):
        got = await types_after(who, p.id, start[who.name])
        assert got == supplier, got
    events = await events_after(p.cus, p.id, start["Cus"])
    assert [e["type"] for e in events] == [
        "section.created",
        "section.reordered",
        "section.deleted",
    ]
    assert secret.json()["id"] not in str(events)
    assert "Walk-away" not in str(events)


async def test_member_added_and_removed_reach_the_members(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    stranger = await people.signup("Stranger")
    start = {who.name: await cursor(who, p.id) for who in (p.kam, p.cus)}

    newcomer = await add_member(p.kam, people, p.id, "New", party="customer", role="editor")
    members = (await p.kam.http.get(f"/api/plans/{p.id}/members")).json()["items"]
    new_member = next(m["id"] for m in members if m["user"]["id"] == newcomer.id)
    gone = await p.kam.http.delete(f"/api/plans/{p.id}/members/{new_member}")
    assert gone.status_code == 204

    for who in (p.kam, p.cus):
        events = await events_after(who, p.id, start[who.name])
        kinds = [e["type"] for e in events if e["type"].startswith("member.")]
        assert kinds == ["member.added", "member.removed"], events
    # Someone outside the plan, and the removed member, get nothing at all.
    for outsider in (stranger, newcomer):
        r = await outsider.http.get(f"/api/plans/{p.id}/events/poll?after=0")
        assert r.status_code == 404
        assert "member." not in r.text
