import asyncio
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory

from server.app import create_app
from server.cli import main
from server.config import Settings
from server.migrate import alembic_config
from server.models import Base


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite file that the `jointplan` command is pointed at, as a user would."""
    path = tmp_path / "data" / "jointplan.sqlite3"
    monkeypatch.chdir(tmp_path)  # no stray .env from the working directory
    monkeypatch.setenv("JOINTPLAN_DATA_DIR", str(path.parent))
    monkeypatch.setenv("JOINTPLAN_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("JOINTPLAN_BASE_URL", "http://127.0.0.1:8000")
    return path


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(sql).fetchall()


@dataclass
class SignIn:
    status: int
    name: str | None
    plan_titles: list[str]


async def sign_in(path: Path, email: str, password: str) -> SignIn:
    """Sign in through the API of a server on this database; what the person sees."""
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{path}",
        data_dir=path.parent,
        web_dist=path.parent / "no-web",
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        response = await c.post("/api/auth/login", json={"email": email, "password": password})
        if response.status_code != 200:
            return SignIn(response.status_code, None, [])
        body = response.json()
        plans = await c.get("/api/plans", headers={"Authorization": f"Bearer {body['token']}"})
        return SignIn(200, body["user"]["name"], [p["title"] for p in plans.json()["items"]])


def test_db_upgrade_creates_the_schema(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert "Database is up to date." in capsys.readouterr().out
    tables = {name for (name,) in query(database, "SELECT name FROM sqlite_master")}
    assert set(Base.metadata.tables) <= tables
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert query(database, "SELECT version_num FROM alembic_version") == [(head,)]
    # Running it again is harmless.
    assert main(["db", "upgrade"]) == 0


def test_demo_prints_both_users_and_is_idempotent(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo"]) == 0
    first = capsys.readouterr().out
    assert "kari@fjordpack.example" in first
    assert "ola@nordlysfoods.example" in first
    assert first.count("password: jointplan-demo") == 2
    plan_url = re.search(r"http://127\.0\.0\.1:8000/plans/(\w+)", first)
    assert plan_url is not None

    assert main(["demo"]) == 0
    second = capsys.readouterr().out
    assert plan_url.group(0) in second
    assert query(database, "SELECT id, title FROM plan") == [
        (plan_url.group(1), "Fjordpack × Nordlys Foods 2027–2031")
    ]
    assert query(database, "SELECT count(*) FROM user") == [(2,)]
    assert sorted(query(database, "SELECT party, role FROM member")) == [
        ("customer", "editor"),
        ("supplier", "facilitator"),
    ]
    sections = query(database, "SELECT count(*) FROM section")[0][0]
    assert isinstance(sections, int)
    assert sections >= 10


async def test_demo_users_sign_in_with_the_printed_password(
    database: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert await asyncio.to_thread(main, ["demo"]) == 0
    out = capsys.readouterr().out
    users = re.findall(r"(\S+@\S+)\s+password: (\S+)", out)
    assert len(users) == 2
    for email, password in users:
        seen = await sign_in(database, email, password)
        assert seen.status == 200, email
        assert seen.plan_titles == ["Fjordpack × Nordlys Foods 2027–2031"]
    assert (await sign_in(database, users[0][0], "not the password")).status == 401


async def test_create_user_then_sign_in(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["create-user", "--email", "Ada@Example.com", "--name", "Ada"]
    assert await asyncio.to_thread(main, [*argv, "--password", "analytical engine"]) == 0
    assert "Created ada@example.com" in capsys.readouterr().out
    ada = await sign_in(database, "ada@example.com", "analytical engine")
    assert (ada.status, ada.name, ada.plan_titles) == (200, "Ada", [])

    again = await asyncio.to_thread(main, [*argv, "--password", "another password"])
    assert again == 1
    assert "already exists" in capsys.readouterr().err
    assert (await sign_in(database, "ada@example.com", "another password")).status == 401

    short = await asyncio.to_thread(
        main, ["create-user", "--email", "bob@example.com", "--name", "Bob", "--password", "short"]
    )
    assert short == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert query(database, "SELECT email FROM user") == [("ada@example.com",)]
