"""How long an open WebSocket lives on after the request that revokes its access answers.

Starts real server processes (SQLite: one; PostgreSQL: two on one database, the revoking
request to the first, the socket on the second) and, per trial, opens a writer's socket,
revokes (sign-out, member removal or editor → viewer), and times the revoking request and, from
its response, the close frame (or, for the role change, the first refused update) at the
client.

    .venv/bin/python bench/revocation.py --trials 20
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from tests.collab.yclient import YClient  # noqa: E402
from tests.conftest import PG_ADMIN_URL, _pg_admin  # noqa: E402
from tests.live import ServerProcess, section_id  # noqa: E402
from tests.people import People  # noqa: E402


async def trial(a: ServerProcess, b: ServerProcess, kind: str) -> tuple[float, float]:
    workshop = People.on(a)
    try:
        kam = await workshop.signup("Kam")
        plan = await workshop.plan(kam)
        pid, sid = plan["id"], section_id(plan, "goals_strategic")
        buyer = await workshop.invite(kam, pid, "Buyer", "customer", "editor")
        members = (await kam.http.get(f"/api/plans/{pid}/members")).json()["items"]
        member = next(m["id"] for m in members if m["user"]["id"] == buyer.id)
        revoke: Callable[[], Awaitable[Any]] = {
            "sign-out": lambda: buyer.http.post("/api/auth/logout"),
            "removal": lambda: kam.http.delete(f"/api/plans/{pid}/members/{member}"),
            "role": lambda: kam.http.patch(
                f"/api/plans/{pid}/members/{member}", json={"role": "viewer"}
            ),
        }[kind]
        async with YClient(b.ws, sid, buyer.token) as client:
            await client.wait_synced()
            asked = time.perf_counter()
            await revoke()
            answered = time.perf_counter()
            if kind == "role":
                # Probe every 5 ms until an update is refused.
                while not client.denied:
                    client.push(uuid.uuid4().hex)
                    await asyncio.sleep(0.005)
            else:
                await client.wait_closed(within=30)
            return answered - asked, time.perf_counter() - answered
    finally:
        await workshop.close()


def summary(label: str, trials: list[tuple[float, float]]) -> str:
    request = statistics.median(t[0] * 1000 for t in trials)
    ms = sorted(t[1] * 1000 for t in trials)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return (
        f"| {label} | {len(ms)} | {request:.1f} | {statistics.median(ms):.1f} | {p95:.1f} "
        f"| {ms[-1]:.1f} |"
    )


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def run(args: argparse.Namespace) -> None:
    out(
        "| backend, revocation | trials | revoking request, median ms "
        "| answer → closed/refused, median ms | p95 ms | max ms |"
    )
    out("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        if "sqlite" in args.backends:
            server = ServerProcess(f"sqlite+aiosqlite:///{data / 'jp.sqlite3'}", data)
            server.start()
            try:
                for kind in args.kinds:
                    values = [await trial(server, server, kind) for _ in range(args.trials)]
                    out(summary(f"SQLite, {kind}", values))
            finally:
                server.stop()
        if "postgresql" in args.backends:
            name = f"jointplan_bench_{uuid.uuid4().hex[:10]}"
            await _pg_admin(f'CREATE DATABASE "{name}"')
            url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
            a, b = ServerProcess(url, data), ServerProcess(url, data)
            try:
                a.start()
                b.start()
                for kind in args.kinds:
                    values = [await trial(a, b, kind) for _ in range(args.trials)]
                    out(summary(f"PostgreSQL, A revokes, socket on B, {kind}", values))
            finally:
                a.stop()
                b.stop()
                await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--kinds", default="sign-out,removal,role")
    args = parser.parse_args()
    args.backends = args.backends.split(",")
    args.kinds = args.kinds.split(",")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
