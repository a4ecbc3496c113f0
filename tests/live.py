"""A real JointPlan server process per test module and backend, and helpers to drive it.

Loaded as a pytest plugin by tests/conftest.py, so every test folder can use its fixtures."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import in_thread
from tests.people import People

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServerProcess:
    database_url: str
    data_dir: Path
    env_extra: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    # How far tests have read the log for tracebacks (see `_server_log_watch`).
    log_checked: int = 0

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {
            **os.environ,
            "JOINTPLAN_DATABASE_URL": self.database_url,
            "JOINTPLAN_DATA_DIR": str(self.data_dir),
            "JOINTPLAN_BASE_URL": self.http,
            "JOINTPLAN_LOG_LEVEL": "info",  # so the access lines are there to check
            "JOINTPLAN_COLLAB_ROOM_GRACE_SECONDS": "0.5",
            "JOINTPLAN_WORK_PREWARM": "false",  # most live tests never export
            **self.env_extra,
        }
        self.log_path = self.data_dir / f"server-{self.port}.log"
        log = self.log_path.open("ab")
        self.log_checked = log.tell()
        _watched.append(self)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 90) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.logs()}")
            try:
                if httpx.get(f"{self.http}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.logs()}")

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


# ---- the servers' logs: a traceback no test expected fails the test ---------------------

# Server processes started and not yet read to their end after they stopped.
_watched: list[ServerProcess] = []
_RECORD_START = re.compile(r"^(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)[: ]", re.MULTILINE)
_EXPECTED = pytest.StashKey[list[re.Pattern[str]]]()


def server_tracebacks(server: ServerProcess) -> list[str]:
    """The log records with a traceback that the server wrote since the last look."""
    if server.log_path is None or not server.log_path.exists():
        return []
    with server.log_path.open("rb") as f:
        f.seek(server.log_checked)
        chunk = f.read()
    # Only whole lines: the server may be writing the rest of one right now.
    end = chunk.rfind(b"\n") + 1
    server.log_checked += end
    text = chunk[:end].decode(errors="replace")
    starts = [m.start() for m in _RECORD_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    records = [text[a:b] for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    return [r for r in records if "Traceback (most recent call last)" in r]


@pytest.fixture
def expect_server_errors(request: pytest.FixtureRequest) -> Any:
    """Declare tracebacks this test makes the server log on purpose:
    `expect_server_errors("could not commit", ...)`; each a regex searched in the record
    (its message line and traceback)."""

    def expect(*patterns: str) -> None:
        request.node.stash.setdefault(_EXPECTED, []).extend(re.compile(p) for p in patterns)

    return expect


@pytest.fixture(autouse=True)
def _server_log_watch(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, read what the live servers logged meanwhile (also servers the test
    started and stopped): a traceback the test did not declare fails it."""
    yield
    if not _watched:
        return
    expected = request.node.stash.get(_EXPECTED, [])
    unexpected: list[str] = []
    for server in list(_watched):
        stopped = server.process is None or server.process.poll() is not None
        for record in server_tracebacks(server):
            if not any(p.search(record) for p in expected):
                unexpected.append(f"{server.log_path}:\n{record}")
        if stopped:
            _watched.remove(server)
    if unexpected:
        pytest.fail(
            "the server logged tracebacks this test did not expect "
            "(fix the bug, or declare them with expect_server_errors):\n\n" + "\n".join(unexpected),
            pytrace=False,
        )


def _pg_database() -> Iterator[str]:
    from sqlalchemy.engine import make_url

    from tests.conftest import PG_ADMIN_URL, REQUIRE_PG, _pg_admin

    name = f"jointplan_live_{uuid.uuid4().hex[:10]}"
    try:
        in_thread(lambda: _pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required but unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable ({exc})")
    yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    in_thread(lambda: _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    data_dir = tmp_path_factory.mktemp("live")
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{data_dir / 'jointplan.sqlite3'}", data_dir
        return
    for url in _pg_database():
        yield url, data_dir


@pytest.fixture(scope="module")
def server(live_database: tuple[str, Path]) -> Iterator[ServerProcess]:
    url, data_dir = live_database
    process = ServerProcess(url, data_dir)
    process.start()
    yield process
    stop_and_check(process)


def stop_and_check(process: ServerProcess) -> None:
    """Stops a module's server and fails on what it logged after the last test, while
    shutting down."""
    process.stop()
    tail = server_tracebacks(process)
    if process in _watched:
        _watched.remove(process)
    if tail:
        pytest.fail("the server logged tracebacks while stopping:\n\n" + "\n".join(tail))


@pytest.fixture
def second_server(live_database: tuple[str, Path]) -> Iterator[Callable[[], ServerProcess]]:
    """More server processes on the module's database (PostgreSQL: several processes serve
    one plan, as behind a load balancer); each call starts one, all stop after the test."""
    started: list[ServerProcess] = []

    def start() -> ServerProcess:
        process = ServerProcess(*live_database)
        process.start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


def require_several_processes(live_database: tuple[str, Path]) -> None:
    if live_database[0].startswith("sqlite"):
        pytest.skip("SQLite mode is one process by design")


@pytest.fixture
async def workshop(server: ServerProcess) -> AsyncIterator[People]:
    w = People.on(server)
    yield w
    await w.close()


def section_id(plan: dict[str, Any], key: str) -> str:
    return str(next(s["id"] for s in plan["sections"] if s["key"] == key))
