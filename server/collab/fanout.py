"""Cross-process fan-out over PostgreSQL LISTEN/NOTIFY.

Every committed batch of updates is announced with NOTIFY inside its own transaction
(wal.WriteAheadLog); each process LISTENs and applies what other processes committed to
the rooms it has loaded. Access changes travel the same way (server.events).

Presence travels on its own channel: what a process's connections changed in a room's
awareness (already checked and re-encoded by presence.py) goes to the others, which hold it
as remote clients; a process that loads a room asks the others for the presence they hold.
Those notifications are sent from this listener's connection, in batches, and dropped when
it is down or the queue is full: presence is renewed every 15 s anyway.
"""

import asyncio
import base64
import contextlib
import json
import logging
from typing import Any

import asyncpg

from server import events
from server.collab import presence, wal
from server.collab.manager import RoomManager
from server.db import asyncpg_dsn

log = logging.getLogger(__name__)

PRESENCE_CHANNEL = "jointplan_presence"
# PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; base64 and JSON add a third.
PRESENCE_PART_BYTES = 5000
OUTBOX_MAX = 10_000
BATCH_MAX = 100


class PostgresFanout:
    def __init__(self, database_url: str, manager: RoomManager) -> None:
        self.dsn = asyncpg_dsn(database_url)
        self.manager = manager
        self._connection: Any = None
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()
        self._confirming: set[asyncio.Task[None]] = set()
        self._confirm_lock = asyncio.Lock()  # one query at a time on the connection
        self._outbox: asyncio.Queue[str] = asyncio.Queue(OUTBOX_MAX)
        self._sender: asyncio.Task[None] | None = None
        self._dropped = 0

    async def start(self) -> None:
        try:
            await self._connect()
        except (OSError, asyncpg.PostgresError):
            log.exception("PostgreSQL listener not connected yet; retrying every second")
        self._task = asyncio.create_task(self._supervise(), name="collab-fanout")
        self._sender = asyncio.create_task(self._send_presence(), name="collab-presence-out")
        self.manager.peers = self

    async def stop(self) -> None:
        self.manager.peers = None
        for task in (self._task, self._sender):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()

    async def _connect(self) -> None:
        connection = await asyncpg.connect(
            self.dsn,
            server_settings={"application_name": events.LISTENER_NAME_PREFIX + events.ORIGIN},
        )
        await connection.add_listener(wal.NOTIFY_CHANNEL, self._on_update)
        for channel in events.CHANNELS:
            await connection.add_listener(channel, self._on_signal)
        await connection.add_listener(events.ACK, self._on_ack)
        await connection.add_listener(PRESENCE_CHANNEL, self._on_presence)
        self._connection = connection
        self.connected.set()

    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(1)
            if self._connection is not None and not self._connection.is_closed():
                continue
            self.connected.clear()
            log.warning("lost the PostgreSQL listener connection; reconnecting")
            try:
                await self._connect()
            except (OSError, asyncpg.PostgresError):
                log.exception("could not reconnect the PostgreSQL listener")
                continue
            # Notifications were missed while disconnected: reload what is stored, and apply
            # any access change or revocation at once rather than at the periodic check.
            self.manager.recheck_everything()
            await self.manager.resync_all()

    def _on_update(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            body = json.loads(payload)
        except ValueError:
            return
        if body.get("o") == self.manager.origin:
            return
        section_id, update_id = body.get("s"), body.get("i")
        if not isinstance(section_id, str) or not isinstance(update_id, int):
            return
        if not self.manager.wants(section_id):
            return
        inline = base64.b64decode(body["u"]) if "u" in body else None
        self.manager.receive_remote(section_id, update_id, inline)

    def _on_signal(self, _conn: Any, _pid: int, channel: str, payload: str) -> None:
        tag = events.from_notification(channel, payload)
        if tag is not None:
            # The affected connections are held by now: tell the sender, who waits for it.
            task = asyncio.create_task(self._confirm(tag))
            self._confirming.add(task)
            task.add_done_callback(self._confirming.discard)

    async def _confirm(self, tag: str) -> None:
        try:
            async with self._confirm_lock:
                await self._connection.execute(
                    "SELECT pg_notify($1, $2)", events.ACK, f"{tag} {events.ORIGIN}"
                )
        except Exception:  # the sender stops waiting after a second
            log.exception("could not confirm signal %s", tag)

    def _on_ack(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        events.acknowledged(payload)

    # ---- presence ----------------------------------------------------------------------

    def send_presence(self, section_id: str, user_id: str, update: bytes) -> None:
        for part in presence.split(update, PRESENCE_PART_BYTES):
            self._post(
                {
                    "o": self.manager.origin,
                    "s": section_id,
                    "u": user_id,
                    "a": base64.b64encode(part).decode("ascii"),
                }
            )

    def ask_presence(self, section_id: str) -> None:
        self._post({"o": self.manager.origin, "s": section_id, "q": 1})

    def _post(self, body: dict[str, Any]) -> None:
        try:
            self._outbox.put_nowait(json.dumps(body, separators=(",", ":")))
        except asyncio.QueueFull:
            self._dropped += 1
            if self._dropped % 1000 == 1:
                log.warning("presence to other processes dropped (%d so far)", self._dropped)

    async def _send_presence(self) -> None:
        while True:
            batch = [await self._outbox.get()]
            while len(batch) < BATCH_MAX and not self._outbox.empty():
                batch.append(self._outbox.get_nowait())
            if self._connection is None or self._connection.is_closed():
                continue  # presence is renewed; nothing to replay
            try:
                async with self._confirm_lock:
                    await self._connection.execute(
                        "SELECT pg_notify($1, p) "
                        "FROM unnest($2::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n",
                        PRESENCE_CHANNEL,
                        batch,
                    )
            except Exception:
                log.exception("could not send presence to the other processes")

    def _on_presence(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            body = json.loads(payload)
            if body.get("o") == self.manager.origin:
                return
            section_id = body["s"]
            if not isinstance(section_id, str) or not self.manager.wants(section_id):
                return
            if "q" in body:
                self.manager.presence_asked(section_id)
                return
            user_id, update = body["u"], base64.b64decode(body["a"], validate=True)
        except (ValueError, KeyError, TypeError):
            log.warning("unreadable presence notification")
            return
        if isinstance(user_id, str):
            self.manager.receive_presence(section_id, user_id, update)
