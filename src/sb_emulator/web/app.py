"""The aiohttp application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from sb_emulator.bootstrap import build_emulator, shutdown_emulator
from sb_emulator.config import EmulatorConfig
from sb_emulator.web.auth import auth_middleware
from sb_emulator.web.cors import cors_middleware
from sb_emulator.web.errors import error_middleware
from sb_emulator.web.http_api import routes as http_api_routes
from sb_emulator.web.keys import CONFIG, EMULATOR, RECORDED_REQUESTS, SERVER_ERRORS
from sb_emulator.web.realtime import setup_realtime
from sb_emulator.web.routes import all_routes

# The client posts migration bodies carrying the gzipped bundle as a JSON object of bytes
# (API.md §4.3 #18): several MB of JSON for a 1 MB bundle.
MAX_REQUEST_BYTES = 64 * 1024 * 1024


def create_app(config: EmulatorConfig) -> web.Application:
    server_errors: list[BaseException] = []
    app = web.Application(
        client_max_size=MAX_REQUEST_BYTES,
        middlewares=[
            cors_middleware(),
            error_middleware(),
            auth_middleware(),
        ],
    )
    app[CONFIG] = config
    app[SERVER_ERRORS] = server_errors
    app[RECORDED_REQUESTS] = []
    app.add_routes(all_routes())
    app.add_routes(http_api_routes)
    setup_realtime(app)
    app.cleanup_ctx.append(_emulator_context)
    return app


async def _emulator_context(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    emulator = await build_emulator(config)
    app[EMULATOR] = emulator
    yield
    await shutdown_emulator(emulator, config)
