from dataclasses import dataclass
from typing import Any

from pycrdt import Array, Doc, Map, Text

from server.collab import store
from server.collab.models import SectionUpdate
from server.collab.schema import build_document
from tests.conftest import People, Person, add_member, create_plan

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


async def put_content(app: Any, section_id: str, kind: str, content: list[Any]) -> None:
    await put_raw(app, section_id, build_document(kind, content))


async def put_raw(app: Any, section_id: str, update: bytes) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        await store.save_snapshot(session, section_id, update)


async def load_doc(app: Any, section_id: str) -> Doc[Any]:
    from server.collab.service import load_document

    async with app.state.sessionmaker() as session:
        return await load_document(session, section_id)


async def append_update(app: Any, section_id: str, update: bytes) -> None:
    """As if a sync client's edit had been accepted."""
    async with app.state.sessionmaker() as session, session.begin():
        session.add(SectionUpdate(section_id=section_id, data=update))


def item_text(doc: Doc[Any], item_id: str, field: str) -> Text:
    for raw in doc.get("items", type=Array):
        if isinstance(raw, Map) and raw.get("id") == item_id:
            value = raw[field]
            assert isinstance(value, Text)
            return value
    raise KeyError(item_id)


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
