"""One client's socket into its room: the receive loop.

Everything a frame meets before the room sees it, in order: the frame's type and size, the
connection's rate, strict decoding, a pending access re-check (the frame waits for its
verdict), and read-only enforcement. Whatever the frame does wrong costs this connection
only (closed with the code of `closecodes`); the room and its other clients carry on.
"""

import logging
from collections.abc import Callable

from starlette.types import Receive

from server.collab import encoding, protocol
from server.collab.closecodes import CloseCode
from server.collab.connection import Connection
from server.collab.protocol import Message, SyncMessage, SyncStep
from server.collab.room import Room
from server.config import Settings

log = logging.getLogger(__name__)


async def receive(
    conn: Connection,
    room: Room,
    receive: Receive,
    settings: Settings,
    handled: Callable[[Room], None],
) -> None:
    """Serve the connection's frames until it closes; `handled(room)` after each message
    the room took."""
    limit = settings.collab_max_message_bytes
    while not conn.closed:
        message = await receive()
        if message["type"] != "websocket.receive":  # websocket.disconnect
            return
        frame = message.get("bytes")
        if frame is None:
            refuse(conn, CloseCode.BAD_MESSAGE, "text frame")
            return
        if len(frame) > limit:
            refuse(conn, CloseCode.TOO_LARGE, f"{len(frame)} bytes")
            return
        if not conn.limiter.allow():
            refuse(conn, CloseCode.RATE_LIMITED, "rate limit")
            return
        try:
            decoded = protocol.decode(frame)
        except encoding.DecodeError as exc:
            refuse(conn, CloseCode.BAD_MESSAGE, str(exc))
            return
        if conn.held is not None:  # a revocation is being checked
            await conn.wait_released()
            if conn.closed:
                return
        if _refused_write(conn, room, decoded):
            continue
        try:
            await room.handle(conn, decoded)
        except ValueError as exc:
            refuse(conn, CloseCode.BAD_MESSAGE, str(exc))
            return
        except Exception:  # a bug must cost one connection, never the room
            log.exception("could not process a message from %r", conn)
            conn.close(CloseCode.INTERNAL_ERROR)
            return
        handled(room)


def _refused_write(conn: Connection, room: Room, message: Message) -> bool:
    """A read-only connection's update goes no further; it is told so when it tried to
    write (a sync step 2 that adds nothing is the normal answer of a reader's client)."""
    if conn.can_write or not isinstance(message, SyncMessage):
        return False
    if message.step == SyncStep.STEP1 or message.payload == protocol.EMPTY_UPDATE:
        return False
    if message.step == SyncStep.UPDATE or protocol.adds_anything(
        message.payload, room.doc.get_state()
    ):
        conn.send(protocol.permission_denied("This section is read-only for you."))
    return True


def refuse(conn: Connection, code: CloseCode, detail: str) -> None:
    log.warning("closing %r with %d: %s", conn, code, detail)
    conn.close(code)
