"""The room manager: loads rooms on first join, unloads them when idle, keeps connections'
authority current, and serves each WebSocket."""

import asyncio
import logging
import os
import uuid
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import Receive, Send
from starlette.websockets import WebSocket

from server import events
from server.collab import authz, channel, encoding, guard, layout, store, wal
from server.collab.closecodes import CloseCode
from server.collab.connection import Connection
from server.collab.room import Room
from server.config import Settings

log = logging.getLogger(__name__)


class Peers(Protocol):
    """How this process reaches the others for presence (collab/fanout.py)."""

    def send_presence(self, section_id: str, user_id: str, update: bytes) -> None: ...

    def ask_presence(self, section_id: str) -> None: ...


class RoomListener(Protocol):
    """Told about rooms of this process: other domains follow live documents through this
    (sign-off notices edits of agreed goals). Called on the sync path: return quickly and
    schedule any real work."""

    def room_loaded(self, room: Room) -> None: ...

    def room_changed(self, room: Room, change: bytes, user_id: str | None) -> None:
        """An accepted update changed the document; user_id is None for an update that
        another process accepted (that process tells its own listeners)."""

    def room_unloaded(self, room: Room) -> None: ...


@dataclass
class _Remote:
    id: int  # the log row
    update: bytes | None  # None while it is read from the log; b"" when it could not be


class RoomManager:
    def __init__(self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.is_postgres = not settings.is_sqlite
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.wal = wal.WriteAheadLog(
            settings.effective_database_url, sessionmaker.kw["bind"].dialect, origin=self.origin
        )
        self.rooms: dict[str, Room] = {}
        # The other processes on the same PostgreSQL database (collab/fanout.py), if any.
        self.peers: Peers | None = None
        self._loading: dict[str, asyncio.Future[Room]] = {}
        # Updates from other processes that arrive while their room is loading.
        self._held: dict[str, list[bytes]] = {}
        # Other processes' updates in the order they committed, per section: one too large
        # for its notification is fetched from the log, and those after it wait for it (an
        # update applied before the one it builds on would be refused).
        self._remote: dict[str, deque[_Remote]] = {}
        self._unload_timers: dict[str, asyncio.TimerHandle] = {}
        self._by_plan: dict[str, set[str]] = defaultdict(set)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe: list[Callable[[], None]] = []
        # Numbers access and credential signals, with the newest number per plan and per user
        # (the 10,000 most recent keys), so that a client whose check overlapped a signal
        # concerning it is checked again before it joins its room.
        self._signals = 0
        self._last_signal: OrderedDict[str, int] = OrderedDict()
        self._forgotten_signal = 0
        self._recheck_task: asyncio.Task[None] | None = None
        self.listeners: list[RoomListener] = []

    # ---- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        self.wal.start()
        self._unsubscribe = [
            events.subscribe(events.ACCESS, self.access_changed),
            events.subscribe(events.CREDENTIALS, self.credentials_changed),
        ]
        self._recheck_task = asyncio.create_task(self._periodic_recheck())

    async def stop(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        if self._recheck_task:
            self._recheck_task.cancel()
        for room in list(self.rooms.values()):
            for conn in list(room.connections):
                conn.close(CloseCode.GOING_AWAY)
        await asyncio.sleep(0)
        for task in list(self._tasks):
            task.cancel()
        await self.wal.stop()
        for timer in self._unload_timers.values():
            timer.cancel()
        for room in self.rooms.values():
            room.close()
        self.rooms.clear()

    def add_listener(self, listener: RoomListener) -> Callable[[], None]:
        self.listeners.append(listener)
        return lambda: self.listeners.remove(listener)

    def _tell(self, event: str, room: Room, *args: Any) -> None:
        for listener in list(self.listeners):
            try:
                getattr(listener, event)(room, *args)
            except Exception:
                log.exception("room listener %r failed on %s", listener, event)

    def _changed(self, room: Room, change: bytes, user_id: str | None) -> None:
        self._tell("room_changed", room, change, user_id)

    # ---- presence across processes -----------------------------------------------------

    def _presence_changed(self, room: Room, change: bytes, user_id: str) -> None:
        if self.peers is not None:
            self.peers.send_presence(room.section_id, user_id, change)

    def receive_presence(self, section_id: str, user_id: str, payload: bytes) -> None:
        """Presence that another process's connections changed in a room."""
        room = self.rooms.get(section_id)
        if room is None:
            return
        try:
            room.apply_remote_presence(user_id, payload)
        except encoding.DecodeError:
            log.warning("garbled presence from another process for section %s", section_id)

    def presence_asked(self, section_id: str) -> None:
        """Another process loaded this room: send it the presence of our connections."""
        room = self.rooms.get(section_id)
        if room is None or self.peers is None:
            return
        for user_id, states in room.presence.local_states().items():
            self.peers.send_presence(section_id, user_id, states)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def stats(self) -> dict[str, int]:
        return {
            "rooms": len(self.rooms),
            "connections": sum(len(r.connections) for r in self.rooms.values()),
        }

    # ---- rooms -------------------------------------------------------------------------

    async def acquire(self, access: authz.Access) -> Room:
        """The section's room, loading it once however many clients arrive at the same time."""
        section_id = access.section_id
        timer = self._unload_timers.pop(section_id, None)
        if timer is not None:
            timer.cancel()
        room = self.rooms.get(section_id)
        if room is not None:
            return room
        loading = self._loading.get(section_id)
        if loading is None:
            loading = asyncio.get_running_loop().create_future()
            self._loading[section_id] = loading
            self._held[section_id] = []
            try:
                async with self.sessionmaker() as session:
                    stored = await store.load(session, section_id)
                    doc, bad = guard.assemble(stored.parts, layout.root_name(access.kind))
                    if bad:  # kept aside, so they never break this section again
                        await store.quarantine(session, section_id, bad)
                        await session.commit()
                room = Room(
                    section_id,
                    access.plan_id,
                    access.kind,
                    doc,
                    stored.log_length - sum(1 for p, _ in bad if p.source == "log"),
                    self.wal,
                )
                room.on_broken = self._broken
                for update in self._held.get(section_id, ()):
                    room.apply_remote(update)
                self.rooms[section_id] = room
                self._by_plan[access.plan_id].add(section_id)
                room.on_change = self._changed
                room.on_presence = self._presence_changed
                self._tell("room_loaded", room)
                if self.peers is not None:
                    self.peers.ask_presence(section_id)
                loading.set_result(room)
            except BaseException as exc:
                loading.set_exception(exc)
                loading.exception()  # mark retrieved; every waiter re-raises it
                raise
            finally:
                del self._loading[section_id]
                self._held.pop(section_id, None)
            self._maybe_compact(room)
            return room
        return await asyncio.shield(loading)

    def release(self, room: Room) -> None:
        if room.connections or self.rooms.get(room.section_id) is not room:
            return
        grace = self.settings.collab_room_grace_seconds
        loop = asyncio.get_running_loop()
        self._unload_timers[room.section_id] = loop.call_later(grace, self._unload, room)

    def _unload(self, room: Room) -> None:
        self._unload_timers.pop(room.section_id, None)
        if room.connections or self.rooms.get(room.section_id) is not room:
            return
        del self.rooms[room.section_id]
        self._by_plan[room.plan_id].discard(room.section_id)
        if not self._by_plan[room.plan_id]:
            del self._by_plan[room.plan_id]
        room.close()
        self._tell("room_unloaded", room)
        if room.log_length and not room.compacting:
            # Leave the section compact for whoever opens it next.
            self._spawn(store.compact(self.sessionmaker, room.section_id, self.is_postgres))

    def _broken(self, room: Room) -> None:
        """The room's document failed on an accepted update: it cannot be trusted any more.
        Its clients are closed (they reconnect) and the next joiner loads the section from
        the store, where the update that failed is quarantined if it fails again."""
        if self.rooms.get(room.section_id) is room:
            del self.rooms[room.section_id]
            self._by_plan[room.plan_id].discard(room.section_id)
            if not self._by_plan[room.plan_id]:
                del self._by_plan[room.plan_id]
        timer = self._unload_timers.pop(room.section_id, None)
        if timer is not None:
            timer.cancel()
        for conn in list(room.connections):
            conn.close(CloseCode.INTERNAL_ERROR)
        room.close()
        self._tell("room_unloaded", room)

    def _maybe_compact(self, room: Room) -> None:
        if room.compacting or room.log_length < self.settings.collab_compact_threshold:
            return
        room.compacting = True

        async def run() -> None:
            try:
                folded = await store.compact(self.sessionmaker, room.section_id, self.is_postgres)
                room.log_length = max(0, room.log_length - folded)
            except Exception:  # an optimisation: the next threshold or unload retries
                log.exception("compaction of section %s failed", room.section_id)
            finally:
                room.compacting = False

        self._spawn(run())

    def apply_remote(self, section_id: str, update: bytes) -> None:
        """An update another process committed."""
        if section_id in self._held:
            self._held[section_id].append(update)
        room = self.rooms.get(section_id)
        if room is not None:
            room.apply_remote(update)
            room.log_length += 1

    def wants(self, section_id: str) -> bool:
        return section_id in self.rooms or section_id in self._held

    def receive_remote(self, section_id: str, update_id: int, update: bytes | None) -> None:
        """Another process committed log row `update_id`: its update, or None when it was
        too large for the notification and is to be read from the log. Applied in the
        order they committed."""
        entry = _Remote(update_id, update)
        queue = self._remote.setdefault(section_id, deque())
        queue.append(entry)
        if update is None:
            self._spawn(self._fetch_remote(section_id, entry))
        self._drain_remote(section_id)

    async def _fetch_remote(self, section_id: str, entry: "_Remote") -> None:
        rows: list[tuple[str, bytes]] = []
        try:
            async with self.sessionmaker() as session:
                rows = await store.fetch_updates(session, [entry.id])
        except Exception:
            log.exception("could not read update %s of section %s", entry.id, section_id)
        entry.update = rows[0][1] if rows else b""
        self._drain_remote(section_id)
        if not rows:
            # Compacted away (or unreadable) before it was read: the room reads the section
            # again, which holds it either way.
            room = self.rooms.get(section_id)
            if room is not None:
                await self._resync(room)

    def _drain_remote(self, section_id: str) -> None:
        queue = self._remote.get(section_id)
        while queue and queue[0].update is not None:
            update = queue.popleft().update
            if update:
                self.apply_remote(section_id, update)
        if not queue:
            self._remote.pop(section_id, None)

    async def resync_all(self) -> None:
        """Re-read every loaded room's stored updates (idempotent for a CRDT)."""
        for room in list(self.rooms.values()):
            await self._resync(room)

    async def _resync(self, room: Room) -> None:
        async with self.sessionmaker() as session:
            stored = await store.load(session, room.section_id)
        for update in stored.updates:
            room.apply_remote(update)

    # ---- authority ---------------------------------------------------------------------

    def _count_signal(self, key: str | None) -> None:
        self._signals += 1
        if key is None:
            self._forgotten_signal = self._signals
            return
        self._last_signal[key] = self._signals
        self._last_signal.move_to_end(key)
        while len(self._last_signal) > 10_000:
            _, number = self._last_signal.popitem(last=False)
            self._forgotten_signal = number

    def _signalled_since(self, number: int, access: authz.Access) -> bool:
        return (
            max(
                self._forgotten_signal,
                self._last_signal.get(f"plan:{access.plan_id}", 0),
                self._last_signal.get(f"user:{access.user_id}", 0),
            )
            > number
        )

    def access_changed(self, plan_id: str) -> None:
        """Access to the plan's sections changed (members, roles, sections, archiving)."""
        self._count_signal(f"plan:{plan_id}")
        for section_id in list(self._by_plan.get(plan_id, ())):
            room = self.rooms.get(section_id)
            if room is not None:
                self.hold_and_recheck(room, list(room.connections))

    def credentials_changed(self, user_id: str) -> None:
        """Some of the user's sessions or tokens were revoked (sign-out, revocation)."""
        self._count_signal(f"user:{user_id}")
        for room in list(self.rooms.values()):
            conns = [c for c in room.connections if c.access.user_id == user_id]
            if conns:
                self.hold_and_recheck(room, conns)

    def recheck_everything(self) -> None:
        """After signals may have been missed (the PostgreSQL listener reconnected)."""
        self._count_signal(None)
        for room in list(self.rooms.values()):
            self.hold_and_recheck(room, list(room.connections))

    def hold_and_recheck(self, room: Room, conns: list[Connection]) -> None:
        """Hold the connections' messages until a fresh check has decided.

        Called synchronously from the after-commit signal, which in the process that made
        the change runs before its request answers: whatever the client sends after that
        answer is handled under the new rules, never the old ones."""
        conns = [c for c in conns if not c.closed]
        for conn in conns:
            conn.hold()
        if conns:
            self._spawn(self.recheck(room, conns))

    async def recheck(self, room: Room, conns: list[Connection] | None = None) -> None:
        """Apply the current rules to open connections of the room (all by default)."""
        candidates = list(room.connections if conns is None else conns)
        # Holds taken before this point were taken after their change committed, so the read
        # below sees that change.
        holds = [(c, c.held) for c in candidates if c.held is not None]
        try:
            await self._apply_verdicts(room, [c for c in candidates if not c.closed], holds)
        finally:
            for conn, hold in holds:
                conn.release(hold)

    async def _apply_verdicts(
        self,
        room: Room,
        conns: list[Connection],
        holds: list[tuple[Connection, asyncio.Event]],
    ) -> None:
        if not conns:
            return
        try:
            async with self.sessionmaker() as session:
                await authz.enforce(session, room.section_id, conns)
        except Exception:
            log.exception("access check failed for section %s", room.section_id)
            # Without a verdict a held client may not carry on; it reconnects and is checked.
            for conn, _ in holds:
                conn.close(CloseCode.INTERNAL_ERROR)

    async def _periodic_recheck(self) -> None:
        # Catches what no event announces: expired or revoked tokens.
        while True:
            await asyncio.sleep(self.settings.collab_recheck_seconds)
            for room in list(self.rooms.values()):
                try:
                    await self.recheck(room)
                except Exception:  # one room's failure must not stop the others' checks
                    log.exception("periodic access check failed for %s", room.section_id)

    # ---- serving one WebSocket ---------------------------------------------------------

    async def serve(
        self, websocket: WebSocket, section_id: str, receive: Receive, send: Send
    ) -> None:
        """Serve one client; `receive` and `send` are the ASGI server's own, used directly
        for the sync messages once the socket is open."""
        await websocket.accept()
        checked = self._signals
        access = await self._authorize(websocket, section_id)
        if isinstance(access, CloseCode):
            await websocket.close(access, "")
            return
        room = await self.acquire(access)
        while self._signalled_since(checked, access):
            # A revocation or access change concerning this client committed while it was
            # being checked or its room loaded: decide again, so it never joins on a stale
            # verdict.
            checked = self._signals
            access = await self._authorize(websocket, section_id)
            if isinstance(access, CloseCode):
                self.release(room)
                await websocket.close(access, "")
                return
        settings = self.settings
        conn = Connection(
            websocket,
            send,
            access,
            max_queued_bytes=settings.collab_max_queued_bytes,
            rate=settings.collab_rate_per_second,
            burst=settings.collab_rate_burst,
        )
        room.join(conn)
        try:
            await channel.receive(conn, room, receive, self.settings, self._handled)
        finally:
            room.leave(conn)
            await conn.finish()
            self.release(room)

    async def _authorize(self, websocket: WebSocket, section_id: str) -> authz.Access | CloseCode:
        async with self.sessionmaker() as session:
            access = await authz.authorize(session, websocket, section_id)
            await session.commit()  # token last-used time
        return access

    def _handled(self, room: Room) -> None:
        if room.log_length >= self.settings.collab_compact_threshold:
            self._maybe_compact(room)
