"""The stored state of section documents: loading a section (snapshot and log), folding
the log into the snapshot (compaction), replacing a document, and the quarantine of stored
parts that cannot be read. Writing the log is `wal`'s.
"""

import asyncio
import logging
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from pycrdt import merge_updates
from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.collab import guard
from server.collab.models import LoggedUpdate, SectionQuarantine, SectionSnapshot
from server.db import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredPart:
    """One stored piece of a section's document: its snapshot, or a row of its log."""

    source: str  # "snapshot" | "log"
    id: int | None  # the log row's id
    data: bytes


@dataclass(frozen=True)
class StoredDocument:
    parts: list[StoredPart]
    log_length: int  # rows in the log not yet folded into the snapshot

    @property
    def updates(self) -> list[bytes]:
        return [p.data for p in self.parts]


async def load(session: AsyncSession, section_id: str) -> StoredDocument:
    """The snapshot and every logged update of a section, oldest first.

    The log is read before the snapshot, and the two reads need not see one state of the
    database: a compaction that commits between them moved rows into the snapshot read
    after, so nothing is missed (an update may come twice, which Yjs ignores). Read the
    other way round, a section being compacted as its room loaded lost those rows.
    """
    rows = (
        await session.execute(
            select(LoggedUpdate.id, LoggedUpdate.data)
            .where(LoggedUpdate.section_id == section_id)
            .order_by(LoggedUpdate.id)
        )
    ).all()
    snapshot = await session.scalar(
        select(SectionSnapshot.data).where(SectionSnapshot.section_id == section_id)
    )
    parts = [StoredPart("snapshot", None, snapshot)] if snapshot else []
    parts.extend(StoredPart("log", r[0], r[1]) for r in rows)
    return StoredDocument(parts=parts, log_length=len(rows))


async def quarantine(
    session: AsyncSession, section_id: str, bad: Sequence[tuple[StoredPart, str]]
) -> int:
    """Move stored parts that cannot be read out of the document, keeping them (with the
    reason) in `section_quarantine`; returns how many were moved. Idempotent: a part
    another reader moved already, or a snapshot replaced meanwhile, is left alone."""
    moved = 0
    for part, reason in bad:
        if part.source == "log":
            row = (
                await session.execute(
                    delete(LoggedUpdate)
                    .where(LoggedUpdate.id == part.id)
                    .returning(LoggedUpdate.user_id, LoggedUpdate.created_at)
                )
            ).first()
            if row is None:
                continue
            user_id, created_at = row
        else:
            snapshot = await session.get(SectionSnapshot, section_id)
            if snapshot is None or snapshot.data != part.data:
                continue
            user_id, created_at = None, snapshot.updated_at
            await session.delete(snapshot)
        session.add(
            SectionQuarantine(
                section_id=section_id,
                source=part.source,
                source_id=part.id,
                data=part.data,
                user_id=user_id,
                created_at=created_at,
                reason=reason,
            )
        )
        moved += 1
    await session.flush()
    if moved:
        log.warning(
            "quarantined %d stored part(s) of section %s that cannot be read: %s",
            moved,
            section_id,
            "; ".join(reason for _, reason in bad),
        )
    return moved


async def quarantine_count(session: AsyncSession) -> int:
    return (await session.scalar(select(func.count()).select_from(SectionQuarantine))) or 0


async def fetch_updates(session: AsyncSession, ids: Sequence[int]) -> list[tuple[str, bytes]]:
    rows = await session.execute(
        select(LoggedUpdate.section_id, LoggedUpdate.data)
        .where(LoggedUpdate.id.in_(ids))
        .order_by(LoggedUpdate.id)
    )
    return [(r[0], r[1]) for r in rows]


async def save_snapshot(session: AsyncSession, section_id: str, state: bytes) -> None:
    """Replace a section's content wholesale (seeding, restore): snapshot, empty log."""
    await session.execute(delete(LoggedUpdate).where(LoggedUpdate.section_id == section_id))
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
    another process stays in the log and is never lost. Compactions of one section take
    turns (a lock in this process, an advisory lock across PostgreSQL processes): one that
    read an older snapshot must not write it over a newer one.
    """
    lock = _compaction_locks.get(section_id)
    if lock is None:
        lock = _compaction_locks[section_id] = asyncio.Lock()
    async with lock:
        return await _compact(sessionmaker, section_id, is_postgres)


# Held only while a compaction of the section runs or waits.
_compaction_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


async def _compact(
    sessionmaker: async_sessionmaker[AsyncSession], section_id: str, is_postgres: bool
) -> int:
    async with sessionmaker() as session, session.begin():
        if is_postgres:
            # Two processes compacting one section would overwrite each other's snapshot.
            await session.execute(
                text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                {"key": f"compact:{section_id}"},
            )
        rows = (
            await session.execute(
                select(LoggedUpdate.id, LoggedUpdate.data)
                .where(LoggedUpdate.section_id == section_id)
                .order_by(LoggedUpdate.id)
            )
        ).all()
        if not rows:
            return 0
        snapshot = await session.get(SectionSnapshot, section_id)
        parts = ([snapshot.data] if snapshot else []) + [r[1] for r in rows]
        try:
            merged = await asyncio.to_thread(merge_updates, *parts)
        except BaseException as exc:  # yrs raised or panicked: leave the log as it is
            if not guard.failure(exc):
                raise
            log.error("could not compact section %s: %s", section_id, guard.pack_failure(exc))
            return 0
        if snapshot is None:
            session.add(SectionSnapshot(section_id=section_id, data=merged))
        else:
            snapshot.data = merged
            snapshot.updated_at = utcnow()
        ids = [r[0] for r in rows]
        for start in range(0, len(ids), 5000):
            await session.execute(
                delete(LoggedUpdate).where(LoggedUpdate.id.in_(ids[start : start + 5000]))
            )
    return len(ids)


async def log_length(session: AsyncSession, section_id: str) -> int:
    count = await session.scalar(select(func.count()).where(LoggedUpdate.section_id == section_id))
    return count or 0
