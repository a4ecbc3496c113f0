import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from server.app import create_app
from server.config import Settings
from tests.conftest import _pg_admin

INDEX = "<!doctype html><title>JointPlan test build</title><div id=root></div>"


@asynccontextmanager
async def serve(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as c,
    ):
        yield c


def local_settings(
    tmp_path: Path, *, database_url: str | None = None, web_dist: Path | None = None
) -> Settings:
    return Settings(
        database_url=database_url or f"sqlite+aiosqlite:///{tmp_path / 'app.sqlite3'}",
        data_dir=tmp_path,
        web_dist=web_dist or tmp_path / "no-web",
    )


def built_dist(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "app-1234.js").write_text("console.log('jointplan')")
    (dist / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "secret.txt").write_text("outside the dist folder")
    return dist


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    health = await client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "quarantined": 0})


async def test_readyz_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "jointplan.sqlite3"
    async with serve(local_settings(tmp_path, database_url=f"sqlite+aiosqlite:///{missing}")) as c:
        assert (await c.get("/healthz")).status_code == 200
        ready = await c.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["error"] == "database_unavailable"


async def test_readyz_is_503_when_postgresql_goes_away(postgres_url: str, tmp_path: Path) -> None:
    name = f"jointplan_ready_{uuid.uuid4().hex[:10]}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    url = make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    try:
        async with serve(local_settings(tmp_path, database_url=url)) as c:
            assert (await c.get("/readyz")).status_code == 200
            await _pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)')
            assert (await c.get("/healthz")).status_code == 200
            ready = await c.get("/readyz")
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    assert ready.status_code == 503
    assert ready.json() == {
        "error": "database_unavailable",
        "detail": "The database is not reachable.",
    }


async def test_docs_and_openapi(tmp_path: Path) -> None:
    async with serve(local_settings(tmp_path)) as c:
        docs = await c.get("/docs")
        schema = (await c.get("/openapi.json")).json()
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()
    assert schema["info"]["title"] == "JointPlan"
    assert schema["paths"]["/api/plans"]["post"]["operationId"] == "plans-create_plan"
    assert schema["paths"]["/api/auth/login"]["post"]["operationId"] == "auth-login"
    operation_ids = [
        operation["operationId"] for path in schema["paths"].values() for operation in path.values()
    ]
    assert len(operation_ids) == len(set(operation_ids))
    assert all(op.count("-") == 1 and " " not in op for op in operation_ids), operation_ids
    # The web app's catch-all route is no API.
    assert "/{path}" not in schema["paths"]


async def test_unknown_api_path_is_json_404(tmp_path: Path) -> None:
    async with serve(local_settings(tmp_path, web_dist=built_dist(tmp_path))) as c:
        for path in ("/api/nope", "/api/plans/abc/nope", "/collab/x/y"):
            response = await c.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"] == "application/json"
            assert response.json() == {"error": "not_found", "detail": "Not found."}


async def test_client_routes_serve_the_built_web_app(tmp_path: Path) -> None:
    async with serve(local_settings(tmp_path, web_dist=built_dist(tmp_path))) as c:
        for path in ("/", "/plans/abc", "/invite/inv_123"):
            page = await c.get(path)
            assert (page.status_code, page.text) == (200, INDEX), path
            assert page.headers["content-type"].startswith("text/html")
        script = await c.get("/assets/app-1234.js")
        assert script.text == "console.log('jointplan')"
        icon = await c.get("/favicon.svg")
        assert icon.headers["content-type"].startswith("image/svg")
        assert (await c.get("/assets/missing.js")).status_code == 404


async def test_not_built_page_without_a_dist_folder(tmp_path: Path) -> None:
    async with serve(local_settings(tmp_path)) as c:
        page = await c.get("/plans/abc")
    assert page.status_code == 200
    assert "has not been built" in page.text
    assert "/docs" in page.text


async def test_paths_cannot_escape_the_dist_folder(tmp_path: Path) -> None:
    async with serve(local_settings(tmp_path, web_dist=built_dist(tmp_path))) as c:
        for path in (
            "/..%2f..%2f..%2f..%2f..%2f..%2fetc/passwd",
            "/..%2fsecret.txt",
            "/%2e%2e/secret.txt",
            "/assets/..%2f..%2fsecret.txt",
        ):
            response = await c.get(path)
            assert "root:" not in response.text, path
            assert "outside the dist folder" not in response.text, path
            assert response.status_code in (200, 404), path
            if response.status_code == 200:
                assert response.text == INDEX, path


async def test_unknown_api_paths_are_json_404_for_every_method(client: httpx.AsyncClient) -> None:
    for method in ("GET", "POST", "PATCH", "DELETE", "PUT"):
        for path in ("/api/nope", "/api", "/collab"):
            response = await client.request(method, path)
            assert response.status_code == 404, (method, path)
            assert response.json()["error"] == "not_found"


async def test_a_failed_start_stops_what_had_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A part that fails to start leaves nothing running: the parts started before it are
    stopped, the last started first, and the failure reaches whoever started the app."""
    from server.collab.manager import RoomManager
    from server.signoff.watcher import AgreementWatcher

    stopped: list[str] = []
    real_stop = RoomManager.stop

    async def rooms_stop(self: RoomManager) -> None:
        stopped.append("rooms")
        await real_stop(self)

    def watcher_start(self: AgreementWatcher) -> None:
        raise RuntimeError("the watcher cannot start")

    monkeypatch.setattr(RoomManager, "stop", rooms_stop)
    monkeypatch.setattr(AgreementWatcher, "start", watcher_start)
    app = create_app(local_settings(tmp_path))
    with pytest.raises(RuntimeError, match="cannot start"):
        async with app.router.lifespan_context(app):
            raise AssertionError("the app must not start")
    assert stopped == ["rooms"]
    # The room manager's access check is not left running.
    assert app.state.rooms._recheck_task.cancelled()
