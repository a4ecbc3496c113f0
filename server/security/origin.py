"""Refuses cookie-authenticated requests and WebSockets sent from another browser origin.

SameSite=Lax keeps the cookie off cross-site requests, but a sibling subdomain or another port
on the same host is "same-site" and gets it. So every request that could change something,
and every WebSocket handshake, that a browser may have sent on its own (no bearer header) must
come from an allowed origin. Bearer-token clients are not affected: a page on another origin
cannot set `Authorization` without a CORS preflight, which this server never grants.

Without an `Origin` header: browsers send one on every WebSocket handshake and every
non-GET/HEAD request, so its absence means a non-browser client (curl, a script), which could
not have borrowed a victim's cookie. One exception: a browser that withheld `Origin` still says
`Sec-Fetch-Site`; `cross-site` or `same-site` without an allowed `Origin` is refused too.
"""

import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from server.auth.dependencies import SESSION_COOKIE

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_FOREIGN_FETCH_SITES = frozenset({"cross-site", "same-site"})


def _has_bearer(headers: Headers) -> bool:
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(value.strip())


def _has_session_cookie(headers: Headers) -> bool:
    return any(
        part.strip().startswith(f"{SESSION_COOKIE}=")
        for line in headers.getlist("cookie")
        for part in line.split(";")
    )


def origin_allowed(headers: Headers, allowed: frozenset[str]) -> bool:
    """Whether a browser on an allowed origin (or no browser at all) sent this."""
    origin = headers.get("origin")
    if origin is not None:
        return origin.strip().lower() in allowed
    return headers.get("sec-fetch-site", "").lower() not in _FOREIGN_FETCH_SITES


def needs_check(scope: Scope, headers: Headers) -> bool:
    """Requests a browser could send with the victim's cookie and that may change something."""
    if _has_bearer(headers):
        return False
    if scope["type"] == "websocket":
        # Only the cookie is sent by the browser itself; a `token` query was put there by the
        # page, which then had the token already.
        return _has_session_cookie(headers)
    # Sign-in and sign-up are checked too, although they carry no cookie yet: another origin
    # must not sign the browser into an account of its choosing.
    return scope["type"] == "http" and scope["method"] not in _SAFE_METHODS


class OriginGuardMiddleware:
    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not needs_check(scope, headers) or origin_allowed(headers, self.allowed):
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "error": "origin_not_allowed",
                "detail": "This request came from a page on another site "
                "(its Origin is not JOINTPLAN_BASE_URL or JOINTPLAN_ALLOWED_ORIGINS).",
            }
        ).encode()
        if scope["type"] == "http":
            await _http_403(send, body)
        else:
            await _refuse_handshake(scope, receive, send, body)


async def _http_403(send: Send, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 403,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _refuse_handshake(scope: Scope, receive: Receive, send: Send, body: bytes) -> None:
    """HTTP 403 instead of the upgrade: the socket never opens, so no content is ever sent."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if "websocket.http.response" in scope.get("extensions", {}):
        await send(
            {
                "type": "websocket.http.response.start",
                "status": 403,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "websocket.http.response.body", "body": body})
    else:  # a close before accept is answered with 403 by the ASGI server
        await send({"type": "websocket.close", "code": 1008})
