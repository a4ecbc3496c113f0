"""The heavy paths with adversarial input, against a live server, while a probe times
/healthz: shared by tests/test_heavy_paths.py (a generous bound) and bench/heavy_paths.py
(the figures)."""

import asyncio
import json
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from server.collab.layout import build_document
from tests.collab.yclient import YClient
from tests.live import ServerProcess, section_id
from tests.people import People, Person

# Just under the PDF size budget (JOINTPLAN_EXPORT_PDF_MAX_CHARS, 250 000): the largest export
# the server still renders, a few seconds of fpdf2 in a worker thread.
PARAGRAPH = "Fibre trays for ready meals, lighter and fully recyclable, from line 2. " * 25
TEXT_CHARS = 240_000
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Probe:
    latencies: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]

    @property
    def worst(self) -> float:
        return max(self.latencies)

    def line(self, name: str) -> str:
        return (
            f"{name:<22} /healthz n={len(self.latencies):4d} p50={self.p50 * 1000:6.1f} ms "
            f"p99={self.p99 * 1000:6.1f} ms max={self.worst * 1000:6.1f} ms"
        )


async def while_probing(base_url: str, work: Callable[[], Awaitable[Any]]) -> tuple[Any, Probe]:
    """Run work() while a probe process asks /healthz every 20 ms; the latencies it saw."""
    probe = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.probe",
        base_url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=REPO,
    )
    assert probe.stdin is not None
    assert probe.stdout is not None
    try:
        assert (await asyncio.wait_for(probe.stdout.readline(), 30)).strip() == b"ready"
        await asyncio.sleep(0.1)
        result = await work()
        await asyncio.sleep(0.1)
        probe.stdin.close()
        latencies = json.loads(await asyncio.wait_for(probe.stdout.readline(), 60))
    finally:
        if probe.returncode is None:
            probe.kill()
        await probe.wait()
    return result, Probe(latencies)


@dataclass
class Stage:
    server: ServerProcess
    owner: Person
    plan: dict[str, Any]
    text_section: str

    @property
    def plan_id(self) -> str:
        return str(self.plan["id"])


async def stage(server: ServerProcess, workshop: People) -> Stage:
    """A plan whose text section holds about TEXT_CHARS characters, written over sync."""
    owner = await workshop.signup("Kam")
    plan = await workshop.plan(owner)
    sid = section_id(plan, "analysis")
    blocks = [("paragraph", PARAGRAPH)] * (TEXT_CHARS // len(PARAGRAPH))
    update = build_document("text", blocks)
    async with YClient(server.ws, sid, owner.token) as client:
        await client.wait_synced()
        client.doc.apply_update(update)  # sent to the server as this client's edit
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            r = await owner.http.get(f"/api/plans/{plan['id']}/sections/{sid}/content")
            if r.status_code == 200 and len(r.json()["text"]) >= TEXT_CHARS * 0.9:
                break
            await asyncio.sleep(0.2)
    return Stage(server, owner, plan, sid)


async def big_verify(s: Stage) -> httpx.Response:
    """7 MB of record starts naming the member's plan, nested and never closed."""
    start = f'{{"jointplan_record": 1, "plan_id": "{s.plan_id}", "goals": ['
    body = (start * (7_000_000 // len(start))).encode()
    return await s.owner.http.post(
        "/api/verify", content=body, headers={"content-type": "text/markdown"}, timeout=120
    )


async def pathological_comments(s: Stage) -> httpx.Response:
    """Six comments of the issue's emphasis pattern and link openers, then their thread."""
    base = f"/api/plans/{s.plan_id}/threads"
    first = await s.owner.http.post(
        base,
        json={"section_id": s.text_section, "visibility": "shared", "body": " _a" * 3333},
    )
    assert first.status_code == 201, first.text
    thread = first.json()["id"]
    for body in [" _a" * 3333, "[" * 9999, "**a" * 3333, "[a](" * 2499, " _a" * 3333]:
        r = await s.owner.http.post(f"{base}/{thread}/comments", json={"body": body})
        assert r.status_code == 201, r.text
    return await s.owner.http.get(f"{base}/{thread}", timeout=120)


async def big_pdf(s: Stage) -> httpx.Response:
    return await s.owner.http.get(f"/api/plans/{s.plan_id}/export?format=pdf", timeout=180)


async def big_content(s: Stage) -> httpx.Response:
    return await s.owner.http.get(
        f"/api/plans/{s.plan_id}/sections/{s.text_section}/content", timeout=120
    )
