from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncEngine

from server.auth.models import AccessToken
from server.db import utcnow
from tests.people import PASSWORD, People


async def test_signup_login_me_logout(client: httpx.AsyncClient) -> None:
    signup = await client.post(
        "/api/auth/signup",
        json={"email": "Ada@Example.com", "name": "Ada", "password": PASSWORD},
    )
    assert signup.status_code == 201
    assert signup.json()["user"]["email"] == "ada@example.com"
    client.cookies.clear()

    login = await client.post(
        "/api/auth/login", json={"email": "ada@example.com", "password": PASSWORD}
    )
    assert login.status_code == 200
    assert login.json()["token"].startswith("jp_")
    cookie = login.headers["set-cookie"]
    assert "jointplan_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # base URL is http

    me = await client.get("/api/auth/me")
    assert me.status_code == 200
    assert me.json()["name"] == "Ada"

    assert (await client.post("/api/auth/logout")).status_code == 204
    client.cookies.clear()
    # The session is revoked on the server, not only forgotten by the browser.
    stale = await client.get(
        "/api/auth/me", headers={"Authorization": f"Bearer {login.json()['token']}"}
    )
    assert stale.status_code == 401
    assert stale.json()["error"] == "unauthorized"


async def test_password_is_stored_as_argon2(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await client.post(
        "/api/auth/signup", json={"email": "a@example.com", "name": "A", "password": PASSWORD}
    )
    async with engine.connect() as connection:
        stored = (await connection.execute(text('SELECT password_hash FROM "user"'))).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_duplicate_email_is_409_and_creates_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    body = {"email": "a@example.com", "name": "A", "password": PASSWORD}
    assert (await client.post("/api/auth/signup", json=body)).status_code == 201
    again = await client.post("/api/auth/signup", json={**body, "email": "A@EXAMPLE.COM"})
    assert again.status_code == 409
    assert again.json() == {
        "error": "email_taken",
        "detail": "An account with this email already exists.",
    }
    async with engine.connect() as connection:
        assert (await connection.execute(text('SELECT count(*) FROM "user"'))).scalar_one() == 1


async def test_malformed_payload_is_422_with_field_errors(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/auth/signup", json={"email": "not-an-email", "name": "", "password": ""}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "validation_error"
    fields = {tuple(e["loc"])[-1] for e in body["errors"]}
    assert fields == {"email", "name", "password"}
    # Each error carries its type and limits, for the web app to say in the reader's language.
    by_field = {e["loc"][-1]: e for e in body["errors"]}
    assert by_field["name"]["type"] == "string_too_short"
    assert by_field["name"]["ctx"] == {"min_length": 1}
    assert by_field["email"]["type"] == "value_error"
    assert all(isinstance(v, int | str) for e in body["errors"] for v in e["ctx"].values())
    long_name = await client.post(
        "/api/auth/signup", json={"email": "a@example.com", "name": "n" * 201, "password": "x"}
    )
    assert long_name.json()["errors"][0]["ctx"] == {"max_length": 200}


async def test_wrong_password_and_unknown_email_look_the_same(
    client: httpx.AsyncClient,
) -> None:
    await client.post(
        "/api/auth/signup", json={"email": "a@example.com", "name": "A", "password": PASSWORD}
    )
    wrong = await client.post("/api/auth/login", json={"email": "a@example.com", "password": "x"})
    unknown = await client.post("/api/auth/login", json={"email": "b@example.com", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_repeated_failed_logins_are_slowed_down(client: httpx.AsyncClient) -> None:
    await client.post(
        "/api/auth/signup", json={"email": "a@example.com", "name": "A", "password": PASSWORD}
    )
    statuses = [
        (
            await client.post("/api/auth/login", json={"email": "a@example.com", "password": "x"})
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [401] * 5
    # Even the right password is refused while locked out, so guessing gains nothing.
    locked = await client.post(
        "/api/auth/login", json={"email": "a@example.com", "password": PASSWORD}
    )
    assert locked.status_code == 429
    assert locked.json()["error"] == "too_many_attempts"
    assert int(locked.headers["retry-after"]) > 0


async def test_secure_cookie_when_base_url_is_https(app: Any, client: httpx.AsyncClient) -> None:
    app.state.settings.base_url = "https://plans.example.com"
    response = await client.post(
        "/api/auth/signup", json={"email": "a@example.com", "name": "A", "password": PASSWORD}
    )
    assert "Secure" in response.headers["set-cookie"]


async def test_signup_can_be_disabled(app: Any, client: httpx.AsyncClient) -> None:
    app.state.settings.allow_signup = False
    response = await client.post(
        "/api/auth/signup", json={"email": "a@example.com", "name": "A", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["error"] == "signup_disabled"
    assert (await client.get("/api/config")).json()["allow_signup"] is False


async def test_expired_session_is_refused(people: People, engine: AsyncEngine) -> None:
    ada = await people.signup("Ada")
    assert (await ada.http.get("/api/auth/me")).status_code == 200
    async with engine.begin() as connection:
        await connection.execute(
            update(AccessToken).values(expires_at=utcnow() - timedelta(seconds=1))
        )
    assert (await ada.http.get("/api/auth/me")).status_code == 401


async def test_sessions_can_be_listed_and_revoked(people: People) -> None:
    ada = await people.signup("Ada")
    other = await people.client().post(
        "/api/auth/login", json={"email": ada.email, "password": PASSWORD}
    )
    laptop = people.client(other.json()["token"])
    sessions = (await ada.http.get("/api/auth/sessions")).json()["items"]
    assert len(sessions) == 2
    assert [s["current"] for s in sessions].count(True) == 1
    laptop_id = next(s["id"] for s in sessions if not s["current"])
    assert (await ada.http.delete(f"/api/auth/sessions/{laptop_id}")).status_code == 204
    assert (await laptop.get("/api/auth/me")).status_code == 401
    assert (await ada.http.get("/api/auth/me")).status_code == 200


async def test_personal_access_tokens(people: People) -> None:
    ada = await people.signup("Ada")
    created = await ada.http.post(
        "/api/auth/tokens", json={"name": "CI bot", "expires_in_days": 30}
    )
    assert created.status_code == 201
    token = created.json()
    assert token["token"].startswith("jp_")
    assert token["expires_at"] is not None

    bot = people.client(token["token"])
    assert (await bot.get("/api/auth/me")).json()["email"] == ada.email

    listed = (await ada.http.get("/api/auth/tokens")).json()["items"]
    assert [t["name"] for t in listed] == ["CI bot"]
    assert "token" not in listed[0]  # the secret is shown once only

    assert (await ada.http.delete(f"/api/auth/tokens/{token['id']}")).status_code == 204
    assert (await bot.get("/api/auth/me")).status_code == 401
    assert (await ada.http.get("/api/auth/tokens")).json()["items"] == []
    # Someone else's token id is not found, not revealed.
    eve = await people.signup("Eve")
    again = await eve.http.delete(f"/api/auth/tokens/{token['id']}")
    assert again.status_code == 404


async def test_unauthenticated_requests_get_401(client: httpx.AsyncClient) -> None:
    for method, path in [("GET", "/api/plans"), ("POST", "/api/plans"), ("GET", "/api/auth/me")]:
        response = await client.request(method, path, json={})
        assert response.status_code == 401, path
        assert response.json()["error"] == "unauthorized"
    garbage = await client.get("/api/auth/me", headers={"Authorization": "Bearer nonsense"})
    assert garbage.status_code == 401
