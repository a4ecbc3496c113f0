from dataclasses import dataclass
from typing import Any

from tests.content import append_update, item_text, load_doc, put_content, put_raw
from tests.people import People, Person, add_member, create_plan

__all__ = ["append_update", "item_text", "load_doc", "put_content", "put_raw"]

GOALS = [
    {
        "id": "g1",
        "title": "Fibre trays for the whole range",
        "description": "Nordlys meets the 2030 plastic targets first",
        "status": "proposed",
    },
    {"id": "g2", "title": "CO2 per meal halved", "description": "", "status": "proposed"},
]
ACTIVITIES = [
    {"id": "a1", "title": "Line trial", "status": "proposed", "party": "customer"},
    {"id": "a2", "title": "Send samples", "status": "planned", "party": "supplier"},
]


@dataclass
class Plan:
    id: str
    sections: dict[str, str]
    kam: Person  # supplier facilitator
    sup: Person  # supplier editor
    cus: Person  # customer editor
    viewer: Person  # customer viewer


async def workshop_plan(app: Any, people: People) -> Plan:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    sections = {s["key"]: s["id"] for s in plan["sections"]}
    sup = await add_member(kam, people, plan["id"], "Sup", party="supplier", role="editor")
    cus = await add_member(kam, people, plan["id"], "Cus", party="customer", role="editor")
    viewer = await add_member(kam, people, plan["id"], "View", party="customer", role="viewer")
    await put_content(app, sections["goals_strategic"], "goals", GOALS)
    await put_content(app, sections["action_plan"], "activities", ACTIVITIES)
    await put_content(app, sections["strategy_price"], "text", [("paragraph", "Floor 4 %")])
    return Plan(plan["id"], sections, kam, sup, cus, viewer)


def mention(person: Person) -> str:
    return f"@[{person.name}](user:{person.id})"
