"""Rich-text sections (ProseMirror/TipTap XML in a Yjs XmlFragment) as simple blocks."""

from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from server.collab import layout


@dataclass(frozen=True)
class Block:
    style: str  # heading | paragraph | bullet | ordered | quote | code
    text: str
    level: int = 0  # heading level, or list depth
    number: int = 0  # ordered list item number


def _inline(node: Any) -> str:
    """The text of a node, walked iteratively (content can nest arbitrarily deep)."""
    out: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, XmlText):
            out.append(layout.text_of_chunks(item))
        elif isinstance(item, XmlElement):
            if item.tag == "hardBreak":
                out.append("\n")
            else:
                stack.extend(reversed(list(item.children)))
    return "".join(out)


def _walk(node: Any, out: list[Block], depth: int = 0, nesting: int = 0) -> None:
    # Blocks nest only as deep as the sync path lets content nest (guard.MAX_DEPTH); what
    # lies below the readers' bound is left out rather than recursed into.
    if nesting > layout.READ_DEPTH:
        return
    for child in getattr(node, "children", []):
        if isinstance(child, XmlText):
            text = _inline(child).strip()
            if text:
                out.append(Block("paragraph", text))
            continue
        if not isinstance(child, XmlElement):
            continue
        tag = child.tag
        if tag == "heading":
            level = str(child.attributes.get("level") or "2")
            out.append(
                Block("heading", _inline(child).strip(), int(level) if level.isdigit() else 2)
            )
        elif tag in ("bulletList", "orderedList"):
            for number, item in enumerate(child.children, start=1):
                style = "bullet" if tag == "bulletList" else "ordered"
                parts: list[Block] = []
                _walk(item, parts, depth + 1, nesting + 2)
                first = next((p for p in parts if p.style == "paragraph"), None)
                out.append(Block(style, first.text if first else "", depth, number))
                out.extend(p for p in parts if p is not first)
        elif tag == "blockquote":
            inner: list[Block] = []
            _walk(child, inner, depth, nesting + 1)
            out.extend(Block("quote", b.text) for b in inner)
        elif tag == "codeBlock":
            out.append(Block("code", _inline(child)))
        elif tag == "paragraph":
            text = _inline(child).strip()
            if text:
                out.append(Block("paragraph", text))
        else:
            _walk(child, out, depth, nesting + 1)


def blocks(doc: Doc[Any]) -> list[Block]:
    try:
        body = doc.get(layout.BODY, type=XmlFragment)
        out: list[Block] = []
        _walk(body, out)
        return out
    except Exception:
        text = layout.to_json(doc, "text").get("text", "")
        return [Block("paragraph", line) for line in str(text).splitlines() if line.strip()]
