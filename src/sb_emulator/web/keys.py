"""Typed application keys for the objects every request may need."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from sb_emulator.auth.tokens import Principal
    from sb_emulator.config import EmulatorConfig
    from sb_emulator.service import Emulator
    from sb_emulator.web.auth import VerifiedTokens

CONFIG: web.AppKey[EmulatorConfig] = web.AppKey("sb_config")
EMULATOR: web.AppKey[Emulator] = web.AppKey("sb_emulator")
# Errors raised while serving (unexpected exceptions, response-validation problems): the
# pytest plugin drains this list and re-raises them inside the test that caused them.
SERVER_ERRORS: web.AppKey[list[BaseException]] = web.AppKey("sb_server_errors")
# Every request seen (method, path, query, body), for the plugin's recorded-requests fixture.
RECORDED_REQUESTS: web.AppKey[list[dict[str, Any]]] = web.AppKey("sb_recorded_requests")

# Per-request storage: the authenticated caller, and the body the validation middleware parsed.
PRINCIPAL: web.RequestKey[Principal] = web.RequestKey("sb_principal")
BODY: web.RequestKey[Any] = web.RequestKey("sb_body")
TOKEN_CACHE: web.AppKey[VerifiedTokens] = web.AppKey("sb_token_cache")
