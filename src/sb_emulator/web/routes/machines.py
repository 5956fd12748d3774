"""Machines: list, create, get, delete; and instance creation (POST /machines/{m})."""

from __future__ import annotations

from aiohttp import web

from sb_emulator.web.auth import org_and_auth
from sb_emulator.web.keys import EMULATOR
from sb_emulator.web.operation_routes import OperationRoutes
from sb_emulator.web.responses import (
    created,
    json_body,
    json_response,
    no_content,
    optional_query,
    required,
)

routes = OperationRoutes()


@routes.operation("listMachines")
async def list_machines(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].list_machines(org_id, optional_query(request, "cursor"))
    return json_response(body)


@routes.operation("createMachine")
async def create_machine(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await json_body(request)
    await request.app[EMULATOR].create_machine(org_id, required(body, "slug"), body.get("indexes") or [])
    return created()


@routes.operation("getMachine")
async def get_machine(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].get_machine(org_id, request.match_info["machineSlug"])
    return json_response(body)


@routes.operation("createInstance")
async def create_instance(request: web.Request) -> web.Response:
    org_id, auth_context = org_and_auth(request)
    body = await json_body(request)
    state = await request.app[EMULATOR].create_instance(
        org_id,
        request.match_info["machineSlug"],
        required(body, "slug"),
        body.get("context") or {},
        body.get("machineVersionId"),
        auth_context,
    )
    return json_response(state)


@routes.operation("deleteMachine")
async def delete_machine(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await json_body(request)
    await request.app[EMULATOR].delete_machine(org_id, request.match_info["machineSlug"], body)
    return no_content()
