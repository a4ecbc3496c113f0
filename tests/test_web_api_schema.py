"""The web app's typed API client is generated from web/openapi.json; it must be the server's."""

import json
from pathlib import Path

from server.app import create_app

SCHEMA = Path(__file__).resolve().parents[1] / "web" / "openapi.json"


def test_committed_openapi_schema_is_the_servers() -> None:
    committed = json.loads(SCHEMA.read_text())
    assert committed == create_app().openapi(), (
        "web/openapi.json differs from the server's schema: run `npm run api` in web/ "
        "(it rewrites openapi.json and src/api/schema.d.ts) and commit both"
    )
