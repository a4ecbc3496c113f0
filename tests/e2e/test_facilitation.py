"""Facilitating a workshop: follow me, offline edits that survive a reload, inviting people,
and a bokmål interface without English left in it."""

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import (
    DEMO_PASSWORD,
    KARI,
    LAPTOP,
    WITHIN,
    Api,
    CutSockets,
    Person,
    browsers,
    live,
    section_id,
    shoot,
    signed_in,
)
from tests.live import ServerProcess
from tests.people import PASSWORD

I18N = Path(__file__).resolve().parents[2] / "web" / "src" / "i18n"


@dataclass
class Session:
    plan: dict[str, Any]
    kari: Person
    supplier: Person
    customer: Person
    lead: Page
    supplier_page: Page
    customer_page: Page

    def url(self, key: str) -> str:
        return f"/plans/{self.plan['id']}?section={section_id(self.plan, key)}"

    def sid(self, key: str) -> str:
        return section_id(self.plan, key)


@pytest.fixture(scope="module")
async def session(browser: Browser, e2e_server: ServerProcess, api: Api) -> AsyncIterator[Session]:
    kari = api.login(KARI)
    plan = api.create_plan(kari, "Facilitation test")
    supplier = api.invite(kari, plan["id"], "Sven", "supplier", "editor")
    customer = api.invite(kari, plan["id"], "Cora", "customer", "editor")
    logins = [(KARI, DEMO_PASSWORD), (supplier.email, PASSWORD), (customer.email, PASSWORD)]
    async with browsers(browser, e2e_server, logins, LAPTOP) as pages:
        lead, supplier_page, customer_page = pages
        yield Session(plan, kari, supplier, customer, lead, supplier_page, customer_page)


async def _open(page: Page, url: str) -> None:
    await page.goto(url)
    await live(page)


def _title(page: Page) -> Any:
    return expect(page.locator("#section-title"))


async def _nav_to(page: Page, title: str) -> None:
    nav = page.get_by_role("navigation", name="Sections")
    await nav.get_by_role("link", name=re.compile(re.escape(title))).first.click()
    await expect(page.locator("#section-title")).to_have_text(title)


async def _had_every_event(s: Session, api: Api, page: Page, key: str) -> None:
    """Waits until `page` has had every plan event sent so far (such as the facilitator's last
    move): events arrive in order, so it has once it shows a thread opened now in `key`, the
    section it is on."""
    api.call(
        s.kari,
        "POST",
        f"/api/plans/{s.plan['id']}/threads",
        json={"section_id": s.sid(key), "visibility": "shared", "body": "Noted."},
    )
    await expect(page.get_by_test_id("section-open-threads")).to_have_text("1", timeout=WITHIN)


async def test_follow_me_moves_participants(session: Session, api: Api) -> None:
    s = session
    lead, sven, cora = s.lead, s.supplier_page, s.customer_page
    await asyncio.gather(
        _open(lead, s.url("goals_strategic")),
        _open(sven, s.url("analysis")),
        _open(cora, s.url("analysis")),
    )
    await lead.get_by_role("button", name="Follow me").click()
    await expect(lead.get_by_test_id("follow-banner")).to_contain_text("Everyone follows you.")
    for page in (sven, cora):
        await _title(page).to_have_text("Strategic goals (3–5 years)", timeout=WITHIN)
        await expect(page.get_by_test_id("follow-banner")).to_contain_text(
            f"Following {s.kari.name}"
        )
    await shoot(cora, "50-follow-banner-en")

    # The facilitator opens another section: everyone's screen follows.
    await _nav_to(lead, "Tactical goals (1–2 years)")
    for page in (sven, cora):
        await _title(page).to_have_text("Tactical goals (1–2 years)", timeout=WITHIN)

    # Into the supplier's internal section: the supplier follows, the customer stays and
    # never learns which section it is.
    await _nav_to(lead, "Price strategy")
    await _title(sven).to_have_text("Price strategy", timeout=WITHIN)
    await expect(cora.get_by_test_id("follow-banner")).to_contain_text(
        "is in a section you cannot see", timeout=WITHIN
    )
    await _title(cora).to_have_text("Tactical goals (1–2 years)")
    assert s.sid("strategy_price") not in cora.url
    follow = await cora.evaluate(
        "async (url) => await (await fetch(url)).text()", f"/api/plans/{s.plan['id']}/follow"
    )
    assert s.sid("strategy_price") not in follow
    await shoot(cora, "51-follow-hidden-section-en")

    # The customer stops following: the next move leaves her where she is.
    await cora.get_by_role("button", name="Stop following").click()
    await expect(cora.get_by_test_id("follow-banner")).to_contain_text(
        f"{s.kari.name} is leading the session."
    )
    await _nav_to(lead, "Operative goals (this year)")
    await _title(sven).to_have_text("Operative goals (this year)", timeout=WITHIN)
    await _had_every_event(s, api, cora, "goals_tactical")
    await _title(cora).to_have_text("Tactical goals (1–2 years)")

    # The supplier opens a section by hand: that also ends following for him.
    await _nav_to(sven, "Action plan")
    await expect(sven.get_by_role("button", name=f"Follow {s.kari.name}")).to_be_visible()
    await _nav_to(lead, "Customer analysis and opportunities")
    await _had_every_event(s, api, sven, "action_plan")
    await _title(sven).to_have_text("Action plan")

    # Back in with one click, then the facilitator ends it for everyone.
    await sven.get_by_role("button", name=f"Follow {s.kari.name}").click()
    await _title(sven).to_have_text("Customer analysis and opportunities", timeout=WITHIN)
    await lead.get_by_role("button", name="Stop follow me").click()
    for page in (lead, sven, cora):
        await expect(page.get_by_test_id("follow-banner")).to_have_count(0, timeout=WITHIN)
    await expect(lead.get_by_role("button", name="Follow me")).to_be_visible()


async def test_offline_edits_survive_a_reload_and_sync_later(session: Session, api: Api) -> None:
    s = session
    cora = s.customer_page
    sid = s.sid("goals_operative")
    sockets = await CutSockets.route(cora)
    await _open(cora, s.url("goals_operative"))
    await cora.context.set_offline(True)
    await sockets.cut()
    await expect(cora.locator(".connection")).to_have_text("Offline")
    await cora.get_by_role("button", name="Add goal").click()
    await cora.get_by_label("Goal", exact=True).fill("Kept on this device")
    badge = cora.get_by_test_id("offline-badge")
    await expect(badge).to_contain_text("Saved on this device")
    await expect(badge).to_contain_text("Edits in 1 section wait to be sent.")
    await cora.evaluate("window.scrollTo(0, 0)")
    await shoot(cora, "52-offline-badge-en")
    # IndexedDB writes are asynchronous: reload once the edit is in the browser's copy.
    await cora.wait_for_function(OFFLINE_COPY_HOLDS_JS, arg="Kept on this device")

    # Back online for the page itself, but the live documents stay cut off.
    await cora.context.set_offline(False)
    await cora.reload()
    await expect(cora.get_by_label("Goal", exact=True)).to_have_value("Kept on this device")
    await expect(badge).to_contain_text("Edits in 1 section wait to be sent.")
    content = api.call(s.kari, "GET", f"/api/plans/{s.plan['id']}/sections/{sid}/content")
    assert "Kept on this device" not in str(content)

    # The sockets come back: the edit reaches the other party.
    await sockets.restore()
    await expect(cora.locator(".connection")).to_have_text("Live", timeout=15_000)
    await expect(badge).to_have_count(0)
    await _open(s.supplier_page, s.url("goals_operative"))
    await expect(s.supplier_page.get_by_label("Goal", exact=True)).to_have_value(
        "Kept on this device", timeout=WITHIN
    )

    # Signing out removes this account's copies from the browser.
    assert await cora.evaluate(OFFLINE_DBS_JS)
    await cora.get_by_role("button", name="Sign out").click()
    await expect(cora.get_by_role("heading", name="Sign in to JointPlan")).to_be_visible()
    for _ in range(50):
        if not await cora.evaluate(OFFLINE_DBS_JS):
            break
        await cora.wait_for_timeout(100)
    assert await cora.evaluate(OFFLINE_DBS_JS) == []


OFFLINE_COPY_HOLDS_JS = """
async (text) => {
  const needle = new TextEncoder().encode(text);
  const holds = (bytes) => {
    outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
      for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
      return true;
    }
    return false;
  };
  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  for (const { name } of await indexedDB.databases()) {
    if (!name.startsWith('jointplan-doc:')) continue;
    const db = await request(indexedDB.open(name));
    try {
      if (!db.objectStoreNames.contains('updates')) continue;
      const updates = await request(db.transaction('updates').objectStore('updates').getAll());
      if (updates.some((u) => holds(new Uint8Array(u)))) return true;
    } finally {
      db.close();
    }
  }
  return false;
}
"""

OFFLINE_DBS_JS = """
async () => (await indexedDB.databases())
  .map((d) => d.name)
  .filter((n) => n.startsWith('jointplan-doc:'))
"""


async def test_invite_copy_link_and_change_role(session: Session, api: Api) -> None:
    s = session
    lead = s.lead
    await lead.context.grant_permissions(["clipboard-read", "clipboard-write"])
    await lead.goto(f"/plans/{s.plan['id']}?view=people")
    await expect(lead.get_by_role("heading", name="Members")).to_be_visible()

    await lead.get_by_label("Email", exact=True).fill("petra@nordlys.example")
    await lead.get_by_label("Party", exact=True).select_option("customer")
    await lead.get_by_label("Role", exact=True).select_option("commenter")
    await lead.get_by_label("Signatory", exact=True).check()
    await lead.get_by_role("button", name="Create invitation").click()
    result = lead.locator(".invite-result")
    await expect(result).to_contain_text("Invitation for petra@nordlys.example created")
    link = await result.locator(".invite-result__value").first.inner_text()
    assert "/invite/" in link
    await result.get_by_role("button", name="Copy invitation link").click()
    await expect(result).to_contain_text("Copied")
    assert await lead.evaluate("navigator.clipboard.readText()") == link
    await expect(lead.locator(".pending", has_text="petra@nordlys.example")).to_contain_text(
        "Commenter"
    )
    await expect(lead.locator(".pending", has_text="petra@nordlys.example")).to_contain_text(
        "Signatory"
    )

    # Everyone's row says who brought them in, and for which party.
    cora_row = lead.get_by_role("row").filter(has_text="cora.")
    await expect(cora_row).to_contain_text(
        "Invited by Kari Nordmann (KAM, Fjordpack) (Fjordpack AS)"
    )

    # Change a member's role and signatory flag (the customer has no facilitator yet, so
    # the supplier's facilitator still manages the customer's people).
    await lead.get_by_label("Role of Cora").select_option("commenter")
    await lead.get_by_label("Cora is a signatory").check()
    await expect(lead.get_by_label("Cora is a signatory")).to_be_checked()
    await expect(lead.get_by_label("Cora is a signatory")).to_be_enabled()  # saved
    await expect(lead.get_by_label("Role of Cora")).to_have_value("commenter")
    members = api.call(s.kari, "GET", f"/api/plans/{s.plan['id']}/members")["items"]
    cora = next(m for m in members if m["user"]["name"] == "Cora")
    assert cora["role"] == "commenter"
    assert cora["signatory"] is True

    # Someone accepting an invitation shows up without a reload.
    api.invite(s.kari, s.plan["id"], "Nils", "supplier", "viewer")
    await expect(lead.get_by_role("table")).to_contain_text("Nils", timeout=5_000)
    await shoot(lead, "53-people-view-en")

    # Removing a member.
    lead.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await lead.get_by_role("button", name="Remove Nils").click()
    await expect(lead.get_by_role("table")).not_to_contain_text("Nils")

    # Owner and visibility of a section are set from its settings.
    await lead.goto(s.url("strategy_service"))
    await live(lead)
    await lead.get_by_text("Section settings").click()
    await lead.get_by_label("Visibility", exact=True).select_option("supplier-only")
    internal = lead.locator(".section-view__internal")
    await expect(internal).to_contain_text("Internal: only Fjordpack AS can see this")
    await lead.get_by_label("Visibility", exact=True).select_option("shared")
    await expect(internal).to_have_count(0)
    # Cora back to editor for the other tests.
    api.call(
        s.kari,
        "PATCH",
        f"/api/plans/{s.plan['id']}/members/{cora['id']}",
        json={"role": "editor", "signatory": False},
    )


# ---- bokmål ------------------------------------------------------------------------------

ENTRY = re.compile(r"""^\s*'([^']+)':\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"),?\s*$""")


def catalogue(name: str) -> dict[str, str]:
    """The message catalogue of web/src/i18n/{name}.ts: one `'key': 'value',` a line."""
    out: dict[str, str] = {}
    for line in (I18N / f"{name}.ts").read_text().splitlines():
        m = ENTRY.match(line)
        if m:
            raw = m.group(2) if m.group(2) is not None else m.group(3)
            out[m.group(1)] = re.sub(r"\\(.)", r"\1", raw)
    return out


def english_only() -> dict[str, str]:
    """English text that a bokmål screen must not show: value → key."""
    en, nb = catalogue("en"), catalogue("nb")
    assert len(en) > 300, "the catalogue parser missed the English entries"
    return {
        value: key
        for key, value in en.items()
        if value.strip() and "{" not in value and nb.get(key) and nb[key] != value
    }


VISIBLE_TEXT_JS = """
() => {
  const out = [];
  const seen = (el) => el && el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !el || el.closest('script, style')) continue;
    const option = el.closest('option');
    if (option ? !option.selected || !seen(option.closest('select')) : !seen(el)) continue;
    out.push(text);
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title]')) {
    if (!seen(el)) continue;
    for (const attr of ['placeholder', 'aria-label', 'title']) {
      const v = el.getAttribute(attr);
      if (v && v.trim()) out.push(v.trim());
    }
  }
  return out;
}
"""


async def untranslated(page: Page, english: dict[str, str]) -> list[str]:
    texts: list[str] = await page.evaluate(VISIBLE_TEXT_JS)
    return sorted({f"{t!r} ({english[t]})" for t in texts if t in english})


async def test_bokmal_screens_have_no_english_left(
    browser: Browser, e2e_server: ServerProcess, api: Api
) -> None:
    english = english_only()
    kari = api.login(KARI)
    plan = api.create_plan(kari, "Bokmålsplan", language="nb")
    pid = plan["id"]
    buyer = api.invite(kari, pid, "Berit", "customer", "editor")
    context = await signed_in(browser, e2e_server, KARI, DEMO_PASSWORD, viewport=LAPTOP)
    page = await context.new_page()
    problems: dict[str, list[str]] = {}

    # The language switch, remembered across reloads.
    await page.goto("/")
    await expect(page.get_by_role("heading", name="My plans")).to_be_visible()
    # The check itself works: in English it finds the English catalogue on screen.
    assert len(await untranslated(page, english)) > 3
    await page.get_by_label("Language").select_option("nb")
    await expect(page.get_by_role("heading", name="Mine planer")).to_be_visible()
    await page.reload()
    await expect(page.get_by_label("Språk")).to_have_value("nb")
    await expect(page.locator("html")).to_have_attribute("lang", "nb")

    problems["plans"] = await untranslated(page, english)
    await page.get_by_role("button", name="Ny plan").click()
    problems["new-plan"] = await untranslated(page, english)
    await page.goto("/no-such-page")
    problems["not-found"] = await untranslated(page, english)
    await page.goto(f"/plans/{'0' * 32}")
    await expect(page.get_by_role("heading", level=1)).to_be_visible()
    problems["plan-not-found"] = await untranslated(page, english)
    for key in ("goals_tactical", "action_plan", "buying_center", "analysis"):
        await page.goto(f"/plans/{pid}?section={section_id(plan, key)}")
        await live(page, "Tilkoblet")
        help_ = page.locator(".section-view__help summary")
        if await help_.count():
            await help_.click()
        await page.get_by_text("Innstillinger for seksjonen").click()
        problems[key] = await untranslated(page, english)
    # A goal and an activity with their controls.
    await page.goto(f"/plans/{pid}?section={section_id(plan, 'goals_tactical')}")
    await live(page, "Tilkoblet")
    await page.get_by_role("button", name="Legg til mål").click()
    await page.keyboard.type("Nye brett")
    problems["goal"] = await untranslated(page, english)
    await page.goto(f"/plans/{pid}?section={section_id(plan, 'action_plan')}")
    await live(page, "Tilkoblet")
    await page.get_by_role("button", name="Legg til aktivitet").click()
    problems["activity"] = await untranslated(page, english)
    await page.goto(f"/plans/{pid}?view=people")
    await expect(page.get_by_role("heading", name="Medlemmer")).to_be_visible()
    await page.get_by_label("E-post", exact=True).fill("per@nordlys.example")
    await page.get_by_role("button", name="Lag invitasjon").click()
    await expect(page.locator(".invite-result")).to_be_visible()
    problems["people"] = await untranslated(page, english)
    await shoot(page, "53-people-view-nb")

    # Follow me and the offline badge, as a bokmål participant sees them.
    other = await signed_in(browser, e2e_server, buyer.email, PASSWORD, viewport=LAPTOP)
    await other.add_init_script("localStorage.setItem('jointplan.lang', 'nb')")
    bpage = await other.new_page()
    await bpage.goto(f"/plans/{pid}?section={section_id(plan, 'analysis')}")
    await live(bpage, "Tilkoblet")
    api.call(
        kari,
        "PUT",
        f"/api/plans/{pid}/follow",
        json={"section_id": section_id(plan, "goals_tactical")},
    )
    await expect(bpage.get_by_test_id("follow-banner")).to_contain_text(
        f"Følger {kari.name}", timeout=WITHIN
    )
    problems["follow"] = await untranslated(bpage, english)
    await shoot(bpage, "50-follow-banner-nb")
    api.call(
        kari,
        "PUT",
        f"/api/plans/{pid}/follow",
        json={"section_id": section_id(plan, "strategy_price")},
    )
    await expect(bpage.get_by_test_id("follow-banner")).to_contain_text(
        "i en seksjon du ikke kan se", timeout=WITHIN
    )
    problems["follow-hidden"] = await untranslated(bpage, english)
    await shoot(bpage, "51-follow-hidden-section-nb")
    api.call(kari, "DELETE", f"/api/plans/{pid}/follow")
    await other.set_offline(True)
    await bpage.get_by_role("button", name="Legg til mål").click()
    await bpage.keyboard.type("Skrevet uten nett")
    await expect(bpage.get_by_test_id("offline-badge")).to_contain_text("Lagret på denne enheten")
    await expect(bpage.locator(".connection")).to_have_text("Frakoblet")
    problems["offline"] = await untranslated(bpage, english)
    await bpage.evaluate("window.scrollTo(0, 0)")
    await shoot(bpage, "52-offline-badge-nb")
    await other.set_offline(False)
    await other.close()

    # Signed out: the sign-in page and an invitation link.
    invitation = api.call(
        kari,
        "POST",
        f"/api/plans/{pid}/invitations",
        json={"email": "nora@nordlys.example", "party": "customer", "role": "viewer"},
    )
    guest = await browser.new_context(base_url=e2e_server.http, viewport=LAPTOP)
    await guest.add_init_script("localStorage.setItem('jointplan.lang', 'nb')")
    gpage = await guest.new_page()
    await gpage.goto("/")
    await expect(gpage.get_by_role("heading", level=1)).to_be_visible()
    problems["sign-in"] = await untranslated(gpage, english)
    await gpage.goto(invitation["url"])
    await expect(gpage.get_by_role("heading", level=1)).to_be_visible()
    problems["invitation"] = await untranslated(gpage, english)
    await guest.close()
    await context.close()

    assert {screen: found for screen, found in problems.items() if found} == {}
