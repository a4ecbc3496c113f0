"""The room skips awareness updates that would change nothing (the stock clients' echoes)
before decoding their states: the skip must agree with pycrdt's own rule in every case."""

import json

import pytest
from pycrdt import Awareness, Doc

from server.collab import protocol
from server.collab.room import advances


def _update(*entries: tuple[int, int, object]) -> bytes:
    out = protocol.var_uint(len(entries))
    for client, clock, state in entries:
        out += protocol.var_uint(client) + protocol.var_uint(clock)
        out += protocol.var_bytes(b"" if state is ... else json.dumps(state).encode())
    return out


ALICE = {"user": {"name": "Alice"}}
# (label, applied before, the entry, whether it is skipped)
CASES = [
    ("a new client", [], (7, 1, ALICE), False),
    ("a renewal with a newer clock", [(7, 1, ALICE)], (7, 2, ALICE), False),
    ("an echo at the same clock", [(7, 3, ALICE)], (7, 3, ALICE), True),
    ("an older clock", [(7, 3, ALICE)], (7, 2, {"user": {"name": "Old"}}), True),
    ("leaving at the same clock", [(7, 3, ALICE)], (7, 3, None), False),
    ("leaving, empty state", [(7, 3, ALICE)], (7, 3, ...), False),
    ("leaving again once gone", [(7, 3, ALICE), (7, 4, None)], (7, 4, None), True),
    ("an unknown client leaving", [], (9, 0, None), True),
    # pycrdt records the clock and tells no one; applying it is harmless
    ("an unknown client leaving later", [], (9, 5, None), False),
]


@pytest.mark.parametrize(("label", "before", "entry", "skipped"), CASES, ids=[c[0] for c in CASES])
def test_only_updates_that_change_nothing_are_skipped(
    label: str,
    before: list[tuple[int, int, object]],
    entry: tuple[int, int, object],
    skipped: bool,
) -> None:
    awareness = Awareness(Doc())
    awareness.set_local_state(None)
    for earlier in before:
        awareness.apply_awareness_update(_update(earlier), origin=None)
    events: list[str] = []
    awareness.observe(lambda topic, _payload: events.append(topic))
    update = _update(entry)
    decoded = protocol.decode(protocol.awareness(update))
    assert isinstance(decoded, protocol.AwarenessMessage)
    assert advances(awareness, decoded.entries) is not skipped, label
    awareness.apply_awareness_update(update, origin=None)
    if skipped:  # pycrdt agrees: nothing changed, nothing to forward
        assert "update" not in events, label


def test_an_update_with_one_new_entry_among_echoes_is_applied() -> None:
    awareness = Awareness(Doc())
    awareness.set_local_state(None)
    awareness.apply_awareness_update(_update((7, 3, ALICE), (8, 1, ALICE)), origin=None)
    decoded = protocol.decode(protocol.awareness(_update((7, 3, ALICE), (8, 2, ALICE))))
    assert isinstance(decoded, protocol.AwarenessMessage)
    assert advances(awareness, decoded.entries)
