import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.people import People, add_member, create_plan

KAM_KEYS = [
    "analysis",
    "buying_center",
    "goals_strategic",
    "goals_tactical",
    "goals_operative",
    "strategy_product",
    "strategy_price",
    "strategy_distribution",
    "strategy_communication",
    "strategy_service",
    "strategy_relationship",
    "action_plan",
]


async def test_kam_template_sections_and_defaults(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    assert plan["title"] == "Acme × Globex 2027"
    assert plan["my_membership"]["party"] == "supplier"
    assert plan["my_membership"]["role"] == "facilitator"
    assert plan["my_membership"]["signatory"] is True
    by_key = {s["key"]: s for s in plan["sections"]}
    assert [s["key"] for s in plan["sections"]] == KAM_KEYS
    assert [s["position"] for s in plan["sections"]] == list(range(len(KAM_KEYS)))
    assert (by_key["strategy_price"]["owner"], by_key["strategy_price"]["visibility"]) == (
        "supplier",
        "supplier-only",
    )
    for horizon in ("strategic", "tactical", "operative"):
        goals = by_key[f"goals_{horizon}"]
        assert (goals["kind"], goals["horizon"], goals["owner"], goals["visibility"]) == (
            "goals",
            horizon,
            "joint",
            "shared",
        )
    assert by_key["action_plan"]["kind"] == "activities"
    assert by_key["buying_center"]["kind"] == "stakeholders"
    assert all(s["help"] for s in plan["sections"])
    assert set(plan) >= {"id", "title", "sections", "supplier_name", "customer_name"}


async def test_kam_template_in_bokmal(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam, language="nb")
    titles = [s["title"] for s in plan["sections"]]
    assert "Strategiske mål (3–5 år)" in titles
    assert "Handlingsplan" in titles


async def test_blank_template_and_unknown_template(people: People) -> None:
    kam = await people.signup("Kam")
    assert (await create_plan(kam, template="blank"))["sections"] == []
    bad = await kam.http.post(
        "/api/plans",
        json={"title": "X", "supplier_name": "A", "customer_name": "B", "template": "nope"},
    )
    assert bad.status_code == 422
    assert bad.json()["error"] == "validation_error"
    listed = (await kam.http.get("/api/plans")).json()["items"]
    assert [p["title"] for p in listed] == ["Acme × Globex 2027"]  # only the blank one


async def test_customer_never_sees_supplier_only_sections(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    buyer = await add_member(kam, people, plan["id"], "Buyer", party="customer", role="editor")
    seen = (await buyer.http.get(f"/api/plans/{plan['id']}")).json()
    keys = {s["key"] for s in seen["sections"]}
    assert "strategy_price" not in keys
    assert "buying_center" not in keys
    assert "goals_strategic" in keys
    # Not in the raw body either: no title, no id.
    price = next(s for s in plan["sections"] if s["key"] == "strategy_price")
    raw = (await buyer.http.get(f"/api/plans/{plan['id']}")).text
    assert price["id"] not in raw
    assert price["title"] not in raw


async def test_list_open_archive(people: People) -> None:
    kam = await people.signup("Kam")
    first = await create_plan(kam, title="First")
    await create_plan(kam, title="Second")
    other = await people.signup("Other")
    await create_plan(other, title="Not mine")

    listed = (await kam.http.get("/api/plans")).json()["items"]
    assert [p["title"] for p in listed] == ["Second", "First"]
    assert listed[0]["member_count"] == 1

    archived = await kam.http.post(f"/api/plans/{first['id']}/archive")
    assert archived.status_code == 200
    assert archived.json()["archived_at"] is not None
    assert [p["title"] for p in (await kam.http.get("/api/plans")).json()["items"]] == ["Second"]
    in_archive = (await kam.http.get("/api/plans?archived=true")).json()["items"]
    assert [p["title"] for p in in_archive] == ["First"]
    # Archived plans still open.
    reopened = await kam.http.get(f"/api/plans/{first['id']}")
    assert reopened.status_code == 200
    assert (reopened.json()["title"], len(reopened.json()["sections"])) == (
        "First",
        len(first["sections"]),
    )
    await kam.http.post(f"/api/plans/{first['id']}/unarchive")
    assert len((await kam.http.get("/api/plans")).json()["items"]) == 2


async def test_sections_add_rename_reorder_remove_with_audit(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam, template="blank")
    pid = plan["id"]
    a = (
        await kam.http.post(
            f"/api/plans/{pid}/sections", json={"title": "Whitespace", "kind": "text"}
        )
    ).json()
    b = (
        await kam.http.post(f"/api/plans/{pid}/sections", json={"title": "Risks", "kind": "text"})
    ).json()
    assert (a["position"], b["position"]) == (0, 1)
    goals = await kam.http.post(f"/api/plans/{pid}/sections", json={"title": "G", "kind": "goals"})
    assert goals.status_code == 400
    assert goals.json()["error"] == "horizon_required"

    renamed = await kam.http.patch(
        f"/api/plans/{pid}/sections/{a['id']}",
        json={"title": "Whitespace grid", "owner": "customer", "visibility": "shared"},
    )
    assert renamed.status_code == 200
    assert (renamed.json()["title"], renamed.json()["owner"]) == ("Whitespace grid", "customer")
    assert renamed.json()["can_write"] is False  # the supplier facilitator no longer owns it

    order = await kam.http.post(
        f"/api/plans/{pid}/sections/order", json={"section_ids": [b["id"], a["id"]]}
    )
    assert [s["id"] for s in order.json()] == [b["id"], a["id"]]
    bad_order = await kam.http.post(
        f"/api/plans/{pid}/sections/order", json={"section_ids": [b["id"]]}
    )
    assert bad_order.status_code == 400
    assert "error" in bad_order.json()
    kept = (await kam.http.get(f"/api/plans/{pid}")).json()["sections"]
    assert [s["id"] for s in kept] == [b["id"], a["id"]]

    assert (await kam.http.delete(f"/api/plans/{pid}/sections/{b['id']}")).status_code == 204
    sections = (await kam.http.get(f"/api/plans/{pid}")).json()["sections"]
    assert [s["id"] for s in sections] == [a["id"]]

    audit = (await kam.http.get(f"/api/plans/{pid}/audit")).json()["items"]
    actions = [e["action"] for e in audit]
    assert actions[:5] == [
        "section.delete",
        "section.reorder",
        "section.update",
        "section.create",
        "section.create",
    ]
    update = audit[2]
    assert update["actor"]["name"] == "Kam"
    assert update["before"]["owner"] == "joint"
    assert update["after"]["owner"] == "customer"
    assert update["before"]["title"] == "Whitespace"


async def test_reorder_keeps_hidden_sections_in_place(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    cust = await add_member(kam, people, pid, "Cust", party="customer", role="facilitator")
    visible = [s["id"] for s in (await cust.http.get(f"/api/plans/{pid}")).json()["sections"]]
    hidden = {s["id"]: s["position"] for s in plan["sections"] if s["id"] not in visible}
    r = await cust.http.post(
        f"/api/plans/{pid}/sections/order", json={"section_ids": list(reversed(visible))}
    )
    assert r.status_code == 200
    after = {
        s["id"]: s["position"] for s in (await kam.http.get(f"/api/plans/{pid}")).json()["sections"]
    }
    assert {sid: after[sid] for sid in hidden} == hidden
    assert [s["id"] for s in r.json()] == list(reversed(visible))
    # Naming a section the customer cannot see is refused like any wrong list.
    sneaky = await cust.http.post(
        f"/api/plans/{pid}/sections/order", json={"section_ids": [*visible, *hidden]}
    )
    assert sneaky.status_code == 400
    assert "error" in sneaky.json()
    unchanged = {
        s["id"]: s["position"] for s in (await kam.http.get(f"/api/plans/{pid}")).json()["sections"]
    }
    assert unchanged == after


async def test_facilitator_of_other_party_cannot_touch_internal_section(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    price = next(s for s in plan["sections"] if s["key"] == "strategy_price")
    cust = await add_member(kam, people, pid, "Cust", party="customer", role="facilitator")
    for method, body in (("PATCH", {"visibility": "shared"}), ("DELETE", None), ("GET", None)):
        r = await cust.http.request(method, f"/api/plans/{pid}/sections/{price['id']}", json=body)
        assert r.status_code == 404
        assert price["title"] not in r.text
    # Still there, still internal, for its owners.
    own = await kam.http.get(f"/api/plans/{pid}/sections/{price['id']}")
    assert own.status_code == 200
    assert (own.json()["title"], own.json()["visibility"]) == (price["title"], "supplier-only")


async def test_members_change_and_remove(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    buyer = await add_member(kam, people, pid, "Buyer", party="customer", role="viewer")
    members = (await kam.http.get(f"/api/plans/{pid}/members")).json()["items"]
    assert {(m["user"]["name"], m["party"], m["role"]) for m in members} == {
        ("Kam", "supplier", "facilitator"),
        ("Buyer", "customer", "viewer"),
    }
    buyer_id = next(m["id"] for m in members if m["user"]["name"] == "Buyer")
    kam_id = next(m["id"] for m in members if m["user"]["name"] == "Kam")

    changed = await kam.http.patch(
        f"/api/plans/{pid}/members/{buyer_id}", json={"role": "editor", "signatory": True}
    )
    assert (changed.json()["role"], changed.json()["signatory"]) == ("editor", True)
    goals = next(
        s
        for s in (await buyer.http.get(f"/api/plans/{pid}")).json()["sections"]
        if s["key"] == "goals_strategic"
    )
    assert goals["can_write"] is True

    last = await kam.http.patch(f"/api/plans/{pid}/members/{kam_id}", json={"role": "editor"})
    assert last.status_code == 409
    assert last.json()["error"] == "last_facilitator"
    assert (await kam.http.delete(f"/api/plans/{pid}/members/{kam_id}")).status_code == 409
    after_refusals = (await kam.http.get(f"/api/plans/{pid}/members")).json()["items"]
    assert ("Kam", "facilitator") in {(m["user"]["name"], m["role"]) for m in after_refusals}

    assert (await kam.http.delete(f"/api/plans/{pid}/members/{buyer_id}")).status_code == 204
    assert (await buyer.http.get(f"/api/plans/{pid}")).status_code == 404
    audit = (await kam.http.get(f"/api/plans/{pid}/audit")).json()["items"]
    removal = next(e for e in audit if e["action"] == "member.remove")
    assert removal["before"]["role"] == "editor"


async def test_member_can_leave_but_not_remove_others(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    a = await add_member(kam, people, pid, "A", party="customer", role="editor")
    await add_member(kam, people, pid, "B", party="customer", role="editor")
    members = {
        m["user"]["name"]: m["id"]
        for m in (await kam.http.get(f"/api/plans/{pid}/members")).json()["items"]
    }
    assert (await a.http.delete(f"/api/plans/{pid}/members/{members['B']}")).status_code == 403
    names = [
        m["user"]["name"] for m in (await kam.http.get(f"/api/plans/{pid}/members")).json()["items"]
    ]
    assert sorted(names) == ["A", "B", "Kam"]
    assert (await a.http.delete(f"/api/plans/{pid}/members/{members['A']}")).status_code == 204
    names = [
        m["user"]["name"] for m in (await kam.http.get(f"/api/plans/{pid}/members")).json()["items"]
    ]
    assert sorted(names) == ["B", "Kam"]
    assert (await a.http.get(f"/api/plans/{pid}")).status_code == 404


async def test_audit_hides_the_other_partys_internal_sections(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    price = next(s for s in plan["sections"] if s["key"] == "strategy_price")
    await kam.http.patch(
        f"/api/plans/{pid}/sections/{price['id']}", json={"title": "Price floor for 2027"}
    )
    secret = (
        await kam.http.post(
            f"/api/plans/{pid}/sections",
            json={"title": "Walk-away terms", "kind": "text", "visibility": "supplier-only"},
        )
    ).json()
    await kam.http.delete(f"/api/plans/{pid}/sections/{secret['id']}")
    await kam.http.post(
        f"/api/plans/{pid}/sections/order",
        json={"section_ids": [s["id"] for s in reversed(plan["sections"])]},
    )
    buyer = await add_member(kam, people, pid, "Buyer", party="customer", role="facilitator")
    raw = (await buyer.http.get(f"/api/plans/{pid}/audit")).text
    for leaked in ("Price floor", "Walk-away", price["id"], secret["id"]):
        assert leaked not in raw
    own = (await kam.http.get(f"/api/plans/{pid}/audit")).text
    assert "Price floor" in own
    assert "Walk-away" in own


async def test_audit_log_is_append_only(people: People, engine: AsyncEngine) -> None:
    kam = await people.signup("Kam")
    await create_plan(kam)
    for statement in ("UPDATE audit_event SET action = 'forged'", "DELETE FROM audit_event"):
        async with engine.connect() as connection:
            with pytest.raises(DBAPIError, match="append-only"):
                await connection.execute(text(statement))
    async with engine.connect() as connection:
        actions = list((await connection.execute(text("SELECT action FROM audit_event"))).scalars())
    assert "plan.create" in actions
    assert "forged" not in actions


async def test_plan_update_by_facilitator(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    r = await kam.http.patch(f"/api/plans/{plan['id']}", json={"customer_name": "Globex AG"})
    assert r.json()["customer_name"] == "Globex AG"
    extra = await kam.http.patch(f"/api/plans/{plan['id']}", json={"owner": "x"})
    assert extra.status_code == 422  # unknown fields are refused, not ignored
    assert (await kam.http.get(f"/api/plans/{plan['id']}")).json()["customer_name"] == "Globex AG"
