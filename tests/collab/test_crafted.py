"""Crafted updates against a live server, and stored rows that cannot be read (both
backends, real sockets, the stock y-websocket client beside pycrdt ones)."""

import asyncio
import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from server.collab import layout, protocol
from server.collab.models import LoggedUpdate, SectionQuarantine
from tests.collab import crafted, fuzzing
from tests.collab.node import NodeClient
from tests.collab.yclient import YClient
from tests.live import ROOT, ServerProcess, section_id
from tests.people import People

SECTION = {
    "goals": "goals_strategic",
    "activities": "action_plan",
    "stakeholders": "buying_center",
    "text": "analysis",
}
CASES = [(name, fuzzing.kind_of_case(name), stored, u) for name, stored, u in fuzzing.corpus()]
CASES += [(name, kind, [], update) for name, kind, update in crafted.CASES]


@pytest.fixture
async def engine(live_database: tuple[str, Path]) -> Any:
    engine = create_async_engine(live_database[0])
    yield engine
    await engine.dispose()


async def _stored(engine: AsyncEngine, sid: str, update: bytes) -> int:
    """How many rows of the section's log hold exactly this update."""
    async with engine.connect() as conn:
        count = await conn.scalar(
            select(func.count()).where(LoggedUpdate.section_id == sid, LoggedUpdate.data == update)
        )
    return count or 0


def _vector(doc_state: bytes) -> dict[int, int]:
    return protocol.decode_state_vector(doc_state)


async def _writer_has(writer: NodeClient, attacker: YClient, state: bytes, kind: str) -> None:
    """Wait until the stock client holds what the attacker made: the same state vector
    and, for lists, the same content (deletions do not show in a state vector)."""
    deadline = asyncio.get_running_loop().time() + 10
    while True:
        seen = await writer.state()
        same = _vector(base64.b64decode(seen["stateVector"])) == _vector(state)
        if same and kind != "text":
            same = seen["json"] == json.loads(str(attacker.items))
        if same:
            return
        assert asyncio.get_running_loop().time() < deadline, "the stock client fell behind"
        await asyncio.sleep(0.05)


@pytest.mark.parametrize(("name", "kind", "stored", "update"), CASES, ids=[c[0] for c in CASES])
async def test_a_crafted_update_is_refused_and_leaves_no_trace(
    server: ServerProcess,
    workshop: People,
    engine: AsyncEngine,
    name: str,
    kind: str,
    stored: list[bytes],
    update: bytes,
) -> None:
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, SECTION[kind])
    node_kind = "text" if kind == "text" else "items"
    async with (
        NodeClient(server.ws, sid, kam.token, "--kind", node_kind) as writer,
        YClient(server.ws, sid, kam.token) as bystander,
    ):
        await writer.wait_event("synced")
        await bystander.wait_synced()
        # The attacker, a writer of the section, first makes the edits the case builds on.
        for step2 in (False, True):
            attacker = await YClient(server.ws, sid, kam.token).connect()
            await attacker.wait_synced()
            for edit in stored:
                await attacker.send_raw(protocol.sync_update(edit))
            for edit in stored:
                attacker._apply(edit)
            expected = attacker.doc.get_state()
            await bystander.wait_for(
                lambda expected=expected: bystander.doc.get_state() == expected, within=10
            )
            await _writer_has(writer, attacker, expected, kind)
            mark = len(writer.events)

            frame = protocol.sync_step2(update) if step2 else protocol.sync_update(update)
            await attacker.send_raw(frame)
            assert await attacker.wait_closed(within=30) == 4400, name

            assert await _stored(engine, sid, update) == 0
            # The room carries on: an honest edit reaches the bystander (after anything
            # the room had sent it), and neither client was sent the crafted update.
            if kind == "text":
                await writer.send(cmd="insert-text", text="after ")
            else:
                await writer.send(cmd="push", text="after")
            await bystander.wait_for(
                lambda expected=expected: bystander.doc.get_state() != expected, within=10
            )
            remote = [e for e in writer.events[mark:] if e.get("event") == "update"]
            assert remote == []
            state = await writer.state()
            assert state["connected"] is True
            async with YClient(server.ws, sid, kam.token) as fresh:
                await fresh.wait_synced()
                writer_vector = _vector(base64.b64decode(state["stateVector"]))
                assert _vector(fresh.doc.get_state()) == writer_vector
                assert _vector(bystander.doc.get_state()) == writer_vector
    content = await kam.http.get(f"/api/plans/{plan['id']}/sections/{sid}/content")
    assert content.status_code == 200
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{server.http}/healthz")).status_code == 200


async def test_stored_rows_that_cannot_be_read_are_set_aside_and_nothing_breaks(
    server: ServerProcess, workshop: People, engine: AsyncEngine
) -> None:
    """Rows put straight into the database (as a bug, an old version or a restore might
    leave them): the section loads, syncs and exports without them; they are kept aside,
    counted by /readyz and listed by `jointplan doctor`."""
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    goals, text = section_id(plan, "goals_strategic"), section_id(plan, "analysis")
    name, stored, crasher = next(c for c in fuzzing.corpus() if c[0].startswith("goals-"))
    kept = layout.build_document("goals", [{"id": "kept", "title": "Kept goal"}])
    good_text = layout.build_document("text", [("paragraph", "Kept text")])
    bad = {
        goals: [crasher, crafted.deep_values(100)],
        text: [crafted.deep_xml(40_000)],
    }
    rows = {
        goals: [kept, *stored, crasher, crafted.deep_values(100)],
        text: [good_text, *bad[text]],
    }
    async with engine.begin() as conn:
        for sid, updates in rows.items():
            for data in updates:
                await conn.execute(insert(LoggedUpdate).values(section_id=sid, data=data))
    base = f"/api/plans/{plan['id']}"
    ready_before = (await kam.http.get("/readyz")).json()["quarantined"]

    content = await kam.http.get(f"{base}/sections/{goals}/content")
    assert content.status_code == 200
    assert "kept" in [i["id"] for i in content.json()["items"]]
    content = await kam.http.get(f"{base}/sections/{text}/content")
    assert content.status_code == 200
    assert content.json()["text"] == "Kept text"

    async def quarantined() -> int:
        r = await kam.http.get("/readyz")
        assert r.status_code == 200
        return int(r.json()["quarantined"])

    deadline = asyncio.get_running_loop().time() + 10
    while await quarantined() < ready_before + 3:
        assert asyncio.get_running_loop().time() < deadline, "the bad rows were not set aside"
        await asyncio.sleep(0.1)
    async with engine.connect() as conn:
        aside = (
            await conn.execute(
                select(SectionQuarantine.section_id, SectionQuarantine.data).where(
                    SectionQuarantine.section_id.in_([goals, text])
                )
            )
        ).all()
    assert sorted((s, d) for s, d in aside) == sorted((s, d) for s in bad for d in bad[s])

    # Everything that reads documents answers.
    for path in (
        f"{base}/export?format=md",
        f"{base}/export?format=pdf",
        f"{base}/agreements",
    ):
        assert (await kam.http.get(path)).status_code == 200, path
    version = await kam.http.post(f"{base}/versions", json={"name": "After"})
    assert version.status_code == 201, version.text
    assert (await kam.http.get(f"{base}/versions/{version.json()['id']}")).status_code == 200
    async with (
        YClient(server.ws, goals, kam.token) as c,
        NodeClient(server.ws, text, kam.token, "--kind", "text") as n,
    ):
        await c.wait_synced()
        assert "Kept goal" in c.titles()
        await n.wait_event("synced")
        assert "Kept text" in (await n.state())["json"]
        c.push("new goal")
        # Stored by the server, not only in the client's own document.
        deadline = asyncio.get_running_loop().time() + 10
        while "new goal" not in [
            i["title"]
            for i in (await kam.http.get(f"{base}/sections/{goals}/content")).json()["items"]
        ]:
            assert asyncio.get_running_loop().time() < deadline, "the new goal was not stored"
            await asyncio.sleep(0.05)
    # The doctor lists them and writes them out for a bug report.
    export = server.data_dir / f"doctor-{plan['id']}"
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "server.cli", "doctor", "--export", str(export)],
        cwd=ROOT,
        env={
            **os.environ,
            "JOINTPLAN_DATABASE_URL": server.database_url,
            "JOINTPLAN_DATA_DIR": str(server.data_dir),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"section {goals} (goals_strategic" in done.stdout
    assert f"section {text} (analysis" in done.stdout
    manifest = json.loads((export / "quarantine.json").read_text())
    mine = [m for m in manifest if m["section_id"] in (goals, text)]
    assert len(mine) == 3
    assert sorted((export / m["file"]).read_bytes() for m in mine) == sorted(
        d for s in bad for d in bad[s]
    )
    assert all(m["reason"] for m in mine)
