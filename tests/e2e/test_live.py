"""Two laptops in one workshop: a supplier editor and a customer editor, each in their own
browser, see each other's edits within two seconds; rights are enforced in the UI and by
the server; internal sections never reach the other party."""

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, expect
from pycrdt import Doc, XmlElement, XmlFragment, XmlText

from tests.collab.yclient import YClient
from tests.e2e.conftest import (
    WITHIN,
    Api,
    CutSockets,
    Workshop,
    live,
    section_id,
    shoot,
    until_stored,
    workshop_for,
)
from tests.live import ServerProcess
from tests.people import PASSWORD


@pytest.fixture(scope="module")
def e2e_server(e2e_server_each_backend: ServerProcess) -> ServerProcess:
    """The workshop story runs on SQLite and on PostgreSQL; the rest of tests/e2e on SQLite."""
    return e2e_server_each_backend


@pytest.fixture(scope="module")
def api(e2e_server: ServerProcess) -> Api:
    return Api(e2e_server)


@pytest.fixture(scope="module")
async def workshop(
    browser: Browser, e2e_server: ServerProcess, api: Api
) -> AsyncIterator[Workshop]:
    async with workshop_for(browser, e2e_server, api, "Workshop test") as w:
        yield w


async def test_goal_cards_sync_both_ways(workshop: Workshop) -> None:
    w = workshop
    await w.both_open("goals_operative")
    s, c = w.supplier_page, w.customer_page

    await s.get_by_role("button", name="Add goal").click()
    await s.keyboard.type("Line trial passed on line 2")
    await expect(c.get_by_label("Goal", exact=True)).to_have_value(
        "Line trial passed on line 2", timeout=WITHIN
    )

    await c.get_by_label("Why it matters to the customer").fill("So Nordlys can launch in spring.")
    await expect(s.get_by_label("Why it matters to the customer")).to_have_value(
        "So Nordlys can launch in spring.", timeout=WITHIN
    )
    await c.get_by_role("button", name="Add goal").click()
    await c.keyboard.type("Fibre trays in two chains")
    await expect(s.get_by_label("Goal", exact=True).nth(1)).to_have_value(
        "Fibre trays in two chains", timeout=WITHIN
    )

    # Reorder and delete reach the other side too.
    await s.get_by_role("button", name='Move "Fibre trays in two chains" up').click()
    await expect(c.get_by_label("Goal", exact=True).first).to_have_value(
        "Fibre trays in two chains", timeout=WITHIN
    )
    c.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    await c.get_by_role("button", name='Delete goal "Fibre trays in two chains"').click()
    await expect(s.get_by_label("Goal", exact=True)).to_have_count(1, timeout=WITHIN)

    # Presence: each sees the other in this section.
    await expect(s.locator(".section-view__heading .avatar[aria-label^='Cora']")).to_be_visible()
    await expect(c.locator(".section-view__heading .avatar[aria-label^='Sven']")).to_be_visible()
    await shoot(s, "10-live-goals-supplier")


async def test_action_plan_table_syncs_both_ways(workshop: Workshop) -> None:
    w = workshop
    await w.both_open("action_plan")
    s, c = w.supplier_page, w.customer_page

    await s.get_by_role("button", name="Add activity").click()
    await s.get_by_label("Activity", exact=True).fill("Send 5,000 sample trays")
    await expect(c.get_by_label("Activity", exact=True)).to_have_value(
        "Send 5,000 sample trays", timeout=WITHIN
    )
    await c.get_by_label('Status of "Send 5,000 sample trays"').select_option("planned")
    await expect(s.get_by_label('Status of "Send 5,000 sample trays"')).to_have_value(
        "planned", timeout=WITHIN
    )
    await c.get_by_label('Start of "Send 5,000 sample trays"').fill("2027-01-11")
    await expect(s.get_by_label('Start of "Send 5,000 sample trays"')).to_have_value(
        "2027-01-11", timeout=WITHIN
    )
    await shoot(c, "11-live-action-plan-customer")


async def test_rich_text_syncs_with_named_carets(workshop: Workshop) -> None:
    w = workshop
    await w.both_open("strategy_communication")
    s, c = w.supplier_page, w.customer_page
    s_editor = s.get_by_role("textbox", name="Communication strategy")
    c_editor = c.get_by_role("textbox", name="Communication strategy")

    await s_editor.click()
    await s.keyboard.type("Co-marketing at the spring fair.")
    await expect(c_editor).to_contain_text("Co-marketing at the spring fair.", timeout=WITHIN)

    await c_editor.click()
    await c.keyboard.press("End")
    await c.keyboard.type(" Both logos on the stand.")
    await expect(s_editor).to_contain_text(
        "Co-marketing at the spring fair. Both logos on the stand.", timeout=WITHIN
    )
    # Live carets carry the other person's name.
    await expect(s.locator(".collab-caret__label", has_text="Cora")).to_be_visible()
    await expect(c.locator(".collab-caret__label", has_text="Sven")).to_be_visible()
    await shoot(s, "12-live-text-supplier")


async def test_keyboard_only_goal_entry(workshop: Workshop) -> None:
    """A goal can be added, written and moved without a mouse."""
    w = workshop
    s, c = w.supplier_page, w.customer_page
    await w.both_open("goals_operative")
    add = s.get_by_role("button", name="Add goal")
    await add.focus()
    await s.keyboard.press("Enter")
    await s.keyboard.type("Typed without a mouse")
    await s.keyboard.press("Tab")
    await s.keyboard.type("Because facilitators type fast.")
    await expect(c.get_by_label("Why it matters to the customer").last).to_have_value(
        "Because facilitators type fast.", timeout=WITHIN
    )
    move_up = s.get_by_role("button", name='Move "Typed without a mouse" up')
    await move_up.focus()
    await s.keyboard.press("Enter")
    await expect(c.get_by_label("Goal", exact=True).first).to_have_value(
        "Typed without a mouse", timeout=WITHIN
    )


async def test_buying_center_board_and_table(workshop: Workshop) -> None:
    """The supplier fills in the internal buying center; the board shows role and attitude."""
    w = workshop
    s = w.supplier_page
    await s.goto(w.url("buying_center"))
    await live(s)
    await s.get_by_role("button", name="Add person").click()
    await s.get_by_label("Name of Unnamed person").fill("Ingrid Berg")
    await s.get_by_label("Job title of Ingrid Berg").fill("CEO")
    await s.get_by_label("Buying role of Ingrid Berg").select_option("decider")
    await s.get_by_label("Attitude of Ingrid Berg").select_option("champion")
    await s.get_by_role("button", name="Board").click()
    deciders = s.get_by_role("region", name="Deciders")
    await expect(deciders).to_contain_text("Ingrid Berg")
    await expect(deciders).to_contain_text("Champion")
    await shoot(s, "18-buying-center-board")


async def test_customer_cannot_edit_a_supplier_section(workshop: Workshop, api: Api) -> None:
    w = workshop
    c = w.customer_page
    await c.goto(w.url("strategy_product"))
    await live(c)
    editor = c.get_by_role("textbox", name="Product strategy")
    await expect(editor).to_have_attribute("contenteditable", "false")
    await expect(c.get_by_test_id("write-state")).to_contain_text("Read only for you")
    await expect(c.get_by_role("toolbar", name="Formatting")).to_have_count(0)
    await editor.click()
    await c.keyboard.type("sneaky")
    await expect(editor).not_to_contain_text("sneaky")

    # A forced write from the customer's own browser session is refused by the server.
    doc: Doc[Any] = Doc()
    body = doc.get("body", type=XmlFragment)
    body.children.append(XmlElement("paragraph", contents=[XmlText("forced by the customer")]))
    update = list(doc.get_update())
    sid = section_id(w.plan, "strategy_product")
    reply = await c.evaluate(FORCED_WRITE_JS, {"path": f"/collab/{sid}", "update": update})
    assert reply == "permission-denied"
    content = api.call(w.facilitator, "GET", f"/api/plans/{w.plan['id']}/sections/{sid}/content")
    assert "forced" not in content["text"]
    assert "sneaky" not in content["text"]
    await shoot(c, "13-customer-read-only")


async def test_supplier_only_sections_never_reach_the_customer(
    workshop: Workshop, api: Api
) -> None:
    w = workshop
    c = w.customer_page
    price = section_id(w.plan, "strategy_price")
    buying = section_id(w.plan, "buying_center")
    await c.goto(f"/plans/{w.plan['id']}?section={price}")
    await live(c)
    nav = c.get_by_role("navigation", name="Sections")
    await expect(nav).to_contain_text("Product strategy")
    await expect(nav).not_to_contain_text("Price strategy")
    await expect(nav).not_to_contain_text("Buying center")
    # Asking for it by address shows the first section the customer may see instead.
    await expect(c.locator("#section-title")).to_have_text("Customer analysis and opportunities")
    for sid in (price, buying):
        status = await c.evaluate(
            "async (url) => (await fetch(url)).status",
            f"/api/plans/{w.plan['id']}/sections/{sid}/content",
        )
        assert status == 404
        code = await c.evaluate(CLOSE_CODE_JS, f"/collab/{sid}")
        assert code == 4404
    # The supplier editor sees both.
    s = w.supplier_page
    await s.goto(w.url("goals_strategic"))
    await live(s)
    snav = s.get_by_role("navigation", name="Sections")
    await expect(snav).to_contain_text("Price strategy")
    await expect(snav).to_contain_text("Buying center")


async def test_a_refused_edit_is_explained_and_the_section_turns_read_only(
    workshop: Workshop, api: Api
) -> None:
    w = workshop
    c = w.customer_page
    await c.goto(w.url("strategy_relationship"))
    await live(c)
    editor = c.get_by_role("textbox", name="Relationship strategy")
    await expect(editor).to_have_attribute("contenteditable", "true")
    # The customer's role is lowered to viewer while they have the section open (the
    # supplier may still manage the customer's people: the customer has no facilitator).
    members = api.call(w.facilitator, "GET", f"/api/plans/{w.plan['id']}/members")["items"]
    cora = next(m["id"] for m in members if m["user"]["id"] == w.customer.id)
    api.call(
        w.facilitator,
        "PATCH",
        f"/api/plans/{w.plan['id']}/members/{cora}",
        json={"role": "viewer"},
    )
    await editor.click()
    await c.keyboard.type("A quarterly steering meeting.")
    await expect(c.get_by_role("alert")).to_contain_text(
        "Your last change was not saved", timeout=5_000
    )
    await expect(editor).to_have_attribute("contenteditable", "false")
    await expect(editor).not_to_contain_text("steering")
    await expect(c.get_by_test_id("write-state")).to_contain_text("Read only for you")
    await shoot(c, "14-refused-edit")
    # Cora back to editor for the other tests.
    api.call(
        w.facilitator,
        "PATCH",
        f"/api/plans/{w.plan['id']}/members/{cora}",
        json={"role": "editor"},
    )


async def test_connection_state_is_always_visible(workshop: Workshop, api: Api) -> None:
    w = workshop
    s, c = w.supplier_page, w.customer_page
    sockets = await CutSockets.route(c)
    await w.both_open("goals_tactical")
    cora_here = s.locator(".section-view__heading .avatar[aria-label^='Cora']")
    await expect(cora_here).to_be_visible()

    # The network goes (the page's sockets too): the customer sees it, and the server has
    # dropped her, so the supplier no longer sees her in the section.
    await c.context.set_offline(True)
    await sockets.cut()
    await expect(c.locator(".connection")).to_have_text("Offline")
    await expect(c.get_by_test_id("offline-badge")).to_contain_text("Saved on this device")
    await expect(cora_here).to_have_count(0, timeout=WITHIN)

    # Work goes on offline, kept on this device: nothing reaches the server or the supplier.
    await c.get_by_role("button", name="Add goal").click()
    await c.keyboard.type("Written while offline")
    await expect(c.get_by_test_id("offline-badge")).to_contain_text(
        "Edits in 1 section wait to be sent."
    )
    await shoot(c, "15-offline")
    sid = section_id(w.plan, "goals_tactical")
    content = api.call(w.facilitator, "GET", f"/api/plans/{w.plan['id']}/sections/{sid}/content")
    assert "Written while offline" not in str(content)
    await expect(s.get_by_label("Goal", exact=True)).to_have_count(0)

    # The connection is back: the edit arrives on the supplier's screen, open all along.
    await c.context.set_offline(False)
    await sockets.restore()
    await expect(c.locator(".connection")).to_have_text("Live", timeout=15_000)
    await expect(c.get_by_test_id("offline-badge")).to_have_count(0)
    await expect(s.get_by_label("Goal", exact=True)).to_have_value(
        "Written while offline", timeout=WITHIN
    )


async def test_malformed_content_shows_what_it_can(
    workshop: Workshop, e2e_server: ServerProcess, api: Api
) -> None:
    w = workshop
    sid = section_id(w.plan, "goals_strategic")
    async with YClient(e2e_server.ws, sid, w.facilitator.token) as y:
        await y.wait_synced()
        from pycrdt import Map, Text

        y.items.append("not a goal")
        y.items.append(Map({"title": Text("no id")}))
        y.items.append(Map({"id": "g-odd", "title": 42, "due": "next spring", "status": "???"}))
        y.items.append(Map({"id": "g-good", "title": Text("Three sizes qualified")}))
        await until_stored(e2e_server, w.facilitator.token, w.plan["id"], sid, "Three sizes")
    c = w.customer_page
    await c.goto(w.url("goals_strategic"))
    await live(c)
    await expect(c.get_by_text("2 entries could not be shown")).to_be_visible()
    titles = c.get_by_label("Goal", exact=True)
    await expect(titles).to_have_count(2)
    await expect(titles.nth(0)).to_have_value("42")
    await expect(titles.nth(1)).to_have_value("Three sizes qualified")
    await expect(c.get_by_text('Stored as "next spring", not a date')).to_be_visible()
    await shoot(c, "16-malformed-content")


async def test_first_visit_from_an_invitation_link(
    browser: Browser, e2e_server: ServerProcess, workshop: Workshop, api: Api
) -> None:
    w = workshop
    started = time.monotonic()
    invitation = api.call(
        w.facilitator,
        "POST",
        f"/api/plans/{w.plan['id']}/invitations",
        json={
            "email": "nina@nordlys.example",
            "party": "customer",
            "role": "editor",
            "signatory": True,
        },
    )
    context = await browser.new_context(
        base_url=e2e_server.http, viewport={"width": 1280, "height": 800}
    )
    page = await context.new_page()
    await page.goto(invitation["url"])
    await expect(page.get_by_role("heading", name="Invitation")).to_be_visible()
    await shoot(page, "17-invitation")
    await page.get_by_label("Name").fill("Nina Nordlys")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create account and join").click()
    await live(page)
    await expect(page.get_by_role("heading", name="Workshop test")).to_be_visible()
    assert time.monotonic() - started < 60
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in to JointPlan")).to_be_visible()
    await context.close()


FORCED_WRITE_JS = """
async ({ path, update }) => {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
  const varuint = (n) => {
    const out = [];
    while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n >>>= 7; }
    out.push(n);
    return out;
  };
  return await new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => ws.send(new Uint8Array([0, 2, ...varuint(update.length), ...update]));
    ws.onmessage = (event) => {
      const data = new Uint8Array(event.data);
      if (data[0] === 2 && data[1] === 0) { ws.close(); resolve('permission-denied'); }
    };
    ws.onclose = (event) => resolve(`closed ${event.code}`);
    setTimeout(() => resolve('no answer'), 5000);
  });
}
"""

CLOSE_CODE_JS = """
async (path) => await new Promise((resolve) => {
  const ws = new WebSocket(`ws://${location.host}${path}`);
  ws.onclose = (event) => resolve(event.code);
  setTimeout(() => resolve(null), 5000);
})
"""
