"""The live-server fixtures come from tests/live.py (a plugin of tests/conftest.py)."""

from collections.abc import AsyncIterator

import pytest

from tests.collab import node
from tests.live import ServerProcess, section_id
from tests.people import People

__all__ = ["ServerProcess", "People", "section_id"]


@pytest.fixture(autouse=True)
async def _node_clients_checked() -> AsyncIterator[None]:
    """After each test, stop the Node clients it left running; an error event or stderr
    output that the test neither checked nor declared fails it."""
    node.started.clear()
    yield
    clients, node.started[:] = list(node.started), []
    for client in clients:
        await client.stop()
    failures = [
        f"{' '.join(client.args[:4])}:\n" + "\n".join(errors)
        for client in clients
        if not client.checked and (errors := client.unexpected_errors())
    ]
    if failures:
        pytest.fail(
            "Node clients reported errors or wrote to stderr (fix the cause, or declare them "
            "with NodeClient(..., expect_errors=[...])):\n\n" + "\n\n".join(failures),
            pytrace=False,
        )
