"""deploy/nginx.conf in front of two `jointplan serve` processes on one PostgreSQL, as
deploy/compose.yaml runs them: clients that nginx routes to different processes co-edit,
get each other's events, and SIGKILL of one process loses nothing anyone had seen.

Debian's nginx runs as a non-daemon with a generated config on loopback ports. Skipped when
nginx is missing, unless JOINTPLAN_REQUIRE_NGINX=1 (.ci/run sets it)."""

import asyncio
import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.collab.yclient import YClient
from tests.live import ServerProcess, _pg_database, free_port, section_id
from tests.people import People

REPO = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
REQUIRE_NGINX = os.environ.get("JOINTPLAN_REQUIRE_NGINX") == "1"
UPSTREAM_HEADER = "x-test-upstream"


def nginx_config(tmp: Path, port: int, upstreams: list[int]) -> str:
    """deploy/nginx.conf with loopback upstreams and port, inside a main config that keeps
    every file nginx writes in `tmp`. The test adds one header: which process answered."""
    site = (REPO / "deploy" / "nginx.conf").read_text()
    servers = "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;\n" for p in upstreams)
    site, replaced = re.subn(r"(?m)^    server app\d:8000[^\n]*\n", "", site)
    assert replaced == 2, "deploy/nginx.conf: expected two `server appN:8000` lines"
    site = site.replace("upstream jointplan {\n", "upstream jointplan {\n" + servers, 1)
    site, listens = re.subn(r"(?m)^    listen 80;$", f"    listen 127.0.0.1:{port};", site)
    assert listens == 1
    assert "add_header" not in site  # it would hide the test's header below
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    return f"""{user}daemon off;
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} info;
events {{ worker_connections 512; }}
http {{
    access_log {tmp / "access.log"};
{temp}
    uwsgi_temp_path {tmp / "uwsgi"};
    scgi_temp_path {tmp / "scgi"};
    add_header {UPSTREAM_HEADER} $upstream_addr always;
{site}
}}
"""


@pytest.fixture(scope="module")
def front(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[ServerProcess, list[ServerProcess]]]:
    if NGINX is None:
        if REQUIRE_NGINX:
            pytest.fail("nginx is required (JOINTPLAN_REQUIRE_NGINX=1) but not installed")
        pytest.skip("nginx is not installed")
    data = tmp_path_factory.mktemp("deploy")
    for url in _pg_database():
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        processes = [
            ServerProcess(url, data, env_extra={"JOINTPLAN_BASE_URL": base}) for _ in range(2)
        ]
        # One after the other: the first applies the migrations (as in compose.yaml).
        for process in processes:
            process.start()
        conf = data / "nginx.conf"
        conf.write_text(nginx_config(data, port, [p.port for p in processes]))
        nginx = subprocess.Popen(
            [NGINX, "-p", str(data), "-c", str(conf), "-e", str(data / "error.log")],
            stdout=subprocess.DEVNULL,
            stderr=(data / "nginx.stderr").open("wb"),
        )
        # Never started: only its address, nginx's, for People and YClient.
        entry = ServerProcess(url, data, port=port)
        try:
            deadline = time.monotonic() + 20
            while True:
                if nginx.poll() is not None:
                    raise RuntimeError((data / "nginx.stderr").read_text())
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("nginx did not come up")
                time.sleep(0.1)
            yield entry, processes
        finally:
            nginx.terminate()
            nginx.wait(10)
            for process in processes:
                process.stop()


def socket_port(client: YClient) -> int:
    assert client.ws is not None
    assert client.ws.response is not None
    return upstream_port(client.ws.response.headers)


def upstream_port(headers: Any) -> int:
    return int(str(headers[UPSTREAM_HEADER]).rsplit(":", 1)[1].split(",")[0])


async def client_on(entry: ServerProcess, sid: str, token: str, port: int) -> YClient:
    """A client that nginx routed to the process on `port` (round robin: a few tries)."""
    for _ in range(20):
        c = await YClient(entry.ws, sid, token).connect()
        if socket_port(c) == port:
            await c.wait_synced()
            return c
        await c.close()
    raise AssertionError(f"nginx never routed a socket to {port}")


@contextlib.asynccontextmanager
async def event_stream(
    entry: ServerProcess, plan_id: str, token: str
) -> AsyncIterator[tuple[int, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []
    client = httpx.AsyncClient(base_url=entry.http, timeout=None)
    opened: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def read() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with client.stream("GET", f"/api/plans/{plan_id}/events", headers=headers) as r:
            assert r.status_code == 200
            opened.set_result(upstream_port(r.headers))
            event: dict[str, Any] = {}
            async for line in r.aiter_lines():
                if line.startswith("event: "):
                    event["event"] = line[7:]
                elif line.startswith("data: "):
                    event["data"] = json.loads(line[6:])
                elif line == "" and event:
                    received.append(event)
                    event = {}

    task = asyncio.create_task(read())
    try:
        yield await asyncio.wait_for(opened, 10), received
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        await client.aclose()


async def until(predicate: Any, within: float = 10) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.02)


async def test_clients_on_different_processes_co_edit_and_get_each_others_events(
    front: tuple[ServerProcess, list[ServerProcess]],
) -> None:
    entry, (one, two) = front
    workshop = People.on(entry)
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    buyer = await workshop.invite(kam, plan["id"], "Buyer", "customer", "editor")
    sid = section_id(plan, "goals_strategic")
    a = await client_on(entry, sid, kam.token, one.port)
    b = await client_on(entry, sid, buyer.token, two.port)
    try:
        a.push("from process one")
        await b.wait_for(lambda: b.titles() == ["from process one"], within=10)
        b.push("from process two")
        await a.wait_for(lambda: a.titles() == ["from process one", "from process two"], 10)
    finally:
        await a.close()
        await b.close()

    # The buyer's event stream sits on one process; a thread created through the other one
    # reaches it (NOTIFY), and SSE passes nginx unbuffered.
    async with event_stream(entry, plan["id"], buyer.token) as (stream_port, events):
        created: dict[str, Any] = {}
        for _ in range(20):
            r = await kam.http.post(
                f"/api/plans/{plan['id']}/threads",
                json={"section_id": sid, "visibility": "shared", "body": "across processes"},
            )
            assert r.status_code == 201, r.text
            if upstream_port(r.headers) != stream_port:
                created = r.json()
                break
        assert created, "nginx never sent a POST to the other process"
        await until(
            lambda: any(
                e["event"] == "thread.created" and e["data"]["thread"]["id"] == created["id"]
                for e in events
            )
        )
    await workshop.close()


async def test_presence_reaches_a_client_on_the_other_process(
    front: tuple[ServerProcess, list[ServerProcess]],
) -> None:
    """Who is in a section, across processes: a joiner on the other process is sent the
    states already there, states go both ways, and a leaver is gone at once."""
    entry, (one, two) = front
    workshop = People.on(entry)
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    buyer = await workshop.invite(kam, plan["id"], "Cora", "customer", "editor")
    sid = section_id(plan, "goals_tactical")
    a = await client_on(entry, sid, kam.token, one.port)
    b: YClient | None = None
    try:
        await a.set_presence({"user": {"name": "Kari"}}, client_id=a.doc.client_id, clock=1)
        b = await client_on(entry, sid, buyer.token, two.port)
        seen_by_b = b.remote_awareness.states
        await until(lambda: seen_by_b.get(a.doc.client_id, {}).get("user") == {"name": "Kari"})
        await b.set_presence({"user": {"name": "Cora"}}, client_id=b.doc.client_id, clock=1)
        seen_by_a = a.remote_awareness.states
        await until(lambda: seen_by_a.get(b.doc.client_id, {}).get("user") == {"name": "Cora"})
        await a.close()
        await until(lambda: a.doc.client_id not in b.remote_awareness.states)
    finally:
        await a.close()
        if b is not None:
            await b.close()
        await workshop.close()


async def test_killing_one_process_loses_nothing_acknowledged(
    front: tuple[ServerProcess, list[ServerProcess]],
) -> None:
    """Acknowledged: seen by a client on the other process (the server fans an update out
    only after it committed it). Runs last: it kills process one."""
    entry, (one, two) = front
    workshop = People.on(entry)
    kam = await workshop.signup("Kam")
    plan = await workshop.plan(kam)
    sid = section_id(plan, "action_plan")
    writer = await client_on(entry, sid, kam.token, one.port)
    watcher = await client_on(entry, sid, kam.token, two.port)
    for i in range(50):
        writer.push(f"step {i}")
    await watcher.wait_for(lambda: len(watcher.items) == 50, within=15)
    seen = watcher.titles()
    one.kill()
    await writer.wait_closed()
    await writer.close()

    # An empty client through nginx: the dead process is skipped, nothing is missing.
    async with YClient(entry.ws, sid, kam.token) as fresh:
        assert socket_port(fresh) == two.port
        await fresh.wait_synced()
        assert fresh.titles() == seen
        fresh.push("after the kill")
        await watcher.wait_for(lambda: watcher.titles()[-1:] == ["after the kill"], within=10)
    assert not watcher.closed.is_set()
    # REST through nginx goes on answering.
    for _ in range(4):
        r = await kam.http.get(f"/api/plans/{plan['id']}/sections/{sid}/content")
        assert r.status_code == 200
        assert [i["title"] for i in r.json()["items"]] == [*seen, "after the kill"]
    await watcher.close()
    await workshop.close()
