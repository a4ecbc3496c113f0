"""What held a two-company workshop back (issue 15): adding a row that seemed to do nothing,
the comments panel that Esc did not close, validation in raw English, and an invitation link
that could not be had again."""

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Locator, expect

from tests.e2e.conftest import (
    DEMO_PASSWORD,
    KARI,
    LAPTOP,
    WITHIN,
    Api,
    Workshop,
    browsers,
    live,
    shoot,
    workshop_for,
)
from tests.live import ServerProcess

ENGLISH_VALIDATION = re.compile(r"String should|value is not|Field required|at least \d+ char")


@pytest.fixture(scope="module")
async def workshop(
    browser: Browser, e2e_server: ServerProcess, api: Api
) -> AsyncIterator[Workshop]:
    async with workshop_for(browser, e2e_server, api, "Friction test", LAPTOP) as w:
        yield w


async def in_viewport(element: Locator) -> bool:
    # Within a pixel: a row scrolled to the bottom edge ends at a fraction past it (800.48).
    inside: bool = await element.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= -1 && r.bottom <= window.innerHeight + 1; }"
    )
    return inside


async def test_add_activity_focuses_the_new_row_and_one_click_makes_one_row(
    workshop: Workshop,
) -> None:
    w = workshop
    await w.both_open("action_plan")
    s, c = w.supplier_page, w.customer_page
    rows, other_rows = s.locator("[data-activity-id]"), c.locator("[data-activity-id]")
    add = s.get_by_role("button", name="Add activity")

    # A double click while the plan is empty (nothing scrolls, both presses land on the
    # button): one row, here and on the other party's screen, with the cursor in it.
    await add.dblclick()
    await expect(other_rows).to_have_count(1, timeout=WITHIN)
    await s.wait_for_timeout(300)
    await expect(rows).to_have_count(1)
    await expect(rows.first.get_by_role("textbox", name="Activity", exact=True)).to_be_focused()
    await s.keyboard.type("Activity 1")

    # Enough rows that a new one lands below the fold of a laptop screen.
    for n in range(1, 8):
        await add.click()
        await s.keyboard.type(f"Activity {n + 1}")
    await expect(rows).to_have_count(8)
    await s.evaluate("window.scrollTo(0, 0)")

    await add.click()
    await expect(rows).to_have_count(9)
    new_row = rows.nth(8)
    title = new_row.get_by_role("textbox", name="Activity", exact=True)
    # Focus is in the new row's first field, not on the button, and the row is in view.
    await expect(title).to_be_focused()
    assert await in_viewport(new_row)
    await s.keyboard.type("Line trial at Nordlys")
    await expect(title).to_have_value("Line trial at Nordlys")
    await shoot(s, "friction-add-activity-focused")

    # Again with a long list (the page scrolls to the new row between the two presses).
    await s.evaluate("window.scrollTo(0, 0)")
    await add.dblclick()
    await expect(rows).to_have_count(10)
    await expect(other_rows).to_have_count(10, timeout=WITHIN)
    await s.wait_for_timeout(300)
    await expect(rows).to_have_count(10)
    await expect(other_rows.nth(8)).to_contain_text("Line trial at Nordlys", timeout=WITHIN)


async def test_add_person_opens_the_new_persons_name(workshop: Workshop) -> None:
    # The buying center is internal to the supplier: only Sven's screen has it.
    w = workshop
    s = w.supplier_page
    await s.goto(w.url("buying_center"))
    await live(s)
    await s.get_by_role("button", name="Add person").click()
    # From the board to the table, with the cursor in the new person's name.
    name = s.get_by_role("textbox", name="Name of Unnamed person")
    await expect(name).to_be_focused()
    await s.keyboard.type("Ingrid Buyer")
    await expect(s.locator("[data-person-id]")).to_have_count(1)
    await expect(s.get_by_role("textbox", name="Name of Ingrid Buyer")).to_have_value(
        "Ingrid Buyer"
    )


async def test_esc_closes_the_comments_panel(workshop: Workshop) -> None:
    w = workshop
    await w.both_open("goals_strategic")
    c = w.customer_page
    toggle = c.get_by_role("button", name=re.compile(r"^Comments: "))
    await toggle.click()
    panel = c.get_by_test_id("comments-panel")
    await expect(panel).to_be_visible()
    await c.get_by_role("textbox", name="New thread").click()
    await c.keyboard.press("Escape")
    await expect(panel).to_have_count(0)
    await expect(toggle).to_be_focused()
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await shoot(c, "friction-esc-closed-comments")


async def test_a_too_short_password_is_refused_in_bokmal(
    browser: Browser, e2e_server: ServerProcess
) -> None:
    context = await browser.new_context(base_url=e2e_server.http, viewport=LAPTOP, locale="en-GB")
    await context.add_init_script("localStorage.setItem('jointplan.lang', 'nb')")
    page = await context.new_page()
    await page.goto("/signup")
    password = page.get_by_label("Passord")
    # The rule is there before anything is typed.
    await expect(password).to_have_value("")
    await expect(page.get_by_text("Minst 10 tegn")).to_be_visible()

    await page.get_by_label("Navn").fill("Petra Kunde")
    await page.get_by_label("E-post").fill("petra.kort@nordlys.example")
    await password.fill("kort")
    await page.get_by_role("button", name="Opprett konto").click()
    await expect(page.locator(".field__error")).to_have_text("Velg et passord på minst 10 tegn.")
    await expect(password).to_have_attribute("aria-invalid", "true")
    await expect(password).to_be_focused()
    await shoot(page, "friction-short-password-nb")

    # What only the server can judge (a malformed address) reads in bokmål too.
    await password.fill("en lang nok setning")
    await page.get_by_label("E-post").fill("petra@")
    await page.get_by_role("button", name="Opprett konto").click()
    await expect(page.locator(".field__error")).to_have_text(
        "Skriv inn en gyldig e-postadresse, for eksempel navn@eksempel.no."
    )
    assert not ENGLISH_VALIDATION.search(await page.locator("main").inner_text())
    await context.close()


async def test_a_pending_invitation_gets_its_link_again(
    browser: Browser, e2e_server: ServerProcess, api: Api, workshop: Workshop
) -> None:
    w = workshop
    async with browsers(browser, e2e_server, [(KARI, DEMO_PASSWORD)], LAPTOP) as (lead,):
        await lead.context.grant_permissions(["clipboard-read", "clipboard-write"])
        await lead.goto(f"/plans/{w.plan['id']}?view=people")
        await expect(lead.get_by_role("heading", name="Pending invitations")).to_be_visible()

        # The invite button is reachable by Tab with the email still empty, and says why not.
        submit = lead.get_by_role("button", name="Create invitation")
        await expect(submit).to_be_enabled()
        await lead.get_by_label("Email", exact=True).focus()
        for _ in range(10):
            await lead.keyboard.press("Tab")
            if await submit.evaluate("el => el === document.activeElement"):
                break
        await expect(submit).to_be_focused()
        await lead.keyboard.press("Enter")
        await expect(
            lead.get_by_text("Enter the email address of the person you invite.")
        ).to_be_visible()

        await lead.get_by_label("Email", exact=True).fill("olav@fjordpack.example")
        await submit.click()
        first = lead.locator(".invite-result")
        await expect(first).to_contain_text("Invitation for olav@fjordpack.example created")
        old_link = await first.locator(".invite-result__value").first.inner_text()
        # The code says what it is for, where it is shown.
        await expect(first).to_contain_text("Only needed if they join without a password")

        # Later (the first link is gone from the screen): a new one from the pending list.
        await lead.reload()
        row = lead.locator(".pending", has_text="olav@fjordpack.example")
        await expect(row).to_be_visible()
        lead.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
        await row.get_by_role(
            "button", name="Issue a new invitation link for olav@fjordpack.example"
        ).click()
        result = row.locator(".invite-result")
        await expect(result).to_contain_text("New invitation link for olav@fjordpack.example")
        link = await result.locator(".invite-result__value").first.inner_text()
        assert "/invite/" in link
        assert link != old_link
        await result.get_by_role("button", name="Copy invitation link").click()
        await expect(result).to_contain_text("Copied")
        assert await lead.evaluate("navigator.clipboard.readText()") == link
        await expect(result).to_contain_text("Only needed if they join without a password")
        await result.scroll_into_view_if_needed()
        await shoot(lead, "friction-pending-new-link")

    # The customer's editor manages no invitations: no list, no links.
    c = w.customer_page
    await c.goto(f"/plans/{w.plan['id']}?view=people")
    await expect(c.get_by_role("heading", name="Members")).to_be_visible()
    await expect(c.get_by_role("heading", name="Pending invitations")).to_have_count(0)
    await expect(c.get_by_role("button", name=re.compile("new invitation link"))).to_have_count(0)

    # The new link opens the invitation, with the password rule before typing; the old does not.
    context = await browser.new_context(base_url=e2e_server.http, viewport=LAPTOP)
    page = await context.new_page()
    await page.goto(link)
    await expect(page.get_by_role("heading", name="Invitation", exact=True)).to_be_visible()
    await expect(page.get_by_label("Password")).to_have_value("")
    await expect(page.get_by_text("At least 10 characters")).to_be_visible()
    await page.goto(old_link)
    await expect(page.get_by_role("heading", name="Invitation not found")).to_be_visible()
    await context.close()
