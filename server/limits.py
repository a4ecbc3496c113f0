"""Front-door limit on request bodies, per route class (docs/limits.md).

A request whose Content-Length already says it is too large is answered 413 at once,
before any route, dependency or database work runs and without reading a byte of the
body. A body without a length (chunked), or one that lies, is counted as the server
streams it in and cut off with 413 when it passes the cap, so the application never holds
more than the cap. (Starlette's own `max_body_size` answers in plain text, not in the
JSON error shape, which is why this is not it.)
"""

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLarge(HTTPException):
    """Raised from receive(): an HTTPException so that FastAPI's body reading passes it on
    to the error handler (payload_too_large) rather than turning it into a 400."""

    def __init__(self) -> None:
        super().__init__(413, "The request body is larger than this route accepts.")


class DeclaredBodyLimit:
    def __init__(self, app: ASGIApp, *, default: int, routes: dict[str, int]) -> None:
        self.app = app
        self.default = default
        self.routes = routes  # exact path → its own cap

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            limit = self.routes.get(scope["path"], self.default)
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                await _refuse(send, limit)
                return
        else:
            await self.app(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "error": "payload_too_large",
            "detail": f"The request body is larger than this route accepts ({limit} bytes).",
        }
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The body is never read, so the connection cannot carry another request.
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
