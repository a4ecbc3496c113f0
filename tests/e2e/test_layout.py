"""The workshop fits a laptop (1366×768) and a projector (1920×1080), in English and bokmål,
for the supplier's KAM and the customer alike, with the comments panel shut and open: no page
scrolls sideways, the section starts near the top, goal cards keep their buttons, every
action-plan row shows its status and actions, and section names break only between words."""

import re
from typing import TYPE_CHECKING, Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import (
    DEMO_PASSWORD,
    KARI,
    OLA,
    PROJECTOR,
    Api,
    live,
    section_id,
    shoot,
)
from tests.live import ServerProcess

if TYPE_CHECKING:
    from playwright.async_api import ViewportSize

WORKSHOP_LAPTOP: "ViewportSize" = {"width": 1366, "height": 768}
SIZES: dict[str, "ViewportSize"] = {"laptop": WORKSHOP_LAPTOP, "projector": PROJECTOR}
LANGUAGES = {"en": ("en-GB", "Live"), "nb": ("nb-NO", "Tilkoblet")}
CONTENT_TOP = 170  # px at 1366×768: the section heading, not the plan's header, gets the screen

# Everything a user would see sticking out: what is wider than the window, by its look.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      if (el.closest('.visually-hidden, .skip-link')) continue;
      const name = [el.tagName.toLowerCase(), ...el.classList].join('.');
      const text = (el.textContent || '').trim().slice(0, 40);
      out.push(`${name} [${Math.round(box.left)}, ${Math.round(box.right)}] ${text}`);
    }
  }
  return { scrollWidth: document.scrollingElement.scrollWidth, width, out: out.slice(0, 8) };
}"""

# Buttons of a goal card that stick out of it (the card's own box, borders included).
CARD_OVERFLOW = """() => {
  const out = [];
  for (const card of document.querySelectorAll('.goal-card')) {
    const c = card.getBoundingClientRect();
    for (const b of card.querySelectorAll('button, select, input, textarea, .votes__counts')) {
      const r = b.getBoundingClientRect();
      if (r.width === 0) continue;
      const inside = r.left >= c.left - 0.5 && r.right <= c.right + 0.5
        && r.top >= c.top - 0.5 && r.bottom <= c.bottom + 0.5;
      if (!inside) {
        const what = (b.getAttribute('aria-label') || b.textContent || '').trim().slice(0, 40);
        out.push(`${card.getAttribute('aria-label')}: ${what}`);
      }
    }
  }
  return out;
}"""

# Section names split inside a word: a word whose characters sit on more than one line.
BROKEN_WORDS = """() => {
  const out = [];
  for (const title of document.querySelectorAll('.navigator__title')) {
    const walker = document.createTreeWalker(title, NodeFilter.SHOW_TEXT);
    const lines = (text, from, to) => {
      const range = document.createRange();
      range.setStart(text, from);
      range.setEnd(text, to);
      const boxes = [...range.getClientRects()].filter((r) => r.width > 0);
      return boxes.map((r) => Math.round(r.top));
    };
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      for (const m of text.data.matchAll(/\\S+/g)) {
        if (new Set(lines(text, m.index, m.index + m[0].length)).size > 1) out.push(m[0]);
      }
    }
  }
  return out;
}"""

# What a select or a cell cannot show of its text (a name cut at the edge).
CUT_TEXT = """(row) => {
  const out = [];
  const canvas = document.createElement('canvas').getContext('2d');
  for (const s of row.querySelectorAll('select')) {
    const st = getComputedStyle(s);
    canvas.font = `${st.fontWeight} ${st.fontSize} ${st.fontFamily}`;
    const text = s.selectedOptions[0]?.textContent ?? '';
    const room = s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) - 16;
    if (canvas.measureText(text).width > room + 0.5) out.push(text);
  }
  const parts = ['.item-fact', '.activity-row__party', '.activity-row__status'];
  for (const el of row.querySelectorAll([...parts, '.activity-row__actions'].join(', '))) {
    if (el.scrollWidth > el.clientWidth + 1) out.push((el.textContent || '').trim());
  }
  return out;
}"""


async def fits(page: Page, where: str) -> list[str]:
    """No sideways scroll and nothing beyond the window's edges."""
    seen = await page.evaluate(OVERFLOW)
    problems = []
    if seen["scrollWidth"] > seen["width"]:
        problems.append(f"{where}: the page is {seen['scrollWidth']} px wide in {seen['width']}")
    if seen["out"]:
        problems.append(f"{where}: wider than the window: {seen['out']}")
    return problems


async def workspace_fits(page: Page, where: str, laptop: bool) -> list[str]:
    problems = await fits(page, where)
    heading = await page.locator("#section-title").bounding_box()
    assert heading is not None, where
    if laptop and heading["y"] > CONTENT_TOP:
        problems.append(f"{where}: the section starts at y={heading['y']:.0f}")
    if broken := await page.evaluate(BROKEN_WORDS):
        problems.append(f"{where}: section names broken mid-word: {broken}")
    if outside := await page.evaluate(CARD_OVERFLOW):
        problems.append(f"{where}: outside their goal card: {outside}")
    width = await page.evaluate("document.documentElement.clientWidth")
    for row in await page.locator(".activity-row").all():
        # Title, party, status and actions on top; goal, owner, start and due beneath.
        parts = [".activity-row__title", ".activity-row__party", ".activity-row__status"]
        parts += [".activity-row__actions", *[f".item-fact >> nth={i}" for i in range(4)]]
        for part in parts:
            found = row.locator(part)
            box = await found.bounding_box() if await found.count() == 1 else None
            if box is None or box["width"] == 0:
                problems.append(f"{where}: an action-plan row shows no {part}")
            elif box["x"] < 0 or box["x"] + box["width"] > width:
                problems.append(f"{where}: {part} off-screen at x={box['x']:.0f}")
        if cut := await row.evaluate(CUT_TEXT):
            problems.append(f"{where}: cut in an action-plan row: {cut}")
    return problems + await people_fit(page, where)


async def people_fit(page: Page, where: str) -> list[str]:
    """The buying center's rows: names, roles and contacts shown whole."""
    problems = []
    for row in await page.locator(".person-row").all():
        if cut := await row.evaluate(CUT_TEXT):
            problems.append(f"{where}: cut in a buying-center row: {cut}")
    return problems


async def sections(page: Page) -> list[tuple[str, str]]:
    nav = page.locator(".navigator__item")
    hrefs = [await a.get_attribute("href") or "" for a in await nav.all()]
    keys = [
        re.sub(r"\W+", "-", (await a.locator(".navigator__title").inner_text()).lower())
        for a in await nav.all()
    ]
    return list(zip(keys, hrefs, strict=True))


async def open_as(
    browser: Browser, server: ServerProcess, email: str, viewport: "ViewportSize", locale: str
) -> Page:
    context = await browser.new_context(
        base_url=server.http, viewport=viewport, locale=locale, timezone_id="Europe/Oslo"
    )
    context.set_default_timeout(15_000)
    r = await context.request.post(
        "/api/auth/login", data={"email": email, "password": DEMO_PASSWORD}
    )
    assert r.ok, await r.text()
    return await context.new_page()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", list(LANGUAGES))
async def test_every_screen_fits(
    browser: Browser, e2e_server: ServerProcess, demo_plan: dict[str, Any], size: str, lang: str
) -> None:
    locale, live_word = LANGUAGES[lang]
    viewport = SIZES[size]
    laptop = size == "laptop"
    problems: list[str] = []
    for who, email in (("kari", KARI), ("ola", OLA)):
        page = await open_as(browser, e2e_server, email, viewport, locale)
        plan = f"/plans/{demo_plan['id']}"
        await page.goto(plan)
        await live(page, live_word)
        for panel in ("closed", "open"):
            if panel == "open":
                await page.locator(".comments-toggle").click()
            for key, href in await sections(page):
                await page.locator(f".navigator__item[href='{href}']").click()
                await expect(page).to_have_url(re.compile(re.escape(href) + "$"))
                await live(page, live_word)
                if panel == "open":
                    await expect(page.locator("#comments-panel")).to_be_visible()
                where = f"{who} {lang} {size} {key} comments {panel}"
                problems += await workspace_fits(page, where, laptop)
                await shoot(page, f"layout-{size}-{lang}-{who}-{key}-{panel}")
                # The other views of a list section: the action plan's timeline, the
                # buying center's table; then back to the first.
                views = page.locator(".section-view__content .toolbar .segmented button")
                for n in range(1, await views.count()):
                    await views.nth(n).click()
                    await expect(views.nth(n)).to_have_attribute("aria-pressed", "true")
                    problems += await fits(page, f"{where} view {n}")
                    problems += await people_fit(page, f"{where} view {n}")
                    await shoot(page, f"layout-{size}-{lang}-{who}-{key}-{panel}-view{n}")
                if await views.count():
                    await views.first.click()
        for view in ("agreement", "versions", "people"):
            await page.goto(f"{plan}?view={view}")
            await expect(page.locator(".tabs__tab[aria-current='page']")).to_be_visible()
            await page.wait_for_load_state("networkidle")
            problems += await fits(page, f"{who} {lang} {size} {view}")
            await shoot(page, f"layout-{size}-{lang}-{who}-{view}")
        await page.goto("/")
        await expect(page.locator(".plan-card").first).to_be_visible()
        problems += await fits(page, f"{who} {lang} {size} my plans")
        await shoot(page, f"layout-{size}-{lang}-{who}-plans")
        await page.context.close()
    context = await browser.new_context(base_url=e2e_server.http, viewport=viewport, locale=locale)
    page = await context.new_page()
    for path in ("/login", "/signup"):
        await page.goto(path)
        await expect(page.locator("form")).to_be_visible()
        problems += await fits(page, f"{lang} {size} {path}")
        await shoot(page, f"layout-{size}-{lang}{path.replace('/', '-')}")
    await context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("size", list(SIZES))
async def test_norwegian_section_names_break_between_words(
    browser: Browser, e2e_server: ServerProcess, api: Api, size: str
) -> None:
    """A plan written in bokmål, with its long compounds ("Kommunikasjonsstrategi"), in a
    navigator made narrower by the comments panel."""
    kari = api.login(KARI)
    plan = api.create_plan(kari, f"Norsk plan {size}", language="nb")
    page = await open_as(browser, e2e_server, KARI, SIZES[size], "nb-NO")
    await page.goto(f"/plans/{plan['id']}")
    await live(page, "Tilkoblet")
    titles = page.locator(".navigator__title")
    await expect(titles.filter(has_text="Kommunikasjonsstrategi")).to_have_attribute("lang", "nb")
    problems = await workspace_fits(page, f"nb plan {size} comments closed", size == "laptop")
    await shoot(page, f"layout-{size}-nb-plan-closed")
    await page.locator(".comments-toggle").click()
    await expect(page.locator("#comments-panel")).to_be_visible()
    problems += await workspace_fits(page, f"nb plan {size} comments open", size == "laptop")
    await shoot(page, f"layout-{size}-nb-plan-open")
    await page.context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", list(LANGUAGES))
async def test_goal_card_votes_say_who_and_delete_is_quiet(
    browser: Browser, e2e_server: ServerProcess, demo_plan: dict[str, Any], lang: str
) -> None:
    locale, live_word = LANGUAGES[lang]
    page = await open_as(browser, e2e_server, KARI, PROJECTOR, locale)
    await page.goto(f"/plans/{demo_plan['id']}?section={section_id(demo_plan, 'goals_tactical')}")
    await live(page, live_word)
    card = page.locator(".goal-card").first
    counts = card.get_by_test_id("vote-counts")
    said = {
        "en": "Support: {} from Fjordpack AS, 0 from Nordlys Foods ASA",
        "nb": "Støtte: {} fra Fjordpack AS, 0 fra Nordlys Foods ASA",
    }[lang]
    await expect(counts).to_have_text(re.compile(r"Fjordpack 0\s*Nordlys Foods 0"))
    await expect(card.get_by_role("img", name=said.format(0), exact=True)).to_be_visible()
    support = card.locator(".votes__button")
    await support.click()
    await expect(card.get_by_role("img", name=said.format(1), exact=True)).to_be_visible()
    await expect(counts).to_have_text(re.compile(r"Fjordpack 1\s*Nordlys Foods 0"))
    await support.click()  # the demo plan is shared: leave it as it was
    await expect(card.get_by_role("img", name=said.format(0), exact=True)).to_be_visible()

    delete = card.locator(".goal-card__tools button").last
    await expect(delete).to_have_text({"en": "Delete", "nb": "Slett"}[lang])
    look = await delete.evaluate(
        "(b) => { const s = getComputedStyle(b);"
        " return [s.backgroundColor, s.borderTopColor, b.getBoundingClientRect().height]; }"
    )
    background, border, height = look
    assert background == "rgba(0, 0, 0, 0)", look
    assert border == "rgba(0, 0, 0, 0)", look
    assert height <= 36, look
    await page.context.close()


async def test_archive_is_in_a_menu_beside_follow_me(
    browser: Browser, e2e_server: ServerProcess, demo_plan: dict[str, Any]
) -> None:
    page = await open_as(browser, e2e_server, KARI, WORKSHOP_LAPTOP, "en-GB")
    await page.goto(f"/plans/{demo_plan['id']}")
    await live(page)
    follow = page.get_by_role("button", name="Follow me")
    more = page.locator(".plan-header summary", has_text="More")
    archive = page.get_by_role("button", name="Archive plan")
    await expect(archive).to_be_hidden()
    follow_box, more_box = await follow.bounding_box(), await more.bounding_box()
    assert follow_box
    assert more_box
    # Side by side on one line, not stacked.
    assert abs(follow_box["y"] - more_box["y"]) < 4, (follow_box, more_box)
    assert follow_box["x"] + follow_box["width"] <= more_box["x"], (follow_box, more_box)

    await more.focus()
    await page.keyboard.press("Enter")
    await expect(archive).to_be_visible()
    await shoot(page, "layout-laptop-en-plan-menu")
    await assert_no_overflow(page)
    await page.keyboard.press("Escape")
    await expect(archive).to_be_hidden()
    await expect(more).to_be_focused()
    await more.click()
    await expect(archive).to_be_visible()
    await page.locator("#section-title").click()
    await expect(archive).to_be_hidden()
    await page.context.close()


async def assert_no_overflow(page: Page) -> None:
    problems = await fits(page, "menu open")
    assert not problems, problems
