"""Reading section documents outside the sync path (REST views, comments, sign-off)."""

from typing import Any

from pycrdt import Array, Doc, Map
from sqlalchemy.ext.asyncio import AsyncSession

from server.collab import schema, store


async def load_document(session: AsyncSession, section_id: str) -> Doc[Any]:
    """The section's committed content (what every connected client has been sent)."""
    stored = await store.load(session, section_id)
    doc: Doc[Any] = Doc()
    for update in stored.updates:
        try:
            doc.apply_update(update)
        except ValueError:
            continue
    return doc


def find_item(doc: Doc[Any], kind: str, item_id: str) -> Map[Any] | None:
    """The item with this id, or None (also for malformed content)."""
    if kind not in schema.ITEM_KINDS:
        return None
    try:
        items = doc.get(schema.ITEMS, type=Array)
        for raw in items:
            if isinstance(raw, Map) and raw.get("id") == item_id:
                return raw
    except Exception:  # a root of the wrong type
        return None
    return None
