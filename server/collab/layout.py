"""The content schema of section documents, and a defensive JSON view of them.

Clients can write anything into a document, so everything here tolerates wrong types,
missing fields and unknown keys: it shows what it can and never raises on content.
"""

import json
from collections.abc import Iterator
from typing import Any, cast

from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

from server.collab import guard

ITEMS = "items"
BODY = "body"
ITEM_KINDS = frozenset({"goals", "activities", "stakeholders"})

ITEM_FIELDS: dict[str, tuple[str, ...]] = {
    "goals": ("id", "title", "description", "metric", "target", "due", "status"),
    "activities": ("id", "title", "goal_id", "owner", "party", "start", "due", "status"),
    "stakeholders": (
        "id",
        "name",
        "job_title",
        "buying_role",
        "attitude",
        "relationship_owner",
        "notes",
    ),
}


def root_name(kind: str) -> str:
    return ITEMS if kind in ITEM_KINDS else BODY


def ensure_roots(doc: Doc[Any], kind: str) -> None:
    """Put the kind's root type in place (root types are named, so this writes nothing)."""
    if kind in ITEM_KINDS:
        doc.get(ITEMS, type=Array)
    else:
        doc.get(BODY, type=XmlFragment)


# Readers walk at most this deep; content below (which the sync path refuses to store, see
# guard.MAX_DEPTH) is left out, never recursed into.
READ_DEPTH = 2 * guard.MAX_DEPTH


def _plain(value: Any, depth: int = 0) -> Any:
    if depth > READ_DEPTH:
        return None
    if isinstance(value, Text | XmlText):
        return text_of_chunks(value)
    if isinstance(value, Map):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, Array):
        return [_plain(v, depth + 1) for v in value]
    if isinstance(value, XmlFragment | XmlElement):
        return xml_string(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, depth + 1) for v in value]
    return str(value)


def text_of_chunks(node: Text | XmlText) -> str:
    """The plain text of a text type (embedded values and types left out)."""
    return "".join(chunk for chunk, _ in node.diff() if isinstance(chunk, str))


def _formatted(node: XmlText) -> str:
    """An XML text as yrs writes it: each formatted run wrapped in its marks."""
    out: list[str] = []
    for chunk, attrs in node.diff():
        if not isinstance(chunk, str):
            continue
        marks = sorted((attrs or {}).items())
        for name, value in marks:
            out.append(f"<{name}")
            if isinstance(value, dict):
                out.extend(f' {k}="{_attr(v)}"' for k, v in value.items())
            out.append(">")
        out.append(chunk)
        out.extend(f"</{name}>" for name, _ in reversed(marks))
    return "".join(out)


def _attr(value: Any) -> str:
    """An attribute value as yrs prints it (2.0 as 2, True as true)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def xml_string(node: XmlFragment | XmlElement | XmlText) -> str:
    """The XML of a node, as `str()` gives it, but walked iteratively: yrs's own `str()`
    recurses and overflows the stack on deeply nested content."""
    out: list[str] = []
    stack: list[Any] = [node]  # nodes to write, and closing tags (str) to emit
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, XmlText):
            out.append(_formatted(item))
        elif isinstance(item, XmlElement):
            attrs = "".join(f' {k}="{_attr(v)}"' for k, v in guard.attributes(item))
            out.append(f"<{item.tag}{attrs}>")
            stack.append(f"</{item.tag}>")
            stack.extend(reversed(list(item.children)))
        elif isinstance(item, XmlFragment):
            stack.extend(reversed(list(item.children)))
    return "".join(out)


def _item(kind: str, raw: Any) -> dict[str, Any] | None:
    if isinstance(raw, Map):
        data = {str(k): v for k, v in raw.items()}
    elif isinstance(raw, dict):
        data = raw
    else:
        return None
    item: dict[str, Any] = {}
    for field in ITEM_FIELDS[kind]:
        value = _plain(data.get(field))
        if value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        item[field] = value
    if not isinstance(item.get("id"), str) or not item["id"]:
        return None
    return item


def to_json(doc: Doc[Any], kind: str) -> dict[str, Any]:
    """The document as JSON for REST clients: items (well-formed ones) or rich text."""
    try:
        if kind in ITEM_KINDS:
            # Read through yrs's own JSON encoding, which walks the list once: pycrdt
            # iterates an Array by index, from its start each time (quadratic in its
            # length; a crafted list of single characters made one read take minutes).
            raw_items = json.loads(str(doc.get(ITEMS, type=Array)))
            parsed = [_item(kind, raw) for raw in raw_items] if isinstance(raw_items, list) else []
            good = [i for i in parsed if i is not None]
            return {"kind": kind, "items": good, "skipped": len(parsed) - len(good)}
        body = doc.get(BODY, type=XmlFragment)
        return {"kind": kind, "body": xml_string(body), "text": _text_of(body)}
    except Exception:  # a root of the wrong type must not break the view
        return (
            {"kind": kind, "items": [], "skipped": 0}
            if kind in ITEM_KINDS
            else {"kind": kind, "body": "", "text": ""}
        )


def _text_of(root: Any) -> str:
    """Plain text of rich text: inline text joins directly, blocks (paragraphs, list items)
    go on lines of their own. Iterative, whatever the nesting."""
    if isinstance(root, XmlText):
        return text_of_chunks(root)
    # One frame per open element: its children still to visit, the texts of those visited.
    frames = [_frame(root)]
    while True:
        children, parts, separator = frames[-1]
        child = next(children, None)
        if child is None:
            frames.pop()
            text = separator.join(p for p in parts if p)
            if not frames:
                return text
            frames[-1][1].append(text)
        elif isinstance(child, XmlText):
            parts.append(text_of_chunks(child))
        else:
            frames.append(_frame(child))


def _frame(node: Any) -> tuple[Iterator[Any], list[str], str]:
    children = list(getattr(node, "children", []))
    separator = "" if all(isinstance(c, XmlText) for c in children) else "\n"
    return iter(children), [], separator


Block = tuple[str, str]  # ("paragraph" | "heading" | "bullet", text)
TEXT_FIELDS = frozenset({"title", "description", "notes"})


def build_document(kind: str, content: list[dict[str, Any]] | list[Block]) -> bytes:
    """A section document with the given content, as one Yjs update (seeding, demo)."""
    doc: Doc[Any] = Doc()
    ensure_roots(doc, kind)
    with doc.transaction():
        if kind in ITEM_KINDS:
            items = doc.get(ITEMS, type=Array)
            for raw in content:
                assert isinstance(raw, dict)
                items.append(Map({k: Text(v) if k in TEXT_FIELDS else v for k, v in raw.items()}))
        else:
            body = doc.get(BODY, type=XmlFragment)
            bullets: XmlElement | None = None
            for block in content:
                assert isinstance(block, tuple)
                style, text = block
                if style == "bullet":
                    if bullets is None:
                        bullets = body.children.append(XmlElement("bulletList"))
                    item = bullets.children.append(XmlElement("listItem"))
                    item.children.append(XmlElement("paragraph", contents=[XmlText(text)]))
                    continue
                bullets = None
                # TipTap compares heading levels as numbers; pycrdt's stub says str only.
                attrs = cast(dict[str, str], {"level": 2} if style == "heading" else {})
                body.children.append(XmlElement(style, attrs, contents=[XmlText(text)]))
    return doc.get_update()
