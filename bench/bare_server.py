"""The baseline server: a bare aiohttp JSON endpoint, served the same way as the emulator
(its own process, 127.0.0.1, port 0), answering a State-shaped body. SIGTERM ends it."""

from __future__ import annotations

import asyncio

from aiohttp import web


async def handle(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response({"ts": 0, "state": "idle", "tags": [], "done": False,
                              "publicContext": {"echo": body}})


async def serve() -> None:
    app = web.Application()
    app.router.add_post("/machines/{m}/i/{i}/events", handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"bare listening on http://127.0.0.1:{port}", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve())
