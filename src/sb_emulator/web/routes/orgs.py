"""Orgs, keys, billing and logs."""

from __future__ import annotations

from aiohttp import web

from sb_emulator.auth.scopes import require_scopes_held, scopes_for_new_key
from sb_emulator.errors import InvalidParameter
from sb_emulator.web.auth import org_and_auth, principal_of
from sb_emulator.web.keys import EMULATOR
from sb_emulator.web.operation_routes import OperationRoutes
from sb_emulator.web.responses import json_body, json_response, no_content, optional_query, required

routes = OperationRoutes()


@routes.operation("listOrgs")
async def list_orgs(request: web.Request) -> web.Response:
    principal = principal_of(request)
    body = await request.app[EMULATOR].list_orgs(principal.org_id, optional_query(request, "cursor"))
    return json_response(body)


@routes.operation("createOrg")
async def create_org(request: web.Request) -> web.Response:
    body = await json_body(request)
    result = await request.app[EMULATOR].create_org(
        required(body, "name"), bool(body.get("allowAnonymousAccess", True))
    )
    return json_response(result)


@routes.operation("listKeys")
async def list_keys(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].list_keys(org_id, optional_query(request, "cursor"))
    return json_response(body)


@routes.operation("createKey")
async def create_key(request: web.Request) -> web.Response:
    principal = principal_of(request)
    body = await json_body(request)
    name, scopes, use = required(body, "name"), body.get("scopes"), body.get("use")
    require_scopes_held(principal, scopes_for_new_key(scopes, use), "the new key")
    result = await request.app[EMULATOR].create_key(principal.org_id, name, scopes=scopes, use=use)
    return json_response(result)


@routes.operation("deleteKey")
async def delete_key(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    await request.app[EMULATOR].delete_key(org_id, request.match_info["keyId"])
    return no_content()


@routes.operation("getBilling")
async def billing(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    return json_response(await request.app[EMULATOR].billing(org_id))


@routes.operation("getLogs")
async def get_logs(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    from_ts = optional_query(request, "from")
    if from_ts is None:
        raise InvalidParameter("from", "query parameter 'from' (an ISO-8601 timestamp) is required")
    body = await request.app[EMULATOR].get_logs(
        org_id,
        from_ts,
        optional_query(request, "to"),
        optional_query(request, "machine"),
        optional_query(request, "instance"),
        optional_query(request, "version"),
    )
    return json_response(body)
