"""The aiohttp application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web

from sb_emulator.bootstrap import build_emulator, shutdown_emulator
from sb_emulator.config import EmulatorConfig
from sb_emulator.openapi import OpenApiSpec
from sb_emulator.web.auth import VerifiedTokens, auth_middleware
from sb_emulator.web.control_guard import allowed_control_hosts
from sb_emulator.web.cors import cors_middleware
from sb_emulator.web.errors import error_middleware
from sb_emulator.web.http_api import routes as http_api_routes
from sb_emulator.web.keys import CONFIG, EMULATOR, RECORDED_REQUESTS, SERVER_ERRORS, TOKEN_CACHE
from sb_emulator.web.operation_routes import OperationRoutes, RouteOperations
from sb_emulator.web.route_index import index_routes
from sb_emulator.web.routes import all_routes
from sb_emulator.web.rt_route import routes as realtime_routes
from sb_emulator.web.rt_route import setup_realtime
from sb_emulator.web.validation import request_validation_middleware

# The client posts migration bodies carrying the gzipped bundle as a JSON object of bytes
# (API.md §4.3 #18): several MB of JSON for a 1 MB bundle.
MAX_REQUEST_BYTES = 64 * 1024 * 1024


def create_app(config: EmulatorConfig) -> web.Application:
    spec = OpenApiSpec.load()  # compiled once; a spec that does not compile stops start-up
    server_errors: list[BaseException] = []
    # every route comes from the operation table; the auth middleware reads the same entries
    operations = RouteOperations()
    app = web.Application(
        client_max_size=MAX_REQUEST_BYTES,
        middlewares=[
            cors_middleware(control_hosts=allowed_control_hosts(config.host)),
            error_middleware(),
            auth_middleware(operations=operations),
            request_validation_middleware(
                spec=spec, strict_responses=config.strict,
                on_response_problem=server_errors.append,
            ),
        ],
    )
    app[CONFIG] = config
    app[SERVER_ERRORS] = server_errors
    app[RECORDED_REQUESTS] = []
    app[TOKEN_CACHE] = VerifiedTokens()
    spec_routes = OperationRoutes()
    spec_routes.operation("getOpenApiDocument")(_spec_handler(spec))
    operations.register(app.router, *all_routes(), http_api_routes, realtime_routes, spec_routes)
    operations.check_complete(app.router)
    setup_realtime(app)
    index_routes(app)
    app.cleanup_ctx.append(_emulator_context)
    return app


async def _emulator_context(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    emulator = await build_emulator(config)
    app[EMULATOR] = emulator
    yield
    await shutdown_emulator(emulator, config)


def _spec_handler(spec: OpenApiSpec) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def serve_spec(request: web.Request) -> web.Response:
        return web.Response(text=spec.text, content_type="application/yaml")

    return serve_spec
