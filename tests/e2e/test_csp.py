"""The web app works under the server's Content-Security-Policy: nothing it does is refused."""

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, ConsoleMessage, Page, expect

from tests.e2e.conftest import WITHIN, Api, Workshop, live, workshop_for
from tests.live import ServerProcess


@pytest.fixture(scope="module")
async def workshop(
    browser: Browser, e2e_server: ServerProcess, api: Api
) -> AsyncIterator[Workshop]:
    async with workshop_for(browser, e2e_server, api, "CSP test") as w:
        yield w


def watch(page: Page, refused: list[str]) -> None:
    """Collects every CSP refusal the page reports (console and the DOM event)."""

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            refused.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: refused.append(f"page error: {error}"))


async def test_pages_editor_and_live_sync_run_without_csp_refusals(
    workshop: Workshop, e2e_server: ServerProcess
) -> None:
    w = workshop
    s, c = w.supplier_page, w.customer_page
    refused: list[str] = []
    for page in (s, c):
        watch(page, refused)
        await page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "console.error('Refused to ' + e.violatedDirective + ' ' + e.blockedURI))"
        )
    r = await s.request.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]

    await s.goto("/")
    await expect(s.get_by_role("heading", name="Plans")).to_be_visible()
    # The rich-text editor with both carets and a selection (decorations with inline style).
    await w.both_open("analysis")
    editor = s.get_by_role("textbox", name="Customer analysis and opportunities")
    await editor.click()
    await s.keyboard.type("Nordlys wants fibre trays.")
    c_editor = c.get_by_role("textbox", name="Customer analysis and opportunities")
    await expect(c_editor).to_contain_text("fibre trays.", timeout=WITHIN)
    await s.keyboard.press("Shift+Home")
    await expect(c.locator(".collab-caret")).to_be_visible(timeout=WITHIN)
    # Another person's selection is coloured through a decoration's style attribute.
    selection = c.locator(".collab-selection").first
    await expect(selection).to_be_visible(timeout=WITHIN)
    background = await selection.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background not in ("", "rgba(0, 0, 0, 0)", "transparent")
    # The editor's base CSS comes from the stylesheet, not an injected <style>.
    white_space = await c_editor.evaluate("e => getComputedStyle(e).whiteSpace")
    assert white_space in ("pre-wrap", "break-spaces")
    # Goals and the timeline (inline styles set by React).
    await w.both_open("goals_operative")
    await s.get_by_role("button", name="Add goal").click()
    await s.keyboard.type("Trial on line 2")
    await expect(c.get_by_label("Goal", exact=True)).to_have_value(
        "Trial on line 2", timeout=WITHIN
    )
    await w.both_open("action_plan")
    await live(s)
    assert refused == []
