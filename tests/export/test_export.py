"""Exports as a reader gets them: summary first, the plan's language, only what the reader may
read, and a PDF that opens."""

import json
from pathlib import Path
from typing import Any

from server.export.verify import parse_record
from tests.export.helpers import (
    CUSTOMER_SECRET,
    SECRET_GOAL,
    SECRET_PERSON,
    SECRET_PRICE,
    keep,
    pdf_pages,
    pdf_text,
    render_page,
    rich_workshop,
)
from tests.people import People
from tests.signoff.helpers import GOALS, edit_goal


def positions(text: str, *needles: str) -> list[int]:
    found = [text.find(n) for n in needles]
    assert all(i >= 0 for i in found), [n for n, i in zip(needles, found, strict=True) if i < 0]
    return found


async def test_markdown_export_reads_summary_sections_signatures(app: Any, people: People) -> None:
    w = await rich_workshop(app, people)
    await w.sign(w.kam, "g1")
    signed = await w.sign(w.ola, "g1")
    r = await w.ola.http.get(w.url("/export?format=md"))
    assert r.headers["content-type"].startswith("text/markdown")
    assert r.headers["content-disposition"].startswith('attachment; filename="acme-globex-2027-')
    md = r.text

    order = positions(
        md,
        "## Summary",
        "### Strategic goals",
        "### Key activities",
        "# Sections",
        "## Signatures",
        "## Agreement record",
    )
    assert order == sorted(order)
    summary = md[order[0] : order[3]]
    # The three horizons' goals with their status, open activities with owners and dates.
    assert f"| {GOALS[0]['title']} | 100 % | 2029-12-31 | agreed |" in summary
    assert f"| {GOALS[1]['title']} | 0.12 | 2028-06-30 | pending |" in summary
    assert "### Tactical goals (1–2 years)" in summary
    assert "### Operative goals (this year)" in summary
    assert "| Send 5 000 sample trays | Kari Fjord (Acme) | 2026-12-01 | 2026-12-20 |" in summary
    assert "| Line trial on line 2 | Ola Nordmann (Globex) |" in summary
    assert "Old idea" not in summary  # dropped activities are not key
    # Signatures: names, times and the content hash.
    signatures = md[order[4] : order[5]]
    assert "| Kari Fjord | Acme (supplier) |" in signatures
    assert "| Ola Nordmann | Globex (customer) |" in signatures
    assert signatures.count(f"`{signed['hash']}`") >= 3
    record = parse_record(md.encode())
    assert record["goals"][0]["agreed_hash"] == signed["hash"]
    assert record["exported_for"] == {"name": "Ola Nordmann", "party": "customer"}

    audit = (await w.kam.http.get(w.url("/audit"))).json()["items"]
    assert audit[0]["action"] == "plan.export"
    assert audit[0]["actor"]["name"] == "Ola Nordmann"


async def test_exports_are_in_the_plans_language(app: Any, people: People) -> None:
    w = await rich_workshop(app, people, language="nb")
    await w.sign(w.kam, "g1")
    await w.sign(w.ola, "g1")
    md = (await w.export(w.ola)).decode("utf-8")
    positions(md, "## Sammendrag", "### Strategiske mål (3–5 år)", "### Nøkkelaktiviteter")
    assert "| enige |" in md
    assert "| avventer |" in md
    assert "## Signaturer" in md
    assert "Globex (kunde)" in md
    assert "Kjedene vil ha 30 % mindre plast innen 2030 – “fiber først”." in md
    assert "- Fiberbrett for ferdigretter" in md


async def test_an_export_holds_only_what_its_reader_may_read(
    app: Any, people: People, tmp_path: Path
) -> None:
    """The leak test: a customer's export never holds a supplier-only section's title,
    content or id, in Markdown or PDF, text or attachment; and the other way round."""
    w = await rich_workshop(app, people)
    await w.sign(w.kam, "g1")
    await w.sign(w.ola, "g1")
    plan = (await w.kam.http.get(w.url(""))).json()
    supplier_only = [s for s in plan["sections"] if s["visibility"] == "supplier-only"]
    assert {s["key"] for s in supplier_only} >= {"buying_center", "strategy_price"}
    customer = (await w.cus_fac.http.get(w.url(""))).json()
    customer_only = [s for s in customer["sections"] if s["visibility"] == "customer-only"]

    supplier_secrets = [SECRET_PRICE, SECRET_PERSON, SECRET_GOAL, "internal-g"]
    supplier_secrets += [s["title"] for s in supplier_only] + [s["id"] for s in supplier_only]
    customer_secrets = [CUSTOMER_SECRET] + [s["title"] for s in customer_only]
    customer_shown = list(customer_secrets)
    customer_secrets += [s["id"] for s in customer_only]

    for reader, hidden, shown in (
        (w.ola, supplier_secrets, customer_shown),
        (w.viewer, supplier_secrets, customer_shown),
        (w.kam, customer_secrets, supplier_secrets[:3]),
        (w.sup, customer_secrets, supplier_secrets[:3]),
    ):
        md = (await w.export(reader)).decode("utf-8")
        raw_pdf = await w.export(reader, "pdf")
        path = tmp_path / f"{reader.id}.pdf"
        path.write_bytes(raw_pdf)
        text = pdf_text(path)
        attached = json.dumps(parse_record(raw_pdf))
        for secret in hidden:
            assert secret not in md, (reader.name, secret)
            assert secret not in text, (reader.name, secret)
            assert secret not in attached, (reader.name, secret)
            assert secret.encode() not in raw_pdf, (reader.name, secret)
        for visible in shown:
            assert visible in md, (reader.name, visible)


async def test_the_pdf_opens_with_the_summary_page_first(
    app: Any, people: People, tmp_path: Path, backend: str
) -> None:
    w = await rich_workshop(app, people, language="nb")
    await w.sign(w.kam, "g1")
    await w.sign(w.ola, "g1")
    await w.sign(w.kam, "g2")
    r = await w.ola.http.get(w.url("/export?format=pdf"))
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    path = tmp_path / "plan.pdf"
    path.write_bytes(r.content)

    # It renders: page one as an image a person can look at.
    image = render_page(path, 1)
    assert image.startswith(b"\x89PNG")
    assert len(image) > 10_000  # not a blank page
    if backend == "sqlite":
        keep(image, "export-summary-page.png")

    pages = pdf_pages(path)
    assert pages >= 3
    first = pdf_text(path, 1, 1)
    positions(first, "Acme × Globex 2027", "Sammendrag", "Strategiske mål (3–5 år)")
    positions(first, "Taktiske mål (1–2 år)", "Operative mål (i år)", "Nøkkelaktiviteter")
    goal_line = next(line for line in first.splitlines() if "Fibre trays" in line)
    assert "enige" in goal_line
    assert "100 %" in goal_line
    co2_line = next(line for line in first.splitlines() if "per meal halved" in line)
    assert "avventer" in co2_line
    assert "CO2 per meal halved" in co2_line  # Lato has no ₂; its compatibility form is used
    positions(first, "Send 5 000 sample trays", "Kari Fjord (Acme)", "2026-12-20")
    assert "Seksjoner" not in first  # the sections start on page two
    assert "Side 1 av" in first
    second = pdf_text(path, 2, 2)
    assert second.lstrip().startswith("Seksjoner")
    assert "Kjedene vil ha 30 % mindre plast innen 2030 – “fiber først”." in second
    last = pdf_text(path, pages, pages)
    positions(last, "Signaturer", "Ola Nordmann", "Globex (kunde)", "Avtaleprotokoll")


async def test_a_version_export_shows_the_plan_as_it_was(app: Any, people: People) -> None:
    w = await rich_workshop(app, people)
    await w.sign(w.kam, "g1")
    await w.sign(w.ola, "g1")
    r = await w.kam.http.post(w.url("/versions"), json={"name": "Workshop 27 Nov"})
    version = r.json()
    await w.ola.http.post(w.url(f"/versions/{version['id']}/signatures"))
    await edit_goal(app, w.goals, "g1", target="40 %")

    md = (await w.export(w.ola, version_id=version["id"])).decode("utf-8")
    assert "Version “Workshop 27 Nov”, frozen" in md
    assert f"| {GOALS[0]['title']} | 100 % | 2029-12-31 | agreed |" in md
    assert "40 %" not in md
    assert f"`{version['hash']}`" in md
    record = parse_record(md.encode())
    assert record["version"]["id"] == version["id"]
    assert [s["name"] for s in record["version"]["signatures"]] == ["Ola Nordmann"]
    now = (await w.export(w.ola)).decode("utf-8")
    assert f"| {GOALS[0]['title']} | 40 % | 2029-12-31 | changed since agreement |" in now

    r = await w.ola.http.get(w.url("/export?version_id=nope"))
    assert r.status_code == 404
