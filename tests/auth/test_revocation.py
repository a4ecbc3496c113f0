"""Revoking credentials: every way signals the user's open sockets and streams after the
commit (never for a rolled-back transaction), and `revoke_all_sessions` (for password reset)
signs a user out everywhere."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import events
from server.auth import service
from tests.people import PASSWORD, People


def credential_signals() -> tuple[list[str], Any]:
    seen: list[str] = []
    return seen, events.subscribe(events.CREDENTIALS, seen.append)


async def test_sign_out_and_revocations_signal_after_commit(people: People) -> None:
    ada = await people.signup("Ada")
    seen, unsubscribe = credential_signals()
    try:
        created = await ada.http.post("/api/auth/tokens", json={"name": "ci"})
        assert seen == []  # creating a credential takes nothing away
        assert (
            await ada.http.delete(f"/api/auth/tokens/{created.json()['id']}")
        ).status_code == 204
        assert seen == [ada.id]
        laptop = await people.client().post(
            "/api/auth/login", json={"email": ada.email, "password": PASSWORD}
        )
        other = people.client(laptop.json()["token"])
        sessions = (await other.get("/api/auth/sessions")).json()["items"]
        current = next(s["id"] for s in sessions if s["current"])
        assert (await ada.http.delete(f"/api/auth/sessions/{current}")).status_code == 204
        assert seen == [ada.id, ada.id]
        assert (await ada.http.post("/api/auth/logout")).status_code == 204
        assert seen == [ada.id] * 3
        # Revoking what is already revoked changes nothing and says nothing.
        assert (await other.post("/api/auth/logout")).status_code == 401
        assert seen == [ada.id] * 3
    finally:
        unsubscribe()


async def test_revoke_all_sessions_signs_out_everywhere_but_the_kept_session(
    app: Any, people: People
) -> None:
    ada = await people.signup("Ada")
    phone = (
        await people.client().post(
            "/api/auth/login", json={"email": ada.email, "password": PASSWORD}
        )
    ).json()["token"]
    pat = (await ada.http.post("/api/auth/tokens", json={"name": "ci"})).json()["token"]
    kept = (
        await people.client().post(
            "/api/auth/login", json={"email": ada.email, "password": PASSWORD}
        )
    ).json()["token"]
    sessionmaker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    seen, unsubscribe = credential_signals()
    try:
        async with sessionmaker() as session:
            resolved = await service.resolve_token(session, kept)
            assert resolved is not None
            await service.revoke_all_sessions(session, ada.id, keep_token_id=resolved[0].id)
            assert seen == []  # not before the commit
            await session.rollback()
        assert seen == []
        for token in (ada.token, phone, kept, pat):
            assert (await people.client(token).get("/api/auth/me")).status_code == 200

        async with sessionmaker() as session:
            resolved = await service.resolve_token(session, kept)
            assert resolved is not None
            n = await service.revoke_all_sessions(session, ada.id, keep_token_id=resolved[0].id)
            await session.commit()
        assert n == 2
        assert seen == [ada.id]
        for token, status in ((ada.token, 401), (phone, 401), (kept, 200), (pat, 200)):
            assert (await people.client(token).get("/api/auth/me")).status_code == status

        async with sessionmaker() as session:
            await service.revoke_all_sessions(session, ada.id, personal_tokens=True)
            await session.commit()
        for token in (kept, pat):
            assert (await people.client(token).get("/api/auth/me")).status_code == 401
    finally:
        unsubscribe()
