"""A forgotten password, on a server without email: the member's facilitator issues a reset
link in People, the member opens it and chooses a new password under the rule shown."""

import asyncio
import re

import httpx
from playwright.async_api import Browser, expect

from tests.e2e.conftest import DEMO_PASSWORD, KARI, PROJECTOR, Api, shoot, signed_in
from tests.live import ServerProcess


async def test_facilitator_issues_a_reset_link_and_the_member_resets(
    browser: Browser, e2e_server: ServerProcess, api: Api
) -> None:
    kari = api.login(KARI)
    plan = api.create_plan(kari, "Reset test")
    sven = api.invite(kari, plan["id"], "Sven", "supplier", "editor")

    lead_context = await signed_in(browser, e2e_server, KARI, DEMO_PASSWORD)
    lead = await lead_context.new_page()
    await lead.goto(f"/plans/{plan['id']}?view=people")
    lead.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await lead.get_by_role("button", name="Issue a password-reset link for Sven").click()
    result = lead.locator(".invite-result", has_text="Reset link for Sven")
    await expect(result).to_contain_text("shown only now")
    url = await result.locator(".invite-result__value").inner_text()
    assert re.search(r"/reset/jpr_", url)
    await shoot(lead, "55-people-reset-link-en")
    await lead_context.close()

    context = await browser.new_context(base_url=e2e_server.http, viewport=PROJECTOR)
    page = await context.new_page()
    await page.goto(url)
    await expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    await expect(page.get_by_text("At least 10 characters")).to_be_visible()  # before typing
    await page.get_by_label("New password").fill("password1234")
    await page.get_by_role("button", name="Save and sign in").click()
    await expect(page.get_by_text("list of common passwords")).to_be_visible()
    await page.get_by_label("New password").fill("trays from fjord pulp")
    await page.get_by_role("button", name="Save and sign in").click()
    await expect(page.get_by_role("link", name="Reset test")).to_be_visible()
    await context.close()

    # The old session is gone, the new password signs in, the link is spent.
    async with httpx.AsyncClient(base_url=e2e_server.http) as c:
        me = await c.get("/api/auth/me", headers={"Authorization": f"Bearer {sven.token}"})
        assert me.status_code == 401
    api.login(sven.email, "trays from fjord pulp")
    context = await browser.new_context(base_url=e2e_server.http, viewport=PROJECTOR)
    page = await context.new_page()
    await page.goto(url)
    await expect(page.get_by_role("heading", name="can no longer be used")).to_be_visible()
    await context.close()
    # The link was requested three times (page, API GET, POST) and is in no log line.
    secret = url.rsplit("/", 1)[1]
    assert "jpr_[redacted]" in e2e_server.logs()
    assert secret not in e2e_server.logs()


async def test_the_password_rule_is_shown_before_typing_in_both_languages(
    browser: Browser, e2e_server: ServerProcess
) -> None:
    context = await browser.new_context(base_url=e2e_server.http, viewport=PROJECTOR)
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_role("link", name="Forgot your password?").click()
    await expect(page.get_by_text("Ask a facilitator of your plan")).to_be_visible()
    await page.goto("/signup")
    await expect(page.get_by_label("Password")).to_have_value("")
    await expect(page.get_by_text("At least 10 characters")).to_be_visible()
    await context.add_init_script("localStorage.setItem('jointplan.lang', 'nb')")
    await page.goto("/signup")
    await expect(page.get_by_text("Minst 10 tegn")).to_be_visible()
    await context.close()
