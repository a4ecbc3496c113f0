"""Fixtures: every test runs against real SQLite and real PostgreSQL, each test isolated.

PostgreSQL comes from JOINTPLAN_TEST_POSTGRES_URL (a server where the user may create
databases). When it is unreachable the PostgreSQL half is skipped, unless
JOINTPLAN_REQUIRE_POSTGRES=1 (as in CI), which turns that into a failure.
"""

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from server.app import create_app
from server.config import Settings
from server.migrate import upgrade
from server.models import Base
from tests.people import People

DEFAULT_PG = "postgresql+asyncpg://jointplan:jointplan@127.0.0.1:5432/postgres"
PG_ADMIN_URL = os.environ.get("JOINTPLAN_TEST_POSTGRES_URL", DEFAULT_PG)
REQUIRE_PG = os.environ.get("JOINTPLAN_REQUIRE_POSTGRES") == "1"
T = TypeVar("T")
pytest_plugins = ["tests.live"]


def in_thread(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run async set-up on its own loop, whatever loop the caller is in."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(work())).result()


async def _pg_admin(sql: str) -> None:
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    name = f"jointplan_test_{uuid.uuid4().hex[:10]}"
    try:
        in_thread(lambda: _pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required but unreachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL unreachable ({exc}); set JOINTPLAN_TEST_POSTGRES_URL")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    in_thread(lambda: upgrade(url))
    yield url
    in_thread(lambda: _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    in_thread(lambda: upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


async def _truncate_all(url: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "jointplan.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url: str = request.getfixturevalue("postgres_url")
    yield url
    in_thread(lambda: _truncate_all(url))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        base_url="http://testserver",
        secret="test-secret",
        web_dist=tmp_path / "no-web",
    )


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[Any]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def engine(app: Any) -> AsyncEngine:
    result: AsyncEngine = app.state.engine
    return result


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as c:
        yield c


@pytest.fixture
async def people(app: Any) -> AsyncIterator[People]:
    registry = People(app=app)
    yield registry
    await registry.close()
