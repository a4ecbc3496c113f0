"""A room's presence (y-protocols awareness), bounded and owned per connection.

Awareness states come from other people's browsers: a connection may speak only for the
client ids it introduced, introduce only a few, and each state is small. What the room
keeps is what its connections announced, nothing more: a joiner is sent the states of the
clients that are there.

The wire format and its clock rules are y-protocols' own (`awareness.js`), so stock
`WebsocketProvider` clients need nothing special. Those clients re-send every awareness
entry they receive (the provider's update handler does not look at the origin), so entries
for other connections' client ids are a normal part of the traffic: they are dropped
without their JSON being parsed, not answered with a close.

With several processes on one PostgreSQL database, each process tells the others what its
own connections changed (collab/fanout.py); those entries are held here as *remote*
clients, owned by the user they came from, and forwarded to this process's connections. A
remote client not renewed within REMOTE_TIMEOUT_SECONDS (its process died) is forgotten.
"""

import json
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from server.collab import encoding, protocol
from server.collab.closecodes import CloseCode
from server.collab.connection import Connection

# A browser tab has one client id; a reconnect with a fresh Y.Doc may bring another.
MAX_CLIENTS_PER_CONNECTION = 4
# A stock client's state (user, colour, a caret as two relative positions) is a few hundred
# bytes; 4 KiB of JSON leaves room for a long name and a selection.
MAX_STATE_BYTES = 4096
# An honest frame is the sender's own entry or an echo of one the server sent, which lists
# at most the clients the room knows; anything longer is refused before it is read.
FRAME_ENTRIES_SLACK = 64
# How long a departed client id stays reserved for its user (y-protocols' outdated timeout):
# late echoes of its last state are dropped, and only the same user may take it up again.
TOMBSTONE_SECONDS = 30.0
# A client renews its state every 15 s (y-protocols); a remote one silent for twice that
# has gone with its process.
REMOTE_TIMEOUT_SECONDS = 30.0
# Entries one notification from another process may carry (it lists one user's clients).
REMOTE_ENTRIES_MAX = 256


class PresenceRefused(Exception):
    """The connection broke a presence limit; it is closed with `code`."""

    def __init__(self, code: CloseCode, detail: str) -> None:
        super().__init__(detail)
        self.code = code


def _no_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity; JSON.parse in the other browsers would throw.
    raise encoding.DecodeError(f"awareness state holds {name}")


@dataclass(slots=True)
class _Client:
    clock: int
    state: bytes | None  # JSON text as received; None once removed
    owner: Connection | None  # None once the connection that spoke for it closed, or remote
    user_id: str
    left_at: float = 0.0


class Presence:
    def __init__(self) -> None:
        self._clients: dict[int, _Client] = {}
        # Client ids whose connection closed, oldest first (for expiry).
        self._departed: OrderedDict[int, None] = OrderedDict()
        # Live clients of other processes, least recently renewed first.
        self._remote: OrderedDict[int, float] = OrderedDict()
        self._everyone: bytes | None = None  # cached awareness update of all live states

    def everyone(self) -> bytes | None:
        """An awareness update with every live state, or None when nobody is present."""
        self._expire()
        if self._everyone is None:
            live = [(i, c.clock, c.state) for i, c in self._clients.items() if c.state is not None]
            self._everyone = _encode(live) if live else b""
        return self._everyone or None

    def apply(self, conn: Connection, payload: bytes) -> bytes | None:
        """Apply what a connection sent; returns the awareness update to forward to the
        room's other connections, if anything changed. Raises DecodeError for a
        malformed update and PresenceRefused past a limit (nothing of that frame is
        applied)."""
        self._expire()
        entries = protocol.decode_awareness(payload, len(self._clients) + FRAME_ENTRIES_SLACK)
        if entries is None:
            raise PresenceRefused(CloseCode.TOO_LARGE, "awareness update lists too many clients")
        pending: dict[int, tuple[int, bytes | None]] = {}
        new_ids: list[int] = []
        for client_id, clock, state in entries:
            if len(state) > MAX_STATE_BYTES:
                raise PresenceRefused(CloseCode.TOO_LARGE, f"awareness state of {len(state)} bytes")
            known = self._clients.get(client_id)
            taking_over = known is not None and known.owner is not conn
            if taking_over and known is not None and known.user_id != conn.access.user_id:
                continue  # another connection's client (usually an echo): dropped unread
            if client_id in pending:
                current, current_state = pending[client_id]
            elif known is not None:
                current, current_state = known.clock, known.state
            else:
                current, current_state = 0, None
            # y-protocols' rule: a newer clock, or a removal at the same clock.
            if clock < current or (
                clock == current and (state != b"null" or current_state is None)
            ):
                continue  # old, or the same-clock echo of what the room already has
            removal = state == b"null" or _parse(state) is None
            if removal and (current_state is None or (taking_over and client_id not in pending)):
                continue  # nothing to remove, or not this connection's to remove
            if (
                (known is None or taking_over)
                and client_id not in conn.awareness_clients
                and client_id not in pending
            ):
                if len(conn.awareness_clients) + len(new_ids) >= MAX_CLIENTS_PER_CONNECTION:
                    raise PresenceRefused(
                        CloseCode.RATE_LIMITED,
                        f"more than {MAX_CLIENTS_PER_CONNECTION} awareness clients",
                    )
                new_ids.append(client_id)
            pending[client_id] = (clock, None if removal else state)
        if not pending:
            return None
        conn.awareness_clients.update(new_ids)
        for client_id, (clock, new_state) in pending.items():
            known = self._clients.get(client_id)
            if known is None:
                self._clients[client_id] = _Client(clock, new_state, conn, conn.access.user_id)
            else:
                known.clock, known.state, known.owner = clock, new_state, conn
                known.user_id = conn.access.user_id
                self._departed.pop(client_id, None)
                self._remote.pop(client_id, None)
        changed = [
            (client_id, clock, new_state) for client_id, (clock, new_state) in pending.items()
        ]
        self._everyone = None
        return _encode(changed)

    def apply_remote(self, user_id: str, payload: bytes) -> bytes | None:
        """Apply what another process's connections (all of `user_id`) changed, as that
        process checked and re-encoded it; returns the update to forward to this process's
        connections, if anything changed. Raises DecodeError for a malformed update."""
        self._expire()
        entries = protocol.decode_awareness(payload, REMOTE_ENTRIES_MAX)
        if entries is None:
            raise encoding.DecodeError("remote awareness update lists too many clients")
        now = time.monotonic()
        changed: list[tuple[int, int, bytes | None]] = []
        for client_id, clock, state in entries:
            known = self._clients.get(client_id)
            if known is not None and known.owner is not None and known.user_id != user_id:
                continue  # someone else's connection here speaks for it
            current, current_state = (known.clock, known.state) if known else (0, None)
            if clock < current or (
                clock == current and (state != b"null" or current_state is None)
            ):
                continue
            removal = state == b"null"
            if removal and current_state is None:
                continue
            new_state = None if removal else state
            if known is None:
                known = self._clients[client_id] = _Client(clock, new_state, None, user_id)
            else:
                if known.owner is not None:  # the same user's tab moved to another process
                    known.owner.awareness_clients.discard(client_id)
                known.clock, known.state, known.owner = clock, new_state, None
                known.user_id = user_id
            if removal:
                known.left_at = now
                self._remote.pop(client_id, None)
                self._departed[client_id] = None
            else:
                self._departed.pop(client_id, None)
                self._remote[client_id] = now
                self._remote.move_to_end(client_id)
            changed.append((client_id, clock, new_state))
        if not changed:
            return None
        self._everyone = None
        return _encode(changed)

    def local_states(self) -> dict[str, bytes]:
        """The live states of this process's own connections, one awareness update per
        user (what another process that just loaded the room asks for)."""
        by_user: dict[str, list[tuple[int, int, bytes | None]]] = {}
        for client_id, c in self._clients.items():
            if c.owner is not None and c.state is not None:
                by_user.setdefault(c.user_id, []).append((client_id, c.clock, c.state))
        return {user_id: _encode(entries) for user_id, entries in by_user.items()}

    def leave(self, conn: Connection) -> bytes | None:
        """A connection closed: its clients' states go; returns the removal to broadcast."""
        now = time.monotonic()
        removed: list[tuple[int, int, bytes | None]] = []
        for client_id in conn.awareness_clients:
            known = self._clients.get(client_id)
            if known is None or known.owner is not conn:
                continue  # taken over by the same user's newer connection
            if known.state is not None:
                removed.append((client_id, known.clock, None))
            known.state, known.owner, known.left_at = None, None, now
            self._departed[client_id] = None
        self._expire()
        if not removed:
            return None
        self._everyone = None
        return _encode(removed)

    def _expire(self) -> None:
        if self._remote:
            now = time.monotonic()
            silent = now - REMOTE_TIMEOUT_SECONDS
            while self._remote:
                client_id, seen = next(iter(self._remote.items()))
                if seen > silent:
                    break
                del self._remote[client_id]
                known = self._clients.get(client_id)
                if known is not None and known.owner is None and known.state is not None:
                    # The browsers drop it on their own timeout; joiners are not sent it.
                    known.state, known.left_at = None, now
                    self._departed[client_id] = None
                    self._everyone = None
        if not self._departed:
            return
        deadline = time.monotonic() - TOMBSTONE_SECONDS
        while self._departed:
            client_id = next(iter(self._departed))
            known = self._clients.get(client_id)
            if known is not None and known.owner is None and known.left_at > deadline:
                return
            del self._departed[client_id]
            if known is not None and known.owner is None:
                del self._clients[client_id]


def _parse(state: bytes) -> Any:
    try:
        # As text: json.loads would take bytes for UTF-16 too, the browsers read UTF-8.
        return json.loads(state.decode("utf-8"), parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # RecursionError: deeply nested arrays
        raise encoding.DecodeError("awareness state is not JSON") from exc


def split(update: bytes, max_bytes: int) -> list[bytes]:
    """An awareness update as parts of at most about `max_bytes` (one entry each when the
    whole is larger), for a transport with a size limit."""
    if len(update) <= max_bytes:
        return [update]
    entries = protocol.decode_awareness(update, len(update)) or []
    return [
        _encode([(i, clock, None if state == b"null" else state)]) for i, clock, state in entries
    ]


def _encode(entries: Sequence[tuple[int, int, bytes | None]]) -> bytes:
    parts = [encoding.var_uint(len(entries))]
    for client_id, clock, state in entries:
        parts.append(encoding.var_uint(client_id))
        parts.append(encoding.var_uint(clock))
        parts.append(encoding.var_bytes(b"null" if state is None else state))
    return b"".join(parts)
