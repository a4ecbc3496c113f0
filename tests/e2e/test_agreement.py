"""Sign-off in the workshop: a supplier signatory and a customer signatory, each in their own
browser, sign a goal and both see it agreed live; an edit afterwards shows "changed since
agreement" with the agreed text beside the current one; frozen versions keep their text and
compare goal by goal; the customer's exports never carry a supplier-only section."""

import asyncio
import re
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect
from pycrdt import Map, Text, XmlElement, XmlFragment, XmlText

from tests.collab.yclient import YClient
from tests.e2e.conftest import (
    DEMO_PASSWORD,
    KARI,
    WITHIN,
    Api,
    Person,
    browsers,
    live,
    section_id,
    shoot,
    until_stored,
)
from tests.live import ServerProcess
from tests.people import PASSWORD

PRICE_PHRASE = "Corridor ZX-4417 for Nordlys only"
TRIAL = "g-trial"
TRIAL_TITLE = "Line trial passed on line 2"
TRIAL_WHY = "So Nordlys can launch in spring."
TRIAL_WHY_LATER = "So Nordlys can launch before Easter."
TRAYS = "g-trays"
TRAYS_TITLE = "Fibre trays in two chains"
SHELF = "g-shelf"
SHELF_TITLE = "Preferred packaging partner"


@dataclass
class SignOff:
    plan: dict[str, Any]
    facilitator: Person
    supplier: Person
    customer: Person
    bystander: Person
    facilitator_page: Page
    supplier_page: Page
    customer_page: Page
    bystander_page: Page
    server: ServerProcess

    @property
    def plan_id(self) -> str:
        return str(self.plan["id"])

    def url(self, key: str, **query: str) -> str:
        extra = "".join(f"&{k}={v}" for k, v in query.items())
        return f"/plans/{self.plan_id}?section={section_id(self.plan, key)}{extra}"

    def view(self, name: str) -> str:
        return f"/plans/{self.plan_id}?view={name}"

    async def both_open(self, key: str) -> None:
        await asyncio.gather(
            self.supplier_page.goto(self.url(key)), self.customer_page.goto(self.url(key))
        )
        await asyncio.gather(live(self.supplier_page), live(self.customer_page))


def goal(goal_id: str, title: str, why: str, target: str, due: str) -> Map[Any]:
    return Map(
        {
            "id": goal_id,
            "title": Text(title),
            "description": Text(why),
            "metric": "Share of volume",
            "target": target,
            "due": due,
            "status": "proposed",
        }
    )


async def seed(server: ServerProcess, plan: dict[str, Any], token: str) -> None:
    """Content written through real sync clients, as an integration would."""
    content: list[tuple[str, str, Any]] = [
        (
            "goals_operative",
            TRIAL_TITLE,
            goal(TRIAL, TRIAL_TITLE, TRIAL_WHY, "Passed", "2027-03-31"),
        ),
        (
            "goals_tactical",
            TRAYS_TITLE,
            goal(TRAYS, TRAYS_TITLE, "Less plastic on the shelf.", "2", "2027-12-31"),
        ),
        ("goals_strategic", SHELF_TITLE, goal(SHELF, SHELF_TITLE, "", "1st", "2030-12-31")),
        ("strategy_price", PRICE_PHRASE, XmlElement("paragraph", contents=[XmlText(PRICE_PHRASE)])),
    ]
    for key, text, part in content:
        sid = section_id(plan, key)
        async with YClient(server.ws, sid, token) as y:
            await y.wait_synced()
            if isinstance(part, Map):
                y.items.append(part)
            else:
                y.doc.get("body", type=XmlFragment).children.append(part)
            await until_stored(server, token, str(plan["id"]), sid, text)


@pytest.fixture(scope="module")
async def signoff(browser: Browser, e2e_server: ServerProcess, api: Api) -> AsyncIterator[SignOff]:
    kari = api.login(KARI)
    plan = api.create_plan(kari, "Sign-off test")
    supplier = api.invite(kari, plan["id"], "Siri", "supplier", "editor", signatory=True)
    customer = api.invite(kari, plan["id"], "Cato", "customer", "editor", signatory=True)
    bystander = api.invite(kari, plan["id"], "Nina", "customer", "editor", signatory=False)
    await seed(e2e_server, plan, kari.token)
    logins = [
        (KARI, DEMO_PASSWORD),
        (supplier.email, PASSWORD),
        (customer.email, PASSWORD),
        (bystander.email, PASSWORD),
    ]
    async with browsers(browser, e2e_server, logins) as pages:
        kari_page, supplier_page, customer_page, bystander_page = pages
        yield SignOff(
            plan,
            kari,
            supplier,
            customer,
            bystander,
            kari_page,
            supplier_page,
            customer_page,
            bystander_page,
            e2e_server,
        )


def card(page: Page, goal_id: str) -> Locator:
    return page.locator(".goal-list__item", has=page.locator(f"[data-goal-id='{goal_id}']"))


def agreement(page: Page, goal_id: str) -> Locator:
    return card(page, goal_id).locator(".agreement")


async def expect_status(page: Page, goal_id: str, status: str, text: str) -> None:
    panel = agreement(page, goal_id)
    await expect(panel).to_have_attribute("data-agreement-status", status, timeout=WITHIN)
    await expect(panel.locator(".agreement-badge")).to_contain_text(text)


async def shoot_card(page: Page, goal_id: str, name: str) -> None:
    await agreement(page, goal_id).scroll_into_view_if_needed()
    await shoot(page, name)


def sign_url(w: SignOff, goal_id: str, key: str) -> str:
    return f"/api/plans/{w.plan_id}/goals/{goal_id}/signatures?section_id={section_id(w.plan, key)}"


async def test_both_signatories_sign_and_both_see_agreed_live(signoff: SignOff) -> None:
    w = signoff
    await w.both_open("goals_operative")
    s, c = w.supplier_page, w.customer_page
    await expect_status(s, TRIAL, "pending", "Pending")
    await expect(agreement(c, TRIAL)).to_contain_text("Fjordpack AS: not signed yet")

    await agreement(s, TRIAL).get_by_role("button", name=f'Sign "{TRIAL_TITLE}"').click()
    for page in (s, c):
        await expect(agreement(page, TRIAL)).to_contain_text(
            "Fjordpack AS: signed by Siri", timeout=WITHIN
        )
        await expect(agreement(page, TRIAL)).to_contain_text("Nordlys Foods ASA: not signed yet")
    await expect_status(c, TRIAL, "pending", "Pending")
    # Signed already: Siri is offered to withdraw, not to sign twice.
    await expect(
        agreement(s, TRIAL).get_by_role("button", name=f'Sign "{TRIAL_TITLE}"')
    ).to_have_count(0)
    await shoot_card(c, TRIAL, "60-agreement-card-pending-en")

    await agreement(c, TRIAL).get_by_role("button", name=f'Sign "{TRIAL_TITLE}"').click()
    await asyncio.gather(
        expect_status(s, TRIAL, "agreed", "Agreed"), expect_status(c, TRIAL, "agreed", "Agreed")
    )
    await expect(agreement(s, TRIAL)).to_contain_text("Nordlys Foods ASA: signed by Cato")
    await shoot_card(s, TRIAL, "61-agreement-card-agreed-en")


async def test_non_signatories_see_the_status_but_cannot_sign(signoff: SignOff) -> None:
    w = signoff
    n = w.bystander_page
    await n.goto(w.url("goals_operative"))
    await live(n)
    await expect_status(n, TRIAL, "agreed", "Agreed")
    await expect(agreement(n, TRIAL).get_by_role("button")).to_have_count(0)


async def test_facilitator_freezes_a_named_version(signoff: SignOff) -> None:
    w = signoff
    k = w.facilitator_page
    await k.goto(w.view("versions"))
    await k.get_by_label("Name of the new version").fill("Workshop 27 Nov")
    await k.get_by_role("button", name="Freeze version").click()
    await expect(k.get_by_text('Version "Workshop 27 Nov" frozen.')).to_be_visible()
    await expect(k.get_by_role("link", name="Workshop 27 Nov", exact=True)).to_be_visible()
    # Only facilitators freeze.
    c = w.customer_page
    await c.goto(w.view("versions"))
    await expect(c.get_by_role("link", name="Workshop 27 Nov", exact=True)).to_be_visible()
    await expect(c.get_by_role("button", name="Freeze version")).to_have_count(0)


async def test_an_edit_after_agreement_shows_changed_on_both_screens(signoff: SignOff) -> None:
    w = signoff
    await w.both_open("goals_operative")
    s, c = w.supplier_page, w.customer_page
    await expect_status(c, TRIAL, "agreed", "Agreed")
    await card(s, TRIAL).get_by_label("Why it matters to the customer").fill(TRIAL_WHY_LATER)
    for page in (s, c):
        await expect_status(page, TRIAL, "changed", "Changed since agreement")
        diff = agreement(page, TRIAL).locator(".agreement-diff")
        await expect(diff.locator("thead")).to_contain_text("Agreed text")
        await expect(diff.locator("thead")).to_contain_text("Current text")
        row = diff.locator(".agreement-diff__row--changed")
        await expect(row).to_have_count(1)
        await expect(row.locator(".agreement-diff__before")).to_have_text(TRIAL_WHY)
        await expect(row.locator(".agreement-diff__after")).to_have_text(
            TRIAL_WHY_LATER, timeout=WITHIN
        )
    # The server noticed it too, with who changed it.
    await expect(agreement(c, TRIAL)).to_contain_text("Changed by Siri", timeout=WITHIN)
    await shoot_card(c, TRIAL, "62-agreement-card-changed-en")


async def test_an_edit_by_a_sync_client_shows_changed(signoff: SignOff, api: Api) -> None:
    w = signoff
    api.call(w.supplier, "POST", sign_url(w, TRAYS, "goals_tactical"))
    api.call(w.customer, "POST", sign_url(w, TRAYS, "goals_tactical"))
    await w.both_open("goals_tactical")
    s, c = w.supplier_page, w.customer_page
    await asyncio.gather(
        expect_status(s, TRAYS, "agreed", "Agreed"), expect_status(c, TRAYS, "agreed", "Agreed")
    )
    async with YClient(w.server.ws, section_id(w.plan, "goals_tactical"), w.facilitator.token) as y:
        await y.wait_synced()
        item = y.items[0]
        assert str(item["id"]) == TRAYS
        item["target"] = "3"
        # Both screens follow while the sync client is still connected.
        for page in (s, c):
            await expect_status(page, TRAYS, "changed", "Changed since agreement")
            row = agreement(page, TRAYS).locator(".agreement-diff__row--changed")
            await expect(row.locator(".agreement-diff__before")).to_have_text("2")
            await expect(row.locator(".agreement-diff__after")).to_have_text("3")


async def test_withdrawing_after_agreement_asks_why_and_reopens(signoff: SignOff) -> None:
    w = signoff
    await w.both_open("goals_tactical")
    s, c = w.supplier_page, w.customer_page
    panel = agreement(c, TRAYS)
    await panel.get_by_role("button", name=f'Withdraw my signature on "{TRAYS_TITLE}"').click()
    reason = panel.get_by_label("Why do you withdraw?")
    await expect(reason).to_be_focused()
    await panel.get_by_role("button", name="Withdraw and reopen").click()
    await expect(panel.get_by_role("alert")).to_have_text("Write a reason first.")
    await reason.fill("Three chains is not what we agreed.")
    await panel.get_by_role("button", name="Withdraw and reopen").click()
    for page in (s, c):
        await expect_status(page, TRAYS, "pending", "Pending")
        await expect(agreement(page, TRAYS)).to_contain_text(
            "Fjordpack AS: not signed yet", timeout=WITHIN
        )


async def test_a_frozen_version_stays_as_it_was(signoff: SignOff) -> None:
    w = signoff
    c = w.customer_page
    await c.goto(w.view("versions"))
    await expect(c.locator(".version-card")).to_have_count(1)
    await shoot(c, "64-versions-en")
    await c.get_by_role("link", name='Open version "Workshop 27 Nov"').click()
    await expect(c.get_by_role("heading", name='Version "Workshop 27 Nov"')).to_be_visible()
    frozen = c.locator(".version-view [data-goal-id='g-trial']")
    await expect(frozen).to_contain_text(TRIAL_WHY)
    await expect(frozen).not_to_contain_text(TRIAL_WHY_LATER)
    await expect(frozen.locator(".agreement-badge")).to_contain_text("Agreed")
    # Read-only: no fields to type in; the customer never sees the supplier-only sections.
    await expect(c.locator(".version-view textarea, .version-view input")).to_have_count(0)
    await expect(c.locator(".version-view")).not_to_contain_text(PRICE_PHRASE)
    await expect(c.locator(".version-view [data-section-key='strategy_price']")).to_have_count(0)
    await frozen.scroll_into_view_if_needed()
    await shoot(c, "65-version-open-en")


async def test_compare_two_versions_shows_the_changed_goal(signoff: SignOff, api: Api) -> None:
    w = signoff
    api.call(
        w.facilitator, "POST", f"/api/plans/{w.plan_id}/versions", json={"name": "After Easter"}
    )
    c = w.customer_page
    await c.goto(w.view("versions"))
    await c.get_by_label("Compare", exact=True).select_option(label="Workshop 27 Nov")
    await c.get_by_label("with", exact=True).select_option(label="After Easter")
    await c.get_by_role("button", name="Compare", exact=True).click()
    await expect(
        c.get_by_role("heading", name="Workshop 27 Nov compared with After Easter")
    ).to_be_visible()
    changed = c.locator(".compare-goal", has_text=TRIAL_TITLE)
    await expect(changed).to_have_attribute("data-change", "changed")
    await expect(changed).to_contain_text("Changed: Why it matters to the customer")
    await expect(changed.locator(".agreement-diff__before")).to_contain_text([TRIAL_WHY])
    await expect(changed.locator(".agreement-diff__after")).to_contain_text([TRIAL_WHY_LATER])
    # Agreement status on each side: agreed when frozen, changed later.
    await expect(changed.locator(".agreement-badge").first).to_contain_text("Agreed")
    await expect(changed.locator(".agreement-badge").last).to_contain_text(
        "Changed since agreement"
    )
    await shoot(c, "66-compare-en")


async def test_signatories_sign_a_version_as_a_whole(signoff: SignOff) -> None:
    w = signoff
    s, c = w.supplier_page, w.customer_page
    await asyncio.gather(s.goto(w.view("versions")), c.goto(w.view("versions")))
    mine = s.locator(".version-card", has_text="Workshop 27 Nov")
    theirs = c.locator(".version-card", has_text="Workshop 27 Nov")
    button = 'Sign version "Workshop 27 Nov"'
    await expect(theirs).to_contain_text("Fjordpack AS: not signed yet")
    await mine.get_by_role("button", name=button).click()
    await expect(mine.get_by_role("button", name=button)).to_have_count(0)
    # The other screen follows live.
    await expect(theirs).to_contain_text("Fjordpack AS: signed by Siri", timeout=WITHIN)
    await expect(theirs).to_contain_text("Not signed by both parties")
    await theirs.get_by_role("button", name=button).click()
    for card in (mine, theirs):
        await expect(card.locator(".version-signing")).to_have_attribute(
            "data-status", "agreed", timeout=WITHIN
        )
        await expect(card).to_contain_text("Signed by both parties")
        await expect(card).to_contain_text("Nordlys Foods ASA: signed by Cato")


async def test_agreement_overview_per_horizon(signoff: SignOff) -> None:
    w = signoff
    c = w.customer_page
    await c.goto(w.view("agreement"))
    await expect(c.get_by_role("heading", name="Agreement", exact=True)).to_be_visible()
    operative = c.locator(".agreement-overview__horizon", has_text="Operative (this year)")
    await expect(operative.locator(".agreement-counts")).to_contain_text("1 changed")
    await expect(operative.locator(".agreement-overview__goal")).to_contain_text([TRIAL_TITLE])
    strategic = c.locator(".agreement-overview__horizon", has_text="Strategic (3–5 years)")
    await expect(strategic.locator(".agreement-counts")).to_contain_text("1 pending")
    await shoot(c, "63-agreement-overview-en")
    await operative.get_by_role("link", name=TRIAL_TITLE).click()
    await live(c)
    await expect(agreement(c, TRIAL)).to_be_in_viewport()
    await expect(agreement(c, TRIAL)).to_be_focused()


async def test_a_refused_signature_is_explained_in_place(signoff: SignOff) -> None:
    w = signoff
    s = w.supplier_page
    await s.goto(w.url("goals_tactical"))
    await live(s)
    await expect_status(s, TRAYS, "pending", "Pending")

    async def refuse(route: Any) -> None:
        body = {"error": "goal_deleted", "detail": "This goal has been deleted."}
        await route.fulfill(status=409, json=body)

    await s.route("**/goals/*/signatures*", refuse)
    try:
        panel = agreement(s, TRAYS)
        await panel.get_by_role("button", name=f'Sign "{TRAYS_TITLE}"').click()
        await expect(panel.get_by_role("alert")).to_have_text("This goal has been deleted.")
        await expect_status(s, TRAYS, "pending", "Pending")
    finally:
        await s.unroute("**/goals/*/signatures*", refuse)


def pdf_text(path: Path) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


async def download(page: Page, link: Locator) -> Path:
    # Generous: the first PDF starts the server's worker process, slow on a busy machine.
    async with page.expect_download(timeout=60_000) as info:
        await link.click()
    d = await info.value
    # Saved under the server's name for the file, not the blob's.
    assert re.fullmatch(r"[a-z0-9-]+-\d{4}-\d{2}-\d{2}\.(pdf|md)", d.suggested_filename)
    path = await d.path()
    assert path is not None
    return Path(path)


async def test_customer_exports_carry_no_supplier_only_section(signoff: SignOff) -> None:
    w = signoff
    price_title = next(s["title"] for s in w.plan["sections"] if s["key"] == "strategy_price")
    c = w.customer_page
    await c.goto(w.view("agreement"))
    plan_links = c.get_by_role("group", name="Export the plan")
    pdf = pdf_text(await download(c, plan_links.get_by_role("button", name="Download PDF")))
    md = (await download(c, plan_links.get_by_role("button", name="Download Markdown"))).read_text()
    await c.goto(w.view("versions"))
    version_links = c.get_by_role("group", name='Export version "Workshop 27 Nov"')
    version_pdf = pdf_text(
        await download(c, version_links.get_by_role("button", name="Download PDF"))
    )
    version_md = (
        await download(c, version_links.get_by_role("button", name="Download Markdown"))
    ).read_text()
    for text in (pdf, md, version_pdf, version_md):
        assert TRIAL_TITLE in text  # a real export of this plan
        assert PRICE_PHRASE not in text
        assert price_title not in text
    # The supplier's own export does carry it: the filter is by party, not a missing section.
    s = w.supplier_page
    await s.goto(w.view("agreement"))
    supplier_md = (
        await download(
            s,
            s.get_by_role("group", name="Export the plan").get_by_role(
                "button", name="Download Markdown"
            ),
        )
    ).read_text()
    assert PRICE_PHRASE in supplier_md


async def test_screens_in_bokmal(signoff: SignOff) -> None:
    w = signoff
    s = w.supplier_page
    await s.evaluate("localStorage.setItem('jointplan.lang', 'nb')")
    try:
        await s.goto(w.url("goals_operative"))
        await live(s, "Tilkoblet")
        await expect_status(s, TRIAL, "changed", "Endret etter avtale")
        await shoot_card(s, TRIAL, "62-agreement-card-changed-nb")
        # One goal of each status, in bokmål.
        await s.goto(w.url("goals_strategic"))
        await live(s, "Tilkoblet")
        await expect_status(s, SHELF, "pending", "Venter")
        await shoot_card(s, SHELF, "60-agreement-card-pending-nb")
        w_api = Api(w.server)
        w_api.call(w.supplier, "POST", sign_url(w, SHELF, "goals_strategic"))
        w_api.call(w.customer, "POST", sign_url(w, SHELF, "goals_strategic"))
        await expect_status(s, SHELF, "agreed", "Avtalt")
        await shoot_card(s, SHELF, "61-agreement-card-agreed-nb")
        await s.goto(w.view("agreement"))
        await expect(s.get_by_role("heading", name="Enighet", exact=True)).to_be_visible()
        await expect(s.locator(".agreement-overview__goal")).to_have_count(3)
        await shoot(s, "63-agreement-overview-nb")
        await s.goto(w.view("versions"))
        await expect(s.get_by_role("heading", name="Versjoner", exact=True)).to_be_visible()
        await expect(s.locator(".version-card")).to_have_count(2)
        await shoot(s, "64-versions-nb")
        await s.get_by_role("link", name="Åpne versjonen «Workshop 27 Nov»").click()
        await expect(s.locator(".version-view")).to_contain_text(TRIAL_WHY)
        await s.locator(".version-view [data-goal-id='g-trial']").scroll_into_view_if_needed()
        await shoot(s, "65-version-open-nb")
        await s.goto(w.view("versions"))
        await s.get_by_label("Sammenlign", exact=True).select_option(label="Workshop 27 Nov")
        await s.get_by_label("med", exact=True).select_option(label="After Easter")
        await s.get_by_role("button", name="Sammenlign", exact=True).click()
        await expect(s.locator(".compare-goal", has_text=TRIAL_TITLE)).to_contain_text("Endret")
        await shoot(s, "66-compare-nb")
    finally:
        await s.evaluate("localStorage.removeItem('jointplan.lang')")
