"""Time GET /healthz every 20 ms until stdin closes; print the latencies (s) as JSON.

A process of its own, so that the client sending the heavy request does not share an
event loop or a GIL with the probe (an in-process probe measured the test's own client
too: p99 200 ms where this one saw 40 ms)."""

import json
import sys
import threading
import time

import httpx


def main(url: str) -> None:
    stop = threading.Event()

    def wait_for_eof() -> None:
        sys.stdin.read()
        stop.set()

    threading.Thread(target=wait_for_eof, daemon=True).start()
    latencies: list[float] = []
    with httpx.Client(base_url=url, timeout=60) as client:
        client.get("/healthz")
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        while not stop.is_set():
            start = time.perf_counter()
            r = client.get("/healthz")
            latencies.append(time.perf_counter() - start)
            if r.status_code != 200:
                latencies.append(float("inf"))
            time.sleep(0.02)
    sys.stdout.write(json.dumps(latencies) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
