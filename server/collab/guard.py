"""What keeps a crafted update out of a section's document.

yrs trusts its input more than we may: updates that decode cleanly can still make
`apply_update` raise (`RuntimeError`, `ValueError`) or panic (`pyo3_runtime.PanicException`,
a `BaseException`), also while the transaction commits and collects garbage; and nesting that
is deep enough overflows the stack of recursive code in yrs (decoding nested values,
deleting a subtree, `str()` of an XML element): SIGSEGV, the whole process gone. Three
defences, in the order an update meets them:

1. `scan` reads the update in Python before yrs sees it: only the content kinds the stock
   clients write, only the section kind's root, values nested at most `MAX_DEPTH` deep.
2. `TrialDocument.check` applies it to the room's trial copy of the document, catching
   everything yrs can throw (`failure`), and measures how deep the inserted content sits.
3. Only then is it committed to the log and applied to the room's own document.

Readers never call recursive yrs code on content (see `schema.py`), so even content that got
in some other way never overflows a stack.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

log = logging.getLogger(__name__)

# Nesting of shared types and values below the root, far above what the editors write
# (a TipTap list ten levels deep is about 25 levels; an item field 2).
MAX_DEPTH = 64

SHARED = (Array, Map, Text, XmlText, XmlElement, XmlFragment)
NESTED = (*SHARED, list, dict)  # what can hold more below it


class Refused(ValueError):
    """The update would break or endanger the document; nothing of it is kept."""


def failure(exc: BaseException) -> bool:
    """Whether `exc` is something yrs threw (error or panic) rather than the process being
    told to stop."""
    return not isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit)


# ---- 1. reading an update before yrs does ----------------------------------------------

# Content kinds (info & 0x1F) that Yjs clients write. 9 (a subdocument) and 11 (yrs's move,
# which JavaScript clients cannot decode) are refused.
_DELETED, _JSON, _BINARY, _STRING, _EMBED, _FORMAT, _TYPE, _ANY = range(1, 9)
_GC, _SKIP = 0, 10
_TYPE_REFS = range(7)  # Array, Map, Text, XmlElement, XmlFragment, XmlHook, XmlText
_NAMED_TYPE_REFS = (3, 5)  # XmlElement and XmlHook carry a tag name


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def byte(self) -> int:
        if self.pos >= len(self.data):
            raise Refused("truncated update")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def uint(self) -> int:
        data, pos = self.data, self.pos
        result = shift = 0
        while pos < len(data):
            byte = data[pos]
            pos += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                self.pos = pos
                return result
            shift += 7
            if shift > 63:
                raise Refused("number too long")
        raise Refused("truncated update")

    def count(self) -> int:
        """A number of things that follow, each at least one byte long."""
        value = self.uint()
        if value > self.remaining():
            raise Refused("count beyond the update's end")
        return value

    def skip(self, length: int) -> None:
        if length > self.remaining():
            raise Refused("truncated update")
        self.pos += length

    def buffer(self) -> bytes:
        length = self.uint()
        if length > self.remaining():
            raise Refused("truncated update")
        chunk = self.data[self.pos : self.pos + length]
        self.pos += length
        return chunk

    def string(self) -> str:
        try:
            return self.buffer().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Refused("string is not UTF-8") from exc

    def signed(self) -> None:
        byte = self.byte()
        while byte & 0x80:
            byte = self.byte()

    def any(self, depth: int) -> None:
        """One lib0 `Any` value, refusing nesting past MAX_DEPTH (yrs decodes it recursively)."""
        if depth > MAX_DEPTH:
            raise Refused(f"values nested deeper than {MAX_DEPTH} levels")
        tag = self.byte()
        if tag in (127, 126, 121, 120):  # undefined, null, false, true
            return
        if tag == 125:
            self.signed()
        elif tag == 124:
            self.skip(4)
        elif tag in (123, 122):
            self.skip(8)
        elif tag == 119:
            self.string()
        elif tag == 118:
            for _ in range(self.count()):
                self.string()
                self.any(depth + 1)
        elif tag == 117:
            for _ in range(self.count()):
                self.any(depth + 1)
        elif tag == 116:
            self.buffer()
        else:
            raise Refused(f"unknown value type {tag}")


@dataclass(frozen=True, slots=True)
class Scan:
    roots: frozenset[str]  # the root types the update writes to
    nests: bool  # whether it holds anything that can nest (shared types, values, embeds)
    ends: tuple[tuple[int, int], ...] = ()  # (client, clock after its last struct)


NO_CONTENT = Scan(frozenset(), False)
# Content kinds that can hold more below them; typing (strings, deletions, formatting)
# cannot, and skips the depth measurement.
_NESTING = frozenset({_JSON, _EMBED, _TYPE, _ANY})


def scan(update: bytes, root: str | None) -> Scan:
    """Refuse an update that yrs must not be given: malformed, content kinds the stock
    clients never write, items in any root but `root` (None: any), values nested past
    MAX_DEPTH. Linear in the update's size; nothing recursive."""
    roots: set[str] = set()
    nests = False
    ends: list[tuple[int, int]] = []
    reader = _Reader(update)
    for _ in range(reader.count()):
        structs = reader.count()
        client = reader.uint()
        clock = reader.uint()
        for _ in range(structs):
            info = reader.byte()
            ref = info & 0x1F
            if ref in (_GC, _SKIP):
                clock += reader.uint()
                continue
            if info & 0x80:
                reader.uint(), reader.uint()  # left origin
            if info & 0x40:
                reader.uint(), reader.uint()  # right origin
            if not info & 0xC0:  # no origin: the parent is written out
                if reader.uint() == 1:
                    name = reader.string()
                    if root is not None and name != root:
                        raise Refused(f"content in a root other than {root!r}")
                    roots.add(name)
                else:
                    reader.uint(), reader.uint()
                if info & 0x20:
                    reader.string()  # key in a map
            nests = nests or ref in _NESTING
            clock += _content(reader, ref)
        ends.append((client, clock))
    for _ in range(reader.count()):  # the delete set
        reader.uint()
        for _ in range(reader.count()):
            reader.uint(), reader.uint()
    if reader.remaining():
        raise Refused("trailing bytes after the update")
    return Scan(frozenset(roots), nests, tuple(ends))


def _content(reader: _Reader, ref: int) -> int:
    """Reads one item's content; returns its length in clock ticks."""
    if ref == _DELETED:
        return reader.uint()
    if ref in (_JSON, _ANY):
        count = reader.count()
        for _ in range(count):
            if ref == _JSON:
                reader.string()
            else:
                reader.any(1)
        return count
    if ref == _BINARY:
        reader.buffer()
    elif ref == _STRING:
        return len(reader.string().encode("utf-16-le")) // 2  # Yjs counts UTF-16 units
    elif ref == _EMBED:
        reader.string()
    elif ref == _FORMAT:
        reader.string()
        reader.string()
    elif ref == _TYPE:
        type_ref = reader.uint()
        if type_ref not in _TYPE_REFS:
            raise Refused(f"unknown shared type {type_ref}")
        if type_ref in _NAMED_TYPE_REFS:
            reader.string()
    else:
        raise Refused(f"content kind {ref} is not accepted")
    return 1


# ---- 2. a trial apply ------------------------------------------------------------------


def depth_of(value: Any, start: int, limit: int = MAX_DEPTH) -> int:
    """How deep `value` reaches when it sits at depth `start`, walking at most to `limit + 1`
    (iteratively: never a stack overflow, whatever the content)."""
    deepest = start
    stack: list[tuple[Any, int]] = [(value, start)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            return depth
        stack.extend((child, depth + 1) for child in _children(node))
    return deepest


def _children(node: Any) -> Iterable[Any]:
    if isinstance(node, Array):
        return [v for v in node if isinstance(v, NESTED)]
    if isinstance(node, Map):
        return [v for v in node.values() if isinstance(v, NESTED)]
    if isinstance(node, Text | XmlText):
        embeds = [chunk for chunk, _ in node.diff() if not isinstance(chunk, str)]
        if isinstance(node, XmlText):
            embeds.extend(v for _, v in attributes(node) if isinstance(v, NESTED))
        return embeds
    if isinstance(node, XmlElement | XmlFragment):
        out: list[Any] = list(node.children)
        if isinstance(node, XmlElement):
            out.extend(v for _, v in attributes(node) if isinstance(v, NESTED))
        return out
    if isinstance(node, list):
        return node
    if isinstance(node, dict):
        return list(node.values())
    return ()


def attributes(node: XmlElement | XmlText) -> list[tuple[str, Any]]:
    """An XML node's attributes (pycrdt types its view's __iter__ as returning an Iterable)."""
    return list(cast(Iterable[tuple[str, Any]], node.attributes))


def _inserted(event: Any) -> list[Any]:
    """The values an observed change put into its target."""
    out: list[Any] = []
    for op in getattr(event, "delta", None) or ():
        insert = op.get("insert") if isinstance(op, dict) else None
        if isinstance(insert, list):
            out.extend(insert)
        elif insert is not None and not isinstance(insert, str):
            out.append(insert)
    keys = getattr(event, "keys", None) or {}
    for change in keys.values():
        if isinstance(change, dict) and "newValue" in change:
            out.append(change["newValue"])
    return out


class TrialDocument:
    """A copy of a room's document that every update is tried on before it is accepted.

    It holds what the room's document holds plus updates being committed. After a refused
    update it may hold part of it (or a yrs panic may have left it inconsistent), so it is
    rebuilt from the room's document before the next trial.
    """

    def __init__(self, root: str, source: Doc[Any]) -> None:
        self.root = root
        self._source = source
        self._doc: Doc[Any] | None = None
        self._depth = _DepthWatch(root)

    def invalidate(self) -> None:
        self._depth.stop()
        self._doc = None

    def check(self, update: bytes, scanned: Scan | None = None) -> None:
        """Apply the update to the trial copy; raises Refused if yrs fails on it or the
        document would nest deeper than MAX_DEPTH. `scanned`: what `scan` found, if the
        update was scanned already (protocol.decode does)."""
        if scanned is None:
            scanned = scan(update, self.root)
        elif scanned.roots - {self.root}:
            raise Refused(f"content in a root other than {self.root!r}")
        if self._doc is None:
            self._doc = Doc()
            self._doc.apply_update(self._source.get_update())
        # Measuring depth (a deep observer: pycrdt builds an event per changed type) is
        # for updates that can nest; typing skips it.
        if scanned.nests:
            self._depth.watch(self._doc)
        self._depth.reset()
        try:
            _apply_unobserved_on_failure(self._doc, update, self._depth)
            if scanned.nests:
                self._depth.verdict()
                self._check_complete(scanned)
        except BaseException as exc:
            if not failure(exc):
                raise
            self.invalidate()
            if isinstance(exc, Refused):
                raise
            raise Refused(f"the document cannot take this update ({pack_failure(exc)})") from exc
        finally:
            self._depth.stop()

    def _check_complete(self, scanned: Scan) -> None:
        """Refuse content that yrs keeps pending (its dependencies are missing): it would
        be integrated, unmeasured, by a later update that only types. Clients send edits
        on top of what the server sent them, so theirs are never pending."""
        assert self._doc is not None
        ours = _state_vector(self._doc.get_state())
        if any(clock > ours.get(client, 0) for client, clock in scanned.ends):
            raise Refused("the update depends on edits the server does not have")


def _apply_unobserved_on_failure(doc: Doc[Any], update: bytes, depth: "_DepthWatch") -> None:
    """Apply an update; if yrs fails, stop observing before the transaction commits.

    pycrdt commits the transaction even when the apply raised, and the commit calls the
    observers with events read from what yrs left half-done: after a panic that is a
    SIGSEGV (found by the fuzzer: `Option::unwrap()` on `None`, then reading the deep
    event). Without observers the commit of a failed apply is survived (the fuzzer checks
    that on every input it refuses). The apply runs inside an outer transaction, so the
    commit happens only when that one ends, after the observer is gone."""
    with doc.transaction():
        try:
            doc.apply_update(update)
        except BaseException:
            depth.stop()
            raise


def _state_vector(data: bytes) -> dict[int, int]:
    reader = _Reader(data)
    return {reader.uint(): reader.uint() for _ in range(reader.count())}


def pack_failure(exc: BaseException) -> str:
    """A one-line reason for the log and the quarantine record."""
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:500]


# ---- 3. stored documents ---------------------------------------------------------------


class Part(Protocol):
    @property
    def data(self) -> bytes: ...


P = TypeVar("P", bound=Part)


def assemble(parts: Sequence[P], root: str) -> tuple[Doc[Any], list[tuple[P, str]]]:
    """A document from its stored parts, skipping those that cannot be read or that would
    nest it deeper than MAX_DEPTH (returned with the reason, for quarantine). After a
    failure the document is rebuilt from the parts read so far: yrs may have left it
    half-changed."""
    depth = _DepthWatch(root)
    doc = depth.watch(Doc())
    good: list[bytes] = []
    bad: list[tuple[P, str]] = []
    for part in parts:
        depth.reset()
        try:
            scan(part.data, root)
            _apply_unobserved_on_failure(doc, part.data, depth)
            depth.verdict()
        except BaseException as exc:
            if not failure(exc):
                raise
            bad.append((part, pack_failure(exc)))
            depth.stop()
            doc = Doc()
            for update in good:
                doc.apply_update(update)
            depth.watch(doc)
            continue
        good.append(part.data)
    depth.stop()
    return doc, bad


class _DepthWatch:
    """Measures how deep the content an update inserts sits (a deep observer on the root)."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.deepest = 0
        self.failed = False
        self._node: Any = None
        self._subscription: Any = None

    def watch(self, doc: Doc[Any]) -> Doc[Any]:
        self._node = doc.get(self.root, type=XmlFragment if self.root == "body" else Array)
        self._subscription = self._node.observe_deep(self._observe)
        return doc

    def stop(self) -> None:
        if self._subscription is not None:
            self._node.unobserve(self._subscription)
            self._subscription = None

    def reset(self) -> None:
        self.deepest = 0
        self.failed = False

    def _observe(self, events: list[Any]) -> None:
        try:
            for event in events:
                base = len(event.path) + 1
                for value in _inserted(event):
                    self.deepest = max(self.deepest, depth_of(value, base))
        except Exception:  # a walk that fails is a refusal, never an observer error
            log.exception("could not measure an update's depth")
            self.failed = True

    def verdict(self) -> None:
        if self.failed:
            raise Refused("could not measure the update's nesting")
        if self.deepest > MAX_DEPTH:
            raise Refused(f"content nested deeper than {MAX_DEPTH} levels")
