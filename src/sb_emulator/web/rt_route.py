"""The ``/rt`` route and the set of open sockets, without the connection machinery.

The WebSocket connection code (``web/realtime.py`` and the ``realtime`` package) is imported
on the first ``/rt`` request: many test sessions never open a socket, and every module
imported at start-up delays the first response of every session.
"""

from __future__ import annotations

import weakref

from aiohttp import WSCloseCode, web

from sb_emulator.web.operation_routes import OperationRoutes

OPEN_SOCKETS: web.AppKey[weakref.WeakSet[web.WebSocketResponse]] = web.AppKey("sb_rt_sockets")

routes = OperationRoutes()


def setup_realtime(app: web.Application) -> None:
    """Keep the set of open ``/rt`` sockets and close them all on shutdown (the route itself
    is registered from the operation table, with the others)."""
    app[OPEN_SOCKETS] = weakref.WeakSet()
    app.on_shutdown.append(_close_sockets)


@routes.operation("subscribe")
async def realtime_handler(request: web.Request) -> web.StreamResponse:
    from sb_emulator.web.realtime import serve_socket

    return await serve_socket(request)


async def close_realtime_sockets(app: web.Application, reason: str = "server restarting") -> None:
    """Close every open `/rt` socket (going away).

    The real client reconnects at once after a close and replays its subscriptions, so this
    is also how subscribers learn that the service's state was replaced (reset, import): their
    old service subscriptions are gone, the replayed ones read the new state.
    """
    sockets: weakref.WeakSet[web.WebSocketResponse] = app[OPEN_SOCKETS]
    for ws in list(sockets):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=reason.encode()[:120])


async def _close_sockets(app: web.Application) -> None:
    await close_realtime_sockets(app, "sb-emulator shutting down")
