"""Presence held for other processes' connections (presence.Presence.apply_remote), in
process: what a joiner is sent, who may overwrite it, when it goes."""

import json
import time
from types import SimpleNamespace
from typing import Any, cast

import pytest

from server.collab import presence, protocol
from server.collab.connection import Connection
from server.collab.presence import Presence


def conn(user_id: str) -> Connection:
    return cast(
        Connection,
        SimpleNamespace(awareness_clients=set(), access=SimpleNamespace(user_id=user_id)),
    )


def update(*entries: tuple[int, int, Any]) -> bytes:
    return presence._encode(
        [
            (i, clock, None if state is None else json.dumps(state).encode())
            for i, clock, state in entries
        ]
    )


def states(p: Presence) -> dict[int, Any]:
    everyone = p.everyone()
    if everyone is None:
        return {}
    entries = protocol.decode_awareness(everyone, 100) or []
    return {i: json.loads(s) for i, _, s in entries}


def test_a_remote_state_reaches_joiners_and_its_removal_takes_it_away() -> None:
    p = Presence()
    forwarded = p.apply_remote("u-cora", update((7, 1, {"user": {"name": "Cora"}})))
    assert forwarded is not None
    assert states(p) == {7: {"user": {"name": "Cora"}}}
    # The same clock again (an echo through another process) changes nothing.
    assert p.apply_remote("u-cora", update((7, 1, {"user": {"name": "Cora"}}))) is None
    assert p.apply_remote("u-cora", update((7, 1, None))) is not None
    assert states(p) == {}


def test_someone_else_here_cannot_overwrite_or_remove_a_remote_state() -> None:
    p = Presence()
    p.apply_remote("u-cora", update((7, 1, {"user": {"name": "Cora"}})))
    mallory = conn("u-mallory")
    assert p.apply(mallory, update((7, 5, {"user": {"name": "Not Cora"}}))) is None
    assert p.apply(mallory, update((7, 5, None))) is None
    assert states(p) == {7: {"user": {"name": "Cora"}}}
    assert mallory.awareness_clients == set()


def test_the_same_users_tab_moving_here_takes_its_client_id_over() -> None:
    p = Presence()
    p.apply_remote("u-cora", update((7, 1, {"user": {"name": "Cora"}})))
    cora = conn("u-cora")
    assert p.apply(cora, update((7, 2, {"user": {"name": "Cora"}, "cursor": 1}))) is not None
    assert cora.awareness_clients == {7}
    # Hers now: leaving removes it, and a late remote echo of the old clock does nothing.
    assert p.apply_remote("u-cora", update((7, 1, {"user": {"name": "Cora"}}))) is None
    assert p.leave(cora) is not None
    assert states(p) == {}


def test_a_remote_state_not_renewed_is_not_sent_to_joiners(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    p = Presence()
    p.apply_remote("u-cora", update((7, 1, {"user": {"name": "Cora"}})))
    p.apply_remote("u-kari", update((8, 1, {"user": {"name": "Kari"}})))
    now[0] += 20
    p.apply_remote("u-kari", update((8, 2, {"user": {"name": "Kari"}})))  # renewed
    now[0] += presence.REMOTE_TIMEOUT_SECONDS - 10
    assert set(states(p)) == {8}  # Cora's process went silent
    assert p.local_states() == {}  # nothing of ours to tell others


def test_local_states_are_grouped_by_user_for_the_other_processes() -> None:
    p = Presence()
    kari, cora = conn("u-kari"), conn("u-cora")
    p.apply(kari, update((1, 1, {"user": {"name": "Kari"}})))
    p.apply(cora, update((2, 1, {"user": {"name": "Cora"}})))
    p.apply_remote("u-remote", update((3, 1, {"user": {"name": "Elsewhere"}})))
    told = p.local_states()
    assert set(told) == {"u-kari", "u-cora"}
    assert [e[0] for e in protocol.decode_awareness(told["u-kari"], 10) or []] == [1]


def test_split_keeps_every_entry_within_the_size() -> None:
    big = update(*[(i, 1, {"user": {"name": "x" * 3000}}) for i in range(4)])
    parts = presence.split(big, 5000)
    assert len(parts) == 4
    assert all(len(part) <= 5000 for part in parts)
    entries = [e for part in parts for e in protocol.decode_awareness(part, 10) or []]
    assert [e[0] for e in entries] == [0, 1, 2, 3]
    assert presence.split(update((1, 1, {"a": 1})), 5000) == [update((1, 1, {"a": 1}))]
