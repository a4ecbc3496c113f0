"""Every main screen, signed in through the real forms, saved as screenshots for review."""

from typing import Any

from playwright.async_api import Browser, expect

from tests.e2e.conftest import (
    DEMO_PASSWORD,
    KARI,
    LAPTOP,
    OLA,
    PROJECTOR,
    live,
    section_id,
    shoot,
)
from tests.live import ServerProcess

SECTIONS = ["analysis", "goals_strategic", "buying_center", "action_plan"]


async def test_sign_in_plans_and_workspace(
    browser: Browser, e2e_server: ServerProcess, demo_plan: dict[str, Any]
) -> None:
    context = await browser.new_context(
        base_url=e2e_server.http, viewport=PROJECTOR, locale="en-GB", timezone_id="Europe/Oslo"
    )
    page = await context.new_page()
    await page.goto("/")
    await expect(page.get_by_role("heading", name="Sign in to JointPlan")).to_be_visible()
    await shoot(page, "01-sign-in")
    await page.get_by_role("link", name="Create an account").click()
    await expect(page.get_by_label("Name")).to_be_visible()
    await shoot(page, "01-sign-up")
    await page.goto("/login")
    await page.get_by_label("Email").fill(KARI)
    await page.get_by_label("Password").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="My plans")).to_be_visible()
    await shoot(page, "02-my-plans")

    await page.get_by_role("link", name=demo_plan["title"]).click()
    await live(page)
    for key in SECTIONS:
        await page.goto(f"/plans/{demo_plan['id']}?section={section_id(demo_plan, key)}")
        await live(page)
        await shoot(page, f"03-workspace-{key}")
    await page.get_by_role("button", name="Timeline").click()
    await shoot(page, "04-action-plan-timeline")
    await page.get_by_role("link", name="People").click()
    await expect(page.get_by_role("heading", name="Members")).to_be_visible()
    await shoot(page, "04-people")

    await page.set_viewport_size(LAPTOP)
    await page.goto(f"/plans/{demo_plan['id']}?section={section_id(demo_plan, 'goals_operative')}")
    await live(page)
    await shoot(page, "05-laptop-goals")
    await page.goto(f"/plans/{demo_plan['id']}?section={section_id(demo_plan, 'action_plan')}")
    await expect(page.locator(".activity-table")).to_be_visible()
    await shoot(page, "05-laptop-action-plan")
    await context.close()

    context = await browser.new_context(
        base_url=e2e_server.http, viewport=PROJECTOR, locale="nb-NO", timezone_id="Europe/Oslo"
    )
    page = await context.new_page()
    await page.goto("/login")
    await page.get_by_label("E-post").fill(OLA)
    await page.get_by_label("Passord").fill(DEMO_PASSWORD)
    await page.get_by_role("button", name="Logg inn").click()
    await page.get_by_role("link", name=demo_plan["title"]).click()
    await page.goto(f"/plans/{demo_plan['id']}?section={section_id(demo_plan, 'strategy_product')}")
    await live(page, "Direkte")
    await shoot(page, "06-customer-nb-read-only-text")
    await context.close()
