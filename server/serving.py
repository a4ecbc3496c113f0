"""How uvicorn serves the app: the HTTP protocol, its size limits and timeouts
(docs/limits.md).

uvicorn times out only idle keep-alive connections (and any byte that arrives resets that
timer), and its httptools parser bounds neither the size nor the time of a request's head.
So the server runs on uvicorn's h11 protocol, which caps the head
(`h11_max_incomplete_event_size`), with one addition: a connection must deliver a complete
request head within `http_header_seconds` of connecting or of finishing its last response,
else it is closed. A socket that connects and sends nothing, or trickles a header a byte at
a time, costs at most that long.
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from server.config import Settings

MAX_HEAD_BYTES = 16 * 1024  # h11's default, stated: a request line and headers


class HeaderTimeoutH11(H11Protocol):
    header_seconds: float = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self._waiting_for_head():
            self._arm_header_timer()
        super().data_received(data)
        if not self._waiting_for_head():
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._cancel_header_timer()
            self._arm_header_timer()

    def handle_websocket_upgrade(self, event: Any) -> None:
        self._cancel_header_timer()
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _waiting_for_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_header_timer(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_seconds, self._head_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _head_too_slow(self) -> None:
        self._header_timer = None
        if self._waiting_for_head() and not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    protocol = type(
        "HeaderTimeoutH11", (HeaderTimeoutH11,), {"header_seconds": settings.http_header_seconds}
    )
    return {
        "http": protocol,
        "timeout_keep_alive": settings.http_keep_alive_seconds,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        # uvicorn's 20 s + 20 s would keep a vanished participant "present" for up to 40 s.
        "ws_ping_interval": settings.ws_ping_seconds,
        "ws_ping_timeout": settings.ws_ping_seconds,
    }
