"""`jointplan demo` fills every section of the demo plan with content a reader can use."""

from typing import Any

import pytest

from server.demo import seed
from tests.people import People


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_demo_plan_has_content_in_every_section(app: Any, people: People) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        lines = await seed(session, app.state.settings)
    assert any("jointplan-demo" in line for line in lines)
    client = people.client()
    login = await client.post(
        "/api/auth/login", json={"email": "kari@fjordpack.example", "password": "jointplan-demo"}
    )
    http = people.client(login.json()["token"])
    plan = (await http.get("/api/plans")).json()["items"][0]
    sections = (await http.get(f"/api/plans/{plan['id']}")).json()["sections"]
    assert len(sections) == 12
    for section in sections:
        content = (
            await http.get(f"/api/plans/{plan['id']}/sections/{section['id']}/content")
        ).json()
        if section["kind"] == "text":
            assert len(content["text"]) > 40, (section["key"], content)
        else:
            assert content["items"], section["key"]
            assert content["skipped"] == 0
    activities = next(s for s in sections if s["kind"] == "activities")
    items = (await http.get(f"/api/plans/{plan['id']}/sections/{activities['id']}/content")).json()[
        "items"
    ]
    assert {i["party"] for i in items} == {"supplier", "customer"}
