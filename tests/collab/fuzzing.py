"""A mutation fuzzer for the sync server's accept path (tests/collab/test_fuzz.py, and longer
runs with bench/fuzz.py).

Seeds are valid edit sequences of each section kind, made with pycrdt the way the editors
make them. An input is one seed's prefix (the section's stored state) and a mutated later
update (what a crafted client sends). Each input is offered to a real `Room` — the code the
server runs for a sync message — with a log that only records what it was asked to store.

What counts as a finding (the server failed): anything but a clean refusal (ValueError,
close 4400) escaping the room, the room's own document failing on an update the room had
accepted, a reader (JSON view, export blocks, sign-off hash) raising on accepted content, or
a refused update reaching the log or the other clients.

Inputs that make raw yrs raise or panic are the interesting ones: the room must refuse them.
They are what the corpus under tests/collab/corpus keeps.
"""

import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pycrdt import Array, Doc, Map, Text, TransactionEvent, XmlElement, XmlFragment, XmlText

from server.collab import encoding, guard, layout, protocol
from server.collab.room import Room
from server.export.richtext import blocks
from server.signoff.canonical import goal_hash

KINDS = ("goals", "activities", "stakeholders", "text")
CORPUS = Path(__file__).parent / "corpus"


# ---- seeds -------------------------------------------------------------------------------


def _recording(doc: Doc[Any]) -> list[bytes]:
    updates: list[bytes] = []

    def record(event: TransactionEvent) -> None:
        updates.append(event.update)

    doc.observe(record)
    return updates


def _items_seed(kind: str, rng: random.Random) -> list[bytes]:
    doc: Doc[Any] = Doc()
    updates = _recording(doc)
    items = doc.get(layout.ITEMS, type=Array)
    fields = layout.ITEM_FIELDS[kind]
    for n in range(3):
        items.append(
            Map({f: (Text(f"{f} {n}") if f in layout.TEXT_FIELDS else f"{f}-{n}") for f in fields})
        )
    for _ in range(8):
        item = items[rng.randrange(len(items))]
        name = rng.choice([f for f in fields if f in layout.TEXT_FIELDS] or ["title"])
        text = item.get(name)
        if isinstance(text, Text):
            if len(text) > 2 and rng.random() < 0.3:
                del text[0:2]
            else:
                text.insert(rng.randrange(len(text) + 1), rng.choice(["a", "ø", " more", "\n"]))
        if rng.random() < 0.3:
            item["status"] = rng.choice(["open", "done", 3, None, 1.5])
    with doc.transaction():
        moved = items.pop(0)
        items.append(Map({k: str(v) for k, v in moved.items()}))
    del items[1]
    return updates


def _text_seed(rng: random.Random) -> list[bytes]:
    doc: Doc[Any] = Doc()
    updates = _recording(doc)
    body = doc.get(layout.BODY, type=XmlFragment)
    heading = body.children.append(XmlElement("heading", {"level": "2"}, [XmlText("Title")]))
    para = body.children.append(XmlElement("paragraph", contents=[XmlText("hello")]))
    bullets = body.children.append(XmlElement("bulletList"))
    for word in ("one", "two"):
        item = bullets.children.append(XmlElement("listItem"))
        item.children.append(XmlElement("paragraph", contents=[XmlText(word)]))
    text = para.children[0]
    assert isinstance(text, XmlText)
    for _ in range(6):
        text.insert(rng.randrange(len(text) + 1), rng.choice(["x", " world", "æ"]))
    text.format(0, 3, {"bold": True})
    first = heading.children[0]
    assert isinstance(first, XmlText)
    first.insert(0, "A ")
    del bullets.children[0]
    body.children.append(XmlElement("blockquote", contents=[XmlElement("paragraph")]))
    del body.children[0]
    return updates


def seeds(kind: str, count: int = 4) -> list[list[bytes]]:
    rng = random.Random(kind)
    if kind == "text":
        return [_text_seed(rng) for _ in range(count)]
    return [_items_seed(kind, rng) for _ in range(count)]


# ---- mutations ---------------------------------------------------------------------------

_INTERESTING = (0, 1, 2, 0x7F, 0x80, 0xFF, 0x40, 0x08, 0x07, 0x04, 0x27, 0x28, 0x77)


def mutate(data: bytes, rng: random.Random, donors: list[bytes]) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 3, 4, 8))):
        if not out:
            out.append(0)
        i = rng.randrange(len(out))
        op = rng.randrange(9)
        if op == 0:
            out[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            out[i] = rng.choice(_INTERESTING)
        elif op == 2:
            out.insert(i, rng.randrange(256))
        elif op == 3 and len(out) > 1:
            del out[i]
        elif op == 4:
            out[i] = (out[i] + rng.choice((-2, -1, 1, 2))) % 256
        elif op == 5:  # repeat a slice of itself
            j = rng.randrange(len(out))
            out[i:i] = out[j : j + rng.randint(1, 12)]
        elif op == 7:  # replace a whole number (lengths, clocks, offsets) with an edge value
            start = i
            while start > 0 and out[start - 1] >= 0x80:
                start -= 1
            end = i
            while end < len(out) - 1 and out[end] >= 0x80:
                end += 1
            value = rng.choice((0, 1, 2, 3, 0x7F, 0x80, 0xFFFF, 2**31, 2**53 - 1))
            out[start : end + 1] = encoding.var_uint(value)
        elif op == 6 and donors:  # splice in part of another update
            donor = rng.choice(donors)
            j = rng.randrange(len(donor))
            out[i : i + rng.randint(0, 8)] = donor[j : j + rng.randint(1, 16)]
        elif op == 8:
            del out[i : i + rng.randint(1, 4)]
    return bytes(out)


# ---- the accept path ---------------------------------------------------------------------


class MemoryLog:
    """Stands in for the write-ahead log: commits at once, remembers what it stored."""

    def __init__(self) -> None:
        self.stored: list[bytes] = []
        self.written_by: list[tuple[str, str | None]] = []  # (section id, user id) per update

    async def write(self, section_id: str, update: bytes, user_id: str | None) -> None:
        self.stored.append(update)
        self.written_by.append((section_id, user_id))


class Peer:
    """A connection of the room: the sender, or a bystander that records what it is sent."""

    def __init__(self, name: str) -> None:
        self.access = SimpleNamespace(user_id=name, token_id=None)
        self.can_write = True
        self.closed: int | None = None  # the close code, once closed
        self.awareness_clients: set[int] = set()
        self.frames: list[bytes] = []

    def send(self, frame: bytes) -> None:
        self.frames.append(frame)

    def close(self, code: int) -> None:
        self.closed = code


def _step(coro: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine that never waits (the stand-in log commits at once)."""
    try:
        coro.send(None)
    except StopIteration:
        return
    coro.close()
    raise AssertionError("the accept path waited")


def deliver(room: Room, frame: bytes, peer: Peer | None = None) -> None:
    """Hand one client frame to the room as the manager does (refusals raise ValueError)."""
    sender = peer or Peer("sender")
    _step(room.handle(sender, protocol.decode(frame)))  # type: ignore[arg-type]


def new_room(kind: str, doc: Doc[Any] | None = None) -> Room:
    return Room("s", "p", kind, doc or Doc(), 0, MemoryLog())  # type: ignore[arg-type]


@dataclass
class Outcome:
    accepted: bool
    finding: str | None = None  # what went wrong, if the server failed


def read_everything(doc: Doc[Any], kind: str) -> None:
    """What the server's readers do with a document (content view, export, sign-off)."""
    view = layout.to_json(doc, kind)
    if kind == "text":
        blocks(doc)
    elif kind == "goals":
        for item in view["items"]:
            goal_hash(item)


def offer(kind: str, stored: list[bytes], frame: bytes) -> Outcome:
    """Load a room from `stored`, send it `frame` from a writer, and check what happened."""
    doc: Doc[Any] = Doc()
    doc.apply_update(_stored_state(kind, stored))
    log = MemoryLog()
    room = Room("s", "p", kind, doc, 0, log)  # type: ignore[arg-type]
    sender, bystander = Peer("sender"), Peer("bystander")
    room.connections.update({sender, bystander})  # type: ignore[arg-type]
    before = doc.get_update()
    try:
        try:
            message = protocol.decode(frame)
        except encoding.DecodeError:
            return Outcome(False)
        try:
            _step(room.handle(sender, message))  # type: ignore[arg-type]
        except ValueError:  # the manager closes the sender with 4400
            if log.stored:
                return Outcome(False, "a refused update was stored")
            if bystander.frames:
                return Outcome(False, "a refused update was forwarded")
            if doc.get_update() != before:
                return Outcome(False, "a refused update changed the document")
            return Outcome(False)
        except BaseException as exc:
            if not guard.failure(exc):
                raise
            return Outcome(False, f"escaped the room: {guard.pack_failure(exc)}")
        if room.broken:
            return Outcome(True, "the room's document failed on an accepted update")
        try:
            read_everything(doc, kind)
            if not log.stored:
                return Outcome(True)
            fresh, bad = guard.assemble(
                [SimpleNamespace(data=u) for u in [*stored, *log.stored]], layout.root_name(kind)
            )
            if bad:
                return Outcome(True, f"an accepted update does not load again: {bad[0][1]}")
            read_everything(fresh, kind)
        except BaseException as exc:
            if not guard.failure(exc):
                raise
            return Outcome(True, f"a reader failed: {guard.pack_failure(exc)}")
        return Outcome(True)
    finally:
        room.close()


_states: dict[tuple[str, tuple[bytes, ...]], bytes] = {}


def _stored_state(kind: str, stored: list[bytes]) -> bytes:
    """The stored updates loaded as the server loads them, once per prefix."""
    key = (kind, tuple(stored))
    state = _states.get(key)
    if state is None:
        doc, bad = guard.assemble([SimpleNamespace(data=u) for u in stored], layout.root_name(kind))
        if bad:
            raise AssertionError(f"a stored update failed to load: {bad[0][1]}")
        state = _states[key] = doc.get_update()
    return state


def raw_failure(stored: list[bytes], update: bytes) -> str | None:
    """What plain yrs does with the update on a document holding `stored`: the exception's
    kind and message, or None if it takes it."""
    doc: Doc[Any] = Doc()
    for u in stored:
        doc.apply_update(u)
    try:
        doc.apply_update(update)
    except BaseException as exc:
        if not guard.failure(exc):
            raise
        return guard.pack_failure(exc)
    return None


_READ_RAW = """
import sys
from pycrdt import Array, Doc, XmlFragment
from tests.collab import fuzzing
stored, update = fuzzing.decode_case(sys.stdin.buffer.read())
doc = Doc()
for u in [*stored, update]:
    doc.apply_update(u)
str(doc.get("body", type=XmlFragment) if sys.argv[1] == "body" else doc.get("items", type=Array))
"""


def raw_read_hangs(kind: str, stored: list[bytes], update: bytes, seconds: float = 10) -> bool:
    """Whether plain yrs takes the update and then never finishes reading the document
    (tried in a subprocess: the spin is inside yrs and cannot be interrupted)."""
    try:
        subprocess.run(
            [sys.executable, "-c", _READ_RAW, layout.root_name(kind)],
            input=encode_case(stored, update),
            cwd=Path(__file__).parents[2],
            capture_output=True,
            timeout=seconds,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return True
    return False


# ---- a run -------------------------------------------------------------------------------


@dataclass
class Report:
    tried: int = 0
    decoded: int = 0
    accepted: int = 0
    seconds: float = 0.0
    findings: list[tuple[str, str, list[bytes], bytes]] = field(default_factory=list)
    # inputs that raw yrs raises or panics on (the room refused them), by kind of failure
    crashers: dict[str, tuple[str, list[bytes], bytes]] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.tried / self.seconds if self.seconds else 0.0


def _inputs(kind: str, rng: random.Random) -> Iterator[tuple[list[bytes], bytes, bool]]:
    pool = seeds(kind)
    donors = [u for s in pool for u in s]
    while True:
        seed = rng.choice(pool)
        cut = rng.randrange(1, len(seed))
        stored, later = seed[:cut], seed[cut:]
        target = rng.choice(later) if rng.random() < 0.8 else b"".join(later[:1])
        as_step2 = rng.random() < 0.2
        yield stored, mutate(target, rng, donors), as_step2


def failure_kind(message: str) -> str:
    """Group failures by their kind, not their ids (`block parent <1#4>` and `<2#9>` alike)."""
    kind = message.split(" <")[0].split(" at ")[0]
    return kind[:80]


def run(
    kind: str,
    seconds: float,
    seed: int = 0,
    *,
    at_least: int = 0,
    on_crasher: Callable[[str, list[bytes], bytes], None] | None = None,
) -> Report:
    rng = random.Random(f"{kind}-{seed}")
    report = Report()
    # Each input is written here before it is tried: what killed the process, if it dies.
    trace = os.environ.get("JOINTPLAN_FUZZ_TRACE")
    start = time.monotonic()
    for stored, update, as_step2 in _inputs(kind, rng):
        # `at_least` inputs however slow the machine (a test's floor on what was reached).
        if time.monotonic() - start > seconds and report.tried >= at_least:
            break
        report.tried += 1
        if trace:
            Path(trace).write_bytes(encode_case(stored, update))
        frame = protocol.sync_step2(update) if as_step2 else protocol.sync_update(update)
        outcome = offer(kind, stored, frame)
        if outcome.finding is not None:
            report.findings.append((kind, outcome.finding, stored, update))
        if outcome.accepted:
            report.accepted += 1
        try:
            guard.scan(update, None)
        except guard.Refused:
            continue
        report.decoded += 1
        if outcome.accepted:
            continue
        failed = raw_failure(stored, update) if _decodes(update) else None
        if failed is not None:
            key = failure_kind(failed)
            if key not in report.crashers:
                report.crashers[key] = (failed, stored, update)
                if on_crasher is not None:
                    on_crasher(failed, stored, update)
    report.seconds = time.monotonic() - start
    return report


def _decodes(update: bytes) -> bool:
    try:
        protocol.decode(protocol.sync_update(update))
    except encoding.DecodeError:
        return False
    return True


# ---- the corpus --------------------------------------------------------------------------


def encode_case(stored: list[bytes], update: bytes) -> bytes:
    parts = [*stored, update]
    return encoding.var_uint(len(parts)) + b"".join(encoding.var_bytes(p) for p in parts)


def decode_case(data: bytes) -> tuple[list[bytes], bytes]:
    reader = encoding.Reader(data)
    parts = [reader.buffer() for _ in range(reader.uint())]
    return parts[:-1], parts[-1]


def corpus() -> list[tuple[str, list[bytes], bytes]]:
    """(file name, stored updates, crafted update) for every case in the corpus."""
    return [(p.name, *decode_case(p.read_bytes())) for p in sorted(CORPUS.glob("*.bin"))]


def kind_of_case(name: str) -> str:
    return name.split("-")[0]
