"""Signing goals over REST: who may sign, both parties on the same hash, withdrawal, and what
the audit log and the event stream show."""

import hashlib
import json
import unicodedata
from typing import Any

import pytest
from sqlalchemy import select

from server.signoff import service
from server.signoff.canonical import goal_hash
from server.signoff.models import GoalAgreement, GoalSignature
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
    # What the watcher reads next: an open goal, not changed, not deleted.
    async with app.state.sessionmaker() as session:
        row = await session.scalar(select(GoalAgreement).where(GoalAgreement.goal_id == "g1"))
        assert row is not None
        assert (row.status, row.goal_deleted, row.agreed_hash) == ("pending", False, None)
        assert (row.changed_at, row.changed_by_id, row.changed_hash) == (None, None, None)
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


# ---- what the records say (found by mutation testing, docs/testing.md) -----------------


async def goal_audit(w: Workshop, goal_id: str) -> list[dict[str, Any]]:
    """The audit log's sign-off entries for one goal, oldest first, as a customer reads it."""
    items = (await w.viewer.http.get(w.url("/audit?limit=200"))).json()["items"]
    return [
        e
        for e in reversed(items)
        if e["action"].startswith(("goal.", "agreement.")) and e["after"]["goal_id"] == goal_id
    ]


async def test_the_audit_log_says_who_signed_which_words_and_what_changed(
    app: Any, people: People
) -> None:
    w = await Workshop(app, people).build()
    cursor = (await w.ola.http.get(w.url("/events/poll"))).json()["cursor"]
    first = await w.sign(w.kam, "g1")
    agreed = await w.sign(w.ola, "g1")
    content, digest = agreed["agreed_content"], agreed["agreed_hash"]
    assert agreed["agreed_at"] is not None
    assert [s["party"] for s in agreed["signatures"]] == ["supplier", "customer"]
    assert [s["signer"]["name"] for s in agreed["signatures"]] == ["Kari Fjord", "Ola Nordmann"]
    assert first["signatures"][0]["signed_at"] <= agreed["signatures"][1]["signed_at"]
    reopened = await w.ola.http.request(
        "DELETE", w.url("/goals/g1/signatures/mine"), json={"reason": "Wrong year"}
    )
    assert reopened.json()["current_content"]["title"] == GOALS[0]["title"]
    assert reopened.json()["goal_deleted"] is False
    withdrawn = {s["party"]: s for s in reopened.json()["past_signatures"]}
    assert withdrawn["customer"]["withdraw_reason"] == "Wrong year"

    audit = await goal_audit(w, "g1")
    assert [(e["action"], e["actor"]["name"]) for e in audit] == [
        ("goal.sign", "Kari Fjord"),
        ("goal.sign", "Ola Nordmann"),
        ("agreement.agreed", "Ola Nordmann"),
        ("goal.withdraw", "Ola Nordmann"),
        ("agreement.reopened", "Ola Nordmann"),
    ]
    # Every entry names the goal's section and one and the same agreement.
    assert {(e["section_id"], e["target_type"]) for e in audit} == {(w.goals, "goal")}
    # One agreement, named by each entry.
    assert len({e["target_id"] for e in audit}) == 1
    assert audit[0]["target_id"] is not None
    assert len({e["target_id"] for e in audit}) == 1
    assert audit[0]["target_id"]
    assert [e["after"] for e in audit[:2]] == [
        {"goal_id": "g1", "hash": digest, "party": party, "content": content}
        for party in ("supplier", "customer")
    ]
    assert audit[2]["before"] == {"status": "pending", "agreed_hash": None}
    assert audit[2]["after"] == {"goal_id": "g1", "agreed_hash": digest, "content": content}
    assert audit[3]["before"] == {"hash": digest, "party": "customer"}
    assert audit[4]["before"] == {"status": "agreed", "agreed_hash": digest}
    assert audit[4]["after"] == {"goal_id": "g1", "reason": "Wrong year"}

    # The stream carries the state and who acted, never the text.
    events = (await w.ola.http.get(w.url(f"/events/poll?after={cursor}"))).json()["items"]
    changes = [e for e in events if e["type"] == "agreement.changed"]
    assert [(e["action"], e["actor_id"], e["agreed_hash"], e["current_hash"]) for e in changes] == [
        ("signed", w.kam.id, None, digest),
        ("signed", w.ola.id, digest, digest),
        ("reopened", w.ola.id, None, digest),
    ]
    assert GOALS[0]["title"] not in json.dumps(changes)

    # The signature row keeps the exact content signed.
    async with app.state.sessionmaker() as session:
        rows = await session.scalars(select(GoalSignature).order_by(GoalSignature.signed_at))
        assert [(r.party, r.content) for r in rows] == [
            ("supplier", content),
            ("customer", content),
        ]


async def test_withdrawing_before_agreement_is_a_withdrawal_not_a_reopening(
    app: Any, people: People
) -> None:
    w = await Workshop(app, people).build()
    # Nobody has signed g2: there is nothing to withdraw.
    r = await w.kam.http.delete(w.url("/goals/g2/signatures/mine"))
    assert r.status_code == 404
    assert r.json()["error"] == "signature_not_found"
    cursor = (await w.ola.http.get(w.url("/events/poll"))).json()["cursor"]
    await w.sign(w.kam, "g2")
    r = await w.kam.http.delete(w.url("/goals/g2/signatures/mine"))
    assert r.status_code == 200, r.text
    events = (await w.ola.http.get(w.url(f"/events/poll?after={cursor}"))).json()["items"]
    assert [e["action"] for e in events if e["type"] == "agreement.changed"] == [
        "signed",
        "withdrawn",
    ]
    assert [e["action"] for e in await goal_audit(w, "g2")] == ["goal.sign", "goal.withdraw"]


async def test_an_agreed_goal_edited_is_changed_and_agreed_again_on_the_new_words(
    app: Any, people: People
) -> None:
    w = await Workshop(app, people).build()
    await w.sign(w.kam, "g1")
    old = (await w.sign(w.ola, "g1"))["agreed_hash"]
    await edit_goal(app, w.goals, "g1", target="80 %")
    changed = await w.agreement(w.viewer, "g1")
    assert changed["status"] == "changed"
    assert changed["agreed_hash"] == old != changed["current_hash"]
    assert changed["current_content"]["target"] == "80 %"
    assert changed["agreed_content"]["target"] == "100 %"

    # The supplier signs the new words and thinks better of it: the old agreement stands,
    # so this is no reopening and needs no reason.
    await w.sign(w.kam, "g1")
    r = await w.kam.http.delete(w.url("/goals/g1/signatures/mine"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "changed"
    assert r.json()["agreed_hash"] == old

    await w.sign(w.kam, "g1")
    again = await w.sign(w.ola, "g1")
    assert again["status"] == "agreed"
    assert again["agreed_hash"] == again["current_hash"] != old
    assert again["agreed_content"]["target"] == "80 %"
    agreed = [e for e in await goal_audit(w, "g1") if e["action"] == "agreement.agreed"]
    assert [e["after"]["agreed_hash"] for e in agreed] == [old, again["agreed_hash"]]


async def test_a_third_signatory_on_agreed_words_adds_a_signature_not_an_agreement(
    app: Any, people: People
) -> None:
    w = await Workshop(app, people).build()
    per = await add_member(
        w.kam, people, w.plan_id, "Per Signer", party="supplier", role="editor", signatory=True
    )
    await w.sign(w.kam, "g1")
    agreed = await w.sign(w.ola, "g1")
    third = await w.sign(per, "g1")
    assert third["status"] == "agreed"
    assert third["agreed_at"] == agreed["agreed_at"]
    assert len(third["signatures"]) == 3
    # Signing the same words twice changes nothing and says where the goal stands.
    again = await w.sign(per, "g1")
    assert (again["status"], again["current_hash"]) == ("agreed", agreed["agreed_hash"])
    assert len(again["signatures"]) == 3
    actions = [e["action"] for e in await goal_audit(w, "g1")]
    assert actions == ["goal.sign", "goal.sign", "agreement.agreed", "goal.sign"]
    async with app.state.sessionmaker() as session:
        watched = await service.watched_goals(session, w.plan_id)
    assert watched[w.goals]["g1"] == service.Watched(agreed["agreed_hash"], "agreed", False)


async def test_each_goal_has_its_own_agreement(app: Any, people: People) -> None:
    w = await Workshop(app, people).build()
    tactical = w.sections["goals_tactical"]
    await put_content(app, tactical, "goals", [GOALS[0]])
    for signatory in (w.kam, w.ola):
        r = await signatory.http.post(w.url(f"/goals/g1/signatures?section_id={w.goals}"))
        assert r.status_code == 201, r.text
    await w.sign(w.ola, "g2")
    r = await w.kam.http.get(w.url(f"/goals/g1/agreement?section_id={tactical}"))
    assert (r.json()["status"], r.json()["signatures"]) == ("pending", [])
    by_goal = {
        (i["section_id"], i["goal_id"]): i
        for i in (await w.kam.http.get(w.url("/agreements"))).json()["items"]
    }
    assert by_goal[(w.goals, "g1")]["status"] == "agreed"
    assert [s["party"] for s in by_goal[(w.goals, "g2")]["signatures"]] == ["customer"]
    assert by_goal[(tactical, "g1")]["signatures"] == []


async def test_goal_ids_up_to_the_stored_length_are_signed(app: Any, people: People) -> None:
    w = await Workshop(app, people).build()
    longest, too_long = "g" * service.MAX_GOAL_ID, "g" * (service.MAX_GOAL_ID + 1)
    await put_content(app, w.goals, "goals", [{"id": longest, "title": "Long id"}])
    assert (await w.sign(w.kam, longest))["goal_id"] == longest
    for goal_id in (too_long, "nope"):
        r = await w.kam.http.get(w.url(f"/goals/{goal_id}/agreement"))
        assert r.status_code == 404
        assert r.json()["error"] == "goal_not_found"


async def test_deleted_goals_stay_in_view_while_signed(app: Any, people: People) -> None:
    w = await Workshop(app, people).build()
    three = [*GOALS, {"id": "g3", "title": "Signed and withdrawn"}, {"id": "g4", "title": "Kept"}]
    await put_content(app, w.goals, "goals", three)
    await w.sign(w.kam, "g1")
    digest = (await w.sign(w.ola, "g1"))["agreed_hash"]
    await w.sign(w.kam, "g2")
    await w.sign(w.kam, "g3")
    await w.kam.http.delete(w.url("/goals/g3/signatures/mine"))
    await w.sign(w.kam, "g4")
    for goal_id in ("g1", "g2", "g3"):
        await edit_goal(app, w.goals, goal_id, _delete=True)

    gone = await w.agreement(w.ola, "g1")
    assert (gone["status"], gone["goal_deleted"], gone["current_hash"]) == ("changed", True, None)
    assert gone["agreed_content"]["title"] == GOALS[0]["title"]
    r = await w.ola.http.post(w.url("/goals/g1/signatures"))
    assert r.status_code == 409
    assert r.json()["error"] == "goal_deleted"
    # A goal id nobody ever had is still not found, agreements elsewhere notwithstanding.
    assert (await w.ola.http.get(w.url("/goals/ghost/agreement"))).status_code == 404

    overview = (await w.ola.http.get(w.url("/agreements"))).json()
    listed = {i["goal_id"]: i for i in overview["items"]}
    assert sorted(listed) == ["g1", "g2", "g4"]  # g3 has no signature left to show
    assert (listed["g1"]["status"], listed["g1"]["agreed_hash"]) == ("changed", digest)
    assert listed["g1"]["section_id"] == w.goals
    assert [s["party"] for s in listed["g1"]["signatures"]] == ["supplier", "customer"]
    assert (listed["g2"]["status"], listed["g2"]["goal_deleted"]) == ("pending", True)
    assert [s["signer"]["name"] for s in listed["g2"]["signatures"]] == ["Kari Fjord"]
    assert listed["g4"]["goal_deleted"] is False


async def test_who_changed_an_agreed_goal_is_named(app: Any, people: People) -> None:
    w = await Workshop(app, people).build()
    await w.sign(w.kam, "g1")
    await w.sign(w.ola, "g1")
    await edit_goal(app, w.goals, "g1", target="80 %")
    # What the watcher does when the edit arrives over sync (tests/signoff/test_live.py).
    async with app.state.sessionmaker() as session, session.begin():
        doc = await service.load_doc(session, w.goals)
        current = service.current_hashes(doc, {"g1"})["g1"]
        await service.reconcile(session, w.goals, "g1", current, w.cus.id)
    changed = await w.agreement(w.viewer, "g1")
    assert changed["changed_by"] == {"id": w.cus.id, "name": "Cus Editor"}
    overview = (await w.viewer.http.get(w.url("/agreements"))).json()["items"]
    assert overview[0]["changed_by"]["name"] == "Cus Editor"


async def test_the_first_signatures_at_the_same_moment_share_one_agreement(
    app: Any, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two signatories sign a goal nobody has signed yet at once: the second insert of its
    agreement row loses on the unique key and signs into the first one's row."""
    w = await Workshop(app, people).build()
    await w.sign(w.kam, "g1")
    real, calls = service._agreement, []

    async def lost_the_race(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return None if len(calls) == 1 else await real(*args, **kwargs)

    monkeypatch.setattr(service, "_agreement", lost_the_race)
    agreed = await w.sign(w.ola, "g1")
    assert agreed["status"] == "agreed"
    assert len(calls) == 2
    assert [s["party"] for s in agreed["signatures"]] == ["supplier", "customer"]


async def test_the_watcher_records_change_deletion_and_restoration(
    app: Any, people: People
) -> None:
    """What the watcher does for each accepted edit of an agreed goal, called as it calls it
    (the live path is tests/signoff/test_live.py)."""
    w = await Workshop(app, people).build()
    await w.sign(w.kam, "g1")
    agreed = await w.sign(w.ola, "g1")
    digest, words = agreed["agreed_hash"], agreed["agreed_content"]
    new_words = {**words, "target": "80 %"}
    new_hash = goal_hash(new_words)

    async def edit(current: tuple[str, dict[str, Any]] | None, who: str | None) -> Any:
        async with app.state.sessionmaker() as session, session.begin():
            return await service.reconcile(session, w.goals, "g1", current, who)

    cursor = (await w.ola.http.get(w.url("/events/poll"))).json()["cursor"]
    steps = [
        ((new_hash, new_words), w.cus.id, service.Watched(digest, "changed", False)),
        ((new_hash, new_words), w.cus.id, service.Watched(digest, "changed", False)),
        (None, w.kam.id, service.Watched(digest, "changed", True)),
        ((new_hash, new_words), w.sup.id, service.Watched(digest, "changed", False)),
        ((digest, words), w.ola.id, service.Watched(digest, "agreed", False)),
        (None, w.kam.id, service.Watched(digest, "changed", True)),
    ]
    for current, who, watched in steps:
        assert await edit(current, who) == watched
        async with app.state.sessionmaker() as session:
            row = await session.scalar(select(GoalAgreement).where(GoalAgreement.goal_id == "g1"))
        assert row is not None
        # Whoever acted last on the agreed goal is who changed it; restored, nobody.
        assert row.changed_by_id == (who if watched.status == "changed" else None)
        # The words it was changed to (none while deleted; restored, nothing changed).
        changed_to = None if current is None or watched.status == "agreed" else current[0]
        assert row.changed_hash == changed_to
    # Nothing to watch on a goal nobody agreed, or in a section that is gone.
    async with app.state.sessionmaker() as session, session.begin():
        assert await service.reconcile(session, w.goals, "g2", None, w.kam.id) is None
        assert await service.reconcile(session, "no-such-section", "g1", None, None) is None

    audit = [e for e in await goal_audit(w, "g1") if e["action"] != "goal.sign"][1:]
    assert [(e["action"], e["actor"]["name"]) for e in audit] == [
        ("agreement.changed", "Cus Editor"),  # the second, identical edit adds nothing
        ("agreement.goal_deleted", "Kari Fjord"),
        ("agreement.changed", "Sup Editor"),
        ("agreement.restored", "Ola Nordmann"),
        ("agreement.goal_deleted", "Kari Fjord"),
    ]
    assert {(e["section_id"], e["target_type"]) for e in audit} == {(w.goals, "goal")}
    # One agreement, named by each entry.
    assert len({e["target_id"] for e in audit}) == 1
    assert audit[0]["target_id"] is not None
    assert all(e["before"] == {"agreed_hash": digest, "content": words} for e in audit)
    assert [(e["after"]["current_hash"], e["after"]["content"]) for e in audit] == [
        (new_hash, new_words),
        (None, None),
        (new_hash, new_words),
        (digest, words),
        (None, None),
    ]
    events = (await w.ola.http.get(w.url(f"/events/poll?after={cursor}"))).json()["items"]
    changes = [e for e in events if e["type"] == "agreement.changed"]
    assert [(e["action"], e["status"], e["actor_id"], e["current_hash"]) for e in changes] == [
        ("changed", "changed", w.cus.id, new_hash),
        ("goal_deleted", "changed", w.kam.id, None),
        ("changed", "changed", w.sup.id, new_hash),
        ("restored", "agreed", w.ola.id, digest),
        ("goal_deleted", "changed", w.kam.id, None),
    ]
    assert all(e["goal_id"] == "g1" and e["agreed_hash"] == digest for e in changes)

    async with app.state.sessionmaker() as session:
        row = await session.scalar(select(GoalAgreement).where(GoalAgreement.goal_id == "g1"))
        assert row is not None
        assert (row.status, row.goal_deleted, row.changed_hash) == ("changed", True, None)
        assert row.changed_by_id == w.kam.id
        assert row.changed_at is not None
        assert row.agreed_hash == digest
        by_section = await service.watched_goals(session, w.plan_id)
    assert by_section == {w.goals: {"g1": service.Watched(digest, "changed", True)}}
