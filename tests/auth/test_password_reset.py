"""The password rule, and resetting a forgotten password by a single-use link."""

import asyncio
import json
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from server.auth.models import PasswordReset
from server.auth.service import hash_secret
from server.config import Settings
from server.db import utcnow
from tests.people import PASSWORD, People, add_member, create_plan

NEW_PASSWORD = "a brand new phrase"


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("nine char", "password_too_short"),
        ("aaaaaaaaaaaaaa", "password_repetitive"),
        ("abababababab", "password_repetitive"),
        ("qwertyuiop", "password_too_common"),
        ("Password2026!", "password_too_common"),
        ("iloveyou123", "password_too_common"),
        ("1234567890", "password_too_common"),
        ("ada.lovelace99", "password_too_common"),  # the email's own name
    ],
)
async def test_weak_passwords_are_refused_and_create_nothing(
    client: httpx.AsyncClient, password: str, code: str
) -> None:
    r = await client.post(
        "/api/auth/signup",
        json={"email": "ada.lovelace@example.com", "name": "Ada", "password": password},
    )
    assert (r.status_code, r.json()["error"]) == (400, code)
    login = await client.post(
        "/api/auth/login", json={"email": "ada.lovelace@example.com", "password": password}
    )
    assert login.status_code == 401


async def test_long_uncommon_passwords_are_accepted(client: httpx.AsyncClient) -> None:
    for i, password in enumerate([PASSWORD, "jointplan-demo", "fjord pack trays 30%"]):
        r = await client.post(
            "/api/auth/signup",
            json={"email": f"p{i}@example.com", "name": "P", "password": password},
        )
        assert r.status_code == 201, (password, r.text)


# ---- by email -----------------------------------------------------------------------------


@pytest.fixture
def outbox(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    settings.smtp_host = "smtp.invalid"
    sent: list[dict[str, str]] = []

    async def send(_settings: Settings, *, to: str, subject: str, body: str) -> bool:
        sent.append({"to": to, "subject": subject, "body": body})
        return True

    monkeypatch.setattr("server.mail.send", send)
    return sent


def link_in(mail: dict[str, str]) -> str:
    return next(w for w in mail["body"].split() if "/reset/" in w).rsplit("/", 1)[1]


async def test_emailed_link_resets_once_and_signs_out_everywhere(
    outbox: list[dict[str, str]], people: People, engine: AsyncEngine
) -> None:
    ada = await people.signup("Ada")
    r = await people.client().post("/api/auth/password-reset", json={"email": ada.email})
    assert r.status_code == 202
    assert [m["to"] for m in outbox] == [ada.email]
    token = link_in(outbox[0])
    assert outbox[0]["body"].count(f"http://testserver/reset/{token}") == 2  # en and nb

    anon = people.client()
    opened = await anon.get(f"/api/auth/password-reset/{token}")
    assert opened.status_code == 200
    assert opened.json()["email"] == ada.email
    weak = await anon.post(f"/api/auth/password-reset/{token}", json={"password": "short"})
    assert weak.json()["error"] == "password_too_short"
    done = await anon.post(f"/api/auth/password-reset/{token}", json={"password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert "jointplan_session" in done.headers["set-cookie"]

    # The old session is signed out; the old password is gone; the new one works.
    assert (await ada.http.get("/api/auth/me")).status_code == 401
    login = people.client()
    old = await login.post("/api/auth/login", json={"email": ada.email, "password": PASSWORD})
    assert old.status_code == 401
    new = await login.post("/api/auth/login", json={"email": ada.email, "password": NEW_PASSWORD})
    assert new.status_code == 200
    # Single use.
    again = await anon.post(
        f"/api/auth/password-reset/{token}", json={"password": "another phrase!"}
    )
    assert (again.status_code, again.json()["error"]) == (410, "reset_link_gone")

    # Only a keyed hash is stored: neither the secret nor its plain SHA-256.
    async with engine.connect() as c:
        dump = json.dumps(
            [list(r) for r in (await c.execute(text("SELECT * FROM password_reset"))).all()],
            default=str,
        )
    assert token not in dump
    assert hash_secret(token) not in dump


async def test_reset_request_does_not_tell_who_has_an_account(
    outbox: list[dict[str, str]], people: People
) -> None:
    ada = await people.signup("Ada")
    known = await people.client().post("/api/auth/password-reset", json={"email": ada.email})
    unknown = await people.client().post(
        "/api/auth/password-reset", json={"email": "nobody@example.com"}
    )
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    assert [m["to"] for m in outbox] == [ada.email]


async def test_expired_or_replaced_links_are_gone(
    outbox: list[dict[str, str]], people: People, engine: AsyncEngine
) -> None:
    ada = await people.signup("Ada")
    anon = people.client()
    await anon.post("/api/auth/password-reset", json={"email": ada.email})
    await anon.post("/api/auth/password-reset", json={"email": ada.email})
    first, second = link_in(outbox[0]), link_in(outbox[1])
    assert (await anon.get(f"/api/auth/password-reset/{first}")).status_code == 410
    async with AsyncSession(engine) as s, s.begin():
        await s.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = await anon.post(f"/api/auth/password-reset/{second}", json={"password": NEW_PASSWORD})
    assert (r.status_code, r.json()["error"]) == (410, "reset_link_gone")
    assert (await anon.get("/api/auth/password-reset/jpr_made-up")).status_code == 410


async def test_reset_requests_are_throttled_per_email(
    outbox: list[dict[str, str]], people: People
) -> None:
    ada = await people.signup("Ada")
    statuses = [
        (
            await people.client().post("/api/auth/password-reset", json={"email": ada.email})
        ).status_code
        for _ in range(7)
    ]
    assert statuses[:5] == [202] * 5
    assert statuses[5:] == [429, 429]
    assert len(outbox) == 5


# ---- issued by a facilitator (no SMTP) ----------------------------------------------------


async def test_facilitator_issues_a_link_for_a_member_of_their_party(
    people: People, engine: AsyncEngine
) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    sven = await add_member(kam, people, plan["id"], "Sven", party="supplier", role="editor")
    member_id = next(
        m["id"]
        for m in (await kam.http.get(f"/api/plans/{plan['id']}/members")).json()["items"]
        if m["user"]["id"] == sven.id
    )
    r = await kam.http.post(f"/api/plans/{plan['id']}/members/{member_id}/password-reset")
    assert r.status_code == 201, r.text
    url = r.json()["url"]
    token = url.rsplit("/", 1)[1]
    assert url.startswith("http://testserver/reset/jpr_")

    audit = (await kam.http.get(f"/api/plans/{plan['id']}/audit")).json()["items"]
    issued = [e for e in audit if e["action"] == "member.password_reset_issued"]
    assert len(issued) == 1
    assert token not in json.dumps(audit)

    done = await people.client().post(
        f"/api/auth/password-reset/{token}", json={"password": NEW_PASSWORD}
    )
    assert done.status_code == 200
    assert (await sven.http.get("/api/auth/me")).status_code == 401


async def test_reset_links_only_within_what_the_issuer_manages(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    sven = await add_member(kam, people, pid, "Sven", party="supplier", role="editor")
    cora = await add_member(kam, people, pid, "Cora", party="customer", role="facilitator")
    carl = await add_member(cora, people, pid, "Carl", party="customer", role="editor")
    members = {
        m["user"]["id"]: m["id"]
        for m in (await kam.http.get(f"/api/plans/{pid}/members")).json()["items"]
    }

    async def issue(who: Any, target: Any, plan_id: str = pid) -> tuple[int, str]:
        r = await who.http.post(f"/api/plans/{plan_id}/members/{members[target.id]}/password-reset")
        return r.status_code, r.json().get("error", "")

    # The other party's facilitator cannot take over a supplier account, nor can an editor.
    assert await issue(cora, sven) == (403, "reset_not_allowed")
    assert await issue(sven, carl) == (403, "reset_not_allowed")
    assert await issue(carl, cora) == (403, "reset_not_allowed")
    assert await issue(kam, kam) == (403, "reset_not_allowed")
    # Nor can anyone outside the plan learn about it.
    outsider = await people.signup("Otto")
    assert (await issue(outsider, sven))[0] == 404
    # Sven also belongs to a plan Kam does not facilitate: the link would open it, so no.
    other_owner = await people.signup("Olga")
    other = await create_plan(other_owner)
    invited = await other_owner.http.post(
        f"/api/plans/{other['id']}/invitations",
        json={"email": sven.email, "party": "supplier", "role": "viewer"},
    )
    accept = await sven.http.post(f"/api/invitations/{invited.json()['token']}/accept")
    assert accept.status_code == 200, accept.text
    assert await issue(kam, sven) == (403, "reset_not_allowed")
    # Cora manages Carl in every plan he is in.
    assert (await issue(cora, carl))[0] == 201


async def test_with_smtp_facilitators_do_not_issue_links(
    outbox: list[dict[str, str]], people: People
) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    sven = await add_member(kam, people, plan["id"], "Sven", party="supplier", role="editor")
    mid = next(
        m["id"]
        for m in (await kam.http.get(f"/api/plans/{plan['id']}/members")).json()["items"]
        if m["user"]["id"] == sven.id
    )
    r = await kam.http.post(f"/api/plans/{plan['id']}/members/{mid}/password-reset")
    assert (r.status_code, r.json()["error"]) == (409, "reset_by_email")


async def test_parallel_uses_of_one_link_succeed_once(
    outbox: list[dict[str, str]], people: People
) -> None:
    ada = await people.signup("Ada")
    await people.client().post("/api/auth/password-reset", json={"email": ada.email})
    token = link_in(outbox[0])
    answers = await asyncio.gather(
        *(
            people.client().post(
                f"/api/auth/password-reset/{token}", json={"password": f"{NEW_PASSWORD} {i}"}
            )
            for i in range(4)
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 410, 410, 410]
    winner = next(i for i, a in enumerate(answers) if a.status_code == 200)
    login = await people.client().post(
        "/api/auth/login", json={"email": ada.email, "password": f"{NEW_PASSWORD} {winner}"}
    )
    assert login.status_code == 200
