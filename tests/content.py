"""Section content for API tests: seed documents and append edits as if a sync client's
update had been accepted."""

from typing import Any

from pycrdt import Array, Doc, Map, Text

from server.collab import store
from server.collab.layout import build_document
from server.collab.models import LoggedUpdate
from server.collab.service import load_document


async def put_raw(app: Any, section_id: str, update: bytes) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        await store.save_snapshot(session, section_id, update)


async def put_content(app: Any, section_id: str, kind: str, content: list[Any]) -> None:
    await put_raw(app, section_id, build_document(kind, content))


async def load_doc(app: Any, section_id: str) -> Doc[Any]:
    async with app.state.sessionmaker() as session:
        return await load_document(session, section_id)


async def append_update(app: Any, section_id: str, update: bytes) -> None:
    async with app.state.sessionmaker() as session, session.begin():
        session.add(LoggedUpdate(section_id=section_id, data=update))


def find_item(doc: Doc[Any], item_id: str) -> tuple[int, Map[Any]]:
    for index, raw in enumerate(doc.get("items", type=Array)):
        if isinstance(raw, Map) and raw.get("id") == item_id:
            return index, raw
    raise KeyError(item_id)


def item_text(doc: Doc[Any], item_id: str, field: str) -> Text:
    value = find_item(doc, item_id)[1][field]
    assert isinstance(value, Text)
    return value
