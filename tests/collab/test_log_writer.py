"""The document log's writer: what it commits reads back through the ORM as written, it
never holds up the event loop while another connection writes (SQLite), and it keeps
the SQLite WAL file from growing without end."""

import asyncio
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from pycrdt import Doc, XmlElement, XmlFragment, XmlText, merge_updates
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from server.collab import layout, service, store
from server.collab import wal as document_log
from server.collab.models import LoggedUpdate
from tests.people import People, create_plan


def _updates(count: int) -> list[bytes]:
    """`count` edits of a text section as the editor writes them: text in a paragraph."""
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    with doc.transaction():  # the first edit starts the paragraph
        paragraph = doc.get("body", type=XmlFragment).children.append(XmlElement("paragraph"))
        text = paragraph.children.append(XmlText())
        text += "edit 0 "
    for i in range(1, count):
        text += f"edit {i} "
    return updates


@pytest.fixture
async def section(people: People) -> tuple[str, str]:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    return plan["sections"][0]["id"], kam.id


@pytest.fixture
async def wal(database_url: str, engine: AsyncEngine) -> Any:
    log = document_log.WriteAheadLog(database_url, engine.dialect, origin="test")
    log.start()
    yield log
    await log.stop()


async def test_committed_updates_read_back_as_written(
    wal: document_log.WriteAheadLog, section: tuple[str, str], app: Any
) -> None:
    section_id, user_id = section
    updates = _updates(5)
    await asyncio.gather(*(wal.write(section_id, u, user_id) for u in updates))
    await wal.write(section_id, b"\x00\x00", None)  # server-made: no user
    async with app.state.sessionmaker() as session:
        rows = (
            await session.scalars(
                select(LoggedUpdate)
                .where(LoggedUpdate.section_id == section_id)
                .order_by(LoggedUpdate.id)
            )
        ).all()
    assert [r.data for r in rows[-6:]] == [*updates, b"\x00\x00"]
    assert [r.user_id for r in rows[-6:]] == [user_id] * 5 + [None]
    for row in rows[-6:]:
        assert row.created_at.tzinfo is not None
        assert abs(row.created_at - datetime.now(UTC)) < timedelta(minutes=1)
    # Stored exactly as the ORM stores timestamps (SQLite keeps them as text, and text
    # compares and sorts only if every row has the same form).
    async with app.state.sessionmaker() as session:
        stored = await session.scalar(
            text("SELECT created_at FROM section_update WHERE section_id = :s LIMIT 1"),
            {"s": section_id},
        )
        by_orm = await session.scalar(text("SELECT created_at FROM plan LIMIT 1"))
    assert type(stored) is type(by_orm)
    if isinstance(stored, str):
        assert len(stored) == len(by_orm)
        assert "+" not in stored


async def test_a_write_to_a_section_that_is_gone_fails_only_its_own_batch(
    wal: document_log.WriteAheadLog, section: tuple[str, str]
) -> None:
    section_id, user_id = section
    with pytest.raises(Exception, match="(?i)foreign key"):
        await wal.write("no-such-section", b"\x00\x00", user_id)
    await wal.write(section_id, _updates(1)[0], user_id)  # the log carries on


async def test_a_batch_with_one_failing_row_refuses_only_that_writer(
    wal: document_log.WriteAheadLog, people: People, app: Any
) -> None:
    """Writers in two plans and one whose section was deleted a moment ago commit in the
    same batch: only that one is refused, the others' updates are stored."""
    kam = await people.signup("Kam")
    other = await people.signup("Other")
    plan = await create_plan(kam)
    other_plan = await create_plan(other)
    kept, doomed = plan["sections"][0]["id"], plan["sections"][1]["id"]
    elsewhere = other_plan["sections"][0]["id"]
    r = await kam.http.delete(f"/api/plans/{plan['id']}/sections/{doomed}")
    assert r.status_code == 204, r.text

    batches: list[int] = []
    append = wal._writer.append

    async def counting(rows: list[Any]) -> None:
        batches.append(len(rows))
        await append(rows)

    wal._writer.append = counting  # type: ignore[method-assign]
    updates = _updates(4)
    results = await asyncio.gather(
        wal.write(kept, updates[0], kam.id),
        wal.write(elsewhere, updates[1], other.id),
        wal.write(doomed, updates[2], kam.id),
        wal.write(kept, updates[3], kam.id),
        return_exceptions=True,
    )
    assert batches[0] == 4  # they were one batch
    assert [results[0], results[1], results[3]] == [None, None, None]
    assert isinstance(results[2], Exception)
    assert "foreign key" in str(results[2]).lower()
    async with app.state.sessionmaker() as session:
        rows = (
            await session.execute(
                select(LoggedUpdate.section_id, LoggedUpdate.data).where(
                    LoggedUpdate.data.in_(updates)
                )
            )
        ).all()
    assert sorted(rows) == sorted([(kept, updates[0]), (elsewhere, updates[1]), (kept, updates[3])])


@pytest.mark.parametrize(
    "lost",
    [
        # A termination notice read while the connection was idle, its end not yet.
        asyncpg.InternalClientError(
            "cannot switch to state 12; another operation (2) is in progress"
        ),
        asyncpg.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        asyncpg.InterfaceError("cannot perform operation: connection is closed"),
        asyncpg.exceptions.AdminShutdownError(
            "terminating connection due to administrator command"
        ),
        ConnectionResetError("Connection reset by peer"),
    ],
    ids=lambda exc: type(exc).__name__,
)
async def test_postgresql_every_kind_of_lost_connection_is_replaced_and_the_batch_retried(
    wal: document_log.WriteAheadLog, section: tuple[str, str], backend: str, lost: Exception
) -> None:
    if backend != "postgresql":
        pytest.skip("the PostgreSQL log connection")
    section_id, user_id = section
    await wal.write(section_id, b"\x00\x00", user_id)
    writer = wal._writer
    first = writer._connection  # type: ignore[attr-defined]
    execute = writer._execute  # type: ignore[attr-defined]
    failures = [lost]

    async def failing_once(columns: list[list[object]]) -> None:
        if failures:
            raise failures.pop()
        await execute(columns)

    writer._execute = failing_once  # type: ignore[attr-defined]
    await wal.write(section_id, _updates(1)[0], user_id)  # committed, not refused
    assert not failures
    assert writer._connection is not first  # type: ignore[attr-defined]
    assert first.is_closed()


def _sqlite_path(database_url: str) -> Path:
    return Path(make_url(database_url).database or "")


async def test_sqlite_another_writer_delays_the_commit_not_the_event_loop(
    wal: document_log.WriteAheadLog, section: tuple[str, str], database_url: str, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's single write lock")
    section_id, user_id = section
    other = sqlite3.connect(_sqlite_path(database_url), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    write = asyncio.create_task(wal.write(section_id, _updates(1)[0], user_id))
    await asyncio.sleep(0.5)
    assert not write.done()  # waiting for the lock: not committed, not failed
    assert ticks >= 20  # and the loop ran all along
    other.execute("COMMIT")
    await asyncio.wait_for(write, 5)
    ticker.cancel()
    other.close()


async def test_sqlite_wal_file_is_checkpointed_while_writing(
    wal: document_log.WriteAheadLog,
    section: tuple[str, str],
    database_url: str,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's WAL file")
    monkeypatch.setattr(document_log._SqliteLogWriter, "CHECKPOINT_AFTER_SECONDS", 0.05)
    monkeypatch.setattr(document_log._SqliteLogWriter, "WAL_FRAMES_LIMIT", 150)
    section_id, user_id = section
    commits = 600
    for update in _updates(commits):
        await wal.write(section_id, update, user_id)
        await asyncio.sleep(0.002)
    # Every commit appends at least one page to the WAL; never checkpointed, the WAL would
    # hold them all (the log's own connection does not checkpoint on commit), and with
    # checkpoints only beside the commits it may never restart. Past the limit, the log
    # waits for one, so the WAL restarts and holds no more than about the limit.
    check = sqlite3.connect(_sqlite_path(database_url), isolation_level=None)
    _busy, frames_in_wal, _copied = check.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    check.close()
    assert frames_in_wal < commits / 2


async def test_compactions_of_one_section_at_once_lose_nothing(
    wal: document_log.WriteAheadLog,
    section: tuple[str, str],
    app: Any,
    backend: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A room that unloads compacts its section; a client that opens the section at once
    loads a new room, which may compact it too. The slower compaction must not write its
    older snapshot over the newer one (it did on SQLite, losing what only the newer held)."""
    section_id, user_id = section
    sessionmaker = app.state.sessionmaker
    updates = _updates(300)
    for update in updates[:100]:
        await wal.write(section_id, update, user_id)

    real_merge = merge_updates
    calls = 0

    def slow_first_merge(*parts: bytes) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 1:
            time.sleep(0.5)  # on the compaction's thread
        return real_merge(*parts)

    monkeypatch.setattr(store, "merge_updates", slow_first_merge)
    first = asyncio.create_task(store.compact(sessionmaker, section_id, backend != "sqlite"))
    await asyncio.sleep(0.1)  # the first has read its rows and is merging
    for update in updates[100:]:
        await wal.write(section_id, update, user_id)
    second = asyncio.create_task(store.compact(sessionmaker, section_id, backend != "sqlite"))
    await asyncio.gather(first, second)

    async with sessionmaker() as session:
        doc = await service.load_document(session, section_id)
    assert layout.to_json(doc, "text")["text"] == "".join(f"edit {i} " for i in range(300))


class _CompactsAfterFirstRead:
    """A session for loading a section during whose first read a compaction commits."""

    def __init__(self, session: Any, compaction: Any) -> None:
        self._session = session
        self._compaction = compaction
        self._reads = 0

    async def _read(self, method: str, *args: Any) -> Any:
        result = await getattr(self._session, method)(*args)
        self._reads += 1
        if self._reads == 1:
            await self._compaction()
        return result

    async def scalar(self, *args: Any) -> Any:
        return await self._read("scalar", *args)

    async def scalars(self, *args: Any) -> Any:
        return await self._read("scalars", *args)

    async def execute(self, *args: Any) -> Any:
        return await self._read("execute", *args)

    @property
    def bind(self) -> Any:
        return self._session.bind


async def test_loading_a_section_while_it_is_compacted_loses_nothing(
    wal: document_log.WriteAheadLog, section: tuple[str, str], app: Any, backend: str
) -> None:
    """A room loads while the last one's compaction commits between the load's reads."""
    section_id, user_id = section
    sessionmaker = app.state.sessionmaker
    for update in _updates(50):
        await wal.write(section_id, update, user_id)

    async def compaction() -> None:
        assert await store.compact(sessionmaker, section_id, backend != "sqlite") == 50

    async with sessionmaker() as session:
        reading = _CompactsAfterFirstRead(session, compaction)
        doc = await service.load_document(reading, section_id)  # type: ignore[arg-type]
    assert layout.to_json(doc, "text")["text"] == "".join(f"edit {i} " for i in range(50))
