"""Front-door limits: request bodies past their route class's cap are refused with 413 in
the JSON error shape, without being read (server/limits.py)."""

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.people import People

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


async def test_a_huge_declared_body_is_refused_unread(app: Any, people: People) -> None:
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(3200):  # 200 MB, if anyone read it
            pulled += 1
            yield b"x" * 65536

    r = await people.client().post(
        "/api/auth/login",
        content=body(),
        headers={"content-type": "application/json", "content-length": str(200 * 1024 * 1024)},
    )
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"
    assert pulled <= 1  # httpx may have started the stream; the server read none of it


async def test_a_streamed_body_is_cut_off_at_the_cap(app: Any, people: People) -> None:
    pulled = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(3200):
            pulled += 1
            yield b"x" * 65536

    r = await people.client().post(
        "/api/auth/login", content=body(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"
    assert pulled < 40  # about the 1 MiB cap, not the 200 MB sent


async def test_an_ordinary_body_passes(app: Any, people: People) -> None:
    r = await people.client().post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": "x" * 100}
    )
    assert r.status_code == 401
