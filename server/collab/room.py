"""A room: one section's live document, its presence and its connections."""

import logging
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, TransactionEvent, merge_updates

from server.collab import guard, layout, protocol
from server.collab.connection import Connection
from server.collab.presence import Presence, PresenceRefused
from server.collab.protocol import (
    AuthMessage,
    AwarenessMessage,
    Message,
    QueryAwarenessMessage,
    SyncMessage,
    SyncStep,
)
from server.collab.wal import WriteAheadLog

log = logging.getLogger(__name__)


class Room:
    def __init__(
        self,
        section_id: str,
        plan_id: str,
        kind: str,
        doc: Doc[Any],
        log_length: int,
        wal: WriteAheadLog,
    ) -> None:
        """`doc` is the section's stored document (guard.assemble)."""
        self.section_id = section_id
        self.plan_id = plan_id
        self.kind = kind
        self.wal = wal
        self.log_length = log_length
        self.compacting = False
        self.connections: set[Connection] = set()
        self.doc = doc
        try:
            layout.ensure_roots(self.doc, kind)
        except Exception:  # a client wrote a root of the wrong type
            log.warning("section %s has a root of an unexpected type", section_id)
        root = layout.root_name(kind)
        self.trial = guard.TrialDocument(root, self.doc)
        # Called when the room's own document failed on an update it had accepted (yrs
        # behaving differently on the copy): the manager closes and reloads the room.
        self.on_broken: Callable[[Room], None] | None = None
        self.broken = False
        self._captured: list[bytes] = []
        self._doc_subscription = self.doc.observe(self._on_transaction)
        self.presence = Presence()
        # Called with (room, change, user id or None for another process's update) after an
        # accepted update changed the document; set by the room manager.
        self.on_change: Callable[[Room, bytes, str | None], None] | None = None
        # Called with (room, awareness update, user id) when this process's connections
        # changed the room's presence, for the other processes; set by the room manager.
        self.on_presence: Callable[[Room, bytes, str], None] | None = None

    # ---- document ----------------------------------------------------------------------

    def _on_transaction(self, event: TransactionEvent) -> None:
        self._captured.append(event.update)

    def apply(self, update: bytes) -> bytes | None:
        """Apply an accepted update; returns what actually changed the document, if anything.

        Raises Refused only if yrs fails on the room's own document, which then cannot be
        trusted: the room is marked broken and the manager replaces it."""
        self._captured.clear()
        try:
            self.doc.apply_update(update)
        except ExceptionGroup:  # an observer (a listener's) failed; the update is in
            log.exception("an observer of section %s failed", self.section_id)
        except BaseException as exc:
            if not guard.failure(exc):
                raise
            log.error(
                "section %s: the room's document failed on an accepted update (%s); reloading",
                self.section_id,
                guard.pack_failure(exc),
            )
            self._captured.clear()
            self.mark_broken()
            raise guard.Refused("the document cannot take this update") from exc
        changes = [u for u in self._captured if u != protocol.EMPTY_UPDATE]
        self._captured.clear()
        if not changes:
            return None
        return changes[0] if len(changes) == 1 else merge_updates(*changes)

    def mark_broken(self) -> None:
        if not self.broken:
            self.broken = True
            if self.on_broken is not None:
                self.on_broken(self)

    def broadcast(self, frame: bytes, *, exclude: Connection | None = None) -> None:
        for conn in self.connections:
            if conn is not exclude:
                conn.send(frame)

    def apply_remote(self, update: bytes) -> None:
        """An update committed by another process: apply it and pass it on to everyone here.

        That process tried it before storing it; it is tried here too, since this room's
        document may differ, and refused (logged, not applied) if it fails."""
        if self.broken:
            return
        try:
            self.trial.check(update)
        except guard.Refused as exc:
            log.error(
                "ignoring an update for section %s from another process: %s", self.section_id, exc
            )
            return
        try:
            change = self.apply(update)
        except guard.Refused:
            return
        if change is not None:
            self.broadcast(protocol.sync_update(change))
            if self.on_change is not None:
                self.on_change(self, change, None)

    # ---- connections -------------------------------------------------------------------

    def join(self, conn: Connection) -> None:
        self.connections.add(conn)
        conn.send(protocol.sync_step1(self.doc.get_state()))
        everyone = self.presence.everyone()
        if everyone is not None:
            conn.send(protocol.awareness(everyone))

    def leave(self, conn: Connection) -> None:
        self.connections.discard(conn)
        if conn.awareness_clients:
            # Presence goes at once, not after the peers' 30 s timeout.
            removal = self.presence.leave(conn)
            if removal is not None:
                self.broadcast(protocol.awareness(removal))
                self._presence_changed(removal, conn.access.user_id)

    # ---- messages ----------------------------------------------------------------------

    async def handle(self, conn: Connection, message: Message) -> None:
        if isinstance(message, SyncMessage):
            await self._handle_sync(conn, message)
        elif isinstance(message, AwarenessMessage):
            self._handle_awareness(conn, message.payload)
        elif isinstance(message, QueryAwarenessMessage):
            everyone = self.presence.everyone()
            if everyone is not None:
                conn.send(protocol.awareness(everyone))
        elif isinstance(message, AuthMessage):
            pass  # clients have nothing to say in the auth protocol

    async def _handle_sync(self, conn: Connection, message: SyncMessage) -> None:
        if message.step == SyncStep.STEP1:
            # The document holds only committed updates (they are applied after their
            # commit), so a joining client is never sent anything that could be lost.
            conn.send(protocol.sync_step2(self.doc.get_update(message.payload)))
            return
        update = message.payload
        if update == protocol.EMPTY_UPDATE:
            return
        # Read-only connections never get here (channel.py refuses their writes).
        if self.broken:
            raise ConnectionError("the room is being reloaded")
        # Tried on the room's trial copy first: an update yrs fails on, or one nesting
        # deeper than the limit, raises Refused (close 4400) before anything is stored.
        self.trial.check(update, message.scan)
        try:
            await self.wal.write(self.section_id, update, conn.access.user_id)
        except BaseException:
            self.trial.invalidate()  # it holds an update that was not committed
            raise
        self.log_length += 1
        change = self.apply(update)
        if change is not None:
            self.broadcast(protocol.sync_update(change), exclude=conn)
            if self.on_change is not None:
                self.on_change(self, change, conn.access.user_id)

    # ---- presence ----------------------------------------------------------------------

    def _handle_awareness(self, conn: Connection, payload: bytes) -> None:
        try:
            change = self.presence.apply(conn, payload)
        except PresenceRefused as exc:
            log.warning("closing %r with %d: %s", conn, exc.code, exc)
            conn.close(exc.code)
            return
        if change is not None:
            self.broadcast(protocol.awareness(change), exclude=conn)
            self._presence_changed(change, conn.access.user_id)

    def apply_remote_presence(self, user_id: str, payload: bytes) -> None:
        """Presence another process's connections changed (raises DecodeError if garbled)."""
        change = self.presence.apply_remote(user_id, payload)
        if change is not None:
            self.broadcast(protocol.awareness(change))

    def _presence_changed(self, change: bytes, user_id: str) -> None:
        if self.on_presence is not None:
            self.on_presence(self, change, user_id)

    def close(self) -> None:
        self.doc.unobserve(self._doc_subscription)
