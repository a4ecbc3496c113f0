"""Security headers on every response.

The Content-Security-Policy allows only the app's own scripts (no inline script, no eval),
its own stylesheets (no `<style>` elements or `style` attributes in markup; React and
ProseMirror set styles through the CSSOM, which CSP does not restrict, and the editor's base
CSS ships in the stylesheet instead of being injected), and connections to itself over HTTP
and WebSocket. tests/e2e/test_csp.py drives the app in Chromium and fails on any refusal.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def content_security_policy(origins: frozenset[str]) -> str:
    sockets = sorted(
        o.replace("https://", "wss://", 1).replace("http://", "ws://", 1) for o in origins
    )
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src " + " ".join(["'self'", *sockets]),
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# FastAPI's interactive API docs (/docs, /redoc) are an inline script loading Swagger UI or
# ReDoc from jsDelivr; they get their own, looser policy, on those pages only.
_DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
_DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
        "font-src 'self' https://fonts.gstatic.com",
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, origins: frozenset[str]) -> None:
        self.app = app
        common = [
            ("X-Frame-Options", "DENY"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            ("Cross-Origin-Opener-Policy", "same-origin"),
        ]
        self.headers = [("Content-Security-Policy", content_security_policy(origins)), *common]
        self.docs_headers = [("Content-Security-Policy", _DOCS_POLICY), *common]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        extra = self.docs_headers if scope["path"] in _DOCS_PATHS else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in extra:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
