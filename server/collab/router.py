import json
from typing import Any

from fastapi import APIRouter, Response, WebSocket
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send

from server import offload
from server.collab import layout, service
from server.collab.manager import RoomManager
from server.db import SessionDep
from server.plans.dependencies import PlanMember, ReadableSection

router = APIRouter(tags=["collab"])


class CollabEndpoint:
    """A section's live document over the y-websocket protocol, at /collab/{section_id}.

    A plain ASGI app rather than a FastAPI endpoint: the room writes every update to every
    client through the server's own `send`, without a wrapper per frame (see eager.py)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        manager: RoomManager = websocket.app.state.rooms
        await manager.serve(websocket, scope["path_params"]["section_id"], receive, send)


# Starlette serves an endpoint that is not a function as a raw ASGI app.
router.routes.append(WebSocketRoute("/collab/{section_id}", CollabEndpoint(), name="collab"))


@router.get("/api/plans/{plan_id}/sections/{section_id}/content", response_model=dict[str, Any])
async def section_content(
    _access: PlanMember, section: ReadableSection, session: SessionDep
) -> Response:
    """The section's document as JSON (items or rich text), as stored now."""
    doc = await service.load_document(session, section.id)

    def body() -> bytes:  # reading and encoding a large document: in a worker
        content = {"section_id": section.id, **layout.to_json(doc, section.kind)}
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()

    return Response(await offload.run(body), media_type="application/json")
