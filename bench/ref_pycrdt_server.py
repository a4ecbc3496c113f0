"""Reference server: a stock pycrdt-websocket WebsocketServer under uvicorn, rooms in memory.

Run with the separate venv that bench/run.py creates (bench/.venv-ref), never JointPlan's:

    bench/.venv-ref/bin/python bench/ref_pycrdt_server.py --port 1235

The room name is the request path, so a y-websocket client with serverUrl
ws://127.0.0.1:1235 and room "r0" lands in room "/r0". Nothing is tuned: this is what
a user of the library gets by following its README.
"""

import argparse
import asyncio
import sys

import uvicorn
from pycrdt.websocket import ASGIServer, WebsocketServer


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1235)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()

    websocket_server = WebsocketServer()
    app = ASGIServer(websocket_server)
    async with websocket_server:
        config = uvicorn.Config(app, host=args.host, port=args.port, log_level=args.log_level)
        server = uvicorn.Server(config)
        sys.stdout.write(f"pycrdt-websocket reference server on ws://{args.host}:{args.port}\n")
        sys.stdout.flush()
        await server.serve()


if __name__ == "__main__":
    asyncio.run(main())
