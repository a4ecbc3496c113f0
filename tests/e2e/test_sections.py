"""Sections in the web app (issue 15): on a Blank plan the supplier's facilitator adds,
renames, moves and deletes sections while the customer watches, and the customer's screen
follows each change without a reload; the customer, not a facilitator, gets no controls."""

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from playwright.async_api import Browser, Dialog, Locator, Page, ViewportSize, expect

from tests.e2e.conftest import DEMO_PASSWORD, KARI, WITHIN, Api, Person, browsers, shoot
from tests.live import ServerProcess
from tests.people import PASSWORD

SCREEN: ViewportSize = {"width": 1366, "height": 768}
NO_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@dataclass
class BlankPlan:
    plan_id: str
    facilitator: Page
    customer: Page
    customer_person: Person


@pytest.fixture(scope="module")
async def blank(browser: Browser, e2e_server: ServerProcess, api: Api) -> AsyncIterator[BlankPlan]:
    kari = api.login(KARI)
    plan = api.call(
        kari,
        "POST",
        "/api/plans",
        json={
            "title": "Blank workshop",
            "supplier_name": "Fjordpack AS",
            "customer_name": "Nordlys Foods ASA",
            "template": "blank",
            "language": "en",
        },
    )
    cora = api.invite(kari, plan["id"], "Cora", "customer", "editor")
    logins = [(KARI, DEMO_PASSWORD), (cora.email, PASSWORD)]
    async with browsers(browser, e2e_server, logins, SCREEN) as (facilitator, customer):
        yield BlankPlan(plan["id"], facilitator, customer, cora)


def nav_names(page: Page) -> Locator:
    return page.locator(".navigator .navigator__title")


async def add_section(
    page: Page,
    name: str,
    kind: str,
    visibility: str = "Shared with both parties",
    owner: str = "Joint",
) -> None:
    form = page.get_by_role("form", name="Add a section")
    await form.get_by_label("Name").fill(name)
    await form.get_by_label("Kind").select_option(label=kind)
    await form.get_by_label("Owner").select_option(label=owner)
    await form.get_by_label("Visibility").select_option(label=visibility)
    await form.get_by_role("button", name="Add section").click()
    await expect(page.get_by_role("heading", level=2, name=name)).to_be_visible()


async def open_settings(page: Page) -> Locator:
    settings = page.locator("details.section-settings")
    if not await settings.evaluate("el => el.open"):
        await settings.locator("summary").click()
    return settings


async def test_sections_are_shaped_live_by_the_facilitator(blank: BlankPlan) -> None:
    s, c = blank.facilitator, blank.customer
    url = f"/plans/{blank.plan_id}"
    await s.goto(url)
    await c.goto(url)
    # The customer's page is never reloaded: this mark would be gone.
    await c.evaluate("window.__sameDocument = true")

    # A Blank plan: a first step for the facilitator, a clear sentence for everyone else,
    # and the connection is not stuck on "Connecting…".
    await expect(s.get_by_role("heading", name="This plan is empty")).to_be_visible()
    first = s.get_by_role("button", name="Add the first section")
    await expect(first).to_be_visible()
    await expect(c.get_by_text("The facilitators add them")).to_be_visible()
    await expect(c.get_by_role("button", name="Add the first section")).to_have_count(0)
    for page in (s, c):
        await expect(page.locator(".connection")).to_have_text("Live", timeout=WITHIN)
    await shoot(s, "sections-blank-facilitator")
    await shoot(c, "sections-blank-customer")

    # The add form: a guidance line per kind, a horizon for goals, and only the
    # visibilities the supplier's facilitator may give (never "Customer only").
    await first.click()
    form = s.get_by_role("form", name="Add a section")
    await expect(form.get_by_label("Name")).to_be_focused()
    await expect(form.get_by_test_id("kind-guide")).to_contain_text("Goals for one horizon")
    await expect(form.get_by_label("Horizon")).to_be_visible()
    options = await form.get_by_label("Visibility").locator("option").all_text_contents()
    assert options == ["Shared with both parties", "Supplier only"]
    await form.get_by_label("Kind").select_option(label="Text")
    await expect(form.get_by_test_id("kind-guide")).to_contain_text("Free text")
    await expect(form.get_by_label("Horizon")).to_have_count(0)
    await form.get_by_label("Kind").select_option(label="Goals")
    await form.get_by_label("Horizon").select_option(label="Tactical (1–2 years)")
    await shoot(s, "sections-add-form")
    await form.get_by_label("Name").fill("Goals for 2027")
    await form.get_by_role("button", name="Add section").click()
    await expect(s.get_by_role("heading", level=2, name="Goals for 2027")).to_be_visible()
    # The customer sees it at once, under its horizon.
    await expect(nav_names(c)).to_have_text(["Goals for 2027"], timeout=WITHIN)
    await expect(c.locator(".navigator__subheading")).to_have_text(["Tactical (1–2 years)"])

    # More sections; an internal one never reaches the customer.
    await s.get_by_role("button", name="Add a section").click()
    await add_section(s, "Meeting notes", "Text")
    # The supplier's own: it may delete it later (a joint one needs the customer).
    await s.get_by_role("button", name="Add a section").click()
    await add_section(s, "Open questions", "Text", owner="Supplier – Fjordpack AS")
    await s.get_by_role("button", name="Add a section").click()
    await add_section(s, "Our price thinking", "Text", "Supplier only")
    await expect(nav_names(s)).to_have_text(
        ["Goals for 2027", "Meeting notes", "Open questions", "Our price thinking"]
    )
    await expect(nav_names(c)).to_have_text(
        ["Goals for 2027", "Meeting notes", "Open questions"], timeout=WITHIN
    )

    # Rename: the other screen follows.
    await s.locator(".navigator").get_by_role("link", name="Open questions").click()
    await expect(s.get_by_role("heading", level=2, name="Open questions")).to_be_visible()
    settings = await open_settings(s)
    await settings.get_by_label("Name of the section").fill("Questions for Nordlys")
    await settings.get_by_role("button", name="Save name").click()
    await expect(s.get_by_role("heading", level=2, name="Questions for Nordlys")).to_be_visible()
    await expect(nav_names(c)).to_have_text(
        ["Goals for 2027", "Meeting notes", "Questions for Nordlys"], timeout=WITHIN
    )

    # Move up, by keyboard: the order changes on both screens.
    settings = await open_settings(s)
    up = settings.get_by_role("button", name="Move up")
    await up.focus()
    await s.keyboard.press("Enter")
    await expect(nav_names(s)).to_have_text(
        ["Goals for 2027", "Questions for Nordlys", "Meeting notes", "Our price thinking"]
    )
    await expect(nav_names(c)).to_have_text(
        ["Goals for 2027", "Questions for Nordlys", "Meeting notes"], timeout=WITHIN
    )
    # First among its neighbours now: it cannot move further up.
    await expect(up).to_be_disabled()
    await expect(settings.get_by_role("button", name="Move down")).to_be_enabled()
    await shoot(s, "sections-settings")
    assert await s.evaluate(NO_SCROLL)

    # A joint section is the customer's too: no Delete for the supplier, and why.
    await s.locator(".navigator").get_by_role("link", name="Meeting notes").click()
    settings = await open_settings(s)
    await expect(settings.get_by_role("button", name="Delete section")).to_have_count(0)
    await expect(settings).to_contain_text("only its facilitators can remove it")
    await s.locator(".navigator").get_by_role("link", name="Questions for Nordlys").click()
    settings = await open_settings(s)

    # Delete, after a confirmation that names the section.
    asked: list[str] = []

    async def confirm(dialog: Dialog) -> None:
        asked.append(dialog.message)
        await dialog.accept()

    s.once("dialog", confirm)
    await settings.get_by_role("button", name="Delete section").click()
    await expect(nav_names(s)).to_have_text(
        ["Goals for 2027", "Meeting notes", "Our price thinking"]
    )
    assert len(asked) == 1
    assert "“Questions for Nordlys”" in asked[0]
    await expect(nav_names(c)).to_have_text(["Goals for 2027", "Meeting notes"], timeout=WITHIN)

    # Everything above reached the customer without a reload.
    assert await c.evaluate("window.__sameDocument === true")
    await shoot(c, "sections-customer-after")


async def test_a_non_facilitator_gets_no_section_controls(blank: BlankPlan) -> None:
    c = blank.customer
    await c.goto(f"/plans/{blank.plan_id}")
    await expect(c.locator(".navigator__title").first).to_be_visible()
    await expect(c.get_by_role("heading", level=2).first).to_be_visible()
    for name in ("Add a section", "Add the first section", "Move up", "Move down"):
        await expect(c.get_by_role("button", name=name)).to_have_count(0)
    await expect(c.locator("details.section-settings")).to_have_count(0)
    await expect(c.get_by_role("button", name="Delete section")).to_have_count(0)
    assert await c.evaluate(NO_SCROLL)


async def test_in_bokmal_the_controls_read_norwegian_and_fit(
    browser: Browser, e2e_server: ServerProcess, blank: BlankPlan
) -> None:
    context = await browser.new_context(
        base_url=e2e_server.http, viewport=SCREEN, locale="nb-NO", timezone_id="Europe/Oslo"
    )
    try:
        r = await context.request.post(
            "/api/auth/login", data={"email": KARI, "password": DEMO_PASSWORD}
        )
        assert r.ok, await r.text()
        page = await context.new_page()
        await page.goto(f"/plans/{blank.plan_id}")
        await expect(page.locator(".navigator__title").first).to_be_visible()
        settings = await open_settings(page)
        for name in ("Lagre navn", "Flytt opp", "Flytt ned"):
            await expect(settings.get_by_role("button", name=name)).to_be_visible()
        await settings.scroll_into_view_if_needed()
        await shoot(page, "sections-settings-nb")
        assert await page.evaluate(NO_SCROLL)
        await page.get_by_role("button", name="Legg til en seksjon").click()
        form = page.get_by_role("form", name="Legg til en seksjon")
        await expect(form.get_by_label("Type")).to_be_visible()
        await expect(form.get_by_test_id("kind-guide")).to_contain_text("Mål for én tidshorisont")
        await shoot(page, "sections-add-form-nb")
        assert await page.evaluate(NO_SCROLL)
    finally:
        await context.close()
