"""What the accept path's guard costs per update (docs/collab.md, "Crafted updates").

    .venv/bin/python bench/guard_cost.py

For typing in a goal's title and in a rich-text paragraph, on documents of a workshop's
size: the room's own apply (what the server did before), the Python scan, and the trial
apply on the room's copy (scan included); and the one-off cost of rebuilding the copy after
a refusal. Standard library and pycrdt only; single-threaded, in-process.
"""

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pycrdt import Array, Doc, Map, Text, TransactionEvent, XmlElement, XmlFragment, XmlText

from server.collab import guard, layout


def out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _typing(kind: str, size: int, keys: int) -> tuple[bytes, list[bytes]]:
    doc: Doc[Any] = Doc()
    if kind == "goals":
        items = doc.get(layout.ITEMS, type=Array)
        for n in range(size):
            items.append(Map({"id": f"g{n}", "title": Text(f"Goal {n} " * 5), "status": "open"}))
    else:
        body = doc.get(layout.BODY, type=XmlFragment)
        for n in range(size):
            body.children.append(XmlElement("paragraph", contents=[XmlText(f"Para {n} " * 10)]))
    base = doc.get_update()
    updates: list[bytes] = []

    def record(event: TransactionEvent) -> None:
        updates.append(event.update)

    doc.observe(record)
    for k in range(keys):
        if kind == "goals":
            title = doc.get(layout.ITEMS, type=Array)[size // 2]["title"]
        else:
            para = doc.get(layout.BODY, type=XmlFragment).children[size // 2]
            title = para.children[0]
        title.insert(len(str(title)) if kind == "goals" else 3 + k, "x")
    return base, updates


def _per_update(work: Any, updates: list[bytes]) -> float:
    start = time.perf_counter()
    for u in updates:
        work(u)
    return (time.perf_counter() - start) / len(updates) * 1e6


def main() -> None:
    out("| document | own apply µs | scan µs | trial (scan + apply + depth) µs | rebuild ms |")
    out("| --- | --- | --- | --- | --- |")
    for kind, size in (("goals", 30), ("goals", 300), ("text", 200), ("text", 2000)):
        base, updates = _typing(kind, size, 2000)
        root = layout.root_name(kind)
        own: Doc[Any] = Doc()
        own.apply_update(base)
        apply_us = _per_update(own.apply_update, updates)
        scan_us = _per_update(lambda u, root=root: guard.scan(u, root), updates)
        source: Doc[Any] = Doc()
        source.apply_update(base)
        trial = guard.TrialDocument(root, source)
        trial.check(b"\x00\x00")  # builds the copy
        trial_us = _per_update(trial.check, updates)
        start = time.perf_counter()
        for _ in range(5):
            trial.invalidate()
            trial.check(b"\x00\x00")
        rebuild_ms = (time.perf_counter() - start) / 5 * 1e3
        out(
            f"| {kind}, {size} {'items' if kind == 'goals' else 'paragraphs'} "
            f"({len(base) // 1024} KiB) | {apply_us:.0f} | {scan_us:.0f} | {trial_us:.0f} "
            f"| {rebuild_ms:.1f} |"
        )


if __name__ == "__main__":
    main()
