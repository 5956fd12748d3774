"""CORS for browser apps under test (API.md §1.1): answer preflights, allow the SB headers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ALLOWED_HEADERS = "authorization, content-type, x-statebacked-org-id, x-statebacked-act"
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"


def cors_middleware() -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        is_preflight = (
            request.method == "OPTIONS"
            and "access-control-request-method" in request.headers
            and not request.path.startswith("/http-api/")
        )
        if is_preflight:
            response: web.StreamResponse = web.Response(status=204)
        else:
            response = await handler(request)
        origin = request.headers.get("origin")
        if origin is not None and not response.prepared:
            response.headers["access-control-allow-origin"] = origin
            response.headers["access-control-allow-headers"] = ALLOWED_HEADERS
            response.headers["access-control-allow-methods"] = ALLOWED_METHODS
            response.headers["vary"] = "origin"
        return response

    return middleware
