"""Plan versions: frozen, read by visibility, compared goal by goal, signed as a whole."""

from typing import Any

from tests.content import put_content
from tests.export.helpers import CUSTOMER_SECRET, SECRET_GOAL, SECRET_PRICE, rich_workshop
from tests.people import People
from tests.signoff.helpers import GOALS, edit_goal


async def freeze(w: Any, name: str) -> dict[str, Any]:
    r = await w.kam.http.post(w.url("/versions"), json={"name": name})
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def goal_in(version: dict[str, Any], goal_id: str) -> dict[str, Any]:
    return next(a for s in version["sections"] for a in s["agreements"] if a["goal_id"] == goal_id)


async def test_a_version_is_frozen_and_stays_so(app: Any, people: People) -> None:
    w = await rich_workshop(app, people)
    await w.sign(w.kam, "g1")
    await w.sign(w.ola, "g1")
    made = await freeze(w, "Workshop 27 Nov")
    assert made["name"] == "Workshop 27 Nov"
    assert made["created_by"]["name"] == "Kari Fjord"
    assert set(made) >= {"id", "name", "created_at"}

    # Later the plan moves on.
    await edit_goal(app, w.goals, "g1", target="120 %")
    await w.sign(w.kam, "g1")
    await w.sign(w.ola, "g1")
    await put_content(app, w.sections["analysis"], "text", [("paragraph", "Rewritten")])

    version = (await w.viewer.http.get(w.url(f"/versions/{made['id']}"))).json()
    g1 = goal_in(version, "g1")
    assert g1["content"]["target"] == "100 %"
    assert g1["status"] == "agreed"
    assert {s["name"] for s in g1["signatures"]} == {"Kari Fjord", "Ola Nordmann"}
    assert goal_in(version, "g2")["status"] == "pending"
    analysis = next(s for s in version["sections"] if s["key"] == "analysis")
    assert "Kjedene vil ha 30 %" in analysis["content"]["text"]
    assert (await w.agreement(w.kam, "g1"))["current_content"]["target"] == "120 %"
    listed = (await w.ola.http.get(w.url("/versions"))).json()["items"]
    assert [v["name"] for v in listed] == ["Workshop 27 Nov"]


async def test_only_facilitators_freeze_versions(app: Any, people: People) -> None:
    w = await rich_workshop(app, people)
    for person in (w.ola, w.sup, w.viewer):
        r = await person.http.post(w.url("/versions"), json={"name": "Mine"})
        assert r.status_code == 403
    r = await w.kam.http.post(w.url("/versions"), json={"name": "  "})
    assert r.status_code == 422
    # The customer's facilitator may freeze too; the version holds every section anyway.
    r = await w.cus_fac.http.post(w.url("/versions"), json={"name": "Customer's copy"})
    assert r.status_code == 201
    mine = (await w.kam.http.get(w.url(f"/versions/{r.json()['id']}"))).json()
    assert any(s["key"] == "strategy_price" for s in mine["sections"])


async def test_a_version_opens_with_only_what_the_reader_may_read(app: Any, people: People) -> None:
    w = await rich_workshop(app, people)
    made = await freeze(w, "V1")
    customer = (await w.ola.http.get(w.url(f"/versions/{made['id']}"))).json()
    supplier = (await w.sup.http.get(w.url(f"/versions/{made['id']}"))).json()
    customer_text = str(customer)
    for secret in (SECRET_PRICE, SECRET_GOAL, w.supplier_goals, "Buying center"):
        assert secret not in customer_text
    assert CUSTOMER_SECRET in customer_text
    supplier_text = str(supplier)
    assert SECRET_PRICE in supplier_text
    assert SECRET_GOAL in supplier_text
    assert CUSTOMER_SECRET not in supplier_text
    assert w.customer_text not in supplier_text
    compare = (await w.ola.http.get(w.url(f"/versions/{made['id']}/compare"))).json()
    assert SECRET_GOAL not in str(compare)
    assert w.supplier_goals not in str(compare)


async def test_two_versions_compared_goal_by_goal(app: Any, people: People) -> None:
    w = await rich_workshop(app, people)
    first = await freeze(w, "Before lunch")
    await edit_goal(app, w.goals, "g1", target="80 %", due="2030-06-30")
    await edit_goal(app, w.goals, "g2", _delete=True)
    await put_content(
        app, w.sections["goals_operative"], "goals", [{"id": "g3", "title": "Two-week stock"}]
    )
    second = await freeze(w, "After lunch")
    r = await w.viewer.http.get(w.url(f"/versions/{first['id']}/compare?to={second['id']}"))
    assert r.status_code == 200, r.text
    goals = {g["goal_id"]: g for g in r.json()["goals"]}
    assert goals["g1"]["change"] == "changed"
    assert goals["g1"]["fields"] == ["target", "due"]
    assert goals["g1"]["before"]["content"]["target"] == "100 %"
    assert goals["g1"]["after"]["content"]["target"] == "80 %"
    assert goals["g2"]["change"] == "removed"
    assert goals["g2"]["title"] == GOALS[1]["title"]
    assert goals["g3"]["change"] == "added"
    sections = {s["title"]: s["change"] for s in r.json()["sections"]}
    assert sections["Strategic goals (3–5 years)"] == "changed"
    assert sections["Customer analysis and opportunities"] == "unchanged"

    # Against the plan as it is now: nothing changed since the second version.
    now = (await w.viewer.http.get(w.url(f"/versions/{second['id']}/compare"))).json()
    assert {g["change"] for g in now["goals"]} == {"unchanged"}
    r = await w.viewer.http.get(w.url(f"/versions/{first['id']}/compare?to=nope"))
    assert r.status_code == 404


async def test_both_parties_sign_a_version_bound_to_its_shared_sections(
    app: Any, people: People
) -> None:
    w = await rich_workshop(app, people)
    first = await freeze(w, "A")
    # A change to an internal section leaves the hash both parties sign unchanged ...
    await put_content(app, w.sections["strategy_price"], "text", [("paragraph", "Floor 5 %")])
    second = await freeze(w, "B")
    assert second["hash"] == first["hash"]
    # ... a change to a shared one does not.
    await edit_goal(app, w.goals, "g1", target="90 %")
    third = await freeze(w, "C")
    assert third["hash"] != first["hash"]

    url = w.url(f"/versions/{third['id']}/signatures")
    assert (await w.sup.http.post(url)).status_code == 403
    signed = (await w.kam.http.post(url)).json()
    assert signed["status"] == "pending"
    assert signed["hash"] == third["hash"]
    signed = (await w.ola.http.post(url)).json()
    assert signed["status"] == "agreed"
    assert [(s["signer"]["name"], s["party"]) for s in signed["signatures"]] == [
        ("Kari Fjord", "supplier"),
        ("Ola Nordmann", "customer"),
    ]
    assert all(s["hash"] == third["hash"] for s in signed["signatures"])
    assert (await w.viewer.http.get(url)).json()["status"] == "agreed"
    listed = (await w.viewer.http.get(w.url("/versions"))).json()["items"]
    assert [(v["name"], v["status"]) for v in listed] == [
        ("C", "agreed"),
        ("B", "pending"),
        ("A", "pending"),
    ]
    audit = [e["action"] for e in (await w.kam.http.get(w.url("/audit"))).json()["items"]]
    assert audit[:2] == ["version.sign", "version.sign"]
    assert "version.create" in audit
