"""A plan full of content on both sides, and tools to look into exported files."""

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.content import put_content
from tests.people import People, Person, add_member
from tests.signoff.helpers import Workshop

SECRET_PRICE = "Floor price 4.2 % under list, walk-away at 6 %"
SECRET_PERSON = "Berit Bakke-Sceptic"
SECRET_GOAL = "Lift our margin on Nordlys to 31 %"
CUSTOMER_SECRET = "Switch supplier if trial fails twice"


class RichWorkshop(Workshop):
    """The workshop plan plus activities, text, internal sections on both sides."""

    async def build(self, language: str = "en") -> "RichWorkshop":
        await super().build(language)
        s = self.sections
        await put_content(
            self.app,
            s["action_plan"],
            "activities",
            [
                {
                    "id": "a1",
                    "title": "Line trial on line 2",
                    "owner": self.ola.id,
                    "party": "customer",
                    "start": "2027-01-10",
                    "due": "2027-02-28",
                    "status": "planned",
                },
                {
                    "id": "a2",
                    "title": "Send 5 000 sample trays",
                    "owner": self.kam.id,
                    "party": "supplier",
                    "start": "2026-12-01",
                    "due": "2026-12-20",
                    "status": "in_progress",
                },
                {"id": "a3", "title": "Old idea", "status": "dropped"},
            ],
        )
        await put_content(
            self.app,
            s["analysis"],
            "text",
            [
                ("heading", "Hvor Nordlys er på vei"),
                ("paragraph", "Kjedene vil ha 30 % mindre plast innen 2030 – “fiber først”."),
                ("bullet", "Fiberbrett for ferdigretter"),
                ("bullet", "Felles linjetester i Bergen"),
            ],
        )
        await put_content(self.app, s["strategy_price"], "text", [("paragraph", SECRET_PRICE)])
        await put_content(
            self.app,
            s["buying_center"],
            "stakeholders",
            [
                {
                    "id": "p1",
                    "name": SECRET_PERSON,
                    "job_title": "Head of purchasing",
                    "buying_role": "decider",
                    "attitude": "sceptic",
                    "relationship_owner": self.kam.id,
                    "notes": "Needs the CO₂ numbers",
                }
            ],
        )
        r = await self.kam.http.post(
            self.url("/sections"),
            json={
                "title": "Supplier-internal goals",
                "kind": "goals",
                "horizon": "tactical",
                "visibility": "supplier-only",
            },
        )
        self.supplier_goals = str(r.json()["id"])
        await put_content(
            self.app, self.supplier_goals, "goals", [{"id": "internal-g", "title": SECRET_GOAL}]
        )
        self.cus_fac: Person = await add_member(
            self.kam,
            self.people,
            self.plan_id,
            "Cus Facilitator",
            party="customer",
            role="facilitator",
        )
        r = await self.cus_fac.http.post(
            self.url("/sections"),
            json={"title": "Customer fallback plan", "kind": "text", "visibility": "customer-only"},
        )
        self.customer_text = str(r.json()["id"])
        await put_content(self.app, self.customer_text, "text", [("paragraph", CUSTOMER_SECRET)])
        return self

    async def export(self, who: Person, fmt: str = "md", version_id: str | None = None) -> bytes:
        query = f"?format={fmt}" + (f"&version_id={version_id}" if version_id else "")
        r = await who.http.get(self.url(f"/export{query}"))
        assert r.status_code == 200, r.text
        return r.content


async def rich_workshop(app: Any, people: People, language: str = "en") -> RichWorkshop:
    return await RichWorkshop(app, people).build(language)


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{tool} is missing (apt-get install poppler-utils)")
        pytest.skip(f"{tool} is missing (apt-get install poppler-utils)")
    return found


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    args = [poppler("pdftotext"), "-layout"]
    if first is not None:
        args += ["-f", str(first)]
    if last is not None:
        args += ["-l", str(last)]
    result = subprocess.run([*args, str(path), "-"], capture_output=True, check=True, timeout=60)
    return result.stdout.decode("utf-8")


def pdf_pages(path: Path) -> int:
    result = subprocess.run(
        [poppler("pdfinfo"), str(path)], capture_output=True, check=True, timeout=60
    )
    line = next(x for x in result.stdout.decode().splitlines() if x.startswith("Pages:"))
    return int(line.split()[1])


def render_page(path: Path, page: int) -> bytes:
    """One page as a PNG, as a person would see it."""
    out = path.with_suffix(f".page{page}")
    subprocess.run(
        [poppler("pdftoppm"), "-png", "-r", "80", "-f", str(page), "-l", str(page)]
        + ["-singlefile", str(path), str(out)],
        check=True,
        timeout=60,
    )
    return out.with_suffix(f".page{page}.png").read_bytes()


ARTIFACTS = Path(__file__).resolve().parents[2] / "data" / "test-artifacts"


def keep(data: bytes, name: str) -> None:
    """Leave a rendered page under data/test-artifacts/ (git-ignored) to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / name).write_bytes(data)
