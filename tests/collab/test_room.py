"""A room on its own, in process (server/collab/room.py): what each connection is sent when
someone joins, edits, syncs, shows presence or leaves, what is stored, and what a failing log
or a broken document costs. The live server tests (test_sync, test_presence) cover the same
paths through real sockets; these name each rule of the room."""

import json
from typing import Any

import pytest
from pycrdt import Array, Doc, Map, Text

from server.collab import guard, layout, presence, protocol
from server.collab.closecodes import CloseCode
from server.collab.presence import MAX_CLIENTS_PER_CONNECTION, MAX_STATE_BYTES
from server.collab.protocol import AwarenessMessage, SyncMessage, SyncStep
from server.collab.room import Room
from tests.collab.fuzzing import MemoryLog, Peer, _step, deliver, new_room


class Recorder:
    """What the room tells its manager: changes and presence for the other processes."""

    def __init__(self, room: Room) -> None:
        self.room = room
        self.changes: list[tuple[bytes, str | None]] = []
        self.presence: list[tuple[bytes, str]] = []
        self.broken: list[Room] = []
        room.on_change = lambda r, change, user: self.changes.append((self._of(r, change), user))
        room.on_presence = lambda r, change, user: self.presence.append((self._of(r, change), user))
        room.on_broken = self.broken.append

    def _of(self, room: Room, change: bytes) -> bytes:
        # The manager finds the section by the room it is handed.
        assert room is self.room
        return change


def joined(room: Room, *names: str) -> list[Peer]:
    peers = [Peer(n) for n in names]
    for p in peers:
        room.join(p)  # type: ignore[arg-type]
        p.frames.clear()
    return peers


def goal_update(title: str, base: Doc[Any] | None = None) -> bytes:
    """An update adding one goal, written as an editor writes it."""
    doc: Doc[Any] = Doc()
    if base is not None:
        doc.apply_update(base.get_update())
    before = doc.get_state()
    doc.get(layout.ITEMS, type=Array).append(Map({"id": title, "title": Text(title)}))
    return doc.get_update(before)


def titles(doc: Doc[Any]) -> list[str]:
    return [item["title"] for item in layout.to_json(doc, "goals")["items"]]


def messages(peer: Peer) -> list[Any]:
    return [protocol.decode(f) for f in peer.frames]


def shown(peer: Peer) -> dict[int, Any]:
    """The presence states a peer was sent, by client id (None: removed)."""
    out: dict[int, Any] = {}
    for m in messages(peer):
        if isinstance(m, AwarenessMessage):
            for client_id, _, state in protocol.decode_awareness(m.payload, 100) or []:
                out[client_id] = json.loads(state)
    return out


def here(client_id: int, clock: int, state: Any) -> bytes:
    raw = None if state is None else json.dumps(state).encode()
    return protocol.awareness(presence._encode([(client_id, clock, raw)]))


def logged(room: Room) -> list[bytes]:
    wal = room.wal
    assert isinstance(wal, MemoryLog)
    return wal.stored


# ---- joining -----------------------------------------------------------------------------


def test_a_joiner_is_asked_for_its_state_and_shown_who_is_here() -> None:
    room = new_room("goals")
    (alone,) = [Peer("alone")]
    assert (room.section_id, room.plan_id, room.kind) == ("s", "p", "goals")
    assert layout.ITEMS in room.doc.keys()  # the kind's root is in place before any edit
    room.join(alone)  # type: ignore[arg-type]
    assert [type(m) for m in messages(alone)] == [SyncMessage]
    first = messages(alone)[0]
    assert first.step == SyncStep.STEP1
    assert first.payload == room.doc.get_state()
    deliver(room, here(11, 1, {"user": {"name": "Ola"}}), alone)

    late = Peer("late")
    room.join(late)  # type: ignore[arg-type]
    assert [type(m) for m in messages(late)] == [SyncMessage, AwarenessMessage]
    assert shown(late) == {11: {"user": {"name": "Ola"}}}
    assert room.connections == {alone, late}  # type: ignore[comparison-overlap]


def test_a_clients_sync_step1_is_answered_with_what_it_lacks() -> None:
    room = new_room("goals")
    (a,) = joined(room, "a")
    update = goal_update("Grow")
    deliver(room, protocol.sync_update(update), a)
    client: Doc[Any] = Doc()
    deliver(room, protocol.sync_step1(client.get_state()), a)
    (answer,) = messages(a)
    assert answer.step == SyncStep.STEP2
    client.apply_update(answer.payload)
    assert titles(client) == ["Grow"]
    assert logged(room) == [update]  # a question stores nothing
    # A client that has everything is sent nothing more.
    a.frames.clear()
    deliver(room, protocol.sync_step1(client.get_state()), a)
    (answer,) = messages(a)
    assert answer.payload == protocol.EMPTY_UPDATE


# ---- edits -------------------------------------------------------------------------------


def test_an_edit_is_stored_applied_and_sent_to_everyone_else() -> None:
    room = new_room("goals")
    told = Recorder(room)
    a, b, c = joined(room, "a", "b", "c")
    update = goal_update("Grow")
    deliver(room, protocol.sync_update(update), a)

    assert logged(room) == [update]
    wal = room.wal
    assert isinstance(wal, MemoryLog)
    assert wal.written_by == [("s", "a")]  # the section's log, with who wrote it
    assert room.log_length == 1
    assert titles(room.doc) == ["Grow"]
    assert a.frames == []  # the sender has it
    for other in (b, c):
        (m,) = messages(other)
        assert m.step == SyncStep.UPDATE
        copy: Doc[Any] = Doc()
        copy.apply_update(m.payload)
        assert titles(copy) == ["Grow"]
    assert [(user) for _, user in told.changes] == ["a"]
    # What the manager is told is the change itself (it goes to other processes).
    copy = Doc()
    copy.apply_update(told.changes[0][0])
    assert titles(copy) == ["Grow"]


def test_a_sync_step2_is_stored_and_forwarded_like_an_update() -> None:
    room = new_room("goals")
    a, b = joined(room, "a", "b")
    deliver(room, protocol.sync_step2(goal_update("Grow")), a)
    assert room.log_length == 1
    assert titles(room.doc) == ["Grow"]
    (m,) = messages(b)
    assert m.step == SyncStep.UPDATE


def test_an_empty_update_changes_and_stores_nothing() -> None:
    room = new_room("goals")
    told = Recorder(room)
    a, b = joined(room, "a", "b")
    deliver(room, protocol.sync_step2(protocol.EMPTY_UPDATE), a)
    assert logged(room) == []
    assert room.log_length == 0
    assert b.frames == []
    assert told.changes == []


def test_an_update_the_room_has_already_is_stored_but_not_sent_again() -> None:
    room = new_room("goals")
    told = Recorder(room)
    a, b = joined(room, "a", "b")
    update = goal_update("Grow")
    deliver(room, protocol.sync_update(update), a)
    b.frames.clear()
    deliver(room, protocol.sync_update(update), b)
    # A reconnecting client's step 2 repeats what the room holds: nobody is sent it twice.
    assert a.frames == []
    assert b.frames == []
    assert [user for _, user in told.changes] == ["a"]
    assert titles(room.doc) == ["Grow"]


def test_an_update_in_another_root_is_refused_and_nothing_is_kept() -> None:
    room = new_room("goals")
    a, b = joined(room, "a", "b")
    doc: Doc[Any] = Doc()
    doc.get("notes", type=Map)["price"] = "hidden"
    with pytest.raises(guard.Refused, match="root other than"):
        deliver(room, protocol.sync_update(doc.get_update()), a)
    assert logged(room) == []
    assert room.log_length == 0
    assert b.frames == []
    assert "notes" not in room.doc.keys()


def test_a_failed_log_write_keeps_the_edit_from_everyone() -> None:
    class FailingLog(MemoryLog):
        async def write(self, section_id: str, update: bytes, user_id: str | None) -> None:
            raise ConnectionError("database gone")

    room = Room("s", "p", "goals", Doc(), 3, FailingLog())  # type: ignore[arg-type]
    told = Recorder(room)
    a, b = joined(room, "a", "b")
    with pytest.raises(ConnectionError):
        deliver(room, protocol.sync_update(goal_update("Lost")), a)
    assert room.log_length == 3
    assert titles(room.doc) == []
    assert b.frames == []
    assert told.changes == []
    # The trial copy forgot it too: the same edit once the log works again is accepted.
    room.wal = MemoryLog()  # type: ignore[assignment]
    deliver(room, protocol.sync_update(goal_update("Lost")), a)
    assert titles(room.doc) == ["Lost"]
    assert room.log_length == 4
    assert len(messages(b)) == 1


def test_a_broken_room_takes_no_edits_until_it_is_reloaded() -> None:
    room = new_room("goals")
    told = Recorder(room)
    (a,) = joined(room, "a")
    room.mark_broken()
    room.mark_broken()
    assert told.broken == [room]  # the manager is told once
    with pytest.raises(ConnectionError):
        deliver(room, protocol.sync_update(goal_update("Grow")), a)
    assert logged(room) == []
    assert titles(room.doc) == []
    room.apply_remote(goal_update("Elsewhere"))
    assert titles(room.doc) == []
    assert a.frames == []
    # Questions are still answered from what it holds.
    deliver(room, protocol.sync_step1(Doc().get_state()), a)
    assert messages(a)[0].step == SyncStep.STEP2


def test_the_rooms_document_failing_on_an_accepted_update_marks_it_broken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    room = new_room("goals")
    told = Recorder(room)
    a, b = joined(room, "a", "b")

    def fail(update: bytes) -> None:
        raise RuntimeError("Cannot apply update: block parent must be deleted")

    monkeypatch.setattr(room.doc, "apply_update", fail)
    with pytest.raises(guard.Refused):
        deliver(room, protocol.sync_update(goal_update("Grow")), a)
    assert room.broken
    assert told.broken == [room]
    assert b.frames == []
    assert told.changes == []


def test_a_root_of_the_wrong_type_does_not_stop_the_room_from_opening() -> None:
    doc: Doc[Any] = Doc()
    doc.get(layout.ITEMS, type=Text).insert(0, "not a list")
    room = new_room("goals", doc)
    (a,) = joined(room, "a")
    deliver(room, protocol.sync_step1(Doc().get_state()), a)
    assert a.frames[0][:2] == bytes([protocol.MESSAGE_SYNC, SyncStep.STEP2])


# ---- updates from other processes --------------------------------------------------------


def test_another_processs_update_goes_to_everyone_here() -> None:
    room = new_room("goals")
    told = Recorder(room)
    a, b = joined(room, "a", "b")
    update = goal_update("Remote")
    room.apply_remote(update)
    assert titles(room.doc) == ["Remote"]
    assert [m.step for m in messages(a)] == [SyncStep.UPDATE]
    assert [m.step for m in messages(b)] == [SyncStep.UPDATE]
    assert [user for _, user in told.changes] == [None]
    copy: Doc[Any] = Doc()
    copy.apply_update(told.changes[0][0])
    assert titles(copy) == ["Remote"]
    # It was stored by the other process, not here.
    assert logged(room) == []
    assert room.log_length == 0
    # The same update again (an echo) is not sent twice.
    room.apply_remote(update)
    assert len(a.frames) == 1
    assert len(told.changes) == 1


def test_another_processs_update_this_room_cannot_take_is_ignored() -> None:
    room = new_room("goals")
    told = Recorder(room)
    (a,) = joined(room, "a")
    room.apply_remote(b"\x01\x02garbage")
    other_root: Doc[Any] = Doc()
    other_root.get("notes", type=Map)["x"] = "y"
    room.apply_remote(other_root.get_update())
    assert a.frames == []
    assert told.changes == []
    assert not room.broken
    room.apply_remote(goal_update("Fine"))
    assert titles(room.doc) == ["Fine"]


# ---- presence ----------------------------------------------------------------------------


def test_presence_goes_to_the_others_and_to_the_other_processes() -> None:
    room = new_room("goals")
    told = Recorder(room)
    a, b = joined(room, "a", "b")
    deliver(room, here(11, 1, {"user": {"name": "Ola"}}), a)
    assert a.frames == []
    assert shown(b) == {11: {"user": {"name": "Ola"}}}
    ((change, user),) = told.presence
    assert user == "a"
    assert protocol.decode_awareness(change, 10) == [(11, 1, b'{"user": {"name": "Ola"}}')]
    # The same state again is no news.
    b.frames.clear()
    deliver(room, here(11, 1, {"user": {"name": "Ola"}}), a)
    assert b.frames == []
    assert len(told.presence) == 1


def test_asking_for_presence_shows_everyone_and_asking_an_empty_room_shows_nothing() -> None:
    room = new_room("goals")
    a, b = joined(room, "a", "b")
    deliver(room, bytes([protocol.MESSAGE_QUERY_AWARENESS]), b)
    assert b.frames == []
    deliver(room, here(11, 1, {"user": {"name": "Ola"}}), a)
    deliver(room, here(12, 1, {"user": {"name": "Kari"}}), b)
    a.frames.clear()
    deliver(room, bytes([protocol.MESSAGE_QUERY_AWARENESS]), a)
    assert shown(a) == {11: {"user": {"name": "Ola"}}, 12: {"user": {"name": "Kari"}}}


def test_leaving_takes_ones_presence_away_at_once() -> None:
    room = new_room("goals")
    told = Recorder(room)
    a, b = joined(room, "a", "b")
    deliver(room, here(11, 1, {"user": {"name": "Ola"}}), a)
    b.frames.clear()
    room.leave(a)  # type: ignore[arg-type]
    assert room.connections == {b}  # type: ignore[comparison-overlap]
    ((m,),) = [messages(b)]
    assert isinstance(m, AwarenessMessage)
    assert [(i, s) for i, _, s in protocol.decode_awareness(m.payload, 10) or []] == [(11, b"null")]
    assert [user for _, user in told.presence] == ["a", "a"]
    assert told.presence[1][0] == m.payload  # the other processes are told of the removal too
    # Someone who never showed presence leaves quietly.
    b.frames.clear()
    room.leave(b)  # type: ignore[arg-type]
    assert room.connections == set()
    assert len(told.presence) == 2


def test_presence_past_a_limit_closes_that_connection_and_tells_nobody() -> None:
    room = new_room("goals")
    told = Recorder(room)
    greedy, big, b = joined(room, "greedy", "big", "b")
    many = presence._encode(
        [(100 + i, 1, b'{"user": {}}') for i in range(MAX_CLIENTS_PER_CONNECTION + 1)]
    )
    deliver(room, protocol.awareness(many), greedy)
    assert greedy.closed == CloseCode.RATE_LIMITED
    deliver(room, here(20, 1, {"user": {"name": "x" * MAX_STATE_BYTES}}), big)
    assert big.closed == CloseCode.TOO_LARGE
    assert b.frames == []
    assert told.presence == []
    assert b.closed is None
    assert room.presence.everyone() is None


def test_presence_from_another_process_goes_to_everyone_here() -> None:
    room = new_room("goals")
    told = Recorder(room)
    a, b = joined(room, "a", "b")
    room.apply_remote_presence("u-cora", presence._encode([(7, 1, b'{"user": {"name": "Cora"}}')]))
    assert shown(a) == shown(b) == {7: {"user": {"name": "Cora"}}}
    assert told.presence == []  # not sent back to the other processes
    # An echo of the same clock is no news.
    a.frames.clear()
    room.apply_remote_presence("u-cora", presence._encode([(7, 1, b'{"user": {"name": "Cora"}}')]))
    assert a.frames == []
    # Held as Cora's: her own tab moving to this process takes the id over, nobody else can.
    mallory, cora = joined(room, "u-mallory", "u-cora")
    deliver(room, here(7, 2, {"user": {"name": "Not Cora"}}), mallory)
    assert a.frames == []
    deliver(room, here(7, 3, {"user": {"name": "Cora"}, "cursor": 1}), cora)
    assert shown(a) == {7: {"user": {"name": "Cora"}, "cursor": 1}}


def test_an_auth_message_from_a_client_is_ignored() -> None:
    room = new_room("goals")
    a, b = joined(room, "a", "b")
    deliver(room, bytes([protocol.MESSAGE_AUTH]), a)
    assert a.frames == []
    assert b.frames == []
    assert a.closed is None


def test_closing_a_room_stops_it_watching_its_document() -> None:
    room = new_room("goals")
    told = Recorder(room)
    room.close()
    room.doc.apply_update(goal_update("After"))
    assert room._captured == []
    assert told.changes == []


def test_handle_waits_only_for_the_log() -> None:
    # deliver() runs the handler without an event loop: nothing but the log's write may
    # wait, so one message is handled in one step.
    room = new_room("goals")
    (a,) = joined(room, "a")
    _step(room.handle(a, protocol.decode(protocol.sync_update(goal_update("x")))))  # type: ignore[arg-type]
    assert room.log_length == 1
