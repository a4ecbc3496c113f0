"""People and plans through the public REST API, for every kind of test: in process (over
ASGI, `People(app=...)`) or against a live server (`People.on(server)`)."""

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

PASSWORD = "correct horse battery"


class HasAddress(Protocol):
    @property
    def http(self) -> str: ...


@dataclass
class Person:
    """A signed-in user with their own HTTP client (bearer token, no shared cookies)."""

    id: str
    email: str
    name: str
    token: str
    http: httpx.AsyncClient


class People:
    """Signs people up, each with a client of their own, and closes those clients at the end.

    In process, e-mail addresses follow the name (`Kari Nord` → `kari.nord@example.com`), so
    tests can name them; on a live server, shared by a module's tests, each address also
    carries a random part so that two tests can both sign up a "Cora"."""

    def __init__(self, *, app: Any = None, base_url: str | None = None) -> None:
        if (app is None) == (base_url is None):
            raise ValueError("People needs either an app or a base_url")
        self.app = app
        self.base_url = base_url
        self._clients: list[httpx.AsyncClient] = []

    @classmethod
    def on(cls, server: HasAddress) -> "People":
        return cls(base_url=server.http)

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if self.app is not None:
            c = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.app),
                base_url="http://testserver",
                headers=headers,
            )
        else:
            c = httpx.AsyncClient(base_url=str(self.base_url), headers=headers, timeout=20)
        self._clients.append(c)
        return c

    def email_for(self, name: str) -> str:
        local = name.lower().replace(" ", ".")
        return (
            f"{local}.{uuid.uuid4().hex[:8]}@example.com"
            if self.app is None
            else f"{local}@example.com"
        )

    async def signup(self, name: str, email: str | None = None) -> Person:
        email = email or self.email_for(name)
        response = await self.client().post(
            "/api/auth/signup", json={"email": email, "name": name, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return Person(body["user"]["id"], email, name, body["token"], self.client(body["token"]))

    async def plan(self, owner: Person, template: str = "kam", **extra: Any) -> dict[str, Any]:
        return await create_plan(owner, template, **extra)

    async def invite(
        self,
        facilitator: Person,
        plan_id: str,
        name: str,
        party: str,
        role: str,
        signatory: bool = False,
    ) -> Person:
        return await add_member(
            facilitator, self, plan_id, name, party=party, role=role, signatory=signatory
        )

    async def close(self) -> None:
        for c in self._clients:
            await c.aclose()


async def create_plan(owner: Person, template: str = "kam", **extra: Any) -> dict[str, Any]:
    """A plan created by `owner` (its supplier facilitator) from a template."""
    response = await owner.http.post(
        "/api/plans",
        json={
            "title": "Acme × Globex 2027",
            "supplier_name": "Acme",
            "customer_name": "Globex",
            "template": template,
            **extra,
        },
    )
    assert response.status_code == 201, response.text
    plan: dict[str, Any] = response.json()
    return plan


async def add_member(
    facilitator: Person,
    people: People,
    plan_id: str,
    name: str,
    *,
    party: str,
    role: str,
    signatory: bool = False,
) -> Person:
    """Invite someone and have them accept by creating their account."""
    email = people.email_for(name)
    invited = await facilitator.http.post(
        f"/api/plans/{plan_id}/invitations",
        json={"email": email, "party": party, "role": role, "signatory": signatory},
    )
    assert invited.status_code == 201, invited.text
    accepted = await people.client().post(
        f"/api/invitations/{invited.json()['token']}/accept",
        json={"name": name, "password": PASSWORD},
    )
    assert accepted.status_code == 200, accepted.text
    token = accepted.json()["token"]
    me = (await people.client(token).get("/api/auth/me")).json()
    return Person(me["id"], email, name, token, people.client(token))
