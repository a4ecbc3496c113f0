"""What a signature binds to: the canonical JSON of a goal's content, and its SHA-256.

Canonical JSON: keys sorted, no whitespace, UTF-8 (not \\u escapes), every string in Unicode
NFC, whole-number floats written as integers. Anyone can recompute a hash from an export
with a few lines in any language.
"""

import hashlib
import json
import unicodedata
from typing import Any

GOAL_FIELDS = ("title", "description", "metric", "target", "due")


# Deeper values are not content the editors write (the sync path refuses nesting past
# collab.guard.MAX_DEPTH); they hash as null rather than recurse without bound.
MAX_DEPTH = 128


def _normal(value: Any, depth: int = 0) -> Any:
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {
            unicodedata.normalize("NFC", str(k)): _normal(v, depth + 1) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_normal(v, depth + 1) for v in value]
    return unicodedata.normalize("NFC", str(value))


def canonical_json(value: Any) -> bytes:
    return json.dumps(
        _normal(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def goal_content(item: dict[str, Any]) -> dict[str, Any]:
    """The signed fields of a goal item (from the schema's JSON view); missing ones are null."""
    return {name: _normal(item.get(name)) for name in GOAL_FIELDS}


def goal_hash(content: dict[str, Any]) -> str:
    return sha256(goal_content(content))
