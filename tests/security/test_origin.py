"""A page on another origin must not use the browser's session cookie (docs/frontdoor.md)."""

import asyncio
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from server.auth.dependencies import SESSION_COOKIE
from server.collab import protocol
from tests.live import ServerProcess, section_id
from tests.people import PASSWORD, People, create_plan

EVIL = "http://evil.example"
SIBLING = "http://127.0.0.1:5173"  # another port on the same host: "same-site" for cookies


def cookie_client(people: People, token: str, origin: str | None) -> httpx.AsyncClient:
    client = people.client()
    client.cookies.set(SESSION_COOKIE, token)
    if origin is not None:
        client.headers["Origin"] = origin
    return client


async def test_cookie_request_from_another_origin_is_refused_and_changes_nothing(
    people: People,
) -> None:
    ada = await people.signup("Ada")
    plan = await create_plan(ada)
    for origin in (EVIL, SIBLING, "null"):
        foreign = cookie_client(people, ada.token, origin)
        # State-changing calls with and without a body.
        archive = await foreign.post(f"/api/plans/{plan['id']}/archive")
        assert archive.status_code == 403
        assert archive.json()["error"] == "origin_not_allowed"
        rename = await foreign.patch(f"/api/plans/{plan['id']}", json={"title": "Pwned"})
        assert rename.status_code == 403
        assert (await foreign.post("/api/auth/logout")).status_code == 403
    after = (await ada.http.get(f"/api/plans/{plan['id']}")).json()
    assert after["title"] == plan["title"]
    assert after["archived_at"] is None
    assert (await ada.http.get("/api/auth/me")).status_code == 200  # still signed in


async def test_cookie_request_from_the_app_itself_or_without_origin_works(
    people: People,
) -> None:
    ada = await people.signup("Ada")
    plan = await create_plan(ada)
    own = cookie_client(people, ada.token, "http://testserver")
    rename = await own.patch(f"/api/plans/{plan['id']}", json={"title": "Renamed"})
    assert rename.status_code == 200, rename.text
    # A script with the cookie and no Origin (curl, not a browser) is not a cross-site request.
    script = cookie_client(people, ada.token, None)
    assert (
        await script.patch(f"/api/plans/{plan['id']}", json={"title": "Again"})
    ).status_code == 200
    # Reads are never refused: another origin cannot read the answer anyway (no CORS).
    assert (await cookie_client(people, ada.token, EVIL).get("/api/auth/me")).status_code == 200


async def test_a_browser_that_withholds_origin_is_judged_by_sec_fetch_site(
    people: People,
) -> None:
    ada = await people.signup("Ada")
    plan = await create_plan(ada)
    client = cookie_client(people, ada.token, None)
    for site in ("cross-site", "same-site"):
        r = await client.post(f"/api/plans/{plan['id']}/archive", headers={"Sec-Fetch-Site": site})
        assert r.status_code == 403, site
    ok = await client.patch(
        f"/api/plans/{plan['id']}",
        json={"title": "Mine"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert ok.status_code == 200


async def test_bearer_requests_are_not_affected_by_origin(people: People) -> None:
    ada = await people.signup("Ada")
    plan = await create_plan(ada)
    r = await ada.http.patch(
        f"/api/plans/{plan['id']}", json={"title": "Integration"}, headers={"Origin": EVIL}
    )
    assert r.status_code == 200, r.text


async def test_sign_in_from_another_origin_is_refused(people: People) -> None:
    """Login CSRF: another site must not sign the browser into an account of its choosing."""
    ada = await people.signup("Ada")
    r = await people.client().post(
        "/api/auth/login",
        json={"email": ada.email, "password": PASSWORD},
        headers={"Origin": EVIL},
    )
    assert r.status_code == 403
    assert r.json()["error"] == "origin_not_allowed"
    assert "set-cookie" not in r.headers


def test_allowed_origins_setting(settings: Any) -> None:
    settings.allowed_origins = "http://tools.example, https://Other.example:443/path"
    assert settings.origins == {
        "http://testserver",
        "http://tools.example",
        "https://other.example",
    }


# ---- WebSocket handshakes, on a real server ---------------------------------------------


async def _open(
    server: ServerProcess,
    sid: str,
    *,
    cookie: str | None,
    origin: str | None,
    token: str | None = None,
) -> bytes:
    """The first frame the server sends (sync step 1) once the socket opened."""
    headers = {"Cookie": f"{SESSION_COOKIE}={cookie}"} if cookie else {}
    url = f"{server.ws}/collab/{sid}" + (f"?token={token}" if token else "")
    async with connect(url, origin=origin, additional_headers=headers) as ws:  # type: ignore[arg-type]
        await ws.send(protocol.sync_step1(b"\x00"))
        frame = await asyncio.wait_for(ws.recv(), 10)
        assert isinstance(frame, bytes)
        return frame


async def test_websocket_with_cookie_from_another_origin_gets_403(
    server: ServerProcess, workshop: People
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "analysis")
    for origin in (EVIL, SIBLING):
        with pytest.raises(InvalidStatus) as refused:
            await _open(server, sid, cookie=kam.token, origin=origin)
        assert refused.value.response.status_code == 403
        assert b"origin_not_allowed" in refused.value.response.body
    # The same cookie from the app's own origin, and a token from anywhere, are served.
    assert await _open(server, sid, cookie=kam.token, origin=server.http)
    assert await _open(server, sid, cookie=None, origin=EVIL, token=kam.token)
    assert await _open(server, sid, cookie=None, origin=None, token=kam.token)
