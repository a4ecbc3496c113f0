"""Structure and rights changes are announced on the event stream, to those who may know."""

from typing import Any

from tests.people import People, add_member, create_plan


async def test_structure_changes_are_announced_by_audience(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    by_key = {s["key"]: s["id"] for s in plan["sections"]}
    buyer = await add_member(kam, people, pid, "Buyer", party="customer", role="editor")

    async def cursor(who: Any) -> int:
        return int((await who.http.get(f"/api/plans/{pid}/events/poll")).json()["cursor"])

    async def seen(who: Any, after: int) -> list[tuple[str, dict[str, Any]]]:
        items = (await who.http.get(f"/api/plans/{pid}/events/poll?after={after}")).json()
        return [(e["type"], e) for e in items["items"]]

    start_k, start_b = await cursor(kam), await cursor(buyer)
    # The supplier shares the writing of its own section (a joint one it could not take).
    await kam.http.patch(
        f"/api/plans/{pid}/sections/{by_key['strategy_product']}", json={"owner": "joint"}
    )
    await kam.http.patch(
        f"/api/plans/{pid}/sections/{by_key['strategy_price']}", json={"title": "Price floor 2027"}
    )
    members = (await kam.http.get(f"/api/plans/{pid}/members")).json()["items"]
    buyer_member = next(m["id"] for m in members if m["user"]["id"] == buyer.id)
    await kam.http.patch(f"/api/plans/{pid}/members/{buyer_member}", json={"role": "commenter"})
    await kam.http.patch(f"/api/plans/{pid}", json={"title": "Renamed"})

    supplier_view = await seen(kam, start_k)
    customer_view = await seen(buyer, start_b)
    assert [t for t, _ in supplier_view] == [
        "section.updated",
        "section.updated",
        "member.updated",
        "plan.updated",
    ]
    assert [t for t, _ in customer_view] == ["section.updated", "member.updated", "plan.updated"]
    assert customer_view[0][1]["section_id"] == by_key["strategy_product"]
    raw = str(customer_view)
    assert by_key["strategy_price"] not in raw
    assert "Price floor" not in raw
