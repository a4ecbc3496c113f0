"""The y-websocket wire protocol: strict decoding of client frames, encoding of server frames.

Frames from clients are untrusted: every length is bounds-checked and anything unexpected
raises DecodeError, which closes that connection only.
"""

from dataclasses import dataclass
from enum import IntEnum

from pycrdt import get_state

from server.collab import guard
from server.collab.encoding import DecodeError, Reader, var_bytes

MESSAGE_SYNC = 0
MESSAGE_AWARENESS = 1
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3

EMPTY_UPDATE = b"\x00\x00"
# lib0 (the browsers' decoder) refuses larger numbers.
MAX_SAFE_INTEGER = 2**53 - 1


class SyncStep(IntEnum):
    STEP1 = 0
    STEP2 = 1
    UPDATE = 2


@dataclass(frozen=True, slots=True)
class SyncMessage:
    step: SyncStep
    payload: bytes  # a state vector for STEP1, an update otherwise
    scan: guard.Scan = guard.NO_CONTENT  # what guard.scan found in an update


@dataclass(frozen=True, slots=True)
class AwarenessMessage:
    payload: bytes


@dataclass(frozen=True, slots=True)
class QueryAwarenessMessage:
    pass


@dataclass(frozen=True, slots=True)
class AuthMessage:
    pass


Message = SyncMessage | AwarenessMessage | QueryAwarenessMessage | AuthMessage


def decode(frame: bytes) -> Message:
    """Decode one client frame; raises DecodeError for anything malformed."""
    reader = Reader(frame)
    message = _decode(reader)
    if not reader.done():
        raise DecodeError("trailing bytes after message")
    return message


def _decode(reader: Reader) -> Message:
    kind = reader.uint()
    if kind == MESSAGE_SYNC:
        step = reader.uint()
        if step not in (0, 1, 2):
            raise DecodeError(f"unknown sync step {step}")
        payload = reader.buffer()
        if step == SyncStep.STEP1:
            _check_state_vector(payload)
            return SyncMessage(SyncStep(step), payload)
        return SyncMessage(SyncStep(step), payload, _check_update(payload))
    if kind == MESSAGE_AWARENESS:
        # Its entries are read by the room's presence, which bounds them first.
        return AwarenessMessage(reader.buffer())
    if kind == MESSAGE_QUERY_AWARENESS:
        return QueryAwarenessMessage()
    if kind == MESSAGE_AUTH:
        return AuthMessage()
    raise DecodeError(f"unknown message type {kind}")


def _check_state_vector(payload: bytes) -> None:
    decode_state_vector(payload)


def decode_state_vector(payload: bytes) -> dict[int, int]:
    reader = Reader(payload)
    count = reader.uint()
    if count > len(payload):
        raise DecodeError("bad state vector")
    vector = {}
    for _ in range(count):
        client = reader.uint()
        vector[client] = reader.uint()
    if not reader.done():
        raise DecodeError("trailing bytes in state vector")
    return vector


def _check_update(payload: bytes) -> guard.Scan:
    """What the update holds, once it is known to be safe to decode (guard.scan: yrs
    decodes nested values recursively) and to decode completely."""
    if payload == EMPTY_UPDATE:
        return guard.NO_CONTENT
    try:
        scanned = guard.scan(payload, None)
        get_state(payload)  # decodes the whole update; refuses any truncation
    except BaseException as exc:
        if not guard.failure(exc):
            raise
        raise DecodeError(f"malformed update: {exc}") from exc
    return scanned


def decode_awareness(payload: bytes, max_entries: int) -> list[tuple[int, int, bytes]] | None:
    """An awareness update's entries (client id, clock, state as JSON text, unchecked), or
    None when it lists more than `max_entries` (refused before the rest is read)."""
    reader = Reader(payload)
    count = reader.uint()
    if count > len(payload):
        raise DecodeError("bad awareness update")
    if count > max_entries:
        return None
    entries = []
    for _ in range(count):
        client_id = reader.uint()
        clock = reader.uint()
        if client_id > MAX_SAFE_INTEGER or clock > MAX_SAFE_INTEGER:
            raise DecodeError("awareness number beyond what a browser reads")
        entries.append((client_id, clock, reader.buffer()))
    if not reader.done():
        raise DecodeError("trailing bytes in awareness update")
    return entries


def adds_anything(update: bytes, doc_state: bytes) -> bool:
    """Whether an update carries inserts the document does not have yet (cheap check used to
    decide whether a read-only client tried to write)."""
    if update == EMPTY_UPDATE:
        return False
    theirs = decode_state_vector(get_state(update))
    ours = decode_state_vector(doc_state)
    return any(clock > ours.get(client, 0) for client, clock in theirs.items())


def sync_step1(state_vector: bytes) -> bytes:
    return bytes([MESSAGE_SYNC, SyncStep.STEP1]) + var_bytes(state_vector)


def sync_step2(update: bytes) -> bytes:
    return bytes([MESSAGE_SYNC, SyncStep.STEP2]) + var_bytes(update)


def sync_update(update: bytes) -> bytes:
    return bytes([MESSAGE_SYNC, SyncStep.UPDATE]) + var_bytes(update)


def awareness(update: bytes) -> bytes:
    return bytes([MESSAGE_AWARENESS]) + var_bytes(update)


def permission_denied(reason: str) -> bytes:
    return bytes([MESSAGE_AUTH, 0]) + var_bytes(reason.encode())
