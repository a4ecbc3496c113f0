"""A longer run of the accept-path fuzzer (tests/collab/fuzzing.py) than the test suite's.

    .venv/bin/python bench/fuzz.py --seconds 600                 # all four section kinds
    .venv/bin/python bench/fuzz.py --seconds 120 --kinds text --seed 7
    .venv/bin/python bench/fuzz.py --seconds 600 --save tests/collab/corpus

Prints inputs tried per second and what it found. A finding (the server's accept path
failed: an exception escaped the room, a refused update was stored or forwarded, a reader
failed on accepted content) makes the exit status 1 and is written to --save as
`finding-<kind>-<n>.bin`. With --save, each new kind of raw yrs failure (an input plain
`Doc.apply_update` raises or panics on, which the room refused) is written there too as
`<kind>-<failure>-<n>.bin`: the corpus test replays every file in tests/collab/corpus.
"""

import argparse
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("RUST_BACKTRACE", "0")

from tests.collab import fuzzing


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:48]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600, help="in all, split over kinds")
    parser.add_argument("--kinds", default=",".join(fuzzing.KINDS))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", type=Path, help="folder for new crashers and findings")
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    known = {p.name.rsplit("-", 1)[0] for p in args.save.glob("*.bin")} if args.save else set()
    failed = False
    total_tried = total_seconds = 0.0
    for kind in kinds:

        def save(failure: str, stored: list[bytes], update: bytes, kind: str = kind) -> None:
            if args.save is None:
                return
            stem = f"{kind}-{_slug(fuzzing.failure_kind(failure))}"
            if stem in known:
                return
            known.add(stem)
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{stem}-{args.seed}.bin").write_bytes(fuzzing.encode_case(stored, update))

        report = fuzzing.run(kind, args.seconds / len(kinds), args.seed, on_crasher=save)
        total_tried += report.tried
        total_seconds += report.seconds
        out(
            f"{kind}: {report.tried} inputs in {report.seconds:.0f} s "
            f"({report.per_second:.0f}/s), {report.decoded} past the decoder, "
            f"{report.accepted} accepted, {len(report.findings)} findings"
        )
        for _failure, (message, _stored, _update) in sorted(report.crashers.items()):
            out(f"  yrs fails (room refused): {message[:120]}")
        for n, (k, finding, stored, update) in enumerate(report.findings):
            failed = True
            out(f"  FINDING: {finding}")
            if args.save is not None:
                args.save.mkdir(parents=True, exist_ok=True)
                path = args.save / f"finding-{k}-{n}.bin"
                path.write_bytes(fuzzing.encode_case(stored, update))
    rate = total_tried / total_seconds if total_seconds else 0
    out(f"total: {total_tried:.0f} inputs, {rate:.0f}/s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
