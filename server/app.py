import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server import offload
from server.auth.router import plan_router as auth_plan_router
from server.auth.router import router as auth_router
from server.auth.throttle import LoginThrottle
from server.collab.fanout import PostgresFanout
from server.collab.manager import RoomManager
from server.collab.router import router as collab_router
from server.comments.digest import run_digests
from server.comments.router import router as comments_router
from server.config import Settings
from server.db import create_engine, create_sessionmaker
from server.errors import install_error_handlers
from server.export import verify
from server.export.router import router as export_router
from server.follow.router import router as follow_router
from server.limits import DeclaredBodyLimit
from server.logs import install_redaction
from server.plans.router import router as plans_router
from server.security.headers import SecurityHeadersMiddleware
from server.security.origin import OriginGuardMiddleware
from server.signoff.router import router as signoff_router
from server.signoff.watcher import AgreementWatcher
from server.stream.router import router as stream_router
from server.stream.service import StreamHub
from server.versions.router import router as versions_router
from server.web import mount_web


def route_id(route: APIRoute) -> str:
    """Operation ids for the generated TypeScript client: `plans-create_plan`."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    settings.refuse_unsafe()
    install_redaction()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Each part is stopped in the reverse order of its start, also when a later part
        # fails to start: nothing is left running behind a failed start.
        async with AsyncExitStack() as parts:
            parts.callback(offload.stop_processes)
            engine = create_engine(settings.effective_database_url)
            parts.push_async_callback(engine.dispose)
            app.state.engine = engine
            app.state.sessionmaker = create_sessionmaker(engine)
            rooms = RoomManager(settings, app.state.sessionmaker)
            app.state.rooms = rooms
            await rooms.start()
            parts.push_async_callback(rooms.stop)
            watcher = AgreementWatcher(app.state.sessionmaker)
            rooms.add_listener(watcher)
            watcher.start()
            parts.push_async_callback(watcher.stop)
            app.state.stream_hub = StreamHub()
            parts.callback(app.state.stream_hub.close)
            if settings.smtp_enabled:
                digests = asyncio.create_task(run_digests(app.state.sessionmaker, settings))
                parts.push_async_callback(_cancelled, digests)
            if not settings.is_sqlite:
                fanout = PostgresFanout(settings.effective_database_url, rooms)
                parts.push_async_callback(fanout.stop)
                await fanout.start()
            yield

    app = FastAPI(
        title="JointPlan",
        version="0.1.0",
        summary="Joint key-account planning for a supplier and its customer.",
        lifespan=lifespan,
        generate_unique_id_function=route_id,
    )
    app.state.settings = settings
    offload.configure(settings.work_threads, settings.work_processes, settings.work_seconds)
    app.state.login_throttle = LoginThrottle(
        free_failures=settings.login_max_failures,
        base_delay=settings.login_lockout_seconds,
        max_delay=max(settings.login_max_lockout_seconds, settings.login_lockout_seconds),
        max_entries=settings.login_throttle_entries,
    )
    install_error_handlers(app)
    # Innermost first: the body cap, then origins, headers on every answer, the client address.
    app.add_middleware(
        DeclaredBodyLimit,
        default=settings.max_body_bytes,
        routes={"/api/verify": verify.MAX_BYTES},
    )
    app.add_middleware(OriginGuardMiddleware, allowed=settings.origins)
    app.add_middleware(SecurityHeadersMiddleware, origins=settings.origins)
    if settings.trusted_proxy_list:
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)

    @app.get("/healthz", tags=["meta"])
    async def healthz() -> dict[str, str | int]:
        """The process is up; how many live rooms and connections it holds."""
        rooms: RoomManager = app.state.rooms
        return {"status": "ok", **rooms.stats()}

    @app.get("/readyz", tags=["meta"])
    async def readyz() -> JSONResponse:
        """The database is reachable; `quarantined`: stored document updates that could not
        be read and were set aside (`jointplan doctor` lists them)."""
        try:
            async with app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
                quarantined = await _quarantined(connection)
        except (OSError, SQLAlchemyError):
            return JSONResponse(
                {"error": "database_unavailable", "detail": "The database is not reachable."}, 503
            )
        return JSONResponse({"status": "ready", "quarantined": quarantined})

    async def _quarantined(connection: AsyncConnection) -> int | None:
        try:
            return int(await connection.scalar(text("SELECT count(*) FROM section_quarantine")))
        except SQLAlchemyError:  # a database not upgraded yet
            return None

    app.include_router(auth_router)
    app.include_router(auth_plan_router)
    app.include_router(plans_router)
    app.include_router(collab_router)
    app.include_router(stream_router)
    app.include_router(comments_router)
    app.include_router(signoff_router)
    app.include_router(versions_router)
    app.include_router(export_router)
    app.include_router(follow_router)
    mount_web(app, settings.web_dist)
    return app
