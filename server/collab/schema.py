"""The content schema of section documents, and a defensive JSON view of them.

Clients can write anything into a document, so everything here tolerates wrong types,
missing fields and unknown keys: it shows what it can and never raises on content.
"""

from typing import Any

from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

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


def _plain(value: Any) -> Any:
    if isinstance(value, Text | XmlText):
        return str(value)
    if isinstance(value, Map):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Array):
        return [_plain(v) for v in value]
    if isinstance(value, XmlFragment | XmlElement):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value)


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
            items = doc.get(ITEMS, type=Array)
            parsed = [_item(kind, raw) for raw in items]
            good = [i for i in parsed if i is not None]
            return {"kind": kind, "items": good, "skipped": len(parsed) - len(good)}
        body = doc.get(BODY, type=XmlFragment)
        return {"kind": kind, "body": str(body), "text": _text_of(body)}
    except Exception:
        return (
            {"kind": kind, "items": [], "skipped": 0}
            if kind in ITEM_KINDS
            else {"kind": kind, "body": "", "text": ""}
        )


def _text_of(node: Any) -> str:
    if isinstance(node, XmlText):
        return str(node)
    parts: list[str] = []
    for child in getattr(node, "children", []):
        parts.append(_text_of(child))
    separator = "\n" if isinstance(node, XmlFragment) else ""
    return separator.join(p for p in parts if p)
