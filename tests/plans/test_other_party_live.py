"""Against real server processes (SQLite and PostgreSQL): the stock sync client and the REST
flags agree on archived plans, the event stream catching up from the start carries no edited
or deleted comment text, and the server's log (at debug level, so SQL statements are logged)
holds no password hash, token, session secret or invitation secret."""

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.collab.yclient import YClient
from tests.live import ServerProcess, section_id
from tests.people import PASSWORD, People
from tests.stream.test_sse import sse, wait_until


@pytest.fixture(scope="module")
def debug_server(live_database: tuple[str, Path]) -> Iterator[ServerProcess]:
    url, data_dir = live_database
    process = ServerProcess(url, data_dir, env_extra={"JOINTPLAN_LOG_LEVEL": "debug"})
    process.start()
    yield process
    process.stop()


@pytest.fixture
async def live(debug_server: ServerProcess) -> AsyncIterator[People]:
    w = People.on(debug_server)
    yield w
    await w.close()


async def test_stock_client_and_rest_flags_agree_on_archived_plans(
    debug_server: ServerProcess, live: People
) -> None:
    kam = await live.signup("Kam")
    plan = await live.plan(kam)
    buyer = await live.invite(kam, plan["id"], "Buyer", "customer", "editor")
    goals = section_id(plan, "goals_strategic")  # joint, shared: both may write
    assert (await kam.http.post(f"/api/plans/{plan['id']}/archive")).status_code == 200
    for person in (kam, buyer):
        flags = (await person.http.get(f"/api/plans/{plan['id']}")).json()["sections"]
        assert not any(s["can_write"] for s in flags)
        async with YClient(debug_server.ws, goals, person.token) as client:
            await client.wait_synced()
            client.push(f"written by {person.id} while archived")
            await client.wait_for(lambda c=client: bool(c.denied))
    content = (await kam.http.get(f"/api/plans/{plan['id']}/sections/{goals}/content")).json()
    assert content["items"] == []
    assert (await kam.http.post(f"/api/plans/{plan['id']}/unarchive")).status_code == 200
    flags = (await buyer.http.get(f"/api/plans/{plan['id']}")).json()["sections"]
    assert next(s for s in flags if s["id"] == goals)["can_write"] is True


async def test_stream_catch_up_carries_no_old_comment_text(
    debug_server: ServerProcess, live: People
) -> None:
    kam = await live.signup("Kam")
    plan = await live.plan(kam)
    pid = plan["id"]
    buyer = await live.invite(kam, pid, "Buyer", "customer", "viewer")
    goals = section_id(plan, "goals_strategic")
    first, gone = "We could go down to 41 NOK", "Our real budget is 2 MNOK"
    thread = (
        await kam.http.post(
            f"/api/plans/{pid}/threads",
            json={"section_id": goals, "visibility": "shared", "body": first},
        )
    ).json()
    comment_id = thread["comments"][0]["id"]
    await kam.http.patch(
        f"/api/plans/{pid}/threads/{thread['id']}/comments/{comment_id}",
        json={"body": "Let us talk"},
    )
    reply = (
        await kam.http.post(
            f"/api/plans/{pid}/threads/{thread['id']}/comments", json={"body": gone}
        )
    ).json()
    await kam.http.delete(f"/api/plans/{pid}/threads/{thread['id']}/comments/{reply['id']}")
    async with sse(debug_server, pid, buyer.token, last_id=0) as received:
        await wait_until(lambda: any(e["event"] == "comment.deleted" for e in received), 10)
        text = repr(received)
    assert first not in text
    assert gone not in text
    assert {e["event"] for e in received} >= {
        "thread.created",
        "comment.updated",
        "comment.created",
        "comment.deleted",
    }
    poll = await buyer.http.get(f"/api/plans/{pid}/events/poll?after=0")
    assert first not in poll.text
    assert gone not in poll.text


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def test_the_server_log_holds_no_secrets(debug_server: ServerProcess, live: People) -> None:
    secrets: dict[str, str] = {}
    anonymous = live.client()
    kam = await live.signup("Kam")
    secrets["signup token"] = kam.token
    signin = await anonymous.post(
        "/api/auth/login", json={"email": kam.email, "password": PASSWORD}
    )
    assert signin.status_code == 200
    secrets["sign-in token"] = signin.json()["token"]
    secrets["session cookie"] = next(iter(signin.cookies.values()))
    personal = await kam.http.post("/api/auth/tokens", json={"name": "script"})
    assert personal.status_code == 201
    secrets["personal token"] = personal.json()["token"]
    plan = await live.plan(kam)
    for n, way in enumerate(("password", "code", "race")):
        invited = await kam.http.post(
            f"/api/plans/{plan['id']}/invitations",
            json={"email": f"guest{n}.{kam.id}@example.com", "party": "customer"},
        )
        assert invited.status_code == 201
        token, code = invited.json()["token"], invited.json()["code"]
        secrets[f"invitation {way}"], secrets[f"invitation code {way}"] = token, code
        body = (
            {"name": "Guest", "code": code}
            if way == "code"
            else {"name": "G", "password": PASSWORD}
        )
        tries = 4 if way == "race" else 1
        answers = await asyncio.gather(
            *(
                live.client().post(f"/api/invitations/{token}/accept", json=body)
                for _ in range(tries)
            )
        )
        assert sorted(a.status_code for a in answers)[0] == 200
        assert all(a.status_code in (200, 409, 410) for a in answers)
        for a in answers:
            if a.status_code == 200:
                secrets[f"{way} accept token"] = a.json()["token"]
    # A server error path with parameters: a duplicate sign-up.
    again = await anonymous.post(
        "/api/auth/signup", json={"email": kam.email, "name": "Kam", "password": PASSWORD}
    )
    assert again.status_code == 409

    logged = debug_server.logs()
    assert "DEBUG " in logged  # the server did log at debug level
    assert "$argon2" not in logged
    for what, secret in secrets.items():
        assert secret not in logged, what
        assert _digest(secret) not in logged, f"hash of {what}"
