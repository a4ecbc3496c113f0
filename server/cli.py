"""The `jointplan` command."""

import argparse
import asyncio
import gc
import getpass
import logging
import sys
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.db import create_engine, create_sessionmaker
from server.migrate import upgrade

log = logging.getLogger("jointplan")


def _prepare(settings: Settings) -> None:
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)


SessionWork = Callable[[AsyncSession], Awaitable[None]]


async def _with_session(settings: Settings, work: SessionWork) -> None:
    engine = create_engine(settings.effective_database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await work(session)
    finally:
        await engine.dispose()


def _tune_gc() -> None:
    """Fewer, cheaper garbage collections for a long-running server.

    Every sync message allocates short-lived objects; with the default thresholds the
    collector runs hundreds of times a second and its full passes walk every object the
    app created at start-up, which showed as fan-out latency spikes under load
    (docs/benchmarks.md). Start-up objects are frozen out of collection, and the young
    generation is collected less often.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from server import offload, serving
    from server.app import create_app

    _prepare(settings)
    asyncio.run(upgrade(settings.effective_database_url))
    print(
        f"JointPlan on http://{args.host}:{args.port} (database: "
        f"{'SQLite' if settings.is_sqlite else 'PostgreSQL'})",
        flush=True,
    )
    app = create_app(settings)
    if settings.work_prewarm:
        offload.warm_processes()
    _tune_gc()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=settings.log_level,
        proxy_headers=True,
        # Room for our own size check (which answers 4413) before uvicorn's own limit.
        ws_max_size=max(16 * 1024 * 1024, 2 * settings.collab_max_message_bytes),
        ws_per_message_deflate=settings.ws_per_message_deflate,
        **serving.uvicorn_options(settings),  # protocol, header and idle timeouts
    )
    return 0


def cmd_db_upgrade(settings: Settings, _args: argparse.Namespace) -> int:
    _prepare(settings)
    asyncio.run(upgrade(settings.effective_database_url))
    print("Database is up to date.")
    return 0


def cmd_create_user(settings: Settings, args: argparse.Namespace) -> int:
    from server.auth import service as auth_service
    from server.errors import AppError

    password = args.password or getpass.getpass("Password: ")
    if len(password) < 8:
        print("The password needs at least 8 characters.", file=sys.stderr)
        return 2
    _prepare(settings)
    asyncio.run(upgrade(settings.effective_database_url))

    async def work(session: AsyncSession) -> None:
        user = await auth_service.create_user(
            session, email=args.email, name=args.name, password=password
        )
        print(f"Created {user.email} ({user.id}).")

    try:
        asyncio.run(_with_session(settings, work))
    except AppError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    return 0


def cmd_demo(settings: Settings, _args: argparse.Namespace) -> int:
    from server.demo import seed

    _prepare(settings)
    asyncio.run(upgrade(settings.effective_database_url))

    async def work(session: AsyncSession) -> None:
        for line in await seed(session, settings):
            print(line)

    asyncio.run(_with_session(settings, work))
    return 0


def cmd_verify(settings: Settings, args: argparse.Namespace) -> int:
    """Check an exported plan's agreement record against this server's database."""
    from pathlib import Path

    from server.errors import AppError
    from server.export import verify

    try:
        record = verify.parse_record(Path(args.file).read_bytes())
    except OSError as exc:
        print(f"Cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    except AppError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    result: list[verify.Verification] = []

    async def work(session: AsyncSession) -> None:
        result.append(await verify.verify(session, record, None))

    try:
        asyncio.run(_with_session(settings, work))
    except AppError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    checked = result[0]
    print(f"Plan: {checked.plan_title} ({checked.plan_id})")
    if checked.version is not None:
        v = checked.version
        print(f"{v.verdict.upper():9} version {v.name or v.version_id}: {v.detail}")
    for goal in checked.goals:
        print(f"{goal.verdict.upper():9} {goal.title or goal.goal_id}: {goal.detail}")
    matching = sum(g.verdict == "matches" for g in checked.goals)
    print(f"{matching} of {len(checked.goals)} goals still match.")
    return 0 if checked.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="jointplan", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server (upgrades the database first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)

    db = commands.add_parser("db", help="database maintenance")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply all migrations").set_defaults(func=cmd_db_upgrade)

    create_user = commands.add_parser("create-user", help="create an account")
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--password", help="prompted for when left out")
    create_user.set_defaults(func=cmd_create_user)

    demo = commands.add_parser("demo", help="seed a demo plan with a supplier and a customer user")
    demo.set_defaults(func=cmd_demo)

    verify = commands.add_parser(
        "verify", help="check an exported agreement (Markdown or PDF) against the database"
    )
    verify.add_argument("file")
    verify.set_defaults(func=cmd_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
    )
    code: int = args.func(settings, args)
    return code


if __name__ == "__main__":
    sys.exit(main())
