"""Machine instances: state, events, admin views, status, desired version, index queries."""

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


def _names(request: web.Request) -> tuple[str, str]:
    return request.match_info["machineSlug"], request.match_info["instanceSlug"]


@routes.operation("listInstances")
async def list_instances(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].list_instances(
        org_id, request.match_info["machineSlug"], optional_query(request, "cursor")
    )
    return json_response(body)


@routes.operation("getInstance")
async def get_state(request: web.Request) -> web.Response:
    org_id, auth_context = org_and_auth(request)
    machine, instance = _names(request)
    state = await request.app[EMULATOR].get_state(org_id, machine, instance, auth_context)
    return json_response(state)


@routes.operation("deleteInstance")
async def delete_instance(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    machine, instance = _names(request)
    body = await json_body(request)
    await request.app[EMULATOR].delete_instance(org_id, machine, instance, body)
    return no_content()


@routes.operation("getInstanceAdmin")
async def admin_state(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    machine, instance = _names(request)
    return json_response(await request.app[EMULATOR].admin_state(org_id, machine, instance))


@routes.operation("listTransitions")
async def list_transitions(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    machine, instance = _names(request)
    body = await request.app[EMULATOR].list_transitions(
        org_id, machine, instance, optional_query(request, "cursor")
    )
    return json_response(body)


@routes.operation("sendEvent")
async def send_event(request: web.Request) -> web.Response:
    org_id, auth_context = org_and_auth(request)
    machine, instance = _names(request)
    body = await json_body(request)
    state = await request.app[EMULATOR].send_event(
        org_id, machine, instance, required(body, "event"), auth_context
    )
    return json_response(state)


@routes.operation("updateDesiredVersion")
async def set_desired_version(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    machine, instance = _names(request)
    body = await json_body(request)
    await request.app[EMULATOR].set_desired_version(
        org_id, machine, instance, required(body, "targetMachineVersionId")
    )
    return created()


@routes.operation("setInstanceStatus")
async def set_status(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    machine, instance = _names(request)
    body = await json_body(request)
    await request.app[EMULATOR].set_status(org_id, machine, instance, required(body, "status"))
    return no_content()


@routes.operation("queryIndex")
async def query_index(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    limit = optional_query(request, "limit")
    body = await request.app[EMULATOR].query_index(
        org_id,
        request.match_info["machineSlug"],
        request.match_info["index"],
        op=optional_query(request, "op"),
        value=optional_query(request, "value"),
        dir=optional_query(request, "dir") or "asc",
        limit=int(limit) if limit is not None else None,
        cursor=optional_query(request, "cursor"),
    )
    return json_response(body)
