"""CPU-heavy work (exports, verify, large content views) off the event loop, in a budget.

A small pool of worker threads of its own, so heavy requests neither stop the loop nor take
the default executor's threads. Each job gets a deadline when it is submitted (time in
the queue counts): long loops in the job call `check()`, and the caller stops waiting at
the deadline either way, answering 422 `took_too_long`. Callers check sizes first and
answer 413 `content_too_large`, which is what bounds a job that cannot be interrupted.
Why threads and not processes, and what it costs: docs/limits.md.
"""

import asyncio
import contextvars
import functools
import importlib
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, ParamSpec, TypeVar

from server.errors import AppError

P = ParamSpec("P")
T = TypeVar("T")


class ContentTooLarge(AppError):
    status_code = 413
    code = "content_too_large"
    message = "This is too large for the server to process."


class TookTooLong(AppError):
    status_code = 422
    code = "took_too_long"
    message = "This took longer than the server allows for one request."


_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "offload_deadline", default=None
)


def check() -> None:
    """Stop the current job once its time is up (a no-op outside a job)."""
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise TookTooLong()


class Worker:
    def __init__(self, threads: int, seconds: float) -> None:
        self.seconds = seconds
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="jointplan-work")

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """fn(*args) in a worker thread; 422 took_too_long past the time budget."""
        context = contextvars.copy_context()
        context.run(_deadline.set, time.monotonic() + self.seconds)
        future = asyncio.get_running_loop().run_in_executor(
            self._pool, lambda: context.run(fn, *args, **kwargs)
        )
        try:
            # The thread cannot be stopped from outside; it ends at its next check().
            return await asyncio.wait_for(asyncio.shield(future), self.seconds + 1)
        except TimeoutError:
            future.add_done_callback(_swallow)
            raise TookTooLong() from None

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class ProcessWorker:
    """Pure-Python CPU work (fpdf2) in processes of their own: it neither shares the GIL
    with the event loop nor outlives its deadline (the process is killed)."""

    def __init__(self, processes: int, seconds: float) -> None:
        self.processes = processes
        self.seconds = seconds
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.processes, mp_context=multiprocessing.get_context("spawn")
            )
        return self._pool

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """fn(*args) in a worker process (fn and its arguments must pickle)."""
        future = asyncio.get_running_loop().run_in_executor(
            self._executor(), functools.partial(fn, *args, **kwargs)
        )
        try:
            return await asyncio.wait_for(future, self.seconds)
        except TimeoutError:
            self._kill()
            raise TookTooLong() from None
        except BrokenProcessPool:
            self._pool = None
            raise

    def _kill(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # The executor has no way to stop one job; its processes go, and a new pool starts.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _swallow(future: "asyncio.Future[Any]") -> None:
    if not future.cancelled():
        future.exception()


_default: Worker | None = None
_processes: ProcessWorker | None = None


def configure(threads: int, processes: int, seconds: float) -> None:
    """The process's worker pools (one each per process; the app sets them up at start)."""
    global _default, _processes
    if _default is not None:
        _default.shutdown()
    if _processes is not None:
        _processes.shutdown()
    _default = Worker(threads, seconds)
    _processes = ProcessWorker(processes, seconds)


def _warm(modules: tuple[str, ...]) -> None:
    for name in modules:
        importlib.import_module(name)


def warm_processes(*modules: str) -> None:
    """Start the worker process and import `modules` in it now, not on the first export:
    under load the start took 13 s here, which the first PDF's deadline would otherwise pay.
    (The modules are named by the caller: this base module imports no feature.)"""
    if _processes is not None:
        _processes._executor().submit(_warm, modules)


def stop_processes() -> None:
    """At shutdown: worker processes go (a new pool starts should work come later)."""
    if _processes is not None:
        _processes.shutdown()


async def run_in_process(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """fn(*args) in a worker process: for long pure-Python work (docs/limits.md)."""
    global _processes
    if _processes is None:
        _processes = ProcessWorker(1, 30)
    return await _processes.run(fn, *args, **kwargs)


def worker() -> Worker:
    global _default
    if _default is None:
        _default = Worker(2, 20)
    return _default


async def run(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """fn(*args) off the loop, in the process's worker pool."""
    return await worker().run(fn, *args, **kwargs)
