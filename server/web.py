"""Serves the built web app (web/dist) with client-side routes falling back to index.html."""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

_NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>JointPlan</title>
<p>The JointPlan web app has not been built. Run <code>./scripts/run</code>, which builds it,
or use the API at <a href="/docs">/docs</a>.</p>"""

_API_PREFIXES = ("api", "collab", "docs", "openapi.json", "healthz", "readyz")
_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _not_found() -> Response:
    return JSONResponse({"error": "not_found", "detail": "Not found."}, status_code=404)


def _is_api(path: str) -> bool:
    first = path.split("/", 1)[0]
    return first in _API_PREFIXES


def default_dist() -> Path:
    return Path(__file__).resolve().parent.parent / "web" / "dist"


def mount_web(app: FastAPI, dist: Path | None) -> None:
    """Mount last: it answers every path no API route took."""
    dist = dist or default_dist()
    assets = dist / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")
    index = dist / "index.html"

    @app.api_route("/{path:path}", methods=_ALL_METHODS, include_in_schema=False)
    async def spa(path: str, request: Request) -> Response:
        if _is_api(path) or request.method not in ("GET", "HEAD"):
            return _not_found()
        candidate = (dist / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(dist.resolve()):
            return FileResponse(candidate)
        if index.is_file():
            return FileResponse(index, headers={"Cache-Control": "no-cache"})
        return HTMLResponse(_NOT_BUILT)
