"""Notices, from the sync path, when an accepted edit changes an agreed goal.

A room listener (collab/manager.py). Per loaded goals room it keeps the agreed goals of that
section ({goal_id: agreed hash}); a section without agreements costs nothing. A deep observer
on the document notes which goal each update touched, so the change is put on the user who
made it. Edits are checked at most every DEBOUNCE seconds per room, off the sync path: only
the watched goals are hashed, from the room's in-memory document, and the database decides
(signoff.service.reconcile), so several processes watching one room record a change once.

The watched goals are reloaded when a room loads and whenever the plan's event stream moves
(signing, withdrawing and reconciling all publish there, and with PostgreSQL that signal
reaches every process).
"""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Array
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import events
from server.collab import layout
from server.collab.room import Room
from server.signoff import service

log = logging.getLogger(__name__)

DEBOUNCE = 0.3
# A change another process accepted is that process's to record, unless it has not within this.
REMOTE_GRACE = 5.0


@dataclass
class _Section:
    room: Room
    items: Array[Any]
    subscription: Any = None
    watched: dict[str, service.Watched] = field(default_factory=dict)
    touching: set[str] = field(default_factory=set)  # goals the update being applied touches
    structural: bool = False  # the update being applied adds or removes items
    # goal id → (who changed it here, when); None for items added or removed
    changers: dict[str | None, tuple[str, float]] = field(default_factory=dict)
    remote: dict[str, float] = field(default_factory=dict)  # goal id → when, elsewhere
    remote_structural: float = 0.0
    timer: asyncio.TimerHandle | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class AgreementWatcher:
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], debounce: float = DEBOUNCE
    ) -> None:
        self.sessionmaker = sessionmaker
        self.debounce = debounce
        self.sections: dict[str, _Section] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe: Any = None

    def start(self) -> None:
        self._unsubscribe = events.subscribe(events.PLAN_EVENTS, self.plan_moved)

    async def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        for section in self.sections.values():
            if section.timer is not None:
                section.timer.cancel()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- room listener ---------------------------------------------------------------

    def room_loaded(self, room: Room) -> None:
        if room.kind != "goals":
            return
        section = _Section(room, room.doc.get(layout.ITEMS, type=Array))
        section.subscription = section.items.observe_deep(
            lambda changes: self._observe(section, changes)
        )
        self.sections[room.section_id] = section
        self._spawn(self._reload(room.plan_id))

    def room_changed(self, room: Room, change: bytes, user_id: str | None) -> None:
        section = self.sections.get(room.section_id)
        if section is None or section.room is not room:
            return
        touched, section.touching = section.touching, set()
        structural, section.structural = section.structural, False
        now = time.monotonic()
        if user_id is None:
            section.remote.update(dict.fromkeys(touched, now))
            if structural:
                section.remote_structural = now
        else:
            # Kept even while nothing is agreed here: an agreement may be loading right now.
            section.changers.update(dict.fromkeys(touched, (user_id, now)))
            if structural:
                section.changers[None] = (user_id, now)
        if section.watched:
            self._schedule(section)

    def room_unloaded(self, room: Room) -> None:
        section = self.sections.get(room.section_id)
        if section is None or section.room is not room:
            return
        del self.sections[room.section_id]
        if section.timer is not None:
            section.timer.cancel()
        try:
            section.items.unobserve(section.subscription)
        except Exception:
            log.debug("could not unobserve section %s", room.section_id)

    @staticmethod
    def _observe(section: _Section, changes: list[Any]) -> None:
        """Inside the update's transaction: which goals it touches (one lookup per event)."""
        for change in changes:
            path = list(change.path)
            if not path:
                section.structural = True
                continue
            try:
                goal_id = section.items[path[0]].get("id")
            except Exception:
                continue
            if isinstance(goal_id, str):
                section.touching.add(goal_id)

    # ---- checks ------------------------------------------------------------------------

    def _schedule(self, section: _Section) -> None:
        if section.timer is None:
            section.timer = asyncio.get_running_loop().call_later(
                self.debounce, lambda: self._spawn(self._check(section))
            )

    def plan_moved(self, plan_id: str) -> None:
        if any(s.room.plan_id == plan_id for s in self.sections.values()):
            self._spawn(self._reload(plan_id))

    async def _reload(self, plan_id: str) -> None:
        try:
            async with self.sessionmaker() as session:
                watched = await service.watched_goals(session, plan_id)
        except Exception:
            log.exception("could not load the agreements of plan %s", plan_id)
            return
        for section_id, section in list(self.sections.items()):
            if section.room.plan_id != plan_id:
                continue
            section.watched = watched.get(section_id, {})
            if section.watched:
                # Whatever was edited before these agreements were known here is caught now.
                self._schedule(section)

    async def _check(self, section: _Section) -> None:
        section.timer = None
        async with section.lock:
            if self.sections.get(section.room.section_id) is not section or not section.watched:
                return
            recent = time.monotonic() - REMOTE_GRACE
            changers = {g: u for g, (u, t) in section.changers.items() if t > recent}
            section.changers = {}
            section.remote = {g: t for g, t in section.remote.items() if t > recent}
            current = service.current_hashes(section.room.doc, set(section.watched))
            due = []
            for goal_id, known in section.watched.items():
                now = current.get(goal_id)
                digest = now[0] if now else None
                stale = (
                    (known.status == "agreed" and digest != known.agreed_hash)
                    or (known.status == "changed" and digest == known.agreed_hash)
                    or (known.status == "changed" and known.deleted != (now is None))
                )
                if not stale:
                    continue
                user = changers.get(goal_id) or (changers.get(None) if now is None else None)
                elsewhere = goal_id in section.remote or (
                    now is None and section.remote_structural > recent
                )
                if user is None and elsewhere:
                    continue  # the process that accepted the edit records it
                due.append((goal_id, now, user))
            if not due:
                return
            try:
                async with self.sessionmaker() as session, session.begin():
                    results = {
                        goal_id: await service.reconcile(
                            session, section.room.section_id, goal_id, now, user
                        )
                        for goal_id, now, user in due
                    }
            except Exception:
                log.exception("could not record changes to agreed goals")
                for goal_id, _, user in due:
                    if user is not None:
                        section.changers.setdefault(goal_id, (user, time.monotonic()))
                self._schedule(section)
                return
            for goal_id, result in results.items():
                if result is None:
                    section.watched.pop(goal_id, None)
                else:
                    section.watched[goal_id] = result
