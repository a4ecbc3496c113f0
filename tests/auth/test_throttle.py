"""Sign-in throttling, tried as an attacker would turn it against users (docs/frontdoor.md)."""

from typing import Any

import httpx
import pytest

from server.auth.throttle import LoginThrottle
from tests.live import ServerProcess
from tests.people import PASSWORD, People


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def throttle(clock: Clock, max_entries: int = 1000) -> LoginThrottle:
    return LoginThrottle(
        free_failures=5, base_delay=60, max_delay=900, max_entries=max_entries, clock=clock
    )


def from_address(app: Any, address: str, **headers: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 4321)),
        base_url="http://testserver",
        headers=headers,
    )


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> int:
    r = await client.post("/api/auth/login", json={"email": email, "password": password})
    return r.status_code


async def signup(app: Any, email: str) -> None:
    async with from_address(app, "192.0.2.250") as c:
        r = await c.post(
            "/api/auth/signup", json={"email": email, "name": "X", "password": PASSWORD}
        )
        assert r.status_code == 201, r.text


# ---- the service, on a clock of its own -------------------------------------------------


def test_backoff_doubles_and_ends() -> None:
    clock = Clock()
    t = throttle(clock)
    for _ in range(5):
        assert t.retry_after("a", "1.1.1.1") == 0
        t.failed("a", "1.1.1.1")
    assert t.retry_after("a", "1.1.1.1") == 61
    clock.now += 61
    assert t.retry_after("a", "1.1.1.1") == 0
    t.failed("a", "1.1.1.1")
    assert 110 < t.retry_after("a", "1.1.1.1") <= 121  # doubled
    for _ in range(20):
        t.failed("a", "1.1.1.1")
    assert t.retry_after("a", "1.1.1.1") <= 901  # capped
    clock.now += 901
    assert t.retry_after("a", "1.1.1.1") == 0  # and forgotten after a quiet spell


def test_a_full_table_forgets_the_idle_not_the_attacker() -> None:
    """Filling the table with junk keys must not wipe an attacker's record."""
    clock = Clock()
    t = throttle(clock, max_entries=100)
    for _ in range(10):
        t.failed("victim@example.com", "203.0.113.9")
    assert t.retry_after("victim@example.com", "203.0.113.9") > 0
    for i in range(5000):
        clock.now += 0.001
        t.failed(f"junk{i}@example.com", f"198.51.100.{i % 250}")
        if i % 50 == 0:  # the attacker keeps going meanwhile
            t.failed("victim@example.com", "203.0.113.9")
    assert len(t) <= 100
    assert t.retry_after("victim@example.com", "203.0.113.9") > 0


# ---- the attacks, through the API ---------------------------------------------------------


async def test_attacker_cannot_lock_the_victim_out(app: Any) -> None:
    """Failing on purpose at someone's account slows the attacker, not the account's owner."""
    await signup(app, "victim@example.com")
    async with from_address(app, "203.0.113.9") as attacker:
        statuses = [await sign_in(attacker, "victim@example.com", "guess") for _ in range(8)]
        assert statuses[:5] == [401] * 5
        assert set(statuses[5:]) == {429}
    # Other attackers join in from fresh addresses; each gets one guess at the account.
    for i in range(3):
        async with from_address(app, f"198.51.100.{i}") as helper:
            assert await sign_in(helper, "victim@example.com", "guess") == 401
            assert await sign_in(helper, "victim@example.com", "guess") == 429
    # The victim, from their own address, signs in with the right password at once.
    async with from_address(app, "192.0.2.10") as victim:
        assert await sign_in(victim, "victim@example.com", PASSWORD) == 200


async def test_own_successful_sign_in_does_not_reset_spraying(app: Any) -> None:
    """Password spraying: guesses at many accounts, a sign-in to one's own in between."""
    await signup(app, "mallory@example.com")
    for i in range(8):
        await signup(app, f"user{i}@example.com")
    async with from_address(app, "203.0.113.9") as mallory:
        answers = []
        for i in range(8):
            answers.append(await sign_in(mallory, f"user{i}@example.com", "Summer2026!"))
            assert await sign_in(mallory, "mallory@example.com", PASSWORD) in (200, 429)
    assert answers[:5] == [401] * 5
    assert set(answers[5:]) == {429}


async def test_forwarded_for_is_ignored_unless_from_a_trusted_proxy(app: Any) -> None:
    """Without JOINTPLAN_TRUSTED_PROXIES, a made-up X-Forwarded-For buys no new address."""
    await signup(app, "victim@example.com")
    answers = []
    for i in range(8):
        async with from_address(
            app, "127.0.0.1", **{"X-Forwarded-For": f"198.51.100.{i}"}
        ) as spoofer:
            answers.append(await sign_in(spoofer, "victim@example.com", "guess"))
    assert answers[:5] == [401] * 5
    assert set(answers[5:]) == {429}


@pytest.fixture
def behind_proxy(settings: Any) -> Any:
    settings.trusted_proxies = "10.0.0.0/8"
    return settings


async def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    behind_proxy: Any, app: Any
) -> None:
    await signup(app, "victim@example.com")
    async with from_address(app, "10.1.2.3", **{"X-Forwarded-For": "203.0.113.9"}) as attacker:
        for _ in range(6):
            await sign_in(attacker, "victim@example.com", "guess")
        assert await sign_in(attacker, "victim@example.com", PASSWORD) == 429
    # Another client behind the same proxy is another address.
    async with from_address(app, "10.1.2.3", **{"X-Forwarded-For": "192.0.2.10"}) as victim:
        assert await sign_in(victim, "victim@example.com", PASSWORD) == 200
    # A proxy not on the list is not believed: its client is the proxy itself.
    async with from_address(app, "192.0.2.77", **{"X-Forwarded-For": "192.0.2.10"}) as other:
        for _ in range(6):
            await sign_in(other, "nobody@example.com", "guess")
    async with from_address(app, "10.1.2.3", **{"X-Forwarded-For": "192.0.2.10"}) as victim:
        assert await sign_in(victim, "victim@example.com", PASSWORD) == 200


async def test_a_real_server_ignores_forwarded_for_from_loopback(
    server: ServerProcess, workshop: People
) -> None:
    """uvicorn believes X-Forwarded-For from 127.0.0.1 by default; `jointplan serve` must not."""
    victim = await workshop.signup("Victim")
    answers = []
    async with httpx.AsyncClient(base_url=server.http) as c:
        for i in range(7):
            r = await c.post(
                "/api/auth/login",
                json={"email": victim.email, "password": "guess"},
                headers={"X-Forwarded-For": f"198.51.100.{i}"},
            )
            answers.append(r.status_code)
    assert answers[:5] == [401] * 5
    assert set(answers[5:]) == {429}
