"""Goals content and signing helpers for sign-off, version and export tests."""

from typing import Any

from pycrdt import Array, Text

from tests.content import append_update, find_item, load_doc, put_content
from tests.people import People, Person, add_member, create_plan

GOALS: list[dict[str, Any]] = [
    {
        "id": "g1",
        "title": "Fibre trays for the whole ready-meal range",
        "description": "Nordlys meets the retail chains' 2030 plastic targets first.",
        "metric": "Share of meals in fibre trays",
        "target": "100 %",
        "due": "2029-12-31",
        "status": "proposed",
    },
    {
        "id": "g2",
        "title": "CO₂ per meal halved",
        "description": "Målt per «porsjon» – “from tray to shelf”.",
        "metric": "kg CO₂e per meal",
        "target": "0.12",
        "due": "2028-06-30",
        "status": "proposed",
    },
]


async def edit_goal(app: Any, section_id: str, goal_id: str, **fields: Any) -> None:
    """As if a sync client's edit had been accepted: one update appended to the log."""
    doc = await load_doc(app, section_id)
    before = doc.get_state()
    index, goal = find_item(doc, goal_id)
    with doc.transaction():
        if fields.pop("_delete", False):
            del doc.get("items", type=Array)[index]
        for name, value in fields.items():
            goal[name] = Text(value) if name in ("title", "description") else value
    await append_update(app, section_id, doc.get_update(before))


class Workshop:
    """A plan with goals, a signatory on each side and the usual others."""

    def __init__(self, app: Any, people: People) -> None:
        self.app = app
        self.people = people

    async def build(self, language: str = "en") -> "Workshop":
        self.kam = await self.people.signup("Kari Fjord")  # supplier facilitator, signatory
        plan = await create_plan(self.kam, language=language)
        self.plan_id: str = plan["id"]
        self.sections: dict[str, str] = {s["key"]: s["id"] for s in plan["sections"]}
        pid = self.plan_id
        self.ola = await add_member(  # customer signatory
            self.kam,
            self.people,
            pid,
            "Ola Nordmann",
            party="customer",
            role="editor",
            signatory=True,
        )
        self.sup = await add_member(
            self.kam, self.people, pid, "Sup Editor", party="supplier", role="editor"
        )
        self.cus = await add_member(
            self.kam, self.people, pid, "Cus Editor", party="customer", role="editor"
        )
        self.viewer = await add_member(
            self.kam, self.people, pid, "Cus Viewer", party="customer", role="viewer"
        )
        self.goals = self.sections["goals_strategic"]
        await put_content(self.app, self.goals, "goals", GOALS)
        return self

    def url(self, path: str) -> str:
        return f"/api/plans/{self.plan_id}{path}"

    async def sign(self, who: Person, goal_id: str, expect: int = 201) -> dict[str, Any]:
        r = await who.http.post(self.url(f"/goals/{goal_id}/signatures"))
        assert r.status_code == expect, r.text
        body: dict[str, Any] = r.json()
        return body

    async def agreement(self, who: Person, goal_id: str) -> dict[str, Any]:
        r = await who.http.get(self.url(f"/goals/{goal_id}/agreement"))
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body
