"""Browser tests: Debian's Chromium, driven by Playwright, against a real JointPlan server.

Chromium comes from the system (/usr/bin/chromium, `apt-get install chromium`); Playwright
never downloads a browser. Without Chromium these tests are skipped, unless
JOINTPLAN_REQUIRE_CHROMIUM=1 (as in CI), which turns that into a failure.
"""

import asyncio
import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from playwright.async_api import ViewportSize

from server.demo import DEMO_PLAN_TITLE
from tests.live import ServerProcess, stop_and_check
from tests.people import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("JOINTPLAN_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_CHROMIUM = os.environ.get("JOINTPLAN_REQUIRE_CHROMIUM") == "1"
DIST = ROOT / "web" / "dist" / "index.html"
SHOTS = Path(__file__).resolve().parent / "screenshots"
DEMO_PASSWORD = "jointplan-demo"
KARI = "kari@fjordpack.example"
OLA = "ola@nordlysfoods.example"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WITHIN = 2_000  # ms: what "live" means in a workshop
PROJECTOR: "ViewportSize" = {"width": 1920, "height": 1080}
LAPTOP: "ViewportSize" = {"width": 1280, "height": 800}

try:
    from playwright.async_api import (
        Browser,
        BrowserContext,
        Page,
        WebSocketRoute,
        async_playwright,
    )
except ImportError:  # pragma: no cover - the dev extras install it
    async_playwright = None  # type: ignore[assignment]


def _unavailable(reason: str) -> None:
    if REQUIRE_CHROMIUM:
        pytest.fail(f"browser tests are required (JOINTPLAN_REQUIRE_CHROMIUM=1) but {reason}")
    pytest.skip(reason)


def demo_server(database_url: str, data_dir: Path) -> ServerProcess:
    """A started server on `database_url` with the demo's users and plan in it."""
    if not DIST.is_file():
        pytest.fail("web/dist is not built: run `npm run build` in web/ (scripts/test does)")
    server = ServerProcess(database_url, data_dir)
    env = {
        **os.environ,
        "JOINTPLAN_DATABASE_URL": server.database_url,
        "JOINTPLAN_DATA_DIR": str(data_dir),
        "JOINTPLAN_BASE_URL": server.http,
    }
    subprocess.run(
        [sys.executable, "-m", "server.cli", "demo"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    server.start()
    return server


@pytest.fixture(scope="session")
def e2e_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir = tmp_path_factory.mktemp("e2e")
    server = demo_server(f"sqlite+aiosqlite:///{data_dir / 'jointplan.sqlite3'}", data_dir)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def e2e_server_each_backend(
    live_database: tuple[str, Path], request: pytest.FixtureRequest
) -> Iterator[ServerProcess]:
    """For the module whose story must hold on both backends: the suite's SQLite server, then
    a demo server of its own on PostgreSQL (skipped without one, as in tests/live.py)."""
    url, data_dir = live_database
    if url.startswith("sqlite"):
        yield request.getfixturevalue("e2e_server")
        return
    server = demo_server(url, data_dir)
    yield server
    stop_and_check(server)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator["Browser"]:
    if async_playwright is None:
        _unavailable("the Python package playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.is_file():  # noqa: ASYNC240 - once per session, before any browser
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield browser
        await browser.close()


@dataclass
class Person:
    email: str
    name: str
    token: str
    id: str


class Api:
    """Set-up through the public REST API, as any client would."""

    def __init__(self, server: ServerProcess) -> None:
        self.base = server.http

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=20)

    def login(self, email: str, password: str = DEMO_PASSWORD) -> Person:
        with self.client() as c:
            r = c.post("/api/auth/login", json={"email": email, "password": password})
            assert r.status_code == 200, r.text
            body = r.json()
        return Person(email, body["user"]["name"], body["token"], body["user"]["id"])

    def signup(self, name: str) -> Person:
        email = f"{name.lower()}.{uuid.uuid4().hex[:6]}@example.com"
        with self.client() as c:
            r = c.post(
                "/api/auth/signup", json={"email": email, "name": name, "password": PASSWORD}
            )
            assert r.status_code == 201, r.text
            body = r.json()
        return Person(email, name, body["token"], body["user"]["id"])

    def call(self, who: Person, method: str, path: str, **kwargs: Any) -> Any:
        with self.client(who.token) as c:
            r = c.request(method, path, **kwargs)
            assert r.status_code < 300, r.text
            return r.json() if r.content else None

    def create_plan(self, by: Person, title: str, language: str = "en") -> dict[str, Any]:
        """A key-account plan between the demo's two companies."""
        plan: dict[str, Any] = self.call(
            by,
            "POST",
            "/api/plans",
            json={
                "title": title,
                "supplier_name": "Fjordpack AS",
                "customer_name": "Nordlys Foods ASA",
                "template": "kam",
                "language": language,
            },
        )
        return plan

    def invite(
        self,
        by: Person,
        plan_id: str,
        name: str,
        party: str,
        role: str,
        *,
        signatory: bool = False,
    ) -> Person:
        """An invitation accepted through the REST API, as a new account."""
        email = f"{name.lower()}.{uuid.uuid4().hex[:6]}@example.com"
        invitation = self.call(
            by,
            "POST",
            f"/api/plans/{plan_id}/invitations",
            json={"email": email, "party": party, "role": role, "signatory": signatory},
        )
        with self.client() as c:
            r = c.post(
                f"/api/invitations/{invitation['token']}/accept",
                json={"name": name, "password": PASSWORD},
            )
            assert r.status_code == 200, r.text
            token = r.json()["token"]
        me = self.call(Person(email, name, token, ""), "GET", "/api/auth/me")
        return Person(email, name, token, me["id"])


@pytest.fixture(scope="session")
def api(e2e_server: ServerProcess) -> Api:
    return Api(e2e_server)


@pytest.fixture(scope="session")
def demo_plan(api: Api) -> dict[str, Any]:
    kari = api.login(KARI)
    plans = api.call(kari, "GET", "/api/plans")["items"]
    plan_id = next(p["id"] for p in plans if p["title"] == DEMO_PLAN_TITLE)
    plan: dict[str, Any] = api.call(kari, "GET", f"/api/plans/{plan_id}")
    return plan


def section_id(plan: dict[str, Any], key: str) -> str:
    return str(next(s["id"] for s in plan["sections"] if s["key"] == key))


async def signed_in(
    browser: "Browser",
    server: ServerProcess,
    email: str,
    password: str,
    viewport: "ViewportSize" = PROJECTOR,
) -> "BrowserContext":
    """A browser context with its own session cookie, as a second laptop would have."""
    context = await browser.new_context(
        base_url=server.http, viewport=viewport, locale="en-GB", timezone_id="Europe/Oslo"
    )
    context.set_default_timeout(10_000)
    r = await context.request.post("/api/auth/login", data={"email": email, "password": password})
    assert r.ok, await r.text()
    return context


async def until_stored(
    server: ServerProcess, token: str, plan_id: str, sid: str, text: str, within: float = 10
) -> None:
    """Waits until the server has committed `text` to the section's document, as a sync
    client must before it goes away (what is committed has been sent to every client)."""
    path = f"/api/plans/{plan_id}/sections/{sid}/content"
    deadline = asyncio.get_running_loop().time() + within
    async with httpx.AsyncClient(
        base_url=server.http, headers={"Authorization": f"Bearer {token}"}, timeout=20
    ) as c:
        while True:
            r = await c.get(path)
            assert r.status_code == 200, r.text
            if text in r.text:
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{text!r} not stored in section {sid} within {within} s")
            await asyncio.sleep(0.05)


async def shoot(page: "Page", name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"{name}.png"))


async def live(page: "Page", word: str = "Live") -> None:
    """Waits until every section of the plan is connected and the open one has loaded (a
    shared machine can be slow to open a dozen sockets right after the last page closed)."""
    from playwright.async_api import expect

    await expect(page.locator(".connection")).to_have_text(word, timeout=15_000)
    await expect(page.locator(".section-view__content .loading")).to_have_count(0)


@asynccontextmanager
async def browsers(
    browser: "Browser",
    server: ServerProcess,
    logins: list[tuple[str, str]],
    viewport: "ViewportSize" = PROJECTOR,
) -> AsyncIterator[list["Page"]]:
    """One signed-in browser context and page per (email, password), like laptops in a room."""
    contexts: list[BrowserContext] = []
    try:
        pages = []
        for email, password in logins:
            context = await signed_in(browser, server, email, password, viewport)
            contexts.append(context)
            pages.append(await context.new_page())
        yield pages
    finally:
        for context in contexts:
            await context.close()


@dataclass
class Workshop:
    """A supplier editor and a customer editor in one plan, each in their own browser."""

    plan: dict[str, Any]
    facilitator: Person
    supplier: Person
    customer: Person
    supplier_page: "Page"
    customer_page: "Page"

    def url(self, key: str) -> str:
        return f"/plans/{self.plan['id']}?section={section_id(self.plan, key)}"

    async def both_open(self, key: str) -> None:
        await asyncio.gather(
            self.supplier_page.goto(self.url(key)), self.customer_page.goto(self.url(key))
        )
        await asyncio.gather(live(self.supplier_page), live(self.customer_page))


@asynccontextmanager
async def workshop_for(
    browser: "Browser",
    server: ServerProcess,
    api: Api,
    title: str,
    viewport: "ViewportSize" = PROJECTOR,
) -> AsyncIterator[Workshop]:
    kari = api.login(KARI)
    plan = api.create_plan(kari, title)
    supplier = api.invite(kari, plan["id"], "Sven", "supplier", "editor")
    customer = api.invite(kari, plan["id"], "Cora", "customer", "editor")
    logins = [(supplier.email, PASSWORD), (customer.email, PASSWORD)]
    async with browsers(browser, server, logins, viewport) as (supplier_page, customer_page):
        yield Workshop(plan, kari, supplier, customer, supplier_page, customer_page)


class CutSockets:
    """A page's collaboration sockets, routed through Playwright so a test can cut them (and
    hold the page's new ones) the way a lost network would. Chromium's offline mode leaves open
    WebSockets alive, so `set_offline` alone lets edits through. Route before the page opens
    its sockets (before `goto`)."""

    def __init__(self) -> None:
        self.allowed = True
        self.through: list[tuple[WebSocketRoute, WebSocketRoute]] = []
        self.held: list[WebSocketRoute] = []

    @classmethod
    async def route(cls, page: "Page") -> "CutSockets":
        sockets = cls()
        await page.route_web_socket(re.compile(r"/collab/"), sockets._handle)
        return sockets

    async def _handle(self, ws: "WebSocketRoute") -> None:
        if self.allowed:
            self.through.append((ws, ws.connect_to_server()))
        else:
            self.held.append(ws)  # looks open to the page, never reaches the server

    async def cut(self) -> None:
        self.allowed = False
        for page_side, server_side in self.through:
            await server_side.close()
            await page_side.close(code=1001)
        self.through.clear()

    async def restore(self) -> None:
        """New sockets reach the server again; the held ones close, so the page reconnects."""
        self.allowed = True
        for ws in self.held:
            await ws.close(code=1001)
        self.held.clear()
