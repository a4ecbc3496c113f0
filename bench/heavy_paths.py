"""/healthz latency while each heavy path runs with adversarial input (issue 12).

Starts a JointPlan server on a fresh SQLite database (tests/live.py), writes a text section
of about 240,000 characters over sync, then runs each heavy path a few times while a probe
asks /healthz every 20 ms, and prints p50/p99/max per path. The same scenarios run in
tests/test_heavy_paths.py with a generous bound; this prints the figures.

    .venv/bin/python bench/heavy_paths.py              # 3 rounds
    .venv/bin/python bench/heavy_paths.py --rounds 5 --only PDF
"""

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests import heavy
from tests.live import ServerProcess
from tests.people import People, Person


async def stranger_verify(s: heavy.Stage, stranger: Person) -> object:
    """7 MB from a user who is no member: refused after the body, before any parsing."""
    start = f'{{"jointplan_record": 1, "plan_id": "{s.plan_id}", "goals": ['
    body = (start * (7_000_000 // len(start))).encode()
    return await stranger.http.post("/api/verify", content=body, timeout=120)


async def main(rounds: int, only: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        server = ServerProcess(f"sqlite+aiosqlite:///{data / 'jointplan.sqlite3'}", data)
        server.start()
        workshop = People.on(server)
        try:
            s = await heavy.stage(server, workshop)
            stranger = await workshop.signup("Stranger")
            paths = {
                "idle": lambda: asyncio.sleep(2),
                "verify 7 MB, stranger": lambda: stranger_verify(s, stranger),
                "verify 7 MB, member": lambda: heavy.big_verify(s),
                "comments": lambda: heavy.pathological_comments(s),
                "content view": lambda: heavy.big_content(s),
                "PDF export": lambda: heavy.big_pdf(s),
            }
            for name, work in paths.items():
                if only and only not in name and name != "idle":
                    continue
                latencies: list[float] = []
                for _ in range(rounds):
                    _, probe = await heavy.while_probing(server.http, work)
                    latencies += probe.latencies
                print(heavy.Probe(latencies).line(name), flush=True)  # noqa: T201
        finally:
            await workshop.close()
            server.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="paths whose name contains this")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.only))
