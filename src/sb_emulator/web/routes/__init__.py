"""Route tables, one module per API area. ``all_routes()`` gathers them in one list."""

from __future__ import annotations

from aiohttp import web

from sb_emulator.web.routes import control, instances, machines, orgs, tokens, versions


def all_routes() -> list[web.AbstractRouteDef]:
    out: list[web.AbstractRouteDef] = []
    for module in (machines, versions, instances, orgs, tokens, control):
        out.extend(module.routes)
    return out
