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
# The demo's action plan on its timeline, in reading order.
TIMELINE_EN = [
    "Send 5,000 sample trays (400 g)",
    "Book two shifts on line 2 for the trial",
    "Joint pitch to the first retail chain — Proposal",
    "Shelf-life test at 4 °C, 21 days — Proposal",
    "Agree one CO₂ method for packaging — Proposal",
]


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
    timeline = page.get_by_role("figure", name="Timeline")
    # By the horizon of each activity's goal, the coming year first, then by start date.
    await expect(timeline.locator(".timeline__label--row")).to_have_text(
        ["Operative (this year)", "Tactical (1–2 years)", "Strategic (3–5 years)"]
    )
    await expect(timeline.locator(".timeline__text")).to_have_text(TIMELINE_EN)
    await expect(timeline.locator(".timeline__bar--supplier")).to_have_count(2)
    await expect(timeline.locator(".timeline__bar--customer")).to_have_count(3)
    await shoot(page, "04-action-plan-timeline")
    await page.get_by_role("link", name="People").click()
    await expect(page.get_by_role("heading", name="Members")).to_be_visible()
    await shoot(page, "04-people")

    await page.set_viewport_size(LAPTOP)
    await page.goto(f"/plans/{demo_plan['id']}?section={section_id(demo_plan, 'goals_operative')}")
    await live(page)
    await shoot(page, "05-laptop-goals")
    await page.goto(f"/plans/{demo_plan['id']}?section={section_id(demo_plan, 'action_plan')}")
    await expect(page.locator(".activity-list")).to_be_visible()
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
    await live(page, "Tilkoblet")
    await shoot(page, "06-customer-nb-read-only-text")
    # The customer's timeline: the same joint action plan, and nothing of the supplier's
    # internal sections (price strategy, buying center) anywhere on the screen.
    await page.goto(f"/plans/{demo_plan['id']}?section={section_id(demo_plan, 'action_plan')}")
    await live(page, "Tilkoblet")
    await page.get_by_role("button", name="Tidslinje").click()
    timeline = page.get_by_role("figure", name="Tidslinje")
    await expect(timeline.locator(".timeline__label--row")).to_have_text(
        ["Operativt (i år)", "Taktisk (1–2 år)", "Strategisk (3–5 år)"]
    )
    await expect(timeline.locator(".timeline__text")).to_have_text(
        [t.replace("— Proposal", "— Forslag") for t in TIMELINE_EN]
    )
    titles = {s["key"]: s["title"] for s in demo_plan["sections"]}
    nav = page.get_by_role("navigation", name="Seksjoner")
    await expect(nav).to_contain_text(titles["action_plan"])
    for internal in (titles["strategy_price"], titles["buying_center"], "Ingrid Berg", "Tor Lie"):
        await expect(page.locator("body")).not_to_contain_text(internal)
    await shoot(page, "07-customer-nb-timeline")
    await context.close()
