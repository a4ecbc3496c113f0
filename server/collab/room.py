"""A room: one section's live document, its presence and its connections."""

import logging
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, TransactionEvent, merge_updates

from server.collab import protocol, schema
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
from server.collab.store import WriteAheadLog

log = logging.getLogger(__name__)


class Room:
    def __init__(
        self,
        section_id: str,
        plan_id: str,
        kind: str,
        updates: list[bytes],
        log_length: int,
        wal: WriteAheadLog,
    ) -> None:
        self.section_id = section_id
        self.plan_id = plan_id
        self.kind = kind
        self.wal = wal
        self.log_length = log_length
        self.compacting = False
        self.connections: set[Connection] = set()
        self.doc: Doc[Any] = Doc()
        for update in updates:
            try:
                self.doc.apply_update(update)
            except ValueError:
                log.error("skipping an unreadable stored update of section %s", section_id)
        try:
            schema.ensure_roots(self.doc, kind)
        except Exception:  # a client wrote a root of the wrong type
            log.warning("section %s has a root of an unexpected type", section_id)
        self._captured: list[bytes] = []
        self._doc_subscription = self.doc.observe(self._on_transaction)
        self.presence = Presence()
        # Called with (room, change, user id or None for another process's update) after an
        # accepted update changed the document; set by the room manager.
        self.on_change: Callable[[Room, bytes, str | None], None] | None = None

    # ---- document ----------------------------------------------------------------------

    def _on_transaction(self, event: TransactionEvent) -> None:
        self._captured.append(event.update)

    def apply(self, update: bytes) -> bytes | None:
        """Apply an update; returns what actually changed the document, if anything."""
        self._captured.clear()
        self.doc.apply_update(update)
        changes = [u for u in self._captured if u != protocol.EMPTY_UPDATE]
        self._captured.clear()
        if not changes:
            return None
        return changes[0] if len(changes) == 1 else merge_updates(*changes)

    def broadcast(self, frame: bytes, *, exclude: Connection | None = None) -> None:
        for conn in self.connections:
            if conn is not exclude:
                conn.send(frame)

    def apply_remote(self, update: bytes) -> None:
        """An update committed by another process: apply it and pass it on to everyone here."""
        try:
            change = self.apply(update)
        except ValueError:
            log.error(
                "ignoring an unreadable update for section %s from another process", self.section_id
            )
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
        if not conn.can_write:
            if message.step == SyncStep.UPDATE or protocol.adds_anything(
                update, self.doc.get_state()
            ):
                conn.send(protocol.permission_denied("This section is read-only for you."))
            return
        await self.wal.write(self.section_id, update, conn.access.user_id)
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

    def close(self) -> None:
        self.doc.unobserve(self._doc_subscription)
