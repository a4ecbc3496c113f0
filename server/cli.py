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

    try:
        settings.refuse_unsafe()
    except ValueError as exc:
        print(f"Not starting: {exc}", file=sys.stderr)
        return 2
    _prepare(settings)
    asyncio.run(upgrade(settings.effective_database_url))
    print(
        f"JointPlan on http://{args.host}:{args.port} (database: "
        f"{'SQLite' if settings.is_sqlite else 'PostgreSQL'})",
        flush=True,
    )
    app = create_app(settings)
    if settings.work_prewarm:
        offload.warm_processes("server.export.pdf", "server.export.verify")
    _tune_gc()
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=settings.log_level,
        # X-Forwarded-For is read in the app, from JOINTPLAN_TRUSTED_PROXIES only.
        proxy_headers=False,
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
    from server.auth.passwords import check_password
    from server.errors import AppError

    password = args.password or getpass.getpass("Password: ")
    try:
        check_password(password, email=args.email)
    except AppError as exc:
        print(exc.message, file=sys.stderr)
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


def cmd_doctor(settings: Settings, args: argparse.Namespace) -> int:
    """List the stored document updates set aside because they cannot be read; with --scan
    read every section first (setting aside what fails), with --export write them out."""
    import json
    from pathlib import Path

    from sqlalchemy import select

    from server.collab import guard, layout, store
    from server.collab.models import SectionQuarantine
    from server.plans.models import Plan, Section

    _prepare(settings)
    asyncio.run(upgrade(settings.effective_database_url))
    found: list[tuple[SectionQuarantine, str, str]] = []

    async def work(session: AsyncSession) -> None:
        if args.scan:
            for section_id, kind in (await session.execute(select(Section.id, Section.kind))).all():
                stored = await store.load(session, section_id)
                _doc, bad = guard.assemble(stored.parts, layout.root_name(kind))
                if bad:
                    await store.quarantine(session, section_id, bad)
        rows = await session.execute(
            select(SectionQuarantine, Section.key, Plan.title)
            .join(Section, Section.id == SectionQuarantine.section_id)
            .join(Plan, Plan.id == Section.plan_id)
            .order_by(SectionQuarantine.section_id, SectionQuarantine.id)
        )
        found.extend((r[0], r[1], r[2]) for r in rows)

    asyncio.run(_with_session(settings, work))
    if not found:
        print("No quarantined document updates.")
        return 0
    by_section: dict[str, list[SectionQuarantine]] = {}
    for row, key, title in found:
        if row.section_id not in by_section:
            print(f"section {row.section_id} ({key} in plan {title!r}):")
        by_section.setdefault(row.section_id, []).append(row)
        where = row.source if row.source_id is None else f"log row {row.source_id}"
        print(
            f"  #{row.id} {where}, {len(row.data)} bytes, "
            f"set aside {row.quarantined_at:%Y-%m-%d %H:%M}: {row.reason}"
        )
    print(f"{len(found)} quarantined in {len(by_section)} section(s).")
    if args.export:
        folder = Path(args.export)
        folder.mkdir(parents=True, exist_ok=True)
        manifest = []
        for row, key, _title in found:
            name = f"{row.section_id}-{row.id}.bin"
            (folder / name).write_bytes(row.data)
            manifest.append(
                {
                    "file": name,
                    "section_id": row.section_id,
                    "section_key": key,
                    "source": row.source,
                    "source_id": row.source_id,
                    "reason": row.reason,
                    "written_at": row.created_at.isoformat() if row.created_at else None,
                    "quarantined_at": row.quarantined_at.isoformat(),
                }
            )
        (folder / "quarantine.json").write_text(json.dumps(manifest, indent=2) + "\n")
        print(f"Wrote {len(found)} file(s) and quarantine.json to {folder}.")
    return 0


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

    doctor = commands.add_parser(
        "doctor", help="list stored document updates set aside because they cannot be read"
    )
    doctor.add_argument(
        "--scan", action="store_true", help="read every section first, setting aside what fails"
    )
    doctor.add_argument("--export", metavar="DIR", help="write them out for a bug report")
    doctor.set_defaults(func=cmd_doctor)
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
