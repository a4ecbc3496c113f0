"""Persistence of section documents: a write-ahead log with group commit, and compaction.

An update is committed before anyone else is sent it. All updates that arrive while a
commit is in flight go into the next transaction together, so a burst costs one commit.
"""

import asyncio
import base64
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from pycrdt import merge_updates
from sqlalchemy import Table, delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.collab.models import SectionSnapshot, SectionUpdate
from server.db import utcnow

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "jointplan_collab"
# PostgreSQL caps a NOTIFY payload at 8000 bytes; larger updates are fetched by id.
_INLINE_LIMIT = 6000


@dataclass(frozen=True)
class StoredDocument:
    updates: list[bytes]
    log_length: int  # rows in the log not yet folded into the snapshot


async def load(session: AsyncSession, section_id: str) -> StoredDocument:
    """The snapshot and every logged update of a section, oldest first."""
    snapshot = await session.scalar(
        select(SectionSnapshot.data).where(SectionSnapshot.section_id == section_id)
    )
    rows = (
        await session.scalars(
            select(SectionUpdate.data)
            .where(SectionUpdate.section_id == section_id)
            .order_by(SectionUpdate.id)
        )
    ).all()
    updates = ([snapshot] if snapshot else []) + list(rows)
    return StoredDocument(updates=updates, log_length=len(rows))


async def fetch_updates(session: AsyncSession, ids: Sequence[int]) -> list[tuple[str, bytes]]:
    rows = await session.execute(
        select(SectionUpdate.section_id, SectionUpdate.data)
        .where(SectionUpdate.id.in_(ids))
        .order_by(SectionUpdate.id)
    )
    return [(r[0], r[1]) for r in rows]


async def save_snapshot(session: AsyncSession, section_id: str, state: bytes) -> None:
    """Replace a section's content wholesale (seeding, restore): snapshot, empty log."""
    await session.execute(delete(SectionUpdate).where(SectionUpdate.section_id == section_id))
    existing = await session.get(SectionSnapshot, section_id)
    if existing is None:
        session.add(SectionSnapshot(section_id=section_id, data=state))
    else:
        existing.data = state
        existing.updated_at = utcnow()
    await session.flush()


async def compact(
    sessionmaker: async_sessionmaker[AsyncSession], section_id: str, is_postgres: bool
) -> int:
    """Fold the section's logged updates into its snapshot; returns how many were folded.

    Deletes exactly the rows it merged (by id), so an update committed meanwhile by this or
    another process stays in the log and is never lost.
    """
    async with sessionmaker() as session, session.begin():
        if is_postgres:
            # Two processes compacting one section would overwrite each other's snapshot.
            await session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"compact:{section_id}"},
            )
        rows = (
            await session.execute(
                select(SectionUpdate.id, SectionUpdate.data)
                .where(SectionUpdate.section_id == section_id)
                .order_by(SectionUpdate.id)
            )
        ).all()
        if not rows:
            return 0
        snapshot = await session.get(SectionSnapshot, section_id)
        parts = ([snapshot.data] if snapshot else []) + [r[1] for r in rows]
        merged = await asyncio.to_thread(merge_updates, *parts)
        if snapshot is None:
            session.add(SectionSnapshot(section_id=section_id, data=merged))
        else:
            snapshot.data = merged
            snapshot.updated_at = utcnow()
        ids = [r[0] for r in rows]
        for start in range(0, len(ids), 5000):
            await session.execute(
                delete(SectionUpdate).where(SectionUpdate.id.in_(ids[start : start + 5000]))
            )
    return len(ids)


async def log_length(session: AsyncSession, section_id: str) -> int:
    count = await session.scalar(select(func.count()).where(SectionUpdate.section_id == section_id))
    return count or 0


@dataclass
class _Pending:
    section_id: str
    update: bytes
    user_id: str | None
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class WriteAheadLog:
    """Group commit for all rooms of this process."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        is_postgres: bool,
        origin: str,
        on_commit: Callable[[str, int], None] | None = None,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._is_postgres = is_postgres
        self._origin = origin
        self._on_commit = on_commit
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.commits = 0
        self.rows = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="collab-wal")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def write(self, section_id: str, update: bytes, user_id: str | None) -> None:
        """Returns once the update is committed; raises if the commit failed."""
        pending = _Pending(section_id, update, user_id)
        self._queue.put_nowait(pending)
        await pending.done

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            except asyncio.CancelledError:
                for p in batch:
                    if not p.done.done():
                        p.done.set_exception(ConnectionError("server stopping"))
                raise
            except Exception as exc:  # every waiter must hear about the failure
                log.exception("could not commit %d document updates", len(batch))
                for p in batch:
                    if not p.done.done():
                        p.done.set_exception(exc)
                continue
            for p in batch:
                if not p.done.done():
                    p.done.set_result(None)

    async def _commit(self, batch: list[_Pending]) -> None:
        # Core inserts on the session's connection: the ORM's bulk path costs more CPU than
        # the commit itself at workshop rates, and the log rows need no identity map.
        table = cast(Table, SectionUpdate.__table__)
        now = utcnow()
        rows = [
            {"section_id": p.section_id, "data": p.update, "user_id": p.user_id, "created_at": now}
            for p in batch
        ]
        async with self._sessionmaker() as session, session.begin():
            connection = await session.connection()
            if not self._is_postgres:
                await connection.execute(insert(table), rows)
            else:
                result = await connection.execute(
                    insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
                )
                ids = list(result.scalars())
                for payload in self._notifications(batch, ids):
                    await connection.execute(
                        text("SELECT pg_notify(:channel, :payload)"),
                        {"channel": NOTIFY_CHANNEL, "payload": payload},
                    )
        self.commits += 1
        self.rows += len(batch)
        if self._on_commit is not None:
            for p in batch:
                self._on_commit(p.section_id, 1)

    def _notifications(self, batch: list[_Pending], ids: list[int]) -> list[str]:
        """NOTIFY payloads, sent in the commit's transaction so they fire only if it lands."""
        messages = []
        for p, row_id in zip(batch, ids, strict=True):
            body: dict[str, object] = {"o": self._origin, "s": p.section_id, "i": row_id}
            if len(p.update) <= _INLINE_LIMIT:
                body["u"] = base64.b64encode(p.update).decode()
            messages.append(json.dumps(body, separators=(",", ":")))
        return messages
