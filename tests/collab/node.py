"""Drives tests/collab/js/client.mjs: a stock npm y-websocket WebsocketProvider in Node."""

import asyncio
import contextlib
import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

JS = Path(__file__).resolve().parent / "js"


def require_node() -> str:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "y-websocket").is_dir():
        pytest.fail("Node clients missing: run `npm ci` in tests/collab/js (scripts/test does)")
    return node


# Every client started in the current test; tests/collab/conftest.py stops and checks them
# after it, so a client the test forgot to check still fails it.
started: list["NodeClient"] = []


class NodeClient:
    """One Node process. Anything it writes to stderr and every `error` event it emits fail
    the test (when the block ends, or after the test for a client started without one),
    unless the test declares them: `expect_errors=[regex, ...]`, each error message and
    stderr line matching one of them."""

    def __init__(
        self,
        ws_base: str,
        section_id: str,
        token: str | None,
        *extra: str,
        expect_errors: Sequence[str] = (),
    ) -> None:
        self.args = ["--url", f"{ws_base}/collab", "--room", section_id, *extra]
        if token:
            self.args += ["--token", token]
        self.expected = [re.compile(p) for p in expect_errors]
        self.checked = False
        self.events: list[dict[str, Any]] = []
        self.stderr = b""
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._stderr_reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def start(self) -> "NodeClient":
        self.process = await asyncio.create_subprocess_exec(
            require_node(),
            str(JS / "client.mjs"),
            *self.args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        started.append(self)
        self._reader = asyncio.create_task(self._read())
        self._stderr_reader = asyncio.create_task(self._read_stderr())
        return self

    async def __aenter__(self) -> "NodeClient":
        return await self.start()

    async def __aexit__(self, exc_type: object, *_: object) -> None:
        await self.stop()
        if exc_type is None:
            self.check_no_errors()

    def unexpected_errors(self) -> list[str]:
        """The error events and stderr lines that no declared pattern matches."""
        said = [str(e.get("message")) for e in self.events if e.get("event") == "error"]
        said += [line for line in self.stderr.decode(errors="replace").splitlines() if line.strip()]
        return [m for m in said if not any(p.search(m) for p in self.expected)]

    def check_no_errors(self) -> None:
        self.checked = True
        unexpected = self.unexpected_errors()
        assert not unexpected, "the Node client reported errors or wrote to stderr:\n" + "\n".join(
            unexpected
        )

    async def _read_stderr(self) -> None:
        assert self.process is not None
        assert self.process.stderr is not None
        self.stderr += await self.process.stderr.read()

    async def _read(self) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            with contextlib.suppress(ValueError):
                self.events.append(json.loads(line))
                self._changed.set()

    async def send(self, **command: Any) -> None:
        assert self.process is not None
        assert self.process.stdin is not None
        self.process.stdin.write((json.dumps(command) + "\n").encode())
        await self.process.stdin.drain()

    async def wait_event(
        self, name: str, within: float = 10, after: int = 0, **match: Any
    ) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            for event in self.events[after:]:
                if event.get("event") == name and all(event.get(k) == v for k, v in match.items()):
                    return event
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"no {name} {match}; saw {self.events[-5:]}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), remaining)

    async def state(self) -> dict[str, Any]:
        mark = len(self.events)
        await self.send(cmd="state")
        return await self.wait_event("state", after=mark)

    async def items(self) -> list[dict[str, Any]]:
        json_state: list[dict[str, Any]] = (await self.state())["json"]
        return json_state

    async def wait_items(self, count: int, within: float = 10) -> list[dict[str, Any]]:
        deadline = asyncio.get_running_loop().time() + within
        while True:
            items = await self.items()
            if len(items) >= count or asyncio.get_running_loop().time() > deadline:
                return items
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.returncode is not None:
            for reader in (self._reader, self._stderr_reader):
                if reader is not None:
                    with contextlib.suppress(Exception):
                        await reader
            return
        with contextlib.suppress(Exception):
            await self.send(cmd="exit")
        try:
            await asyncio.wait_for(self.process.wait(), 5)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        for reader in (self._reader, self._stderr_reader):
            if reader is not None:
                with contextlib.suppress(Exception):
                    await reader
