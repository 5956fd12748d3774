"""Identity providers, token providers and the token exchange (API.md §2.7, §4.9)."""

from __future__ import annotations

from aiohttp import web

from sb_emulator.auth.scopes import require_scopes_held
from sb_emulator.web.auth import org_and_auth, principal_of
from sb_emulator.web.keys import EMULATOR
from sb_emulator.web.operation_routes import OperationRoutes
from sb_emulator.web.responses import json_body, json_response, no_content, optional_query

routes = OperationRoutes()


@routes.operation("listIdps")
async def list_idps(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].list_idps(org_id, optional_query(request, "cursor"))
    return json_response(body)


@routes.operation("upsertIdp")
async def upsert_idp(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    await request.app[EMULATOR].upsert_idp(org_id, await json_body(request))
    return no_content()


@routes.operation("deleteIdp")
async def delete_idp(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    await request.app[EMULATOR].delete_idp(org_id, await json_body(request))
    return no_content()


@routes.operation("listTokenProviders")
async def list_token_providers(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    body = await request.app[EMULATOR].list_token_providers(
        org_id, optional_query(request, "cursor")
    )
    return json_response(body)


@routes.operation("upsertTokenProvider")
async def upsert_token_provider(request: web.Request) -> web.Response:
    principal = principal_of(request)
    body = await json_body(request)
    emulator = request.app[EMULATOR]
    key_id = body.get("keyId")
    key = emulator.find_key(key_id) if isinstance(key_id, str) else None
    if key is not None and key.org_id == principal.org_id:  # else the service's 400
        # exchanged tokens carry the signing key's scopes: creating (or rewriting) a provider
        # that signs with a stronger key than the caller's would be an escalation
        require_scopes_held(principal, key.scopes, f"a token provider signing with key {key.id}")
    await emulator.upsert_token_provider(principal.org_id, body)
    return no_content()


@routes.operation("deleteTokenProvider")
async def delete_token_provider(request: web.Request) -> web.Response:
    org_id, _ = org_and_auth(request)
    await request.app[EMULATOR].delete_token_provider(org_id, request.match_info["service"])
    return no_content()


@routes.operation("exchangeToken")
async def exchange_token(request: web.Request) -> web.Response:
    """Unauthenticated by design: the subject token is the credential."""
    form = {key: str(value) for key, value in (await request.post()).items()}
    return json_response(await request.app[EMULATOR].exchange_token(form))
