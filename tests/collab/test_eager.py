"""eager.start: a send that need not wait happens on the spot; one that must wait is
finished later in order, with its result or its error."""

import asyncio

import pytest

from server.collab import eager


async def test_an_awaitable_that_never_waits_finishes_on_the_spot() -> None:
    done: list[str] = []

    async def write() -> None:
        done.append("written")

    assert eager.start(write()) is None
    assert done == ["written"]


async def test_an_awaitable_that_waits_is_finished_by_what_start_returns() -> None:
    writable = asyncio.Event()
    done: list[str] = []

    async def write() -> None:
        done.append("started")
        await writable.wait()
        await asyncio.sleep(0)
        done.append("written")

    rest = eager.start(write())
    assert rest is not None
    assert done == ["started"]
    task = asyncio.create_task(rest)
    await asyncio.sleep(0.01)
    assert done == ["started"]
    writable.set()
    await asyncio.wait_for(task, 1)
    assert done == ["started", "written"]


async def test_an_error_before_the_first_wait_comes_from_start() -> None:
    async def write() -> None:
        raise ConnectionResetError("gone")

    with pytest.raises(ConnectionResetError):
        eager.start(write())


async def test_an_error_after_a_wait_comes_from_the_rest() -> None:
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def write() -> None:
        await gate
        raise ConnectionResetError("gone")

    rest = eager.start(write())
    assert rest is not None
    gate.set_result(None)
    with pytest.raises(ConnectionResetError):
        await rest


async def test_a_failed_wait_is_thrown_into_the_awaitable() -> None:
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    seen: list[str] = []

    async def write() -> None:
        try:
            await gate
        except KeyError:
            seen.append("handled")

    rest = eager.start(write())
    assert rest is not None
    gate.set_exception(KeyError("x"))
    await rest
    assert seen == ["handled"]


async def test_cancelling_the_finishing_task_cancels_the_awaitable() -> None:
    seen: list[str] = []

    async def write() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    rest = eager.start(write())
    assert rest is not None
    task = asyncio.create_task(rest)
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == ["cancelled"]
