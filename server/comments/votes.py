"""Support for goals and proposed activities, counted per party."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server import activity
from server.collab import service as collab_service
from server.comments.models import Vote
from server.comments.threads import require_comment_right
from server.errors import BadRequest
from server.plans import policy
from server.plans import service as plans_service
from server.plans.models import Member, Section


@dataclass
class Tally:
    section_id: str
    item_id: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(policy.PARTIES, 0))
    mine: bool = False


async def _votable_section(
    session: AsyncSession, member: Member, section_id: str, item_id: str
) -> Section:
    section = await plans_service.get_readable_section(session, member, section_id)
    await require_comment_right(session, member, section)
    doc = await collab_service.load_document(session, section.id)
    item = collab_service.find_item(doc, section.kind, item_id)
    if item is None:
        raise BadRequest("There is no such item in this section.", code="item_not_found")
    votable = section.kind == "goals" or (
        section.kind == "activities" and item.get("status") == "proposed"
    )
    if not votable:
        raise BadRequest(
            "Support can be shown for goals and for proposed activities.", code="not_votable"
        )
    return section


async def vote_counts(
    session: AsyncSession, member: Member, section_id: str, item_ids: Sequence[str] | None
) -> list[Tally]:
    """Support per item (these, or every item with support), and whether the member gave it."""
    query = select(Vote.item_id, Vote.party, Vote.user_id).where(Vote.section_id == section_id)
    if item_ids is not None:
        query = query.where(Vote.item_id.in_(item_ids))
    counts: dict[str, Tally] = {i: Tally(section_id, i) for i in item_ids or []}
    for item_id, party, user_id in await session.execute(query):
        entry = counts.setdefault(item_id, Tally(section_id, item_id))
        entry.counts[party] = entry.counts.get(party, 0) + 1
        entry.mine = entry.mine or user_id == member.user_id
    return list(counts.values())


async def _tally(session: AsyncSession, member: Member, section: Section, item_id: str) -> Tally:
    """The item's new counts, published to the section's readers (not an audited act)."""
    await session.flush()
    tally = (await vote_counts(session, member, section.id, [item_id]))[0]
    await activity.publish(
        session,
        plan_id=member.plan_id,
        type="vote.changed",
        payload={"section_id": section.id, "item_id": item_id, "counts": tally.counts},
        visibility=section.visibility,
        section_id=section.id,
    )
    return tally


async def vote(session: AsyncSession, member: Member, section_id: str, item_id: str) -> Tally:
    """Show the member's support for an item; returns its counts."""
    section = await _votable_section(session, member, section_id, item_id)
    existing = await session.scalar(
        select(Vote).where(
            Vote.section_id == section.id, Vote.item_id == item_id, Vote.user_id == member.user_id
        )
    )
    if existing is None:
        session.add(
            Vote(
                plan_id=member.plan_id,
                section_id=section.id,
                item_id=item_id,
                user_id=member.user_id,
                party=member.party,
            )
        )
    return await _tally(session, member, section, item_id)


async def unvote(session: AsyncSession, member: Member, section_id: str, item_id: str) -> Tally:
    """Take the member's support back; returns the item's counts."""
    section = await plans_service.get_readable_section(session, member, section_id)
    existing = await session.scalar(
        select(Vote).where(
            Vote.section_id == section.id, Vote.item_id == item_id, Vote.user_id == member.user_id
        )
    )
    if existing is not None:
        await session.delete(existing)
    return await _tally(session, member, section, item_id)


async def section_counts(session: AsyncSession, member: Member, section_id: str) -> list[Tally]:
    """Support per item of a section the member may read (404 otherwise)."""
    section = await plans_service.get_readable_section(session, member, section_id)
    return await vote_counts(session, member, section.id, None)
