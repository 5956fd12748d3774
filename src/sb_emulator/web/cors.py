"""Cross-origin policy.

The emulated API allows every origin (API.md §1.1: browser apps under test call it from their
dev server): preflights are answered, the State Backed headers allowed. The control API
(``/_emulator/*``) allows none: no CORS headers, no preflight, and ``control_guard`` refuses
requests from other web pages and through foreign ``Host`` names (DNS rebinding).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware

from sb_emulator.web.control_guard import LOOPBACK_HOSTS, control_refusal, is_control_path
from sb_emulator.web.responses import json_response

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

ALLOWED_HEADERS = "authorization, content-type, x-statebacked-org-id, x-statebacked-act"
ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS"


def cors_middleware(*, control_hosts: frozenset[str] = LOOPBACK_HOSTS) -> Middleware:
    """``control_hosts``: the ``Host`` names the control API answers (see ``control_guard``)."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if is_control_path(request.path):
            return await _control(request, handler, control_hosts)
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


async def _control(
    request: web.Request, handler: Handler, control_hosts: frozenset[str]
) -> web.StreamResponse:
    headers = request.headers
    refusal = control_refusal(
        host=headers.get("host"),
        origin=headers.get("origin"),
        sec_fetch_site=headers.get("sec-fetch-site"),
        allowed_hosts=control_hosts,
    )
    if refusal is not None:
        return json_response(refusal.body(), status=refusal.status)
    return await handler(request)
