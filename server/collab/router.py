from typing import Any

from fastapi import APIRouter, WebSocket

from server.collab import schema, service
from server.collab.manager import RoomManager
from server.db import SessionDep
from server.plans.dependencies import PlanMember, ReadableSection

router = APIRouter(tags=["collab"])


@router.websocket("/collab/{section_id}")
async def collab(websocket: WebSocket, section_id: str) -> None:
    """A section's live document over the y-websocket protocol."""
    manager: RoomManager = websocket.app.state.rooms
    await manager.serve(websocket, section_id)


@router.get("/api/plans/{plan_id}/sections/{section_id}/content")
async def section_content(
    _access: PlanMember, section: ReadableSection, session: SessionDep
) -> dict[str, Any]:
    """The section's document as JSON (items or rich text), as stored now."""
    doc = await service.load_document(session, section.id)
    return {"section_id": section.id, **schema.to_json(doc, section.kind)}
