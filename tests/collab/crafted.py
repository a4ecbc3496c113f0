"""Updates crafted by hand, as the issue's attacker made them (tests of the sync path)."""

from typing import Any

from pycrdt import Array, Doc, Map, XmlElement, XmlFragment

from server.collab import layout
from server.collab.encoding import var_bytes, var_uint

CLIENT = 912_345


def _item(parent_root: str, content_ref: int, content: bytes, clock: int = 0) -> bytes:
    """One update holding one item whose parent is a root (no origins)."""
    item = bytes([content_ref]) + var_uint(1) + var_bytes(parent_root.encode()) + content
    return var_uint(1) + var_uint(1) + var_uint(CLIENT) + var_uint(clock) + item + b"\x00"


def deep_xml(levels: int) -> bytes:
    """One update nesting `levels` XML elements (the issue's 40,000 made str() SIGSEGV)."""
    doc: Doc[Any] = Doc()
    body = doc.get(layout.BODY, type=XmlFragment)
    with doc.transaction():
        node = body.children.append(XmlElement("paragraph"))
        for _ in range(levels):
            node = node.children.append(XmlElement("paragraph"))
    return doc.get_update()


def deep_maps(levels: int) -> bytes:
    """An item holding maps nested `levels` deep."""
    doc: Doc[Any] = Doc()
    items = doc.get(layout.ITEMS, type=Array)
    with doc.transaction():
        node: Map[Any] = Map()
        items.append(node)
        node["id"] = "deep"
        for _ in range(levels):
            child: Map[Any] = Map()
            node["x"] = child
            node = child
    return doc.get_update()


def deep_values(levels: int, root: str = layout.ITEMS) -> bytes:
    """A plain value (lists in lists) nested `levels` deep: yrs decodes it recursively."""
    value = b"\x75\x01" * levels + b"\x7e"  # array of one, ..., null
    return _item(root, 8, var_uint(1) + value)


def other_root() -> bytes:
    """A string in a root the section kind does not use."""
    return _item("evil", 4, var_bytes(b"hidden"))


def subdocument() -> bytes:
    """A subdocument (content kind 9) in the items root."""
    return _item(layout.ITEMS, 9, var_bytes(b"guid-1") + b"\x76\x00")


def unknown_content() -> bytes:
    """Content kind 11 (yrs's move), which the JavaScript clients cannot decode."""
    return _item(layout.ITEMS, 11, b"\x00\x00\x00\x00")


def missing_dependency() -> bytes:
    """A new item placed after one the server never received: yrs would keep it pending
    and integrate it, unmeasured, when a later update fills the gap."""
    doc: Doc[Any] = Doc()
    items = doc.get(layout.ITEMS, type=Array)
    items.append(Map({"id": "first"}))
    before = doc.get_state()
    items.append(Map({"id": "second"}))
    return doc.get_update(before)


# (name, section kind, update): each must be refused with 4400 and leave no trace.
CASES: list[tuple[str, str, bytes]] = [
    ("deep-xml-40000", "text", deep_xml(40_000)),
    ("deep-xml-100", "text", deep_xml(100)),
    ("deep-maps-100", "goals", deep_maps(100)),
    ("deep-values-100000", "goals", deep_values(100_000)),
    ("deep-values-100", "goals", deep_values(100)),
    ("other-root", "goals", other_root()),
    ("subdocument", "goals", subdocument()),
    ("content-kind-11", "goals", unknown_content()),
    ("missing-dependency", "goals", missing_dependency()),
]
