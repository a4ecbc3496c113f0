"""Text-range anchors: two encoded Yjs relative positions and the words they enclosed.

The positions follow the text through concurrent edits (they name characters, not offsets).
The server checks that they are well-formed and resolves them to tell whether the words are
still there; clients resolve them to highlight the range.
"""

import base64
import binascii
from typing import Any

from pycrdt import Doc, Map, StickyIndex, Text, XmlElement, XmlFragment, XmlText

from server.collab import encoding, layout, protocol

ITEM_TEXT_FIELDS = frozenset({"title", "description", "notes"})


class AnchorError(ValueError):
    pass


def _check_relative_position(data: bytes) -> None:
    """Validate the Yjs RelativePosition encoding before the CRDT library sees it (it aborts
    on malformed input instead of raising)."""
    reader = encoding.Reader(data)
    try:
        kind = reader.uint()
        if kind == 0 or kind == 2:
            reader.uint()
            reader.uint()
        elif kind == 1:
            reader.buffer().decode("utf-8")
        else:
            raise AnchorError("unknown relative position kind")
        if reader.pos >= len(data):
            raise AnchorError("missing assoc")
        # assoc is a lib0 varInt: 0 (after) is 0x00, -1 (before) is 0x41; nothing else.
        if data[reader.pos] not in (0x00, 0x41):
            raise AnchorError("bad assoc")
        reader.pos += 1
        if not reader.done():
            raise AnchorError("trailing bytes")
    except (encoding.DecodeError, UnicodeDecodeError) as exc:
        raise AnchorError(str(exc)) from exc


def _names_known_item(data: bytes, state: dict[int, int]) -> bool:
    """Whether the position names an item (or type) this document has: pycrdt aborts when
    asked to resolve one it does not know."""
    reader = encoding.Reader(data)
    kind = reader.uint()
    if kind == 1:
        return True
    client, clock = reader.uint(), reader.uint()
    return state.get(client, 0) > clock


def _offset(data: bytes, doc: Doc[Any], state: dict[int, int]) -> int | None:
    if not _names_known_item(data, state):
        return None
    try:
        with doc.transaction() as txn:
            return int(StickyIndex.decode(data).get_index(txn))
    except BaseException as exc:
        # pycrdt aborts (a Rust panic, a BaseException) on a type position that names an
        # item which is not a type; that is a client's bad anchor, nothing worse.
        if type(exc).__name__ == "PanicException":
            return None
        raise


def decode_position(encoded: str) -> bytes:
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AnchorError("not base64") from exc
    if not data or len(data) > 512:
        raise AnchorError("bad length")
    _check_relative_position(data)
    return data


def validate(anchor: dict[str, Any], *, kind: str, item: Map[Any] | None) -> None:
    """Raise AnchorError unless the anchor fits the section (and item, if any)."""
    decode_position(str(anchor.get("start", "")))
    decode_position(str(anchor.get("end", "")))
    field = anchor.get("field")
    if item is not None:
        if field not in ITEM_TEXT_FIELDS or not isinstance(item.get(field), Text):
            raise AnchorError("an anchor in an item needs one of its text fields")
    elif kind in layout.ITEM_KINDS:
        raise AnchorError("a text anchor in a list section needs an item")
    elif field is not None:
        raise AnchorError("field is only for anchors in items")


def _xml_texts(node: Any) -> list[XmlText]:
    """Every XML text below the node, in document order (iteratively: content can nest
    arbitrarily deep)."""
    found: list[XmlText] = []
    stack = list(reversed(list(getattr(node, "children", []))))
    while stack:
        child = stack.pop()
        if isinstance(child, XmlText):
            found.append(child)
        elif isinstance(child, XmlElement | XmlFragment):
            stack.extend(reversed(list(child.children)))
    return found


def resolve(doc: Doc[Any], anchor: dict[str, Any], item: Map[Any] | None) -> dict[str, Any]:
    """{"detached": bool, "quote": the words between the positions now, if known}."""
    try:
        start = decode_position(str(anchor["start"]))
        end = decode_position(str(anchor["end"]))
        state = protocol.decode_state_vector(doc.get_state())
        s, e = _offset(start, doc, state), _offset(end, doc, state)
    except (AnchorError, KeyError, RuntimeError, ValueError):
        return {"detached": True, "quote": None}
    if s is None or e is None or e <= s:
        return {"detached": True, "quote": None}  # the anchored words were deleted
    if item is not None:
        text = item.get(str(anchor.get("field")))
        if not isinstance(text, Text):
            return {"detached": True, "quote": None}
        return {"detached": False, "quote": str(text)[s:e]}
    quote = anchor.get("quote")
    try:
        body = doc.get(layout.BODY, type=XmlFragment)
        candidates = [str(t)[s:e] for t in _xml_texts(body)]
    except Exception:  # a root of the wrong type
        candidates = []
    if quote in candidates:
        return {"detached": False, "quote": quote}
    return {"detached": False, "quote": None}
