import logging
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.dependencies import SESSION_COOKIE
from server.auth.models import User
from server.db import utcnow
from server.plans.models import Invitation, Member
from tests.people import PASSWORD, People, Person, add_member, create_plan

GUEST = "guest@globex.example"


async def invite(
    facilitator: Person,
    plan_id: str,
    email: str = GUEST,
    *,
    party: str = "customer",
    role: str = "editor",
    signatory: bool = False,
) -> dict[str, Any]:
    response = await facilitator.http.post(
        f"/api/plans/{plan_id}/invitations",
        json={"email": email, "party": party, "role": role, "signatory": signatory},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def counts(engine: AsyncEngine, plan_id: str, email: str) -> tuple[int, int]:
    """Accounts with this email, and members of the plan."""
    async with engine.connect() as connection:
        users = await connection.scalar(
            select(func.count()).select_from(User).where(User.email == email)
        )
        members = await connection.scalar(
            select(func.count()).select_from(Member).where(Member.plan_id == plan_id)
        )
    return int(users or 0), int(members or 0)


async def test_preview_then_accept_with_password(people: People) -> None:
    kam = await people.signup("Kari Supplier")
    plan = await create_plan(kam)
    invitation = await invite(kam, plan["id"], role="commenter", signatory=True)
    assert invitation["url"] == f"http://testserver/invite/{invitation['token']}"

    guest = people.client()
    preview = await guest.get(f"/api/invitations/{invitation['token']}")
    assert preview.status_code == 200
    shown = preview.json()
    assert shown["plan_title"] == "Acme × Globex 2027"
    assert (shown["supplier_name"], shown["customer_name"]) == ("Acme", "Globex")
    assert (shown["email"], shown["party"], shown["role"], shown["signatory"]) == (
        GUEST,
        "customer",
        "commenter",
        True,
    )
    assert shown["invited_by"] == "Kari Supplier"
    assert shown["account_exists"] is False

    accepted = await guest.post(
        f"/api/invitations/{invitation['token']}/accept",
        json={"name": "Gunnar Guest", "password": PASSWORD},
    )
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["token"].startswith("jp_")
    assert (body["membership"]["party"], body["membership"]["role"]) == ("customer", "commenter")
    assert body["membership"]["signatory"] is True
    assert body["membership"]["plan_id"] == plan["id"]
    cookie = accepted.headers["set-cookie"]
    assert f"{SESSION_COOKIE}={body['token']}" in cookie
    assert "httponly" in cookie.lower()

    # The cookie alone opens the plan, as it would in the browser that accepted.
    opened = await guest.get(f"/api/plans/{plan['id']}")
    assert opened.status_code == 200
    assert opened.json()["my_membership"]["role"] == "commenter"

    # The new account has the chosen password.
    login = await people.client().post(
        "/api/auth/login", json={"email": GUEST, "password": PASSWORD}
    )
    assert login.status_code == 200
    assert login.json()["user"]["name"] == "Gunnar Guest"

    members = (await kam.http.get(f"/api/plans/{plan['id']}/members")).json()["items"]
    assert {(m["user"]["email"], m["party"], m["role"], m["signatory"]) for m in members} == {
        ("kari.supplier@example.com", "supplier", "facilitator", True),
        (GUEST, "customer", "commenter", True),
    }


async def test_link_is_single_use(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    token = (await invite(kam, plan["id"]))["token"]
    first = await people.client().post(
        f"/api/invitations/{token}/accept", json={"name": "Guest", "password": PASSWORD}
    )
    assert first.status_code == 200

    again = await people.client().post(
        f"/api/invitations/{token}/accept", json={"name": "Someone else", "password": PASSWORD}
    )
    assert again.status_code == 410
    assert again.json()["error"] == "invitation_gone"
    preview = await people.client().get(f"/api/invitations/{token}")
    assert preview.status_code == 410
    assert preview.json()["error"] == "invitation_gone"


async def test_expired_invitation_is_gone(people: People, engine: AsyncEngine) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    invitation = await invite(kam, plan["id"])
    async with engine.begin() as connection:
        await connection.execute(
            update(Invitation)
            .where(Invitation.id == invitation["id"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    guest = people.client()
    preview = await guest.get(f"/api/invitations/{invitation['token']}")
    assert preview.status_code == 410
    assert "expired" in preview.json()["detail"]
    accept = await guest.post(
        f"/api/invitations/{invitation['token']}/accept",
        json={"name": "Late Guest", "password": PASSWORD},
    )
    assert accept.status_code == 410
    assert await counts(engine, plan["id"], GUEST) == (0, 1)


async def test_revoked_invitation_is_gone(people: People, engine: AsyncEngine) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    invitation = await invite(kam, plan["id"])
    revoked = await kam.http.delete(f"/api/plans/{plan['id']}/invitations/{invitation['id']}")
    assert revoked.status_code == 204
    listed = (await kam.http.get(f"/api/plans/{plan['id']}/invitations")).json()["items"]
    assert [i["revoked_at"] is not None for i in listed] == [True]

    guest = people.client()
    assert (await guest.get(f"/api/invitations/{invitation['token']}")).status_code == 410
    accept = await guest.post(
        f"/api/invitations/{invitation['token']}/accept",
        json={"name": "Guest", "password": PASSWORD},
    )
    assert accept.status_code == 410
    assert accept.json()["error"] == "invitation_gone"
    assert await counts(engine, plan["id"], GUEST) == (0, 1)


async def test_unknown_token_is_404(people: People) -> None:
    guest = people.client()
    preview = await guest.get("/api/invitations/inv_not-a-real-token")
    assert preview.status_code == 404
    assert preview.json()["error"] == "invitation_not_found"
    accept = await guest.post(
        "/api/invitations/inv_not-a-real-token/accept",
        json={"name": "Guest", "password": PASSWORD},
    )
    assert accept.status_code == 404


async def test_accept_with_the_one_time_code(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    invitation = await invite(kam, plan["id"], role="viewer")
    assert invitation["emailed"] is False
    assert invitation["code"]

    accepted = await people.client().post(
        f"/api/invitations/{invitation['token']}/accept",
        json={"name": "Coded Guest", "code": invitation["code"]},
    )
    assert accepted.status_code == 200, accepted.text
    guest = people.client(accepted.json()["token"])
    me = await guest.get("/api/auth/me")
    assert (me.json()["email"], me.json()["name"]) == (GUEST, "Coded Guest")
    assert (await guest.get(f"/api/plans/{plan['id']}")).json()["my_membership"]["role"] == (
        "viewer"
    )
    # The account has no password: no password signs in to it.
    login = await people.client().post(
        "/api/auth/login", json={"email": GUEST, "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_wrong_code_writes_nothing_and_leaves_the_link_usable(
    people: People, engine: AsyncEngine
) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    invitation = await invite(kam, plan["id"])
    wrong = "000000" if invitation["code"] != "000000" else "111111"
    guest = people.client()
    refused = await guest.post(
        f"/api/invitations/{invitation['token']}/accept", json={"name": "Guest", "code": wrong}
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_code"
    assert "set-cookie" not in refused.headers
    assert await counts(engine, plan["id"], GUEST) == (0, 1)

    assert (await guest.get(f"/api/invitations/{invitation['token']}")).status_code == 200
    accepted = await guest.post(
        f"/api/invitations/{invitation['token']}/accept",
        json={"name": "Guest", "code": invitation["code"]},
    )
    assert accepted.status_code == 200
    assert await counts(engine, plan["id"], GUEST) == (1, 2)


async def test_guessing_the_code_is_cut_off(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    invitation = await invite(kam, plan["id"])
    guest = people.client()
    url = f"/api/invitations/{invitation['token']}/accept"
    wrong = [f"{n:06d}" for n in range(10) if f"{n:06d}" != invitation["code"]][:5]
    for code in wrong:
        r = await guest.post(url, json={"name": "Guest", "code": code})
        assert r.status_code == 400
    # Even the right code waits now: guessing gains nothing.
    blocked = await guest.post(url, json={"name": "Guest", "code": invitation["code"]})
    assert blocked.status_code == 429
    assert blocked.json()["error"] == "too_many_attempts"
    assert int(blocked.headers["retry-after"]) > 0


async def test_accept_needs_a_name_and_a_password_or_code(
    people: People, engine: AsyncEngine
) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    token = (await invite(kam, plan["id"]))["token"]
    guest = people.client()
    no_body = await guest.post(f"/api/invitations/{token}/accept")
    assert (no_body.status_code, no_body.json()["error"]) == (400, "name_required")
    no_secret = await guest.post(f"/api/invitations/{token}/accept", json={"name": "Guest"})
    assert (no_secret.status_code, no_secret.json()["error"]) == (
        400,
        "password_or_code_required",
    )
    short = await guest.post(
        f"/api/invitations/{token}/accept", json={"name": "Guest", "password": "short"}
    )
    assert (short.status_code, short.json()["error"]) == (400, "password_too_short")
    assert await counts(engine, plan["id"], GUEST) == (0, 1)


async def test_signed_in_accept_by_the_invited_email(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    known = await people.signup("Known Guest", GUEST)
    invitation = await invite(kam, plan["id"], party="supplier", role="facilitator")

    preview = await known.http.get(f"/api/invitations/{invitation['token']}")
    assert preview.json()["account_exists"] is True

    accepted = await known.http.post(f"/api/invitations/{invitation['token']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["token"] is None
    assert "set-cookie" not in accepted.headers
    assert accepted.json()["membership"]["role"] == "facilitator"
    opened = await known.http.get(f"/api/plans/{plan['id']}")
    assert opened.status_code == 200
    assert opened.json()["my_membership"]["party"] == "supplier"


async def test_signed_in_accept_by_another_email_is_refused(
    people: People, engine: AsyncEngine
) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    invitation = await invite(kam, plan["id"])
    stranger = await people.signup("Stranger")

    refused = await stranger.http.post(f"/api/invitations/{invitation['token']}/accept")
    assert refused.status_code == 403
    assert refused.json()["error"] == "invitation_email_mismatch"
    assert GUEST in refused.json()["detail"]
    assert (await stranger.http.get(f"/api/plans/{plan['id']}")).status_code == 404
    assert await counts(engine, plan["id"], GUEST) == (0, 1)
    # The link still works for the person it was meant for.
    preview = await people.client().get(f"/api/invitations/{invitation['token']}")
    assert preview.status_code == 200


async def test_existing_account_must_sign_in_to_accept(people: People, engine: AsyncEngine) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    await people.signup("Known Guest", GUEST)
    invitation = await invite(kam, plan["id"])

    refused = await people.client().post(
        f"/api/invitations/{invitation['token']}/accept",
        json={"name": "Impostor", "password": "another password"},
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == "account_exists"
    assert await counts(engine, plan["id"], GUEST) == (1, 1)
    login = await people.client().post(
        "/api/auth/login", json={"email": GUEST, "password": "another password"}
    )
    assert login.status_code == 401  # the existing account's password is untouched


async def test_inviting_an_existing_member_is_a_conflict(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    token = (await invite(kam, plan["id"]))["token"]
    await people.client().post(
        f"/api/invitations/{token}/accept", json={"name": "Guest", "password": PASSWORD}
    )
    for email in (GUEST, GUEST.upper(), "kam@example.com"):
        again = await kam.http.post(
            f"/api/plans/{plan['id']}/invitations",
            json={"email": email, "party": "customer", "role": "viewer", "signatory": False},
        )
        assert again.status_code == 409, email
        assert again.json()["error"] == "already_member"


async def test_without_smtp_the_link_and_code_are_shown_not_logged(
    people: People, caplog: pytest.LogCaptureFixture
) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    with caplog.at_level(logging.INFO, logger="server"):
        invitation = await invite(kam, plan["id"])
    assert invitation["emailed"] is False
    assert re.fullmatch(r"\d{6}", invitation["code"])
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert invitation["id"] in logged
    # Whoever reads the log must not be able to join the plan from it.
    assert invitation["token"] not in logged
    assert invitation["code"] not in logged


async def test_invitations_are_audited(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    withdrawn = await invite(kam, pid, "withdrawn@globex.example")
    await kam.http.delete(f"/api/plans/{pid}/invitations/{withdrawn['id']}")
    used = await invite(kam, pid, role="commenter", signatory=True)
    accepted = await people.client().post(
        f"/api/invitations/{used['token']}/accept", json={"name": "Guest", "password": PASSWORD}
    )
    guest_id = (await people.client(accepted.json()["token"]).get("/api/auth/me")).json()["id"]

    audit = (await kam.http.get(f"/api/plans/{pid}/audit")).json()["items"]
    events = [(e["action"], e["target_id"]) for e in audit if e["action"].startswith("invitation")]
    assert events == [
        ("invitation.accept", accepted.json()["membership"]["id"]),
        ("invitation.create", used["id"]),
        ("invitation.revoke", withdrawn["id"]),
        ("invitation.create", withdrawn["id"]),
    ]
    by_action = {e["action"]: e for e in audit}
    create = next(e for e in audit if e["target_id"] == used["id"])
    assert create["actor"]["name"] == "Kam"
    assert create["after"] == {
        "email": GUEST,
        "party": "customer",
        "role": "commenter",
        "signatory": True,
    }
    accept = by_action["invitation.accept"]
    assert accept["actor"] == {"id": guest_id, "name": "Guest"}
    assert accept["after"]["role"] == "commenter"
    assert by_action["invitation.revoke"]["actor"]["name"] == "Kam"


# ---- a pending invitation's link, issued again -------------------------------------------


async def reissue(who: Person, plan_id: str, invitation_id: str) -> Any:
    return await who.http.post(f"/api/plans/{plan_id}/invitations/{invitation_id}/link")


async def test_a_new_link_replaces_the_old_one_and_renews_it(
    people: People, engine: AsyncEngine
) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    first = await invite(kam, plan["id"], role="commenter")
    async with engine.begin() as connection:
        await connection.execute(
            update(Invitation)
            .where(Invitation.id == first["id"])
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )

    response = await reissue(kam, plan["id"], first["id"])
    assert response.status_code == 200, response.text
    again = response.json()
    assert again["id"] == first["id"]
    assert (again["email"], again["role"]) == (GUEST, "commenter")
    assert again["token"] != first["token"]
    assert again["url"] == f"http://testserver/invite/{again['token']}"
    assert re.fullmatch(r"\d{6}", again["code"])
    assert again["emailed"] is False
    assert again["expires_at"] > first["expires_at"]

    guest = people.client()
    # The earlier link (and its code) no longer opens anything; the new one does.
    assert (await guest.get(f"/api/invitations/{first['token']}")).status_code == 404
    old_code = await guest.post(
        f"/api/invitations/{first['token']}/accept", json={"name": "G", "code": first["code"]}
    )
    assert old_code.status_code == 404
    accepted = await guest.post(
        f"/api/invitations/{again['token']}/accept", json={"name": "G", "code": again["code"]}
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["membership"]["role"] == "commenter"

    # Used now: no further link.
    used = await reissue(kam, plan["id"], first["id"])
    assert (used.status_code, used.json()["error"]) == (410, "invitation_gone")
    audit = (await kam.http.get(f"/api/plans/{plan['id']}/audit")).json()["items"]
    rows = [e for e in audit if e["action"] == "invitation.reissue"]
    assert [(e["target_id"], e["actor"]["name"]) for e in rows] == [(first["id"], "Kam")]
    assert again["token"] not in str(audit)


async def test_only_the_inviting_partys_facilitators_get_a_new_link(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    # Sent by the supplier while the customer had no facilitator of its own.
    into_customer = await invite(kam, pid, "buyer@globex.example", party="customer")
    cfac = await add_member(kam, people, pid, "Cfac", party="customer", role="facilitator")
    sup_editor = await add_member(kam, people, pid, "Sup", party="supplier", role="editor")
    cus_editor = await add_member(cfac, people, pid, "Cus", party="customer", role="editor")
    into_supplier = await invite(kam, pid, "colleague@acme.example", party="supplier")
    outsider = await people.signup("Outsider")
    other_plan = await create_plan(outsider)
    elsewhere = await invite(outsider, other_plan["id"], "x@globex.example", party="supplier")

    # The other party's facilitator does not learn the supplier's invitation exists.
    hidden = await reissue(cfac, pid, into_supplier["id"])
    assert (hidden.status_code, hidden.json()["error"]) == (404, "invitation_not_found")
    # The customer's facilitator sees the invitation into their party, but the supplier sent
    # it: they may revoke it and invite the person themselves, not take over its link.
    refused = await reissue(cfac, pid, into_customer["id"])
    assert (refused.status_code, refused.json()["error"]) == (403, "not_inviting_party")
    # Editors of either party, people outside the plan, and another plan's invitation.
    for who in (sup_editor, cus_editor):
        assert (await reissue(who, pid, into_supplier["id"])).status_code == 403
    assert (await reissue(outsider, pid, into_supplier["id"])).status_code == 404
    assert (await reissue(kam, pid, elsewhere["id"])).status_code == 404
    assert (await reissue(kam, pid, "no-such-invitation")).status_code == 404

    # None of that changed a link: both still open.
    for sent in (into_supplier, into_customer):
        assert (await people.client().get(f"/api/invitations/{sent['token']}")).status_code == 200
    # The supplier's facilitator renews their own party's invitation.
    mine = await reissue(kam, pid, into_supplier["id"])
    assert mine.status_code == 200, mine.text
    old_link = await people.client().get(f"/api/invitations/{into_supplier['token']}")
    assert old_link.status_code == 404
    revoked = await kam.http.delete(f"/api/plans/{pid}/invitations/{into_supplier['id']}")
    assert revoked.status_code == 204
    gone = await reissue(kam, pid, into_supplier["id"])
    assert (gone.status_code, gone.json()["error"]) == (410, "invitation_gone")
