"""What keeps a crafted update out of a section's document.

yrs trusts its input more than we may: updates that decode cleanly can still make
`apply_update` raise (`RuntimeError`, `ValueError`) or panic (`pyo3_runtime.PanicException`,
a `BaseException`), also while the transaction commits and collects garbage; and nesting that
is deep enough overflows the stack of recursive code in yrs (decoding nested values,
deleting a subtree, `str()` of an XML element): SIGSEGV, the whole process gone. Three
defences, in the order an update meets them:

1. `scan` reads the update in Python before yrs sees it: only the content kinds the stock
   clients write, only the section kind's root, values nested at most `MAX_DEPTH` deep,
   no empty items, no text written straight into a root or a map.
2. `TrialDocument.check` refuses text content that would land outside a text
   (`ParentIndex`: yrs never finishes reading such a list), applies the update to the
   room's trial copy of the document, catching everything yrs can throw (`failure`), and
   measures how deep the inserted content sits.
3. Only then is it committed to the log and applied to the room's own document.

Readers never call recursive yrs code on content (see `layout.py`), so even content that got
in some other way never overflows a stack.
"""

import logging
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

from server.collab.encoding import DecodeError, Reader

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


def _any(reader: Reader, depth: int) -> None:
    """One lib0 `Any` value, refusing nesting past MAX_DEPTH (yrs decodes it recursively)."""
    if depth > MAX_DEPTH:
        raise Refused(f"values nested deeper than {MAX_DEPTH} levels")
    tag = reader.byte()
    if tag in (127, 126, 121, 120):  # undefined, null, false, true
        return
    if tag == 125:
        reader.signed()
    elif tag == 124:
        reader.skip(4)
    elif tag in (123, 122):
        reader.skip(8)
    elif tag == 119:
        reader.string()
    elif tag == 118:
        for _ in range(reader.count()):
            reader.string()
            _any(reader, depth + 1)
    elif tag == 117:
        for _ in range(reader.count()):
            _any(reader, depth + 1)
    elif tag == 116:
        reader.buffer()
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
    try:
        return _scan(update, root)
    except DecodeError as exc:
        raise Refused(str(exc)) from exc


def _scan(update: bytes, root: str | None) -> Scan:
    roots: set[str] = set()
    nests = False
    ends: list[tuple[int, int]] = []
    reader = Reader(update)
    for _ in range(reader.count()):
        structs = reader.count()
        client = reader.uint()
        clock = reader.uint()
        for _ in range(structs):
            info = reader.byte()
            ref = info & 0x1F
            if ref in (_GC, _SKIP):
                length = reader.uint()
                if not length:
                    raise Refused("a struct of length 0")
                clock += length
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
                    if ref == _STRING:  # the roots (items, body) are never text
                        raise Refused("text content outside a text")
                else:
                    reader.uint(), reader.uint()
                if info & 0x20:
                    reader.string()  # key in a map
                    if ref == _STRING:
                        raise Refused("text content outside a text")
            nests = nests or ref in _NESTING
            length = _content(reader, ref)
            if not length:  # Yjs never writes an empty item; yrs mishandles some
                raise Refused("an item of length 0")
            clock += length
        ends.append((client, clock))
    for _ in range(reader.count()):  # the delete set
        reader.uint()
        for _ in range(reader.count()):
            reader.uint(), reader.uint()
    if reader.remaining():
        raise Refused("trailing bytes after the update")
    return Scan(frozenset(roots), nests, tuple(ends))


def _content(reader: Reader, ref: int) -> int:
    """Reads one item's content; returns its length in clock ticks."""
    if ref == _DELETED:
        return reader.uint()
    if ref in (_JSON, _ANY):
        count = reader.count()
        for _ in range(count):
            if ref == _JSON:
                reader.string()
            else:
                _any(reader, 1)
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


# Where text content may go. yrs reads a sequence (Array, XmlFragment, XmlElement children)
# by counting an item's length in the document's offset kind (UTF-8 bytes in pycrdt) while
# it copies a string out per character: a string item in a sequence with any non-ASCII
# character (or one in the middle of it) never finishes being read, and `Array.to_json`,
# `str()`, pycrdt's iteration spin forever (found by the fuzzer: a 28-byte update, "ø"
# with its left origin on an item of the goals list). Yjs only ever writes strings into
# Text and XmlText (lists take `ContentAny`). An item with origins takes its parent from
# the document, not from the update, so the check needs to know, for every item of the
# document, whether it sits in a text: `ParentIndex`.
_IN_TEXT, _ELSEWHERE, _GONE = 1, 0, 2  # where an item sits; _GONE: collected (GC)
_TEXT_TYPE_REFS = (2, 6)  # Text, XmlText

_Id = tuple[int, int]


@dataclass(slots=True)
class _Struct:
    client: int
    clock: int
    length: int
    ref: int
    origin: _Id | None
    right: _Id | None
    parent: str | _Id | None  # written out when there is no origin: a root's name or an id
    keyed: bool  # a map entry
    type_ref: int | None  # for shared types


def _structs(update: bytes) -> list[_Struct]:
    """The structs of an update that `scan` accepted."""
    try:
        return _read_structs(update)
    except DecodeError as exc:
        raise Refused(str(exc)) from exc


def _read_structs(update: bytes) -> list[_Struct]:
    out: list[_Struct] = []
    reader = Reader(update)
    for _ in range(reader.count()):
        structs = reader.count()
        client = reader.uint()
        clock = reader.uint()
        for _ in range(structs):
            info = reader.byte()
            ref = info & 0x1F
            if ref in (_GC, _SKIP):
                length = reader.uint()
                out.append(_Struct(client, clock, length, ref, None, None, None, False, None))
                clock += length
                continue
            origin = (reader.uint(), reader.uint()) if info & 0x80 else None
            right = (reader.uint(), reader.uint()) if info & 0x40 else None
            parent: str | _Id | None = None
            keyed = False
            if not info & 0xC0:
                parent = reader.string() if reader.uint() == 1 else (reader.uint(), reader.uint())
                if info & 0x20:
                    reader.string()
                    keyed = True
            start = reader.pos
            length = _content(reader, ref)
            type_ref = None
            if ref == _TYPE:
                reader.pos, end = start, reader.pos
                type_ref = reader.uint()
                reader.pos = end
            out.append(_Struct(client, clock, length, ref, origin, right, parent, keyed, type_ref))
            clock += length
    return out


def collected(doc: Doc[Any]) -> Callable[[_Id], bool]:
    """Whether `doc` holds a collected (GC) struct at an id: its diff from that clock."""

    def check(id_: _Id) -> bool:
        state = _state_vector(doc.get_state())
        client, clock = id_
        if state.get(client, 0) <= clock:
            return False
        state[client] = clock
        vector = _var_uint(len(state)) + b"".join(
            _var_uint(c) + _var_uint(k) for c, k in state.items()
        )
        for struct in _structs(doc.get_update(vector)):
            if struct.client == client:
                return struct.ref == _GC
        return False

    return check


def _var_uint(num: int) -> bytes:
    out = bytearray()
    while num > 0x7F:
        out.append(0x80 | (num & 0x7F))
        num >>= 7
    out.append(num)
    return bytes(out)


class ParentIndex:
    """For every item of a document, whether it sits in a text (Text, XmlText): ranges of
    clocks per client, kept as the document's updates are added. A parent never changes
    once an item is integrated; collected items may be stale here, which is why a string
    must agree with both of its origins."""

    def __init__(self) -> None:
        self._ranges: dict[int, tuple[list[int], list[int], list[int]]] = {}
        self._types: dict[_Id, int] = {}

    @classmethod
    def of(cls, update: bytes) -> "ParentIndex":
        index = cls()
        index.add(update, check=False)
        return index

    def _where(self, id_: _Id) -> int | None:
        ranges = self._ranges.get(id_[0])
        if ranges is None:
            return None
        starts, ends, kinds = ranges
        i = bisect_right(starts, id_[1]) - 1
        if i >= 0 and id_[1] < ends[i]:
            return kinds[i]
        return None

    def _put(self, struct: _Struct, kind: int) -> None:
        starts, ends, kinds = self._ranges.setdefault(struct.client, ([], [], []))
        i = bisect_right(starts, struct.clock)
        if i and ends[i - 1] > struct.clock:  # already known (a re-sent update)
            return
        if struct.type_ref is not None:
            self._types[(struct.client, struct.clock)] = struct.type_ref
        if i == len(starts) and i and ends[-1] == struct.clock and kinds[-1] == kind:
            ends[-1] = struct.clock + struct.length  # typing: one run
            return
        starts.insert(i, struct.clock)
        ends.insert(i, struct.clock + struct.length)
        kinds.insert(i, kind)

    def add(
        self,
        update: bytes,
        check: bool = True,
        collected: Callable[[_Id], bool] | None = None,
    ) -> None:
        """Record where the update's items go; with `check`, refuse text content that
        would land outside a text (or whose place cannot be told). `collected(id)`: whether
        the document has collected the item at `id` (None: assume it may have)."""
        structs = _structs(update)
        batch: dict[int, tuple[list[int], list[int]]] = {}  # client -> starts, positions
        for n, struct in enumerate(structs):
            starts, positions = batch.setdefault(struct.client, ([], []))
            starts.append(struct.clock)
            positions.append(n)
        unset = -1
        kinds = [unset] * len(structs)
        types = self._types

        def locate(id_: _Id) -> tuple[int | None, int | None]:
            """(kind, None) if known, (None, n) if it waits on struct n, (None, None)."""
            known = self._where(id_)
            if known is not None:
                return known, None
            entry = batch.get(id_[0])
            if entry is not None:
                i = bisect_right(entry[0], id_[1]) - 1
                if i >= 0:
                    n = entry[1][i]
                    if id_[1] < structs[n].clock + structs[n].length:
                        return (None, n) if kinds[n] == unset else (kinds[n], None)
            return None, None

        def type_of(id_: _Id) -> int | None:
            if id_ in types:
                return types[id_]
            entry = batch.get(id_[0])
            if entry is not None:
                i = bisect_right(entry[0], id_[1]) - 1
                if i >= 0 and structs[entry[1][i]].clock == id_[1]:
                    return structs[entry[1][i]].type_ref
            return None

        waiting: dict[int, list[int]] = {}
        queue = deque(range(len(structs)))
        misplaced: str | None = None
        while queue:
            n = queue.popleft()
            if kinds[n] != unset:
                continue
            struct = structs[n]
            kind: int | None
            if struct.ref == _GC:
                kind = _GONE
            elif struct.ref == _SKIP:
                kinds[n] = _GONE  # nothing is there; never recorded
                queue.extend(waiting.pop(n, ()))
                continue
            elif struct.parent is not None:
                if isinstance(struct.parent, str) or struct.keyed:
                    kind = _ELSEWHERE  # a root (items, body) or a map entry
                else:
                    type_ref = type_of(struct.parent)
                    if type_ref is not None:
                        kind = _IN_TEXT if type_ref in _TEXT_TYPE_REFS else _ELSEWHERE
                    else:
                        where, _ = locate(struct.parent)
                        # Not a shared type: yrs collects the item or refuses the update.
                        kind = _GONE if where is not None else None
            else:
                # yrs takes the parent from the left origin's item, or, if there is none
                # (missing, or collected), from the right origin's.
                sides: list[int | None] = []
                wait = None
                for origin in (struct.origin, struct.right):
                    where = None
                    if origin is not None and not (
                        origin[0] == struct.client and origin[1] >= struct.clock
                    ):  # its own or a later clock of its client: not there (yrs: none)
                        where, wait = locate(origin)
                        if wait is not None:
                            break
                    sides.append(where)
                if wait is not None:
                    waiting.setdefault(wait, []).append(n)
                    continue
                left, right = sides
                if left in (_IN_TEXT, _ELSEWHERE):
                    kind = left
                    # The index keeps a collected item's old place; yrs then goes by the
                    # right origin. Only a text on the left and something else on the right
                    # needs telling apart (yrs's own updates can carry a stray right origin
                    # after a multi-byte character).
                    if left == _IN_TEXT and right == _ELSEWHERE and struct.origin is not None:
                        if collected is None or collected(struct.origin):
                            kind = _ELSEWHERE
                elif right in (_IN_TEXT, _ELSEWHERE):
                    kind = right
                elif _GONE in sides:
                    kind = _GONE  # yrs collects an item that has nowhere to go
                else:
                    kind = None
            if kind is None:
                kinds[n] = _ELSEWHERE
                if struct.ref == _STRING:
                    misplaced = "text content whose place cannot be told"
            else:
                kinds[n] = kind
                if struct.ref == _STRING and kind == _ELSEWHERE:
                    misplaced = "text content outside a text"
            queue.extend(waiting.pop(n, ()))
        for n in range(len(structs)):  # what waits on a cycle
            if kinds[n] == unset:
                kinds[n] = _ELSEWHERE
                if structs[n].ref == _STRING:
                    misplaced = "text content whose place cannot be told"
        if check and misplaced is not None:
            raise Refused(misplaced)
        for struct, kind in zip(structs, kinds, strict=True):
            if struct.ref != _SKIP:
                self._put(struct, kind)


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
        self._index = ParentIndex()
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
            state = self._source.get_update()
            self._doc = Doc()
            self._doc.apply_update(state)
            self._index = ParentIndex.of(state)
        try:
            self._index.add(update, collected=collected(self._doc))
        except BaseException:
            self.invalidate()
            raise
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
    reader = Reader(data)
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
    """A document from its stored parts, skipping those that cannot be read, that would
    nest it deeper than MAX_DEPTH or put text outside a text (returned with the reason,
    for quarantine). After a
    failure the document is rebuilt from the parts read so far: yrs may have left it
    half-changed."""
    depth = _DepthWatch(root)
    doc = depth.watch(Doc())
    index = ParentIndex()
    good: list[bytes] = []
    bad: list[tuple[P, str]] = []
    for part in parts:
        depth.reset()
        try:
            scan(part.data, root)
            index.add(part.data, collected=collected(doc))
            _apply_unobserved_on_failure(doc, part.data, depth)
            depth.verdict()
        except BaseException as exc:
            if not failure(exc):
                raise
            bad.append((part, pack_failure(exc)))
            depth.stop()
            doc = Doc()
            index = ParentIndex()
            for update in good:
                doc.apply_update(update)
                index.add(update, check=False)
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
