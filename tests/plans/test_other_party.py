"""The other party is not trusted (issue 11, part c): one policy for REST and sync on archived
plans, no comment text kept in history for other readers, audit rows by reader, no hints
about hidden sections, and clean answers to concurrent invitation accepts."""

import asyncio
import json
import re
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from starlette.requests import HTTPConnection

from server.audit.models import AuditEvent
from server.auth.models import User
from server.collab import authz
from server.collab.closecodes import CloseCode
from server.plans import policy
from server.stream.models import PlanEvent
from tests.content import put_content
from tests.people import PASSWORD, People, Person, add_member, create_plan

# ---- one policy: archived plans ---------------------------------------------------------


def _connection(token: str | None) -> HTTPConnection:
    headers = [(b"authorization", f"Bearer {token}".encode())] if token else []
    return HTTPConnection(
        {"type": "websocket", "path": "/collab/x", "query_string": b"", "headers": headers}
    )


async def _sync_access(app: Any, person: Person, section_id: str) -> authz.Access | None:
    """What the sync server decides for this person's WebSocket: None when refused."""
    sessionmaker: async_sessionmaker[Any] = app.state.sessionmaker
    async with sessionmaker() as session:
        access = await authz.authorize(session, _connection(person.token), section_id)
        if isinstance(access, CloseCode):
            return None
        verdicts = await authz.recheck(session, section_id, [(person.id, access.token_id)])
        # The periodic re-check keeps the socket open with the same write flag.
        assert verdicts[(person.id, access.token_id)] == authz.Verdict(True, access.can_write)
        return access


async def _sync_write(app: Any, person: Person, section_id: str) -> bool | None:
    access = await _sync_access(app, person, section_id)
    return None if access is None else access.can_write


async def test_rest_flags_and_sync_agree_on_archived_plans(app: Any, people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    cfac = await add_member(kam, people, pid, "Cfac", party="customer", role="facilitator")
    everyone = [
        kam,
        await add_member(kam, people, pid, "Sup", party="supplier", role="editor"),
        # Once the customer has a facilitator, they invite their own people.
        await add_member(cfac, people, pid, "Cus", party="customer", role="editor"),
        cfac,
        await add_member(cfac, people, pid, "View", party="customer", role="viewer"),
    ]

    async def flags(person: Person) -> dict[str, bool]:
        sections = (await person.http.get(f"/api/plans/{pid}")).json()["sections"]
        return {s["id"]: s["can_write"] for s in sections}

    before = {p.name: await flags(p) for p in everyone}
    assert any(before["Kam"].values())
    assert any(before["Cus"].values())
    parties = {p.name: "supplier" if p in everyone[:2] else "customer" for p in everyone}
    kinds = {s["id"]: s["kind"] for s in plan["sections"]}
    for person in everyone:
        for sid, can_write in before[person.name].items():
            access = await _sync_access(app, person, sid)
            assert access is not None, (person.name, sid)
            assert access.can_write is can_write, (person.name, sid)
            # The socket joins this section's room, shown to others under the person's own
            # name and party (presence), and its edits are stored as theirs.
            assert (access.user_id, access.user_name, access.party) == (
                person.id,
                person.name,
                parties[person.name],
            )
            assert (access.plan_id, access.section_id, access.kind) == (pid, sid, kinds[sid])

    assert (await kam.http.post(f"/api/plans/{pid}/archive")).status_code == 200
    for person in everyone:
        after = await flags(person)
        assert set(after) == set(before[person.name])  # still readable ...
        assert not any(after.values()), person.name  # ... and nobody may write
        for sid in after:
            assert await _sync_write(app, person, sid) is False, (person.name, sid)

    assert (await kam.http.post(f"/api/plans/{pid}/unarchive")).status_code == 200
    assert await flags(kam) == before["Kam"]


async def test_sync_rights_come_from_the_sections_own_plan(app: Any, people: People) -> None:
    """Someone who views one plan and facilitates another writes nothing in the first over
    sync, at the socket's opening or at any later check; a section deleted under an open
    socket closes it at the next check."""
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    vera = await add_member(kam, people, pid, "Vera", party="supplier", role="viewer")
    await create_plan(vera)  # her own plan, where she is the facilitator
    for section in plan["sections"]:
        access = await _sync_access(app, vera, section["id"])
        if section["visibility"] != "customer-only":
            assert access is not None, section["key"]
            assert access.can_write is False, section["key"]

    sid = next(s["id"] for s in plan["sections"] if s["key"] == "goals_strategic")
    # No credential or an unknown one: "sign in again"; no membership: as if no section.
    stranger = await people.signup("Stranger")
    sessionmaker: async_sessionmaker[Any] = app.state.sessionmaker
    async with sessionmaker() as session:
        for token, code in (
            (None, CloseCode.UNAUTHENTICATED),
            ("jp_not-a-token", CloseCode.UNAUTHENTICATED),
            (stranger.token, CloseCode.NOT_FOUND),
        ):
            assert await authz.authorize(session, _connection(token), sid) is code

    access = await _sync_access(app, kam, sid)
    assert access is not None
    assert access.can_write
    deleted = await kam.http.delete(f"/api/plans/{pid}/sections/{sid}")
    assert deleted.status_code == 204, deleted.text
    async with sessionmaker() as session:
        verdicts = await authz.recheck(session, sid, [(kam.id, access.token_id)])
    assert verdicts == {(kam.id, access.token_id): authz.Verdict(read=False, write=False)}

    # Signing out ends Vera's socket with "sign in again", not "no access".
    shared = next(
        s["id"] for s in plan["sections"] if s["visibility"] == "shared" and s["id"] != sid
    )
    socket = await _sync_access(app, vera, shared)
    assert socket is not None
    assert (await vera.http.post("/api/auth/logout")).status_code == 204
    async with sessionmaker() as session:
        verdicts = await authz.recheck(session, shared, [(vera.id, socket.token_id)])
    assert verdicts[(vera.id, socket.token_id)].signed_in is False


async def test_archived_plans_refuse_every_change(app: Any, people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    goals = next(s["id"] for s in plan["sections"] if s["key"] == "goals_strategic")
    await put_content(app, goals, "goals", [{"id": "g1", "title": "Grow"}])
    thread = (
        await kam.http.post(
            f"/api/plans/{pid}/threads",
            json={"section_id": goals, "visibility": "shared", "body": "First"},
        )
    ).json()
    await kam.http.post(f"/api/plans/{pid}/archive")
    attempts = [
        ("PATCH", f"/api/plans/{pid}", {"title": "Renamed"}),
        ("POST", f"/api/plans/{pid}/sections", {"title": "New", "kind": "text"}),
        ("PATCH", f"/api/plans/{pid}/sections/{goals}", {"title": "Renamed"}),
        ("DELETE", f"/api/plans/{pid}/sections/{goals}", None),
        (
            "POST",
            f"/api/plans/{pid}/threads",
            {"section_id": goals, "visibility": "shared", "body": "Late"},
        ),
        ("POST", f"/api/plans/{pid}/threads/{thread['id']}/comments", {"body": "Late"}),
        (
            "PATCH",
            f"/api/plans/{pid}/threads/{thread['id']}/comments/{thread['comments'][0]['id']}",
            {"body": "Changed"},
        ),
        ("POST", f"/api/plans/{pid}/threads/{thread['id']}/resolve", None),
        ("POST", f"/api/plans/{pid}/votes", {"section_id": goals, "item_id": "g1"}),
        ("POST", f"/api/plans/{pid}/goals/g1/signatures", None),
        ("POST", f"/api/plans/{pid}/versions", {"name": "V"}),
    ]
    for method, url, body in attempts:
        r = await kam.http.request(method, url, json=body)
        assert (r.status_code, r.json()["error"]) == (409, "plan_archived"), (method, url)
        # What the web app shows: why, and the way out.
        assert "archived" in r.json()["detail"]
        assert "unarchive" in r.json()["detail"]
    after = (await kam.http.get(f"/api/plans/{pid}")).json()
    assert after["title"] == plan["title"]
    assert len(after["sections"]) == len(plan["sections"])


def test_policy_archived_and_signatory_rules() -> None:
    class M:
        def __init__(self, party: str, role: str, signatory: bool = False) -> None:
            self.party, self.role, self.signatory, self.user_id = party, role, signatory, "u"

    class S:
        owner, visibility = "joint", "shared"

    class P:
        def __init__(self, archived: bool) -> None:
            self.archived_at = object() if archived else None

    editor = M("customer", "editor", signatory=True)
    assert policy.can_write_in(editor, S(), P(False))  # type: ignore[arg-type]
    assert not policy.can_write_in(editor, S(), P(True))  # type: ignore[arg-type]
    assert policy.can_sign(editor, P(False))  # type: ignore[arg-type]
    assert not policy.can_sign(editor, P(True))  # type: ignore[arg-type]
    assert not policy.can_sign(M("customer", "facilitator"), P(False))  # type: ignore[arg-type]
    assert policy.other_party("supplier") == "customer"
    assert policy.other_party("customer") == "supplier"
    assert policy.audience_of("shared", None, "customer-only") == "customer-only"
    assert policy.other_audience("customer-only") == "supplier-only"


# ---- no leak by history -----------------------------------------------------------------

FIRST = "Our walk-away price is 41 NOK"
DELETED = "Between us: the budget is 2 MNOK"


async def _comment_world(people: People) -> tuple[str, Person, list[Person], str, str]:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    cus = await add_member(kam, people, pid, "Cus", party="customer", role="facilitator")
    readers = [
        await add_member(kam, people, pid, "Sup", party="supplier", role="editor"),
        cus,
        # Once the customer has a facilitator, they invite their own people.
        await add_member(cus, people, pid, "View", party="customer", role="viewer"),
    ]
    goals = next(s["id"] for s in plan["sections"] if s["key"] == "goals_strategic")
    thread = (
        await kam.http.post(
            f"/api/plans/{pid}/threads",
            json={"section_id": goals, "visibility": "shared", "body": FIRST},
        )
    ).json()
    comment_id = thread["comments"][0]["id"]
    edited = await kam.http.patch(
        f"/api/plans/{pid}/threads/{thread['id']}/comments/{comment_id}",
        json={"body": "Let us talk about price"},
    )
    assert edited.status_code == 200
    reply = (
        await kam.http.post(
            f"/api/plans/{pid}/threads/{thread['id']}/comments", json={"body": DELETED}
        )
    ).json()
    deleted = await kam.http.delete(
        f"/api/plans/{pid}/threads/{thread['id']}/comments/{reply['id']}"
    )
    assert deleted.status_code == 204
    return pid, kam, readers, thread["id"], comment_id


async def test_edited_and_deleted_text_reaches_no_other_reader(people: People) -> None:
    pid, kam, readers, thread_id, comment_id = await _comment_world(people)
    for person in readers:
        seen = [
            (await person.http.get(f"/api/plans/{pid}/events/poll?after=0")).text,
            (await person.http.get(f"/api/plans/{pid}/audit?limit=200")).text,
            (await person.http.get(f"/api/plans/{pid}/threads/{thread_id}")).text,
            (await person.http.get(f"/api/plans/{pid}/threads")).text,
        ]
        for text in seen:
            assert FIRST not in text, person.name
            assert DELETED not in text, person.name
        history = await person.http.get(
            f"/api/plans/{pid}/threads/{thread_id}/comments/{comment_id}/history"
        )
        assert history.status_code == 200
        assert history.json()["items"] == [
            {
                "body": None,
                "length": len(FIRST),
                "created_at": history.json()["items"][0]["created_at"],
            }
        ]
    # The author keeps their own history.
    mine = await kam.http.get(f"/api/plans/{pid}/threads/{thread_id}/comments/{comment_id}/history")
    assert [r["body"] for r in mine.json()["items"]] == [FIRST]
    # What changed is still there: who edited and deleted which comment, and lengths.
    audit = (await readers[1].http.get(f"/api/plans/{pid}/audit")).json()["items"]
    edit = next(e for e in audit if e["action"] == "comment.edit")
    assert (edit["actor"]["id"], edit["target_id"]) == (kam.id, comment_id)
    assert edit["before"] == {"length": len(FIRST)}
    removal = next(e for e in audit if e["action"] == "comment.delete")
    assert removal["before"] == {"length": len(DELETED)}
    events = (await readers[2].http.get(f"/api/plans/{pid}/events/poll?after=0")).json()["items"]
    updated = next(e for e in events if e["type"] == "comment.updated")
    assert (updated["thread"]["id"], updated["comment_id"]) == (thread_id, comment_id)
    assert "comments" not in updated["thread"]


async def test_rows_written_with_comment_text_are_served_without_it(
    app: Any, people: People
) -> None:
    """Events and audit rows stored before this change held the thread with its comments and
    the old and new body; they are served without the text."""
    pid, _kam, readers, thread_id, comment_id = await _comment_world(people)
    sessionmaker: async_sessionmaker[Any] = app.state.sessionmaker
    async with sessionmaker() as session:
        await session.execute(
            insert(PlanEvent).values(
                plan_id=pid,
                type="comment.updated",
                visibility="shared",
                payload={
                    "thread": {
                        "id": thread_id,
                        "section_id": None,
                        "comments": [{"id": comment_id, "body": FIRST, "html": FIRST}],
                    }
                },
            )
        )
        await session.execute(
            insert(AuditEvent).values(
                plan_id=pid,
                visibility="shared",
                action="comment.edit",
                target_type="comment",
                target_id=comment_id,
                before={"body": FIRST},
                after={"body": "Let us talk about price"},
            )
        )
        await session.commit()
    for person in readers:
        events = await person.http.get(f"/api/plans/{pid}/events/poll?after=0")
        audit = await person.http.get(f"/api/plans/{pid}/audit")
        assert FIRST not in events.text
        assert FIRST not in audit.text
        legacy = audit.json()["items"][0]
        assert legacy["before"] == {"length": len(FIRST)}


# ---- audit rows by reader ---------------------------------------------------------------


async def test_audit_rows_follow_the_reader(people: People) -> None:
    kam = await people.signup("Kam")  # supplier facilitator
    plan = await create_plan(kam)
    pid = plan["id"]
    # Bootstrap: the supplier invites the customer's first facilitator.
    cfac = await add_member(kam, people, pid, "Cfac", party="customer", role="facilitator")
    sup = await add_member(kam, people, pid, "Sup", party="supplier", role="editor")
    sview = await add_member(kam, people, pid, "Sview", party="supplier", role="viewer")
    cview = await add_member(cfac, people, pid, "Cview", party="customer", role="viewer")
    ccom = await add_member(cfac, people, pid, "Ccom", party="customer", role="commenter")
    scom = await add_member(kam, people, pid, "Scom", party="supplier", role="commenter")
    ced = await add_member(cfac, people, pid, "Ced", party="customer", role="editor")
    supplier_invite = "pending.supplier@acme.example"
    customer_invite = "pending.customer@globex.example"
    r1 = await kam.http.post(
        f"/api/plans/{pid}/invitations",
        json={"email": supplier_invite, "party": "supplier", "role": "editor"},
    )
    r2 = await cfac.http.post(
        f"/api/plans/{pid}/invitations",
        json={"email": customer_invite, "party": "customer", "role": "viewer"},
    )
    assert (r1.status_code, r2.status_code) == (201, 201)
    assert (
        await cfac.http.delete(f"/api/plans/{pid}/invitations/{r2.json()['id']}")
    ).status_code == 204
    price = next(s["id"] for s in plan["sections"] if s["key"] == "strategy_price")
    assert (
        await kam.http.patch(f"/api/plans/{pid}/sections/{price}", json={"title": "Floor price"})
    ).status_code == 200
    goals = next(s["id"] for s in plan["sections"] if s["key"] == "goals_strategic")
    await kam.http.post(
        f"/api/plans/{pid}/threads",
        json={"section_id": goals, "visibility": "internal", "body": "Among us"},
    )
    customer_thread = await cfac.http.post(
        f"/api/plans/{pid}/threads",
        json={"section_id": goals, "visibility": "internal", "body": "Among us too"},
    )
    assert customer_thread.status_code == 201

    async def audit(person: Person) -> tuple[str, list[dict[str, Any]]]:
        r = await person.http.get(f"/api/plans/{pid}/audit?limit=200")
        assert r.status_code == 200
        return r.text, r.json()["items"]

    emails = {
        "supplier": {supplier_invite, sup.email, sview.email, scom.email},
        "customer": {customer_invite, cfac.email, cview.email, ccom.email, ced.email},
    }

    def invitation_emails(items: list[dict[str, Any]]) -> set[str]:
        return {
            e["after"]["email"] for e in items if e["action"] == "invitation.create" and e["after"]
        }

    # Facilitators: their own party's invitations, and those they sent themselves.
    _, kam_rows = await audit(kam)
    assert invitation_emails(kam_rows) == {
        cfac.email,
        supplier_invite,
        sup.email,
        sview.email,
        scom.email,
    }
    cfac_text, cfac_rows = await audit(cfac)
    assert invitation_emails(cfac_rows) == {
        cfac.email,
        customer_invite,
        cview.email,
        ccom.email,
        ced.email,
    }
    assert not any(e in cfac_text for e in emails["supplier"])
    assert any(e["action"] == "invitation.revoke" for e in cfac_rows)
    assert not any(e["action"] == "invitation.revoke" for e in kam_rows)
    # Everyone else: no invitation rows and no invitee's email at all.
    for person in (sup, sview, scom, cview, ccom, ced):
        text, rows = await audit(person)
        assert not [e for e in rows if e["target_type"] == "invitation"], person.name
        for address in emails["supplier"] | emails["customer"]:
            assert address not in text, (person.name, address)
    # Internal sections and threads stay with their party.
    for person in (cfac, cview, ccom, ced):
        _, rows = await audit(person)
        assert price not in {e["section_id"] for e in rows}
        assert price not in json.dumps(rows)
        assert "Floor price" not in json.dumps(rows)
        threads = [e for e in rows if e["action"] == "thread.create"]
        assert [e["actor"]["id"] for e in threads] == [cfac.id]
    for person in (kam, sup, sview, scom):
        _, rows = await audit(person)
        assert any(e["section_id"] == price for e in rows)
        threads = [e for e in rows if e["action"] == "thread.create"]
        assert [e["actor"]["id"] for e in threads] == [kam.id]


# ---- no hints about hidden sections -----------------------------------------------------

KEY = re.compile(r"^([a-z0-9_]+)_[0-9a-f]{6}$")


async def test_section_keys_and_positions_hint_at_nothing_hidden(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    cfac = await add_member(kam, people, pid, "Cfac", party="customer", role="facilitator")
    hidden = await kam.http.post(
        f"/api/plans/{pid}/sections",
        json={"title": "Walk-away price", "kind": "text", "visibility": "supplier-only"},
    )
    assert hidden.status_code == 201
    hidden_key = hidden.json()["key"]

    async def create(title: str) -> str:
        r = await cfac.http.post(
            f"/api/plans/{pid}/sections", json={"title": title, "kind": "text"}
        )
        assert r.status_code == 201, r.text
        return str(r.json()["key"])

    guessed = await create("Walk-away price")  # the hidden section's title
    like_template = await create("Strategy price")  # the slug of a hidden template key
    fresh = await create("Something nobody wrote")
    shapes = [KEY.match(k) for k in (guessed, like_template, fresh)]
    assert all(shapes), (guessed, like_template, fresh)
    assert [m.group(1) for m in shapes if m] == [
        "walk_away_price",
        "strategy_price",
        "something_nobody_wrote",
    ]
    assert guessed != hidden_key
    # Positions: contiguous for each reader, hidden sections leave no gaps.
    for person in (cfac, kam):
        sections = (await person.http.get(f"/api/plans/{pid}")).json()["sections"]
        assert [s["position"] for s in sections] == list(range(len(sections)))
        last = sections[-1]
        one = (await person.http.get(f"/api/plans/{pid}/sections/{last['id']}")).json()
        assert one["position"] == len(sections) - 1
    customer_sections = (await cfac.http.get(f"/api/plans/{pid}")).json()["sections"]
    assert len(customer_sections) < len(
        (await kam.http.get(f"/api/plans/{pid}")).json()["sections"]
    )
    version = await kam.http.post(f"/api/plans/{pid}/versions", json={"name": "V1"})
    frozen = (await cfac.http.get(f"/api/plans/{pid}/versions/{version.json()['id']}")).json()
    assert [s["position"] for s in frozen["sections"]] == list(range(len(customer_sections)))
    # Audit rows carry no stored positions either.
    for row in (await cfac.http.get(f"/api/plans/{pid}/audit")).json()["items"]:
        for state in (row["before"], row["after"]):
            assert "position" not in (state or {})


# ---- clean errors -----------------------------------------------------------------------


async def test_concurrent_accepts_of_one_invitation(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    email = "guest@globex.example"
    invited = await kam.http.post(
        f"/api/plans/{plan['id']}/invitations",
        json={"email": email, "party": "customer", "role": "editor"},
    )
    token = invited.json()["token"]
    responses = await asyncio.gather(
        *(
            people.client().post(
                f"/api/invitations/{token}/accept",
                json={"name": f"Guest {i}", "password": PASSWORD},
            )
            for i in range(6)
        )
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1, [r.text for r in responses]
    assert set(statuses) <= {200, 409, 410}, [r.text for r in responses]
    for r in responses:
        assert "error" in r.json() or r.status_code == 200
    members = (await kam.http.get(f"/api/plans/{plan['id']}/members")).json()["items"]
    assert len(members) == 2

    # Signed in: the same person accepting in several tabs at once.
    second = await people.signup("Buyer", email="buyer@globex.example")
    invited = await kam.http.post(
        f"/api/plans/{plan['id']}/invitations",
        json={"email": second.email, "party": "customer", "role": "viewer"},
    )
    token = invited.json()["token"]
    responses = await asyncio.gather(
        *(second.http.post(f"/api/invitations/{token}/accept") for _ in range(6))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(200) == 1, [r.text for r in responses]
    assert set(statuses) <= {200, 409, 410}, [r.text for r in responses]


async def test_sql_errors_carry_no_parameters(engine: AsyncEngine, people: People) -> None:
    await people.signup("Kam", email="kam@acme.example")
    secret = "$argon2id$v=19$m=65536,t=3,p=4$not-to-be-logged"
    with pytest.raises(IntegrityError) as caught:
        async with engine.begin() as connection:
            await connection.execute(
                insert(User).values(
                    id="x" * 32, email="kam@acme.example", name="Copy", password_hash=secret
                )
            )
    assert secret not in str(caught.value)
    assert "argon2" not in str(caught.value)
