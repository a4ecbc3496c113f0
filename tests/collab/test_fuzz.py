"""The sync server's accept path against mutated and crafted updates: the real `Room`, in
process, with a stand-in log (tests/collab/fuzzing.py). Live-server tests of the same
cases are in test_crafted.py.

The fuzzer runs for JOINTPLAN_FUZZ_SECONDS in all (default 20), seeded; bench/fuzz.py runs
it longer and adds what it finds to tests/collab/corpus.
"""

import os
import subprocess
import sys
import textwrap
from types import SimpleNamespace
from typing import Any

import pytest
from pycrdt import Array, Doc, Map, TransactionEvent, XmlElement, XmlFragment

from server.collab import guard, layout, protocol
from server.collab.room import Room
from tests.collab import crafted, fuzzing
from tests.live import ROOT

FUZZ_SECONDS = float(os.environ.get("JOINTPLAN_FUZZ_SECONDS", "20"))
CORPUS = fuzzing.corpus()


@pytest.mark.parametrize("kind", fuzzing.KINDS)
def test_mutated_updates_are_taken_or_cleanly_refused(kind: str) -> None:
    report = fuzzing.run(kind, FUZZ_SECONDS / len(fuzzing.KINDS), seed=0, at_least=300)
    assert [f[1] for f in report.findings] == []
    # It reached yrs with updates that decode, and some were good edits.
    assert report.decoded > 10
    assert report.accepted > 10


def test_the_corpus_holds_every_kind_of_yrs_failure_the_issue_names() -> None:
    kinds = {name.split("-", 1)[1] for name, _, _ in CORPUS}
    assert any("block_parent" in k for k in kinds)
    assert any("panicexception" in k for k in kinds)


@pytest.mark.parametrize(("name", "stored", "update"), CORPUS, ids=[name for name, _, _ in CORPUS])
def test_an_update_yrs_fails_on_is_refused(name: str, stored: list[bytes], update: bytes) -> None:
    kind = fuzzing.kind_of_case(name)
    # A real crasher: plain yrs raises or panics on it, or takes it and then spins forever
    # reading the document.
    assert fuzzing.raw_failure(stored, update) is not None or fuzzing.raw_read_hangs(
        kind, stored, update
    )
    for frame in (protocol.sync_update(update), protocol.sync_step2(update)):
        outcome = fuzzing.offer(kind, stored, frame)
        assert (outcome.accepted, outcome.finding) == (False, None)


@pytest.mark.parametrize(
    ("name", "kind", "update"), crafted.CASES, ids=[name for name, _, _ in crafted.CASES]
)
def test_a_crafted_update_is_refused(name: str, kind: str, update: bytes) -> None:
    for frame in (protocol.sync_update(update), protocol.sync_step2(update)):
        outcome = fuzzing.offer(kind, [], frame)
        assert (outcome.accepted, outcome.finding) == (False, None)


def _edits(build: Any) -> list[bytes]:
    doc: Doc[Any] = Doc()
    updates: list[bytes] = []

    def record(event: TransactionEvent) -> None:
        updates.append(event.update)

    doc.observe(record)
    build(doc)
    return updates


def _nest_xml(doc: Doc[Any]) -> None:
    node: Any = doc.get(layout.BODY, type=XmlFragment)
    for _ in range(70):
        node = node.children.append(XmlElement("blockquote"))


def _nest_maps(doc: Doc[Any]) -> None:
    node: Any = doc.get(layout.ITEMS, type=Array)
    node.append(Map({"id": "x"}))
    node = node[0]
    for _ in range(70):
        node["x"] = Map()
        node = node["x"]


@pytest.mark.parametrize(("kind", "build"), [("text", _nest_xml), ("goals", _nest_maps)])
def test_nesting_built_up_one_edit_at_a_time_stops_at_the_limit(kind: str, build: Any) -> None:
    edits = _edits(build)
    room = fuzzing.new_room(kind)
    taken = 0
    refusal = ""
    for update in edits:
        try:
            fuzzing.deliver(room, protocol.sync_update(update))
        except guard.Refused as exc:
            refusal = str(exc)
            break
        taken += 1
    assert "nested deeper than 64" in refusal
    # Each edit nests one level deeper: the 64th level is the last one taken.
    assert taken == guard.MAX_DEPTH
    assert not room.broken


def test_stored_parts_that_fail_are_set_aside_and_the_rest_loads() -> None:
    name, stored, update = CORPUS[0]
    kind = fuzzing.kind_of_case(name)
    parts = [SimpleNamespace(data=u) for u in [*stored, update, crafted.deep_values(100)]]
    doc, bad = guard.assemble(parts, layout.root_name(kind))
    assert [p.data for p, _ in bad] == [update, crafted.deep_values(100)]
    expected, _ = guard.assemble(parts[: len(stored)], layout.root_name(kind))
    assert layout.to_json(doc, kind) == layout.to_json(expected, kind)


def test_a_room_whose_own_document_fails_is_given_up() -> None:
    """Should yrs ever take an update on the trial copy and then fail on the room's own
    document, the room is marked broken (the manager closes and reloads it)."""
    # One that passes the scan and that yrs itself fails on.
    name, stored, update = next(case for case in CORPUS if "block_parent" in case[0])
    kind = fuzzing.kind_of_case(name)
    doc, _ = guard.assemble([SimpleNamespace(data=u) for u in stored], layout.root_name(kind))
    room = fuzzing.new_room(kind, doc)
    given_up: list[Room] = []
    room.on_broken = given_up.append
    room.trial.check = lambda *_args: None  # type: ignore[method-assign]
    with pytest.raises(guard.Refused):
        fuzzing.deliver(room, protocol.sync_update(update))
    assert given_up == [room]
    assert room.broken


def test_readers_walk_content_nested_past_any_stack() -> None:
    """Content 40,000 levels deep (the issue's SIGSEGV), in a document however it got
    there: every reader answers, and loading sets the part aside. In a subprocess, so that
    a crash shows as its exit status."""
    script = textwrap.dedent(
        """
        from types import SimpleNamespace
        from pycrdt import Doc
        from server.collab import guard, layout
        from server.comments import anchors
        from server.export.richtext import blocks
        from tests.collab import crafted

        update = crafted.deep_xml(40_000)
        doc = Doc()
        doc.apply_update(update)
        view = layout.to_json(doc, "text")
        assert view["body"].startswith("<paragraph><paragraph>"), view["body"][:50]
        blocks(doc)
        anchors._xml_texts(doc.get("body", type=layout.XmlFragment))
        loaded, bad = guard.assemble([SimpleNamespace(data=update)], "body")
        assert len(bad) == 1 and "nested deeper" in bad[0][1], bad
        assert layout.to_json(loaded, "text")["body"] == ""
        print("survived")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert (done.returncode, done.stdout.strip()) == (0, "survived"), done.stderr[-2000:]
