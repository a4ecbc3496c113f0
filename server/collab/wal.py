"""The document log: every update is committed before anyone else is sent it.

All updates that arrive while a commit is in flight go into the next transaction together
(group commit), so a burst costs one commit. The log is written on a connection of its own,
through the database driver directly; with PostgreSQL the same statement announces each row
to the other processes (NOTIFY).
"""

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import asyncpg
from sqlalchemy.engine import Dialect, make_url

from server.collab.models import LoggedUpdate
from server.db import asyncpg_dsn, sqlite_pragmas, utcnow

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "jointplan_collab"
# PostgreSQL caps a NOTIFY payload at 8000 bytes; larger updates are fetched by id.
INLINE_LIMIT = 5000
# The document log's own PostgreSQL connection, as pg_stat_activity shows it.
WAL_APPLICATION_NAME = "jointplan-document-log"


@dataclass
class _Pending:
    section_id: str
    update: bytes
    user_id: str | None
    done: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class WriteAheadLog:
    """Group commit for all rooms of this process.

    The log is written on a connection of its own, through the database driver directly:
    at workshop rates an ORM session per commit cost more CPU than everything else the
    server does for an update (docs/benchmarks.md). One batch is one transaction and, on
    PostgreSQL, one round trip that also sends the NOTIFY for the other processes.
    """

    def __init__(self, database_url: str, dialect: Dialect, *, origin: str) -> None:
        self._writer: _LogWriter = (
            _SqliteLogWriter(database_url)
            if database_url.startswith("sqlite")
            else _PostgresLogWriter(database_url, origin)
        )
        # created_at as the ORM would have bound it (SQLite stores it as text); the type as
        # adapted to the dialect, as the ORM uses it.
        column_type = LoggedUpdate.__table__.c.created_at.type
        bind = column_type.dialect_impl(dialect).bind_processor(dialect)
        self._bind_time: Callable[[datetime], object] = bind or (lambda value: value)
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

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
        await self._writer.close()

    async def write(self, section_id: str, update: bytes, user_id: str | None) -> None:
        """Returns once the update is committed; raises if the commit failed."""
        pending = _Pending(section_id, update, user_id)
        self._queue.put_nowait(pending)
        await pending.done

    async def _run(self) -> None:
        try:
            await self._writer.open()
        except Exception:  # the first write tries again
            log.exception("could not open the document log's database connection")
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

    async def _commit(self, batch: list[_Pending]) -> None:
        """Commit a batch in one transaction; should that fail for something in the rows,
        commit them one by one, so that only the writer whose row fails hears of it."""
        now = self._bind_time(utcnow())
        try:
            await self._writer.append([(p.section_id, p.update, p.user_id, now) for p in batch])
        except LogUnavailable as exc:  # the database is gone: no row would fare better
            log.error("could not commit %d document updates: %s", len(batch), exc.__cause__)
            for p in batch:
                _fail(p, exc)
            return
        except Exception as exc:
            if len(batch) == 1:
                log.error("could not commit an update of section %s: %r", batch[0].section_id, exc)
                _fail(batch[0], exc)
                return
            log.warning("a batch of %d document updates failed (%r); one by one", len(batch), exc)
            for i, p in enumerate(batch):
                try:
                    await self._writer.append([(p.section_id, p.update, p.user_id, now)])
                except LogUnavailable as lost:
                    log.error("could not commit %d document updates: %s", len(batch) - i, lost)
                    for rest in batch[i:]:
                        _fail(rest, lost)
                    return
                except Exception as row_exc:
                    log.error("could not commit an update of section %s: %r", p.section_id, row_exc)
                    _fail(p, row_exc)
                else:
                    _succeed(p)
            return
        for p in batch:
            _succeed(p)


def _succeed(pending: _Pending) -> None:
    if not pending.done.done():
        pending.done.set_result(None)


def _fail(pending: _Pending, exc: BaseException) -> None:
    if not pending.done.done():
        pending.done.set_exception(exc)


class LogUnavailable(ConnectionError):
    """The document log's database could not be reached, also after reconnecting."""


# (section_id, update, user_id, created_at as bound for the database)
_Row = tuple[str, bytes, str | None, object]


class _LogWriter(Protocol):
    async def open(self) -> None:
        """Connect ahead of the first write (else the first write waits for it)."""

    async def append(self, rows: list[_Row]) -> None:
        """Insert the rows in one transaction; returns once it is committed."""

    async def close(self) -> None: ...


class _SqliteLogWriter:
    """Commits on the event loop's thread while the database is free; waits on a thread.

    In WAL mode with synchronous=NORMAL a commit appends a page or two to the WAL file and
    does not fsync: about 30 µs, less than handing the batch to a thread and back, which
    had added about 10 ms to the p99 fan-out latency under load (docs/benchmarks.md).
    What can take long happens on the thread instead: checkpoints (they fsync, up to tens
    of milliseconds) and waiting for the write lock while another connection holds it.
    """

    CHECKPOINT_AFTER_SECONDS = 1.0
    # A checkpoint that runs beside the commits may never catch up with them, and the WAL
    # restarts from its beginning only after one did. Past this many frames (4 KiB each)
    # the next batch waits for a checkpoint, which then has little left to copy.
    WAL_FRAMES_LIMIT = 4000

    def __init__(self, database_url: str) -> None:
        self._path = make_url(database_url).database or ":memory:"
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="collab-wal")
        self._inline: sqlite3.Connection | None = None  # loop thread; never waits for a lock
        self._patient: sqlite3.Connection | None = None  # the thread; waits, checkpoints
        self._checkpoint_timer: asyncio.TimerHandle | None = None
        self._checkpoint: asyncio.Future[int] | None = None
        self._wal_frames = 0  # as the last checkpoint found them

    def _open(self, timeout: float) -> sqlite3.Connection:
        connection = sqlite3.connect(self._path, timeout=timeout, isolation_level=None)
        sqlite_pragmas(connection)
        return connection

    async def open(self) -> None:
        if self._inline is None:
            self._inline = self._open(timeout=0)
            # Its commits never checkpoint; _checkpoint_soon does that on the thread.
            self._inline.execute("PRAGMA wal_autocheckpoint=0")

    async def append(self, rows: list[_Row]) -> None:
        await self.open()
        assert self._inline is not None
        if self._wal_frames > self.WAL_FRAMES_LIMIT:
            await self._checkpoint_with_writes_held()
        try:
            _insert(self._inline, rows)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                raise
            # Another connection is writing (a REST request, a compaction): wait on the
            # thread, not here.
            await asyncio.get_running_loop().run_in_executor(
                self._thread, self._append_patiently, rows
            )
        self._checkpoint_soon()

    def _patient_connection(self) -> sqlite3.Connection:
        """The thread's connection (opened on the thread, used only there)."""
        if self._patient is None:
            self._patient = self._open(timeout=30)
        return self._patient

    def _append_patiently(self, rows: list[_Row]) -> None:
        _insert(self._patient_connection(), rows)

    async def _checkpoint_with_writes_held(self) -> None:
        # Nothing commits meanwhile, so this one copies every frame and the next commit
        # starts the WAL from its beginning.
        with contextlib.suppress(Exception):
            if self._checkpoint is not None:
                await self._checkpoint
            await self._start_checkpoint()
        self._wal_frames = 0

    def _checkpoint_soon(self) -> None:
        if self._checkpoint_timer is None and self._checkpoint is None:
            loop = asyncio.get_running_loop()
            self._checkpoint_timer = loop.call_later(
                self.CHECKPOINT_AFTER_SECONDS, self._start_checkpoint
            )

    def _start_checkpoint(self) -> asyncio.Future[int]:
        if self._checkpoint_timer is not None:
            self._checkpoint_timer.cancel()
            self._checkpoint_timer = None
        loop = asyncio.get_running_loop()
        checkpoint = self._checkpoint = loop.run_in_executor(self._thread, self._checkpoint_now)
        checkpoint.add_done_callback(self._checkpoint_done)
        return checkpoint

    def _checkpoint_now(self) -> int:
        """Copies what it can without waiting for, or blocking, anyone (PASSIVE); returns
        the frames the WAL holds."""
        _busy, frames, _copied = (
            self._patient_connection().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        )
        return int(frames)

    def _checkpoint_done(self, future: asyncio.Future[int]) -> None:
        self._checkpoint = None
        if future.cancelled():
            return
        if future.exception() is not None:
            log.warning("checkpoint of the SQLite WAL failed: %s", future.exception())
            return
        self._wal_frames = future.result()

    async def close(self) -> None:
        if self._checkpoint_timer is not None:
            self._checkpoint_timer.cancel()
            self._checkpoint_timer = None
        if self._checkpoint is not None:
            with contextlib.suppress(Exception):
                await self._checkpoint
        if self._inline is not None:
            self._inline.close()
            self._inline = None

        def close_patient() -> None:
            if self._patient is not None:
                self._patient.close()
                self._patient = None

        await asyncio.get_running_loop().run_in_executor(self._thread, close_patient)
        self._thread.shutdown(wait=True)


def _insert(connection: sqlite3.Connection, rows: list[_Row]) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.executemany(_INSERT_SQLITE, rows)
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise


_INSERT_SQLITE = (
    f"INSERT INTO {LoggedUpdate.__tablename__} (section_id, data, user_id, created_at) "
    "VALUES (?, ?, ?, ?)"
)

# One statement per batch: insert the rows and announce each to the other processes. The
# notification carries the update itself when it fits in a NOTIFY payload (8000 bytes, so
# at most 5000 bytes before base64), else only its id for the others to fetch.
_INSERT_POSTGRES = f"""
WITH inserted AS (
    INSERT INTO {LoggedUpdate.__tablename__} (section_id, data, user_id, created_at)
    SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[], $4::timestamptz[])
    RETURNING id, section_id, data
)
SELECT pg_notify('{NOTIFY_CHANNEL}', json_strip_nulls(json_build_object(
    'o', $5::text, 's', section_id, 'i', id,
    'u', CASE WHEN length(data) <= {INLINE_LIMIT}
         THEN translate(encode(data, 'base64'), E'\\n', '') END
))::text) FROM inserted
"""


# What a connection that is gone raises. Besides these, any error on a connection that is
# closed by then counts, and so does asyncpg's InternalClientError: a termination notice
# that arrives while the connection is idle (pg_terminate_backend, a restart) leaves its
# protocol in an error state until the socket's end is read, and the next query in that
# window fails with "cannot switch to state …; another operation (2) is in progress".
_CONNECTION_LOST = (
    OSError,
    asyncpg.PostgresConnectionError,  # ConnectionDoesNotExistError, CannotConnectNowError, …
    asyncpg.InterfaceError,  # "connection is closed", "another operation is in progress"
    asyncpg.InternalClientError,
    asyncpg.exceptions.OperatorInterventionError,  # terminated by an admin, shutdown
)


class _PostgresLogWriter:
    """An asyncpg connection of its own with the statement prepared, opened at start and
    again after it was lost."""

    # Seconds to wait before each new attempt once the connection was lost: a database
    # restart or fail-over takes a few seconds, the writers wait for it.
    RETRY_DELAYS = (0.0, 0.2, 1.0, 3.0)

    def __init__(self, database_url: str, origin: str) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._origin = origin
        self._connection: asyncpg.Connection | None = None
        self._statement: asyncpg.prepared_stmt.PreparedStatement | None = None

    async def open(self) -> None:
        if self._connection is None or self._connection.is_closed():
            self._connection = None
            connection = await asyncpg.connect(
                self._dsn,
                server_settings={"application_name": WAL_APPLICATION_NAME},
            )
            try:
                self._statement = await connection.prepare(_INSERT_POSTGRES)
            except BaseException:
                connection.terminate()
                raise
            self._connection = connection

    async def append(self, rows: list[_Row]) -> None:
        columns = [list(c) for c in zip(*rows, strict=True)]
        for delay in (*self.RETRY_DELAYS, None):
            try:
                await self._execute(columns)
                return
            except Exception as exc:
                if not self._lost(exc):
                    raise  # about the rows (a section deleted meanwhile): the caller decides
                # Should an attempt have committed after all, the next one only repeats
                # updates, which a Yjs document ignores.
                await self._discard()
                if delay is None:
                    raise LogUnavailable("the document log's database is unreachable") from exc
                log.warning(
                    "the document log's database connection was lost (%r); reconnecting", exc
                )
                await asyncio.sleep(delay)

    def _lost(self, exc: Exception) -> bool:
        connection = self._connection
        if connection is None or connection.is_closed():
            return True  # opening it failed, or it is gone whatever the error said
        # An argument asyncpg cannot encode raises an InterfaceError that is also a
        # ValueError: about the rows, not the connection.
        return isinstance(exc, _CONNECTION_LOST) and not isinstance(exc, ValueError)

    async def _execute(self, columns: list[list[object]]) -> None:
        await self.open()
        assert self._statement is not None
        await self._statement.fetch(*columns, self._origin)

    async def _discard(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.terminate()
            self._connection = None
            self._statement = None

    async def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
            self._statement = None
