"""Nothing that anyone has seen is lost: restarts, SIGKILL mid-edit, compaction, and two
server processes on one PostgreSQL."""

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from server.collab import wal
from server.collab.models import LoggedUpdate, SectionSnapshot
from tests.collab.yclient import YClient, synced_pair
from tests.live import ServerProcess, section_id
from tests.people import People


@pytest.fixture
def own_server(live_database: tuple[str, Path]) -> Any:
    """A server process the test may restart or kill; a fresh port each start."""
    url, data_dir = live_database
    started: list[ServerProcess] = []

    def start(**env: str) -> ServerProcess:
        process = ServerProcess(url, data_dir, env_extra=env)
        process.start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


async def test_reconnect_after_restart_loses_nothing(own_server: Any) -> None:
    """What the server stored survives a restart (an empty client reads it back), and edits
    a client kept while the server was down arrive after it reconnects."""
    first = own_server()
    workshop = People.on(first)
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "goals_strategic")
    goals = [f"goal {i}" for i in range(25)]
    async with YClient(first.ws, sid, kam.token) as c, YClient(first.ws, sid, kam.token) as w:
        await c.wait_synced()
        await w.wait_synced()
        for title in goals:
            c.push(title)
        # Seen by another client: the server has committed them.
        await w.wait_for(lambda: w.titles() == goals, within=10)
        offline_doc_state = c.doc.get_update()
    first.stop()

    second = own_server()
    # An empty client: whatever it gets, it gets from the server's own store.
    async with YClient(second.ws, sid, kam.token) as empty:
        await empty.wait_synced()
        assert empty.titles() == goals

    # Edits made while the server was down, kept by the client.
    offline = YClient(second.ws, sid, kam.token)
    offline._apply(offline_doc_state)
    offline.push("written offline")
    await offline.connect()
    await offline.wait_synced()
    async with YClient(second.ws, sid, kam.token) as watcher:
        await watcher.wait_synced()
        await watcher.wait_for(lambda: watcher.titles() == [*goals, "written offline"], 10)
    await offline.close()

    third = own_server()
    async with YClient(third.ws, sid, kam.token) as fresh:
        await fresh.wait_synced()
        assert fresh.titles() == [*goals, "written offline"]
    await workshop.close()


async def test_sigkill_mid_edit_loses_nothing_anyone_saw(own_server: Any) -> None:
    first = own_server()
    workshop = People.on(first)
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "goals_strategic")
    writer = await YClient(first.ws, sid, kam.token).connect()
    watcher = await YClient(first.ws, sid, kam.token).connect()
    await writer.wait_synced()
    await watcher.wait_synced()

    async def keep_writing() -> None:
        i = 0
        while not writer.closed.is_set():
            writer.push(f"edit {i}")
            i += 1
            await asyncio.sleep(0.002)

    typing = asyncio.create_task(keep_writing())
    await watcher.wait_for(lambda: len(watcher.items) >= 200, within=20)
    first.kill()
    await watcher.wait_closed()
    seen = set(watcher.titles())
    typing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await typing
    assert len(seen) >= 200

    second = own_server()
    async with YClient(second.ws, sid, kam.token) as fresh:
        await fresh.wait_synced()
        kept = set(fresh.titles())
    assert seen <= kept, f"lost {sorted(seen - kept)[:5]}"
    await workshop.close()


async def test_compaction_keeps_every_update_including_concurrent_ones(
    own_server: Any, live_database: tuple[str, Path]
) -> None:
    server = own_server(JOINTPLAN_COLLAB_COMPACT_THRESHOLD="25")
    workshop = People.on(server)
    async with synced_pair(server, workshop) as pair:
        kam, sid, a, b = pair.kam, pair.section, pair.a, pair.b
        for i in range(150):
            a.push(f"a{i}")
            b.push(f"b{i}")
            if i % 10 == 0:
                await asyncio.sleep(0.01)
        await a.wait_for(lambda: len(a.items) == 300, within=10)
        await b.wait_for(lambda: len(b.items) == 300, within=10)
    # The room unloads (grace 0.5 s) and compacts what is left: poll the database for it.
    engine = create_async_engine(live_database[0])
    rows: int | None = None
    snapshots: int | None = None
    try:
        deadline = asyncio.get_running_loop().time() + 15
        while True:
            async with engine.connect() as conn:
                rows = await conn.scalar(select(func.count()).where(LoggedUpdate.section_id == sid))
                snapshots = await conn.scalar(
                    select(func.count()).where(SectionSnapshot.section_id == sid)
                )
            if (snapshots == 1 and rows is not None and rows < 25) or (
                asyncio.get_running_loop().time() > deadline
            ):
                break
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()
    assert snapshots == 1
    assert rows is not None
    assert rows < 25
    async with YClient(server.ws, sid, kam.token) as fresh:
        await fresh.wait_synced()
        assert sorted(fresh.titles()) == sorted(
            [f"a{i}" for i in range(150)] + [f"b{i}" for i in range(150)]
        )
    await workshop.close()


async def test_two_processes_on_one_postgresql_converge(
    own_server: Any, live_database: tuple[str, Path]
) -> None:
    if live_database[0].startswith("sqlite"):
        pytest.skip("SQLite mode is one process by design")
    one = own_server()
    two = own_server()
    workshop = People.on(one)
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "goals_strategic")
    async with YClient(one.ws, sid, kam.token) as a, YClient(two.ws, sid, kam.token) as b:
        await a.wait_synced()
        await b.wait_synced()
        for i in range(30):
            a.push(f"one {i}")
            b.push(f"two {i}")
        await a.wait_for(lambda: len(a.items) == 60, within=10)
        await b.wait_for(lambda: len(b.items) == 60, within=10)
        assert a.titles() == b.titles()
        # Small updates travel inside the NOTIFY, large ones by id; both around the limit.
        # Title lengths; the update carries each twice (id and title): about 4970, 5050,
        # 5990, 6170 and 12070 bytes. 5990 had made PostgreSQL refuse the commit (its base64
        # in the payload passed 8000 bytes).
        sizes = [10, 2450, 2490, 2960, 3050, 6000]
        for size in sizes:
            a.push(f"{size}:".ljust(size, "x"))
        await b.wait_for(lambda: len(b.items) == 60 + len(sizes), within=10)
        assert [len(t) for t in b.titles()[60:]] == sizes
        assert not a.closed.is_set()
        # Access changes made through one process reach connections on the other.
        # Read-only on the other process from the moment the request answered, no grace.
        r = await kam.http.patch(
            f"/api/plans/{plan['id']}/sections/{sid}", json={"owner": "customer"}
        )
        assert r.status_code == 200, r.text
        b.push("refused")
        await b.wait_for(lambda: bool(b.denied), within=10)
    await workshop.close()


async def test_a_lost_database_connection_costs_no_edit(
    own_server: Any, live_database: tuple[str, Path]
) -> None:
    """The document log's own connection dies (database restart, admin, network): the next
    commit opens a new one, and everyone still gets every edit."""
    if live_database[0].startswith("sqlite"):
        pytest.skip("a PostgreSQL connection")
    from tests.conftest import _pg_admin

    server = own_server()
    workshop = People.on(server)
    async with synced_pair(server, workshop, "goals_operative") as pair:
        kam, sid, a, b = pair.kam, pair.section, pair.a, pair.b
        a.push("before")
        await b.wait_for(lambda: b.titles() == ["before"])
        before = await _log_connections(server.database_url)
        assert len(before) == 1
        await _pg_admin(f"SELECT pg_terminate_backend({before[0]})")
        a.push("after")
        await b.wait_for(lambda: b.titles() == ["before", "after"])
        assert not a.closed.is_set()
        after = await _log_connections(server.database_url)
        assert len(after) == 1
        assert after != before
    async with YClient(server.ws, sid, kam.token) as fresh:
        await fresh.wait_synced()
        await fresh.wait_for(lambda: fresh.titles() == ["before", "after"])
    await workshop.close()


async def _log_connections(database_url: str) -> list[int]:
    """Backend pids of the document log's connections to this test's database."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = :name "
                    "AND datname = current_database()"
                ),
                {"name": wal.WAL_APPLICATION_NAME},
            )
            return [row[0] for row in rows]
    finally:
        await engine.dispose()
