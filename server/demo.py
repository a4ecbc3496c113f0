"""`jointplan demo`: a supplier and a customer user and a plan to look at."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import demo_content
from server.auth import service as auth_service
from server.auth.models import User
from server.collab import store as collab_store
from server.collab.layout import build_document
from server.config import Settings
from server.plans import service as plans_service
from server.plans.models import Member, Plan
from server.plans.schemas import PlanCreate

DEMO_PASSWORD = "jointplan-demo"
DEMO_PLAN_TITLE = "Fjordpack × Nordlys Foods 2027–2031"
SUPPLIER = ("kari@fjordpack.example", "Kari Nordmann (KAM, Fjordpack)")
CUSTOMER = ("ola@nordlysfoods.example", "Ola Hansen (Purchasing, Nordlys Foods)")


async def _user(session: AsyncSession, email: str, name: str) -> User:
    user = await auth_service.get_user_by_email(session, email)
    if user is None:
        user = await auth_service.create_user(
            session, email=email, name=name, password=DEMO_PASSWORD
        )
    else:
        user.password_hash = await auth_service.hash_password(DEMO_PASSWORD)
    return user


def _content(key: str, kind: str, supplier_id: str, customer_id: str) -> list[Any]:
    if key == "analysis":
        return list(demo_content.ANALYSIS)
    if key in demo_content.STRATEGIES:
        return list(demo_content.STRATEGIES[key])
    if key in demo_content.GOALS:
        return list(demo_content.GOALS[key])
    if kind == "activities":
        return demo_content.activities(supplier_id, customer_id)
    if kind == "stakeholders":
        return demo_content.stakeholders(supplier_id)
    return []


async def _fill(session: AsyncSession, plan_id: str, supplier_id: str, customer_id: str) -> None:
    for section in await plans_service.list_sections(session, plan_id):
        content = _content(section.key, section.kind, supplier_id, customer_id)
        if content:
            await collab_store.save_snapshot(
                session, section.id, build_document(section.kind, content)
            )


async def seed(session: AsyncSession, settings: Settings) -> list[str]:
    """Create (or refresh) the demo users and plan; returns lines to print."""
    supplier = await _user(session, *SUPPLIER)
    customer = await _user(session, *CUSTOMER)
    plan = await session.scalar(
        select(Plan)
        .join(Member, Member.plan_id == Plan.id)
        .where(Plan.title == DEMO_PLAN_TITLE, Member.user_id == supplier.id)
    )
    if plan is None:
        plan, _ = await plans_service.create_plan(
            session,
            supplier,
            PlanCreate(
                title=DEMO_PLAN_TITLE,
                supplier_name="Fjordpack AS",
                customer_name="Nordlys Foods ASA",
                template="kam",
            ),
        )
        session.add(
            Member(
                plan_id=plan.id,
                user_id=customer.id,
                party="customer",
                role="editor",
                signatory=True,
                invited_by_id=supplier.id,
                invited_by_party="supplier",
            )
        )
        await session.flush()
        await _fill(session, plan.id, supplier.id, customer.id)
    elif await plans_service.get_membership(session, plan.id, customer.id) is None:
        session.add(
            Member(
                plan_id=plan.id,
                user_id=customer.id,
                party="customer",
                role="editor",
                signatory=True,
                invited_by_id=supplier.id,
                invited_by_party="supplier",
            )
        )
    base = settings.base_url.rstrip("/")
    return [
        "Demo plan ready:",
        f"  {base}/plans/{plan.id}",
        f"  supplier (facilitator): {SUPPLIER[0]}  password: {DEMO_PASSWORD}",
        f"  customer (editor):      {CUSTOMER[0]}  password: {DEMO_PASSWORD}",
    ]
