"""Every answer carries the headers that keep the app from being framed, sniffed or scripted."""

import httpx
import pytest

from server.config import Settings
from server.security.headers import content_security_policy


@pytest.mark.parametrize(
    "path", ["/", "/plans/x", "/api/auth/me", "/api/plans", "/healthz", "/nope/api"]
)
async def test_security_headers_on_every_response(client: httpx.AsyncClient, path: str) -> None:
    r = await client.get(path)
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    csp = r.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no eval
    assert directives["frame-ancestors"] == "'none'"
    assert directives["connect-src"] == "'self' ws://testserver"
    assert "unsafe-inline" not in directives["style-src"]


async def test_errors_and_origin_refusals_carry_them_too(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/auth/login", json={}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_https_base_url_allows_secure_websockets_only() -> None:
    origins = Settings(base_url="https://plans.example.com", secret="x" * 32).origins
    csp = content_security_policy(origins)
    assert "connect-src 'self' wss://plans.example.com;" in csp
    assert "ws://" not in csp


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="JOINTPLAN_SECRET"):
        Settings(base_url="https://plans.example.com").refuse_unsafe()
    Settings(base_url="http://127.0.0.1:8000").refuse_unsafe()  # development: fine
    Settings(base_url="https://plans.example.com", secret="s" * 32).refuse_unsafe()


async def test_api_docs_get_their_own_looser_policy(client: httpx.AsyncClient) -> None:
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    app_page = await client.get("/plans/x")
    assert "jsdelivr" not in app_page.headers["content-security-policy"]


def test_serve_refuses_to_start_in_production_with_the_default_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from server.cli import main

    monkeypatch.setenv("JOINTPLAN_BASE_URL", "https://plans.example.com")
    monkeypatch.delenv("JOINTPLAN_SECRET", raising=False)
    assert main(["serve", "--port", "1"]) == 2
    assert "JOINTPLAN_SECRET" in capsys.readouterr().err
