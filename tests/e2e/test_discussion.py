"""The discussion in a workshop, two parties on two laptops: comment threads beside the
section, shared and internal threads, @mentions into the other party's inbox, support votes
per party, and comments on a range of rich text."""

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.conftest import (
    LAPTOP,
    PROJECTOR,
    WITHIN,
    Api,
    Workshop,
    live,
    section_id,
    shoot,
    workshop_for,
)
from tests.live import ServerProcess


@pytest.fixture(scope="module")
async def workshop(
    browser: Browser, e2e_server: ServerProcess, api: Api
) -> AsyncIterator[Workshop]:
    # A 1280-wide laptop each: the comments panel must fit beside the section.
    async with workshop_for(browser, e2e_server, api, "Discussion test", LAPTOP) as w:
        yield w


def panel(page: Page) -> Locator:
    return page.get_by_test_id("comments-panel")


async def open_comments(page: Page) -> None:
    toggle = page.get_by_role("button", name=re.compile(r"^Comments: "))
    if await toggle.get_attribute("aria-pressed") != "true":
        await toggle.click()
    await expect(panel(page)).to_be_visible()


async def post_thread(page: Page, body: str, who_sees: str) -> None:
    await page.get_by_role("radio", name=who_sees).check()
    await page.get_by_role("textbox", name="New thread").fill(body)
    await page.get_by_role("button", name="Post thread").click()
    await expect(panel(page).locator(".thread", has_text=body)).to_be_visible()


async def in_bokmal(page: Page) -> None:
    await page.evaluate("localStorage.setItem('jointplan.lang', 'nb')")
    await page.reload()
    await live(page, "Tilkoblet")


async def in_english(page: Page) -> None:
    await page.evaluate("localStorage.setItem('jointplan.lang', 'en')")
    await page.reload()
    await live(page)


async def test_a_shared_thread_reaches_the_other_party_live(workshop: Workshop) -> None:
    w = workshop
    await w.both_open("goals_strategic")
    s, c = w.supplier_page, w.customer_page
    await asyncio.gather(open_comments(s), open_comments(c))

    # No default: posting without choosing who sees it is refused with a reason.
    await s.get_by_role("textbox", name="New thread").fill("Is 30 % fibre realistic by 2028?")
    await expect(s.get_by_role("button", name="Post thread")).to_be_enabled()
    await s.get_by_role("button", name="Post thread").click()
    await expect(panel(s)).to_contain_text("Choose who sees this thread before posting.")

    await post_thread(s, "Is 30 % fibre realistic by 2028?", "Both parties")
    thread = panel(c).locator(".thread", has_text="Is 30 % fibre realistic by 2028?")
    await expect(thread).to_be_visible(timeout=WITHIN)
    await expect(thread).to_contain_text("Shared with both parties")
    nav_badge = c.get_by_role("navigation", name="Sections").get_by_test_id("nav-open-threads")
    await expect(nav_badge).to_have_text("1", timeout=WITHIN)

    # And back: the customer replies, the supplier reads it within two seconds.
    await thread.get_by_role("textbox", name="Reply to Sven").fill(
        "Yes, if the trial on line 2 passes."
    )
    await thread.get_by_role("button", name="Reply", exact=True).click()
    s_thread = panel(s).locator(".thread", has_text="Is 30 % fibre realistic by 2028?")
    await expect(s_thread).to_contain_text("Yes, if the trial on line 2 passes.", timeout=WITHIN)

    # The panel sits beside the section on a laptop: it covers none of the content.
    section_box = await s.locator(".section-view").bounding_box()
    panel_box = await panel(s).bounding_box()
    assert section_box
    assert panel_box
    assert panel_box["x"] >= section_box["x"] + section_box["width"] - 1
    assert panel_box["x"] + panel_box["width"] <= LAPTOP["width"]
    await shoot(s, "40-comments-panel-en")
    await in_bokmal(s)
    await open_comments_nb(s)
    await expect(panel(s)).to_contain_text("Delt med begge parter")
    await shoot(s, "40-comments-panel-nb")
    await in_english(s)

    # Readable on a projector too.
    await s.set_viewport_size(PROJECTOR)
    await open_comments(s)
    await shoot(s, "41-comments-panel-projector-en")
    await s.set_viewport_size(LAPTOP)

    # Resolve hides it from the open list on both screens; reopen brings it back.
    await s_thread.get_by_role("button", name="Resolve").click()
    await expect(thread).to_have_count(0, timeout=WITHIN)
    await expect(nav_badge).to_have_count(0, timeout=WITHIN)
    await c.get_by_role("button", name="Resolved", exact=True).click()
    await expect(thread).to_contain_text("Resolved by Sven")
    await thread.get_by_role("button", name="Reopen").click()
    await c.get_by_role("button", name="Open", exact=True).click()
    await expect(thread).to_be_visible()
    await expect(s_thread).to_be_visible(timeout=WITHIN)


async def open_comments_nb(page: Page) -> None:
    toggle = page.get_by_role("button", name=re.compile(r"^Kommentarer: "))
    if await toggle.get_attribute("aria-pressed") != "true":
        await toggle.click()
    await expect(panel(page)).to_be_visible()


async def test_an_internal_thread_never_reaches_the_customer(workshop: Workshop, api: Api) -> None:
    w = workshop
    await w.both_open("goals_strategic")
    s, c = w.supplier_page, w.customer_page
    await asyncio.gather(open_comments(s), open_comments(c))
    c_count = c.get_by_role("button", name=re.compile(r"^Comments: ")).get_by_test_id(
        "section-open-threads"
    )
    s_count = s.get_by_role("button", name=re.compile(r"^Comments: ")).get_by_test_id(
        "section-open-threads"
    )
    await expect(c_count).to_have_text("1")
    await expect(s_count).to_have_text("1")

    await post_thread(s, "Our floor price for Nordlys is 4.10", "Only Fjordpack AS")
    mine = panel(s).locator(".thread", has_text="Our floor price")
    await expect(mine).to_contain_text("Internal to Fjordpack AS")
    await expect(s_count).to_have_text("2", timeout=WITHIN)

    # A shared reply posted after it reaches the customer: the plan's events arrive in order,
    # so the internal thread would have been shown by now. Then look again after a reload.
    plan_id = w.plan["id"]
    shared = next(
        t
        for t in api.call(w.supplier, "GET", f"/api/plans/{plan_id}/threads")["items"]
        if "30 % fibre" in str(t)
    )
    api.call(
        w.supplier,
        "POST",
        f"/api/plans/{plan_id}/threads/{shared['id']}/comments",
        json={"body": "The trial on line 2 is booked."},
    )
    await expect(panel(c)).to_contain_text("The trial on line 2 is booked.", timeout=WITHIN)
    await expect(panel(c)).not_to_contain_text("floor price")
    await expect(c_count).to_have_text("1")
    await c.reload()
    await live(c)
    await open_comments(c)
    await expect(panel(c).locator(".thread")).to_have_count(1)
    await expect(panel(c)).not_to_contain_text("floor price")
    await expect(c_count).to_have_text("1")
    # Nor by any other way the customer's browser could ask.
    listed = api.call(w.customer, "GET", f"/api/plans/{plan_id}/threads")
    assert all("floor price" not in str(t) for t in listed["items"])
    counts = api.call(w.customer, "GET", f"/api/plans/{plan_id}/threads/counts")
    assert counts["sections"].get(section_id(w.plan, "goals_strategic")) == 1


async def test_a_mention_reaches_the_customers_inbox(workshop: Workshop) -> None:
    w = workshop
    await w.both_open("goals_operative")
    s, c = w.supplier_page, w.customer_page
    await open_comments(s)
    unread = c.get_by_test_id("inbox-unread")
    await expect(unread).to_have_count(0)

    box = s.get_by_role("textbox", name="New thread")
    # An internal thread cannot be read by the customer, so Cora is not offered.
    await s.get_by_role("radio", name="Only Fjordpack AS").check()
    await box.fill("Ask @Co")
    await expect(s.get_by_role("option", name=re.compile("Cora"))).to_have_count(0)
    await s.get_by_role("radio", name="Both parties").check()
    await box.fill("")
    await box.press_sequentially("Ask @Co")
    option = s.get_by_role("option", name=re.compile("Cora"))
    await expect(option).to_be_visible()
    await box.press("Enter")
    await box.press_sequentially("can you confirm the spring volumes?")
    await expect(box).to_have_value(re.compile(r"@\[Cora\]\(user:.+\) can you confirm"))
    await s.get_by_role("button", name="Post thread").click()
    await expect(panel(s).locator(".thread", has_text="spring volumes")).to_be_visible()

    await expect(unread).to_have_text("1", timeout=WITHIN)
    inbox = c.get_by_role("button", name=re.compile(r"^Notifications"))
    await inbox.click()
    region = c.get_by_role("region", name="Notifications")
    item = region.get_by_role("listitem").filter(has_text="Sven mentioned you")
    await expect(item).to_contain_text("spring volumes")
    await shoot(c, "42-inbox-en")
    await item.get_by_role("button", name="Mark read").click()
    await expect(unread).to_have_count(0)
    await expect(item.get_by_role("button", name="Mark read")).to_have_count(0)

    # A click takes the customer to the thread, open in the panel.
    await c.goto(w.url("analysis"))
    await live(c)
    await c.get_by_role("button", name=re.compile(r"^Notifications")).click()
    await (
        c.get_by_role("region", name="Notifications")
        .get_by_role("button", name=re.compile("Sven mentioned you"))
        .click()
    )
    await expect(c.locator("#section-title")).to_have_text("Operative goals (this year)")
    await expect(panel(c).locator(".thread", has_text="spring volumes")).to_be_visible()

    await in_bokmal(c)
    await c.get_by_role("button", name=re.compile(r"^Varsler")).click()
    await expect(c.get_by_role("region", name="Varsler")).to_contain_text("Sven nevnte deg")
    await shoot(c, "42-inbox-nb")
    await in_english(c)


async def test_a_mention_typed_before_choosing_who_sees_the_thread(workshop: Workshop) -> None:
    w = workshop
    await w.both_open("goals_strategic")
    s, c = w.supplier_page, w.customer_page
    await open_comments(s)
    box = s.get_by_role("textbox", name="New thread")
    posted = panel(s).locator(".thread", has_text="the pallet plan")

    # Nothing chosen yet: whoever could read the thread is offered, Enter picks.
    await box.press_sequentially("Over to @Co")
    await expect(s.get_by_role("option", name=re.compile("Cora"))).to_be_visible()
    await box.press("Enter")
    await box.press_sequentially("for the pallet plan?")
    await expect(box).to_have_value(re.compile(r"^Over to @\[Cora\]\(user:.+\) for the pallet"))

    # An internal thread would leave Cora out: said before posting, and not posted.
    await s.get_by_role("radio", name="Only Fjordpack AS").check()
    warning = s.get_by_test_id("mention-warning")
    await expect(warning).to_contain_text("Cora")
    await expect(warning).to_contain_text("will not be notified")
    await shoot(s, "43-mention-excluded-en")
    await s.get_by_role("button", name="Post thread").click()
    await expect(warning).to_be_visible()
    await expect(posted).to_have_count(0)

    # Shared: the warning goes, the thread posts and reaches Cora's inbox.
    await s.get_by_role("radio", name="Both parties").check()
    await expect(warning).to_have_count(0)
    await s.get_by_role("button", name="Post thread").click()
    await expect(posted).to_be_visible()
    await c.get_by_role("button", name=re.compile(r"^Notifications")).click()
    item = (
        c.get_by_role("region", name="Notifications")
        .get_by_role("listitem")
        .filter(has_text="the pallet plan")
    )
    await expect(item).to_contain_text("Sven mentioned you", timeout=10_000)
    await c.keyboard.press("Escape")

    # "@Nobody" never chosen from the list notifies nobody: posted only when confirmed.
    await box.fill("Ask @Nobody about the crates")
    await s.get_by_role("radio", name="Both parties").check()
    await s.get_by_role("button", name="Post thread").click()
    await expect(warning).to_contain_text("@Nobody is not a mention")
    crates = panel(s).locator(".thread", has_text="about the crates")
    await expect(crates).to_have_count(0)
    await warning.get_by_role("button", name="Post anyway").click()
    await expect(crates).to_be_visible()


async def test_support_votes_show_per_party_counts_on_both_screens(workshop: Workshop) -> None:
    w = workshop
    await w.both_open("goals_tactical")
    s, c = w.supplier_page, w.customer_page
    await s.get_by_role("button", name="Add goal").click()
    await s.keyboard.type("Fibre trays in two chains")
    await expect(c.get_by_label("Goal", exact=True)).to_have_value(
        "Fibre trays in two chains", timeout=WITHIN
    )
    goal = "Fibre trays in two chains"
    s_card = s.locator(".goal-card", has=s.get_by_label("Goal", exact=True))
    c_card = c.locator(".goal-card", has=c.get_by_label("Goal", exact=True))

    await s.get_by_role("button", name=f"Support {goal}").click()
    for card in (s_card, c_card):
        await expect(
            card.get_by_role("img", name="Support: 1 from Fjordpack AS, 0 from Nordlys Foods ASA")
        ).to_be_visible(timeout=WITHIN)
    await expect(s.get_by_role("button", name=f"Support {goal}")).to_have_attribute(
        "aria-pressed", "true"
    )
    await c.get_by_role("button", name=f"Support {goal}").click()
    for card in (s_card, c_card):
        await expect(
            card.get_by_role("img", name="Support: 1 from Fjordpack AS, 1 from Nordlys Foods ASA")
        ).to_be_visible(timeout=WITHIN)
    await expect(c.get_by_role("button", name=f"Support {goal}")).to_have_attribute(
        "aria-pressed", "true"
    )

    # Withdrawing support is seen by the other party as well.
    await s.get_by_role("button", name=f"Support {goal}").click()
    await expect(
        c_card.get_by_role("img", name="Support: 0 from Fjordpack AS, 1 from Nordlys Foods ASA")
    ).to_be_visible(timeout=WITHIN)

    # Proposals in the action plan take support votes too.
    await w.both_open("action_plan")
    await s.get_by_role("button", name="Add activity").click()
    await s.get_by_label("Activity", exact=True).fill("Send 5,000 sample trays")
    proposal = "Send 5,000 sample trays"
    await expect(c.get_by_label("Activity", exact=True)).to_have_value(proposal, timeout=WITHIN)
    await c.get_by_role("button", name=f"Support {proposal}").click()
    s_row = s.locator(".activity-row")
    await expect(
        s_row.get_by_role("img", name="Support: 0 from Fjordpack AS, 1 from Nordlys Foods ASA")
    ).to_be_visible(timeout=WITHIN)
    # Once it is planned it is no longer a proposal, and there is nothing to vote on.
    await s.get_by_label(f'Status of "{proposal}"').select_option("planned")
    await expect(c.get_by_role("button", name=f"Support {proposal}")).to_have_count(
        0, timeout=WITHIN
    )

    # A comment on the goal: its button counts the open threads on it.
    await w.both_open("goals_tactical")
    await c.get_by_role("button", name=f"Comment on {goal}").click()
    await expect(panel(c)).to_contain_text(f"Threads on {goal}.")
    await post_thread(c, "Which two chains?", "Both parties")
    await expect(s.get_by_role("button", name=f"1 open thread on {goal}")).to_be_visible(
        timeout=WITHIN
    )
    await shoot(c, "43-votes-en")


async def test_a_text_range_thread_highlights_its_text(workshop: Workshop) -> None:
    w = workshop
    await w.both_open("analysis")
    s, c = w.supplier_page, w.customer_page
    editor = s.get_by_role("textbox", name="Customer analysis and opportunities")
    await editor.click()
    await s.keyboard.type("Nordlys wants to launch fibre trays at the spring fair.")
    c_editor = c.get_by_role("textbox", name="Customer analysis and opportunities")
    await expect(c_editor).to_contain_text("spring fair.", timeout=WITHIN)

    # Select "spring fair" (the last words before the full stop) and comment on it.
    await s.keyboard.press("End")
    await s.keyboard.press("ArrowLeft")
    for _ in range(len("spring fair")):
        await s.keyboard.press("Shift+ArrowLeft")
    await s.get_by_role("button", name="Comment on selection").click()
    await expect(panel(s).locator(".comments__quote")).to_contain_text("“spring fair”")
    await expect(s.get_by_test_id("comment-highlight")).to_have_text("spring fair")
    await post_thread(s, "Which fair: Oslo or Gothenburg?", "Both parties")

    # The customer opens it and sees the same words highlighted in their editor.
    await open_comments(c)
    thread = panel(c).locator(".thread", has_text="Which fair")
    await expect(thread).to_be_visible(timeout=WITHIN)
    await thread.get_by_role("button", name=re.compile("spring fair")).click()
    await expect(c.get_by_test_id("comment-highlight")).to_have_text("spring fair")

    # Text typed before the words moves them; the highlight follows.
    await c_editor.click()
    await c.keyboard.press("Home")
    await c.keyboard.type("In 2027, ")
    await expect(editor).to_contain_text("In 2027,", timeout=WITHIN)
    await expect(c.get_by_test_id("comment-highlight")).to_have_text("spring fair")
    await shoot(c, "44-text-range-highlight-en")

    # Once the words are deleted, the thread says so instead of pointing at nothing.
    await editor.click()
    await s.keyboard.press("Control+A")
    await s.keyboard.press("Delete")
    await expect(c_editor).not_to_contain_text("spring fair", timeout=WITHIN)
    await c.reload()
    await live(c)
    await open_comments(c)
    thread = panel(c).locator(".thread", has_text="Which fair")
    await expect(thread.locator(".comments__quote--detached")).to_contain_text(
        "(the text was deleted)"
    )
    await expect(c.get_by_test_id("comment-highlight")).to_have_count(0)


async def test_the_customer_comments_on_text_they_cannot_edit(workshop: Workshop) -> None:
    w = workshop
    await w.both_open("strategy_product")
    s, c = w.supplier_page, w.customer_page
    s_editor = s.get_by_role("textbox", name="Product strategy")
    await s_editor.click()
    await s.keyboard.type("Fibre trays replace plastic by 2028.")
    c_editor = c.get_by_role("textbox", name="Product strategy")
    await expect(c_editor).to_contain_text("replace plastic", timeout=WITHIN)
    await expect(c_editor).to_have_attribute("contenteditable", "false")

    await c_editor.get_by_text("Fibre trays replace plastic by 2028.").click(click_count=3)
    await c.get_by_role("button", name="Comment on selection").click()
    await expect(panel(c).locator(".comments__quote")).to_contain_text("Fibre trays replace")
    await post_thread(c, "Which plastic trays first?", "Both parties")
    await open_comments(s)
    thread = panel(s).locator(".thread", has_text="Which plastic trays first?")
    await expect(thread).to_be_visible(timeout=WITHIN)
    await thread.get_by_role("button", name=re.compile("Fibre trays replace")).click()
    await expect(s.get_by_test_id("comment-highlight")).to_contain_text("replace plastic")
