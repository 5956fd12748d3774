"""Identity providers, token providers and the token exchange (API.md §2.7, §4.9)."""

from __future__ import annotations

from aiohttp import web

from sb_emulator.web.auth import org_and_auth, requires
from sb_emulator.web.keys import EMULATOR
from sb_emulator.web.responses import json_body, json_response, no_content, optional_query

routes = web.RouteTableDef()


@routes.get("/idps")
@requires("tokens.admin")
async def list_idps(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].list_idps(org_id, optional_query(request, "cursor"))
    return json_response(body)


@routes.post("/idps")
@requires("tokens.admin")
async def upsert_idp(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    await request.app[EMULATOR].upsert_idp(org_id, await json_body(request))
    return no_content()


@routes.delete("/idps")
@requires("tokens.admin")
async def delete_idp(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    await request.app[EMULATOR].delete_idp(org_id, await json_body(request))
    return no_content()


@routes.get("/token-providers")
@requires("tokens.admin")
async def list_token_providers(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].list_token_providers(
        org_id, optional_query(request, "cursor")
    )
    return json_response(body)


@routes.post("/token-providers")
@requires("tokens.admin")
async def upsert_token_provider(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    await request.app[EMULATOR].upsert_token_provider(org_id, await json_body(request))
    return no_content()


@routes.delete("/token-providers/{service}")
@requires("tokens.admin")
async def delete_token_provider(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    await request.app[EMULATOR].delete_token_provider(org_id, request.match_info["service"])
    return no_content()


@routes.post("/tokens")
async def exchange_token(request: web.Request) -> web.Response:
    """Unauthenticated by design: the subject token is the credential."""
    form = {key: str(value) for key, value in (await request.post()).items()}
    return json_response(await request.app[EMULATOR].exchange_token(form))
