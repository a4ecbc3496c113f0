"""The content schema of section documents, and a defensive JSON view of them.

Clients can write anything into a document, so everything here tolerates wrong types,
missing fields and unknown keys: it shows what it can and never raises on content.
"""

from typing import Any, cast

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
    except Exception:  # a root of the wrong type must not break the view
        return (
            {"kind": kind, "items": [], "skipped": 0}
            if kind in ITEM_KINDS
            else {"kind": kind, "body": "", "text": ""}
        )


def _text_of(node: Any) -> str:
    if isinstance(node, XmlText):
        return str(node)
    children = list(getattr(node, "children", []))
    parts = [_text_of(child) for child in children]
    # Inline text joins directly; blocks (paragraphs, list items) go on lines of their own.
    separator = "" if all(isinstance(c, XmlText) for c in children) else "\n"
    return separator.join(p for p in parts if p)


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
