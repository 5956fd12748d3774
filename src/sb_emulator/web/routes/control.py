"""The emulator's own control API under ``/_emulator/`` (outside the emulated API).

Unauthenticated on purpose: the emulator binds to 127.0.0.1 by default and these routes exist
for test suites and developers driving it locally.
"""

from __future__ import annotations

from aiohttp import web

from sb_emulator import __version__
from sb_emulator.errors import InvalidParameter
from sb_emulator.web.keys import CONFIG, EMULATOR
from sb_emulator.web.operation_routes import OperationRoutes
from sb_emulator.web.responses import json_body, json_response, no_content
from sb_emulator.web.rt_route import close_realtime_sockets

routes = OperationRoutes()


@routes.operation("emulatorHealth")
async def health(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    return json_response(
        {"ok": True, "version": __version__, "orgId": config.org_id, "clock": config.clock}
    )


@routes.operation("emulatorReset")
async def reset(request: web.Request) -> web.Response:
    await request.app[EMULATOR].reset()
    # subscribers would otherwise listen to instances that no longer exist: closing makes the
    # real client reconnect and re-subscribe at once, reading the new state
    await close_realtime_sockets(request.app, "emulator reset")
    return no_content()


@routes.operation("emulatorGetClock")
async def get_clock(request: web.Request) -> web.Response:
    emulator = request.app[EMULATOR]
    return json_response({"now": emulator.clock.now_ms(), "manual": emulator.clock.is_manual})


@routes.operation("emulatorAdvanceClock")
async def advance_clock(request: web.Request) -> web.Response:
    body = await json_body(request)
    ms = body.get("ms")
    if isinstance(ms, bool) or not isinstance(ms, int | float) or ms < 0:
        raise InvalidParameter("ms", "body.ms must be a non-negative number of milliseconds")
    emulator = request.app[EMULATOR]
    await emulator.advance_clock(int(ms))
    return json_response({"now": emulator.clock.now_ms()})


@routes.operation("emulatorExport")
async def export_state(request: web.Request) -> web.Response:
    return json_response(await request.app[EMULATOR].export_state())


@routes.operation("emulatorImport")
async def import_state(request: web.Request) -> web.Response:
    await request.app[EMULATOR].import_state(await json_body(request))
    await close_realtime_sockets(request.app, "emulator state imported")
    return no_content()
