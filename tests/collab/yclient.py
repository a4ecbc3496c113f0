"""A y-websocket client on pycrdt, as an external Python integration would write one."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from pycrdt import Array, Awareness, Doc, Map, Text, TransactionEvent
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from server.collab import encoding, protocol
from tests.people import People, Person


class YClient:
    def __init__(self, base_ws: str, section_id: str, token: str | None) -> None:
        query = f"?token={token}" if token else ""
        self.url = f"{base_ws}/collab/{section_id}{query}"
        self.doc: Doc[Any] = Doc()
        self.items = self.doc.get("items", type=Array)
        self.synced = asyncio.Event()
        self.closed = asyncio.Event()
        self.close_code: int | None = None
        self.denied: list[str] = []
        self.awareness_frames = 0
        self.awareness_bytes = 0  # of all awareness frames received
        self.remote_awareness = Awareness(Doc())
        self.remote_awareness.set_local_state(None)
        self.ws: ClientConnection | None = None
        self._applying = False
        self._reader: asyncio.Task[None] | None = None
        self.doc.observe(self._on_local)

    async def connect(self, within: float = 10) -> "YClient":
        self.ws = await asyncio.wait_for(connect(self.url, max_size=None), within)
        self._reader = asyncio.create_task(self._read())
        # The server may already have closed (refused) the connection.
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(protocol.sync_step1(self.doc.get_state()))
        return self

    async def __aenter__(self) -> "YClient":
        return await self.connect()

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._reader, 5)

    def _on_local(self, event: TransactionEvent) -> None:
        if self._applying or self.ws is None:
            return
        frame = protocol.sync_update(event.update)
        asyncio.get_running_loop().create_task(self._send(frame))

    async def _send(self, frame: bytes) -> None:
        assert self.ws is not None
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(frame)

    async def send_raw(self, frame: bytes) -> None:
        assert self.ws is not None
        await self.ws.send(frame)

    def _apply(self, update: bytes) -> None:
        self._applying = True
        try:
            self.doc.apply_update(update)
        finally:
            self._applying = False

    async def _read(self) -> None:
        assert self.ws is not None
        try:
            async for frame in self.ws:
                assert isinstance(frame, bytes)
                reader = encoding.Reader(frame)
                kind = reader.uint()
                if kind == protocol.MESSAGE_SYNC:
                    step = reader.uint()
                    payload = reader.buffer()
                    if step == protocol.SyncStep.STEP1:
                        await self.ws.send(protocol.sync_step2(self.doc.get_update(payload)))
                    else:
                        self._apply(payload)
                        if step == protocol.SyncStep.STEP2:
                            self.synced.set()
                elif kind == protocol.MESSAGE_AWARENESS:
                    self.awareness_frames += 1
                    self.awareness_bytes += len(frame)
                    self.remote_awareness.apply_awareness_update(reader.buffer(), "remote")
                elif kind == protocol.MESSAGE_AUTH:
                    reader.uint()
                    self.denied.append(reader.buffer().decode())
        except ConnectionClosed:
            pass
        finally:
            self.close_code = self.ws.close_code
            self.closed.set()

    # ---- helpers for tests -------------------------------------------------------------

    async def wait_synced(self, within: float = 10) -> None:
        await asyncio.wait_for(self.synced.wait(), within)

    async def wait_closed(self, within: float = 10) -> int | None:
        await asyncio.wait_for(self.closed.wait(), within)
        return self.close_code

    def push(self, title: str, **fields: Any) -> None:
        self.items.append(Map({"id": title, "title": Text(title), **fields}))

    def titles(self) -> list[str]:
        return [str(item["title"]) for item in self.items]

    async def wait_for(self, predicate: Any, within: float = 5) -> None:
        deadline = asyncio.get_running_loop().time() + within
        while not predicate():
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("condition not reached")
            await asyncio.sleep(0.01)

    async def set_presence(self, state: dict[str, Any], client_id: int, clock: int) -> None:
        payload = (
            encoding.var_uint(1)
            + encoding.var_uint(client_id)
            + encoding.var_uint(clock)
            + encoding.var_bytes(json.dumps(state).encode())
        )
        await self.send_raw(protocol.awareness(payload))


class HasWs(Protocol):
    @property
    def ws(self) -> str: ...


@dataclass
class SyncedPair:
    """A fresh plan and two clients synced on one of its sections: `a` is the plan's supplier
    facilitator, `b` the same person or, with `other=(party, role)`, someone invited so."""

    kam: Person
    plan: dict[str, Any]
    section: str
    a: YClient
    b: YClient


@contextlib.asynccontextmanager
async def synced_pair(
    server: HasWs,
    people: People,
    key: str = "goals_strategic",
    other: tuple[str, str] | None = None,
) -> AsyncIterator[SyncedPair]:
    kam = await people.signup("Kam")
    plan = await people.plan(kam)
    token = kam.token
    if other is not None:
        token = (await people.invite(kam, plan["id"], "Buyer", *other)).token
    sid = next(s["id"] for s in plan["sections"] if s["key"] == key)
    async with YClient(server.ws, sid, kam.token) as a, YClient(server.ws, sid, token) as b:
        await a.wait_synced()
        await b.wait_synced()
        yield SyncedPair(kam, plan, sid, a, b)
