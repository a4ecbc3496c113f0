"""One WebSocket client: its authority, its limits and its outgoing queue.

Sending never blocks the room: frames go into a per-connection queue drained by the
connection's own task, so a slow or closed socket cannot stall the others.
"""

import asyncio
import contextlib
import itertools
import logging
import time

from starlette.websockets import WebSocket, WebSocketState

from server.collab.authz import Access
from server.collab.closecodes import REASONS, CloseCode

log = logging.getLogger(__name__)
_ids = itertools.count(1)


class RateLimiter:
    """Token bucket: `rate` messages per second sustained, `burst` at once."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class Connection:
    def __init__(
        self,
        websocket: WebSocket,
        access: Access,
        *,
        max_queued_bytes: int,
        rate: float,
        burst: float,
    ) -> None:
        self.id = next(_ids)
        self.websocket = websocket
        self.access = access
        self.can_write = access.can_write
        self.limiter = RateLimiter(rate, burst)
        self.awareness_clients: set[int] = set()
        self.closed = False
        self.close_code: int | None = None
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self._queued_bytes = 0
        self._max_queued_bytes = max_queued_bytes
        self._sender: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<conn {self.id} user={self.access.user_id} section={self.access.section_id}>"

    def start(self) -> None:
        self._sender = asyncio.create_task(self._send_loop(), name=f"collab-send-{self.id}")

    def send(self, frame: bytes) -> None:
        if self.closed:
            return
        self._queued_bytes += len(frame)
        if self._queued_bytes > self._max_queued_bytes:
            log.warning("%r fell behind by %d bytes; closing", self, self._queued_bytes)
            self.close(CloseCode.SLOW_CONSUMER)
            return
        self._queue.put_nowait(frame)

    def close(self, code: CloseCode) -> None:
        """Close after the frames already queued (e.g. a permission-denied message)."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        self._queue.put_nowait(None)

    async def _send_loop(self) -> None:
        try:
            while True:
                frame = await self._queue.get()
                if frame is None:
                    break
                self._queued_bytes -= len(frame)
                await self.websocket.send_bytes(frame)
        except Exception:  # the peer went away; the room carries on without it
            self.closed = True
        finally:
            await self._close_socket()

    async def _close_socket(self) -> None:
        if self.websocket.application_state == WebSocketState.DISCONNECTED:
            return
        code = self.close_code or CloseCode.NORMAL
        with contextlib.suppress(Exception):
            await self.websocket.close(code, REASONS.get(CloseCode(code), ""))

    async def finish(self) -> None:
        """Stop sending and wait for the socket to close."""
        if not self.closed:
            self.close(CloseCode.NORMAL)
        if self._sender is not None:
            with contextlib.suppress(Exception):
                await self._sender
