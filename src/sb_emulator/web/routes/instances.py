"""Machine instances: state, events, admin views, status, desired version, index queries."""

from __future__ import annotations

from aiohttp import web

from sb_emulator.web.auth import org_and_auth, requires
from sb_emulator.web.keys import EMULATOR
from sb_emulator.web.responses import (
    created,
    json_body,
    json_response,
    no_content,
    optional_query,
    required,
)

routes = web.RouteTableDef()

INSTANCE = "/machines/{machineSlug}/i/{instanceSlug}"


def _names(request: web.Request) -> tuple[str, str]:
    return request.match_info["machineSlug"], request.match_info["instanceSlug"]


@routes.get("/machines/{machineSlug}/i")
@requires("instances.read")
async def list_instances(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].list_instances(
        org_id, request.match_info["machineSlug"], optional_query(request, "cursor")
    )
    return json_response(body)


@routes.get(INSTANCE)
@requires("state.read")
async def get_state(request: web.Request) -> web.Response:
    org_id, auth_context = org_and_auth(request)
    machine, instance = _names(request)
    state = await request.app[EMULATOR].get_state(org_id, machine, instance, auth_context)
    return json_response(state)


@routes.delete(INSTANCE)
@requires("instances.admin")
async def delete_instance(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    machine, instance = _names(request)
    body = await json_body(request)
    await request.app[EMULATOR].delete_instance(org_id, machine, instance, body)
    return no_content()


@routes.get(INSTANCE + "/admin")
@requires("instances.admin")
async def admin_state(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    machine, instance = _names(request)
    return json_response(await request.app[EMULATOR].admin_state(org_id, machine, instance))


@routes.get(INSTANCE + "/events")
@requires("instances.admin")
async def list_transitions(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    machine, instance = _names(request)
    body = await request.app[EMULATOR].list_transitions(
        org_id, machine, instance, optional_query(request, "cursor")
    )
    return json_response(body)


@routes.post(INSTANCE + "/events")
@requires("instances.write", "events.write")
async def send_event(request: web.Request) -> web.Response:
    org_id, auth_context = org_and_auth(request)
    machine, instance = _names(request)
    body = await json_body(request)
    state = await request.app[EMULATOR].send_event(
        org_id, machine, instance, required(body, "event"), auth_context
    )
    return json_response(state)


@routes.put(INSTANCE + "/v")
@requires("instances.write")
async def set_desired_version(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    machine, instance = _names(request)
    body = await json_body(request)
    await request.app[EMULATOR].set_desired_version(
        org_id, machine, instance, required(body, "targetMachineVersionId")
    )
    return created()


@routes.put(INSTANCE + "/status")
@requires("instances.admin")
async def set_status(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    machine, instance = _names(request)
    body = await json_body(request)
    await request.app[EMULATOR].set_status(org_id, machine, instance, required(body, "status"))
    return no_content()


@routes.get("/machines/{machineSlug}/indexes/{index}/query")
@requires("indexes.read", "instances.read")
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
