"""Signing goals over REST: who may sign, both parties on the same hash, withdrawal, and what
the audit log and the event stream show."""

import hashlib
import json
import unicodedata
from typing import Any

from server.signoff.canonical import goal_hash
from tests.content import append_update, find_item, load_doc, put_content
from tests.people import People, add_member
from tests.signoff.helpers import GOALS, Workshop, edit_goal


def expected_hash(goal: dict[str, Any]) -> str:
    """The documented recipe, written out independently of the server's code."""
    fields = {k: goal.get(k) for k in ("title", "description", "metric", "target", "due")}
    fields = {
        k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v for k, v in fields.items()
    }
    data = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


async def test_both_parties_sign_the_same_content_and_the_goal_is_agreed(
    app: Any, people: People
) -> None:
    w = await Workshop(app, people).build()
    first = await w.sign(w.kam, "g1")
    assert first["status"] == "pending"
    assert first["hash"] == expected_hash(GOALS[0]) == first["current_hash"]
    assert [s["signer"]["name"] for s in first["signatures"]] == ["Kari Fjord"]
    assert first["signatures"][0]["party"] == "supplier"

    second = await w.sign(w.ola, "g1")
    assert second["status"] == "agreed"
    assert second["agreed_hash"] == second["hash"] == first["hash"]
    assert {s["party"] for s in second["signatures"]} == {"supplier", "customer"}
    assert second["agreed_content"]["title"] == GOALS[0]["title"]
    assert "status" not in second["agreed_content"]  # the goal's own status is not signed

    # Everyone who reads the section sees the same, as does the whole-plan view.
    seen = await w.agreement(w.viewer, "g1")
    assert seen["status"] == "agreed"
    overview = (await w.sup.http.get(w.url("/agreements"))).json()
    assert overview["counts"] == {"total": 2, "agreed": 1, "pending": 1, "changed": 0}
    assert [(i["goal_id"], i["status"]) for i in overview["items"]] == [
        ("g1", "agreed"),
        ("g2", "pending"),
    ]

    # Signing again is harmless: no second signature.
    again = await w.sign(w.ola, "g1")
    assert len(again["signatures"]) == 2


async def test_only_signatories_sign_and_outsiders_learn_nothing(app: Any, people: People) -> None:
    w = await Workshop(app, people).build()
    for person in (w.sup, w.cus, w.viewer):
        r = await person.http.post(w.url("/goals/g1/signatures"))
        assert r.status_code == 403, r.text
        assert r.json()["error"] == "not_signatory"
    stranger = await people.signup("Stranger")
    r = await stranger.http.post(w.url("/goals/g1/signatures"))
    assert r.status_code == 404
    assert (await stranger.http.get(w.url("/goals/g1/agreement"))).status_code == 404
    assert (await w.kam.http.post(w.url("/goals/nope/signatures"))).status_code == 404
    assert (await w.kam.http.get(w.url("/goals/g1/agreement"))).json()["signatures"] == []


async def test_a_goal_the_member_cannot_read_is_not_found(app: Any, people: People) -> None:
    w = await Workshop(app, people).build()
    r = await w.kam.http.post(
        w.url("/sections"),
        json={
            "title": "Our internal goals",
            "kind": "goals",
            "horizon": "tactical",
            "visibility": "supplier-only",
        },
    )
    internal = r.json()["id"]
    await put_content(app, internal, "goals", [{"id": "secret-goal", "title": "Raise price 9 %"}])
    # The customer's signatory cannot tell it from a goal that does not exist.
    for path in ("/goals/secret-goal/signatures", "/goals/secret-goal/agreement"):
        method = "POST" if path.endswith("signatures") else "GET"
        r = await w.ola.http.request(method, w.url(path))
        assert r.status_code == 404, r.text
        assert "secret" not in r.text
    # The supplier can read it, but one party alone cannot sign off anything.
    r = await w.kam.http.post(w.url("/goals/secret-goal/signatures"))
    assert r.status_code == 409
    assert r.json()["error"] == "goal_not_shared"
    overview = (await w.ola.http.get(w.url("/agreements"))).json()
    assert "secret-goal" not in json.dumps(overview)


async def test_signatures_on_different_content_do_not_agree(app: Any, people: People) -> None:
    w = await Workshop(app, people).build()
    supplier = await w.sign(w.kam, "g1")
    await edit_goal(app, w.goals, "g1", target="80 %")
    customer = await w.sign(w.ola, "g1")
    assert customer["status"] == "pending"
    assert customer["hash"] != supplier["hash"]
    assert customer["hash"] == expected_hash({**GOALS[0], "target": "80 %"})

    # The supplier signs the new words; the old signature is replaced, not lost.
    resigned = await w.sign(w.kam, "g1")
    assert resigned["status"] == "agreed"
    assert resigned["agreed_hash"] == customer["hash"]
    assert [s["hash"] for s in resigned["signatures"]] == [customer["hash"]] * 2
    assert [(s["hash"], s["end_reason"]) for s in resigned["past_signatures"]] == [
        (supplier["hash"], "replaced")
    ]


async def test_the_hash_is_over_nfc_text_and_ignores_the_goal_status(
    app: Any, people: People
) -> None:
    w = await Workshop(app, people).build()
    decomposed = unicodedata.normalize("NFD", "Økt andel – på én hylle")
    await put_content(app, w.goals, "goals", [{"id": "g1", "title": decomposed}])
    signed = await w.sign(w.kam, "g1")
    composed = {"title": unicodedata.normalize("NFC", decomposed)}
    assert signed["hash"] == expected_hash(composed) == goal_hash(composed)
    await edit_goal(app, w.goals, "g1", status="in_progress")
    assert (await w.agreement(w.kam, "g1"))["current_hash"] == signed["hash"]


async def test_withdrawal_before_and_after_agreement(app: Any, people: People) -> None:
    w = await Workshop(app, people).build()
    await w.sign(w.kam, "g1")
    # Before agreement: simply withdrawn.
    r = await w.kam.http.delete(w.url("/goals/g1/signatures/mine"))
    assert r.status_code == 200, r.text
    assert r.json()["signatures"] == []
    assert r.json()["past_signatures"][0]["end_reason"] == "withdrawn"
    # Nobody can withdraw what they have not signed.
    r = await w.ola.http.delete(w.url("/goals/g1/signatures/mine"))
    assert r.status_code == 404

    await w.sign(w.kam, "g1")
    await w.sign(w.ola, "g1")
    # After agreement a reason is needed ...
    r = await w.ola.http.request("DELETE", w.url("/goals/g1/signatures/mine"), json={})
    assert r.status_code == 400
    assert r.json()["error"] == "reason_required"
    assert (await w.agreement(w.kam, "g1"))["status"] == "agreed"
    # ... and the withdrawal reopens the goal: both sign again.
    r = await w.ola.http.request(
        "DELETE",
        w.url("/goals/g1/signatures/mine"),
        json={"reason": "Our board wants 2030, not 2029."},
    )
    assert r.status_code == 200, r.text
    reopened = r.json()
    assert reopened["status"] == "pending"
    assert reopened["agreed_hash"] is None
    assert reopened["signatures"] == []
    assert reopened["reopen_reason"] == "Our board wants 2030, not 2029."
    ended = {(s["party"], s["end_reason"]) for s in reopened["past_signatures"]}
    assert ("customer", "withdrawn") in ended
    assert ("supplier", "reopened") in ended
    assert (await w.sign(w.kam, "g1"))["status"] == "pending"
    assert (await w.sign(w.ola, "g1"))["status"] == "agreed"


async def test_everything_is_in_the_audit_log_and_on_the_event_stream(
    app: Any, people: People
) -> None:
    w = await Workshop(app, people).build()
    cursor = (await w.ola.http.get(w.url("/events/poll"))).json()["cursor"]
    await w.sign(w.kam, "g1")
    await w.sign(w.ola, "g1")
    await w.ola.http.request(
        "DELETE", w.url("/goals/g1/signatures/mine"), json={"reason": "Wrong year"}
    )
    audit = (await w.viewer.http.get(w.url("/audit"))).json()["items"]
    actions = [e["action"] for e in reversed(audit) if e["action"].startswith(("goal", "agree"))]
    assert actions == [
        "goal.sign",
        "goal.sign",
        "agreement.agreed",
        "goal.withdraw",
        "agreement.reopened",
    ]
    withdraw = next(e for e in audit if e["action"] == "goal.withdraw")
    assert withdraw["actor"]["name"] == "Ola Nordmann"
    assert withdraw["after"] == {"goal_id": "g1", "reason": "Wrong year"}

    events = (await w.ola.http.get(w.url(f"/events/poll?after={cursor}"))).json()["items"]
    agreement = [e for e in events if e["type"] == "agreement.changed"]
    assert [(e["action"], e["status"]) for e in agreement] == [
        ("signed", "pending"),
        ("signed", "agreed"),
        ("reopened", "pending"),
    ]
    assert all(e["goal_id"] == "g1" and e["section_id"] == w.goals for e in agreement)


async def test_archived_plans_take_no_signatures(app: Any, people: People) -> None:
    w = await Workshop(app, people).build()
    await w.kam.http.post(w.url("/archive"))
    r = await w.kam.http.post(w.url("/goals/g1/signatures"))
    assert r.status_code == 409
    assert r.json()["error"] == "plan_archived"


async def test_ambiguous_goal_ids_need_the_section(app: Any, people: People) -> None:
    w = await Workshop(app, people).build()
    await put_content(app, w.sections["goals_tactical"], "goals", [GOALS[0]])
    r = await w.kam.http.post(w.url("/goals/g1/signatures"))
    assert r.status_code == 409
    assert r.json()["error"] == "goal_ambiguous"
    r = await w.kam.http.post(w.url(f"/goals/g1/signatures?section_id={w.goals}"))
    assert r.status_code == 201
    assert r.json()["section_id"] == w.goals
    other = await add_member(w.kam, people, w.plan_id, "Late", party="customer", role="viewer")
    r = await other.http.get(w.url(f"/goals/g1/agreement?section_id={w.goals}"))
    assert r.json()["signatures"][0]["signer"]["name"] == "Kari Fjord"


async def test_the_overview_shows_a_goal_whose_title_is_not_text(app: Any, people: People) -> None:
    """A hand-crafted client stored a number as a goal's title: the overview still answers
    (found by the e2e test of malformed content, which made it answer 500)."""
    w = await Workshop(app, people).build()
    doc = await load_doc(app, w.goals)
    before = doc.get_state()
    _index, goal = find_item(doc, "g1")
    goal["title"] = 42
    await append_update(app, w.goals, doc.get_update(before))
    r = await w.ola.http.get(w.url("/agreements"))
    assert r.status_code == 200, r.text
    titles = {a["goal_id"]: a["title"] for a in r.json()["items"]}
    assert titles["g1"] == "42"
    assert titles["g2"] == "CO₂ per meal halved"
