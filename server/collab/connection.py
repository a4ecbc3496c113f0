"""One WebSocket client: its authority, its limits and its outgoing queue.

Sending never blocks the room: a frame is written at once while the socket takes it
(see `eager`); once a send has to wait, later frames queue behind it in the connection's
own task, so a slow or closed socket cannot stall the others.
"""

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from collections.abc import Awaitable

from starlette.types import Send
from starlette.websockets import WebSocket, WebSocketState

from server.collab import eager
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
        send: Send,
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
        # The awareness client ids this connection introduced (bounded in presence.py).
        self.awareness_clients: set[int] = set()
        self.closed = False
        self.close_code: int | None = None
        # Set while a fresh access check is pending after a revocation: the connection's
        # messages wait for its verdict (see RoomManager.hold_and_recheck).
        self.held: asyncio.Event | None = None
        # The ASGI server's own send, without Starlette's per-call state checks: this is
        # the hot path (every update, to every client of the room).
        self._send = send
        # Frames waiting while an earlier send waits for the socket to drain.
        self._backlog: deque[bytes] = deque()
        self._backlog_bytes = 0
        self._max_queued_bytes = max_queued_bytes
        self._drain: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<conn {self.id} user={self.access.user_id} section={self.access.section_id}>"

    def send(self, frame: bytes) -> None:
        """Send a frame now if the socket takes it, else after the frames before it."""
        if self.closed:
            return
        if self._drain is not None:
            self._backlog_bytes += len(frame)
            if self._backlog_bytes > self._max_queued_bytes:
                log.warning("%r fell behind by %d bytes; closing", self, self._backlog_bytes)
                # What it has not read it will get again by syncing when it reconnects.
                self._backlog.clear()
                self._backlog_bytes = 0
                self.close(CloseCode.SLOW_CONSUMER)
                return
            self._backlog.append(frame)
            return
        try:
            rest = eager.start(self._send({"type": "websocket.send", "bytes": frame}))
        except Exception:  # the peer went away; the room carries on without it
            self._lost()
            return
        if rest is not None:  # the socket's buffer is full: the rest waits in a task
            self._drain = asyncio.create_task(self._drain_backlog(rest), name=f"collab-{self.id}")

    def hold(self) -> asyncio.Event:
        """Stop handling this client's messages until `release`; a newer hold supersedes."""
        self.held = asyncio.Event()
        return self.held

    def release(self, hold: asyncio.Event) -> None:
        hold.set()
        if self.held is hold:
            self.held = None

    async def wait_released(self) -> None:
        while self.held is not None:
            await self.held.wait()

    def close(self, code: CloseCode) -> None:
        """Close after the frames already sent or waiting (e.g. a permission-denied message)."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        if self._drain is None:
            self._drain = asyncio.create_task(self._drain_backlog(None), name=f"collab-{self.id}")

    def _lost(self) -> None:
        self.closed = True
        self._backlog.clear()

    async def _drain_backlog(self, waiting: Awaitable[None] | None) -> None:
        try:
            if waiting is not None:
                await waiting
            while self._backlog:
                frame = self._backlog.popleft()
                self._backlog_bytes -= len(frame)
                await self._send({"type": "websocket.send", "bytes": frame})
        except Exception:  # the peer went away
            self._lost()
        if self.closed:
            await self._close_socket()  # `finish` waits for this task, so it stays set
        else:
            self._drain = None

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
        if self._drain is not None:
            with contextlib.suppress(Exception):
                await self._drain
        else:  # a send found the peer gone
            await self._close_socket()
