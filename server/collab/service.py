"""Reading section documents outside the sync path (REST views, comments, sign-off)."""

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from pycrdt import Array, Doc, Map
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from server.collab import guard, layout, store
from server.plans.models import Section

log = logging.getLogger(__name__)


async def load_document(session: AsyncSession, section_id: str) -> Doc[Any]:
    """The section's committed content (what every connected client has been sent).

    Stored parts that cannot be read are skipped, and moved to the quarantine on a session
    of their own (this one may be a request's, which must not commit early)."""
    stored = await store.load(session, section_id)
    kind = await session.scalar(select(Section.kind).where(Section.id == section_id))
    doc, bad = guard.assemble(stored.parts, layout.root_name(kind or ""))
    if bad and isinstance(session.bind, AsyncEngine):
        _spawn(_quarantine(session.bind, section_id, bad))
    return doc


_tasks: set[asyncio.Task[None]] = set()


def _spawn(coro: Coroutine[Any, Any, None]) -> None:
    task = asyncio.get_running_loop().create_task(coro)
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _quarantine(
    engine: AsyncEngine, section_id: str, bad: list[tuple[store.StoredPart, str]]
) -> None:
    try:
        async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
            await store.quarantine(session, section_id, bad)
    except Exception:  # the next reader tries again
        log.exception("could not quarantine stored parts of section %s", section_id)


def find_item(doc: Doc[Any], kind: str, item_id: str) -> Map[Any] | None:
    """The item with this id, or None (also for malformed content)."""
    if kind not in layout.ITEM_KINDS:
        return None
    try:
        items = doc.get(layout.ITEMS, type=Array)
        for raw in items:
            if isinstance(raw, Map) and raw.get("id") == item_id:
                return raw
    except Exception:  # a root of the wrong type
        return None
    return None
