import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from server.migrate import alembic_config, upgrade
from server.models import Base


def _diff(metadata: MetaData) -> Any:
    def compare(connection: Connection) -> Any:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)

    return compare


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    """`alembic upgrade head` builds exactly the schema the models describe."""
    async with engine.connect() as connection:
        diff = await connection.run_sync(_diff(Base.metadata))
    assert diff == []


async def test_the_comparison_sees_a_missing_migration(engine: AsyncEngine) -> None:
    # Guards the test above: a model without a migration must show up as a difference.
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("not_migrated", metadata, Column("id", Integer, primary_key=True))
    async with engine.connect() as connection:
        diff = await connection.run_sync(_diff(metadata))
    assert [(op[0], op[1].name) for op in diff] == [("add_table", "not_migrated")]


def _tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows if not name.startswith("sqlite_")}


async def test_sqlite_downgrade_to_base_and_upgrade_again(tmp_path: Path) -> None:
    path = tmp_path / "roundtrip.sqlite3"
    url = f"sqlite+aiosqlite:///{path}"
    models = set(Base.metadata.tables)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()

    await upgrade(url)
    assert _tables(path) == models | {"alembic_version"}

    await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
    assert _tables(path) == {"alembic_version"}

    await upgrade(url)
    assert _tables(path) == models | {"alembic_version"}
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]
