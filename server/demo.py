"""`jointplan demo`: a supplier and a customer user and a plan to look at."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth import service as auth_service
from server.auth.models import User
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
            )
        )
        await session.flush()
    base = settings.base_url.rstrip("/")
    return [
        "Demo plan ready:",
        f"  {base}/plans/{plan.id}",
        f"  supplier (facilitator): {SUPPLIER[0]}  password: {DEMO_PASSWORD}",
        f"  customer (editor):      {CUSTOMER[0]}  password: {DEMO_PASSWORD}",
    ]
