"""The connection state a participant sees is true: edits count as sent once the server has
them, offline is one line in the header, and who goes offline leaves the other screen."""

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.conftest import (
    LAPTOP,
    Api,
    CutSockets,
    Workshop,
    shoot,
    workshop_for,
)
from tests.live import ServerProcess

PENDING = "Edits in 1 section wait to be sent."


@pytest.fixture(scope="module")
async def workshop(
    browser: Browser, e2e_server: ServerProcess, api: Api
) -> AsyncIterator[Workshop]:
    async with workshop_for(browser, e2e_server, api, "Connection test", LAPTOP) as w:
        yield w


async def _header_height(page: Page) -> float:
    box = await page.locator(".plan-header").bounding_box()
    assert box is not None
    return box["height"]


def _cora_in_section(page: Page) -> Locator:
    return page.locator(".section-view__heading .avatar[aria-label^='Cora']")


async def test_sent_clears_when_the_server_has_the_edits(workshop: Workshop) -> None:
    w = workshop
    s, c = w.supplier_page, w.customer_page
    await c.context.set_offline(False)
    sockets = await CutSockets.route(c)
    await w.both_open("goals_tactical")
    online_height = await _header_height(c)
    header = c.locator(".plan-header")
    cora_here = _cora_in_section(s)
    await expect(cora_here).to_be_visible()

    try:
        # The network goes, sockets and all.
        await c.context.set_offline(True)
        await sockets.cut()
        await expect(c.locator(".connection")).to_have_text("Offline")
        # The supplier no longer sees her within a few seconds.
        await expect(cora_here).to_have_count(0, timeout=5_000)
        await c.get_by_role("button", name="Add goal").click()
        await c.keyboard.type("Sent after the drop")
        badge = c.get_by_test_id("offline-badge")
        await expect(badge).to_contain_text(PENDING)
        await c.evaluate("window.scrollTo(0, 0)")
        await shoot(c, "connection-offline-laptop")

        # One compact line: the header hardly grows, and the message is said once.
        offline_height = await _header_height(c)
        assert offline_height - online_height < 30, (online_height, offline_height)
        badge_box = await badge.bounding_box()
        assert badge_box is not None
        assert badge_box["height"] < 32, badge_box
        text = (await header.inner_text()).lower()
        said = text.count("sent when the connection is back") + text.count(PENDING.lower())
        assert said == 1, text
        # ... and shown in full, not cut down to an ellipsis.
        hint = badge.locator(".offline-badge__hint")
        assert await hint.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), (
            await hint.inner_text()
        )

    finally:
        # Whatever happened above, the next test gets a page with a network.
        await c.context.set_offline(False)
        await sockets.restore()

    # Back: the edit reaches the supplier, and "wait to be sent" goes within a second or two
    # of that (the server's answer, not a timer, clears it).
    await expect(s.get_by_label("Goal", exact=True)).to_have_value(
        "Sent after the drop", timeout=20_000
    )
    await expect(badge).to_have_count(0, timeout=2_000)
    await expect(c.locator(".connection")).to_have_text("Live")
    await expect(cora_here).to_be_visible()
    await shoot(c, "connection-back-laptop")
