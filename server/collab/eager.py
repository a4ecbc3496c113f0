"""Run an awaitable synchronously for as long as it does not have to wait.

A room sends every accepted update to each of its clients. Handing each frame to a task
costs a task switch per client per update, which was most of the server's CPU under load
(docs/benchmarks.md). The ASGI server's `send` only waits when the socket's buffer is
full, so a frame can usually be written on the spot: `start` steps the awaitable once
and, only if it had to wait, returns the rest of it for a task to finish, in order.

This is what Python 3.12's eager tasks do; 3.11 has none.
"""

import asyncio
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any


def start(awaitable: Awaitable[None]) -> Coroutine[Any, Any, None] | None:
    """Step `awaitable` up to its first wait. None if it finished; otherwise an awaitable
    that finishes it. An exception raised before the first wait propagates from here."""
    steps = awaitable.__await__()
    try:
        waiting_on = steps.send(None)
    except StopIteration:
        return None
    return _finish(steps, waiting_on)


async def _finish(steps: Generator[Any, None, None], waiting_on: Any) -> None:
    # Wait for what the awaitable yielded, in the caller's task, then step it again: a
    # trampoline, as asyncio.Task is for the coroutine it owns.
    while True:
        thrown: BaseException | None = None
        try:
            if waiting_on is None:  # a bare yield, as in asyncio.sleep(0)
                await asyncio.sleep(0)
            else:
                # The awaitable marked the future as awaited by a task ("blocking") when it
                # yielded it; asyncio.Task clears that mark before waiting, and so do we.
                waiting_on._asyncio_future_blocking = False
                await waiting_on
        except BaseException as exc:  # includes cancellation of the caller's task
            thrown = exc
        try:
            waiting_on = steps.send(None) if thrown is None else steps.throw(thrown)
        except StopIteration:
            return
