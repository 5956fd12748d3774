"""Authentication middleware: bearer JWT → Principal, org header, impersonation, scopes.

What each route needs is its entry in the operation table (``auth/operations.py``), found
through the route aiohttp matched (``RouteOperations``). For an operation whose token comes in
the ``Authorization`` header the middleware does the whole check before the handler runs, so
a request with a bad token or a missing scope never touches the service. The others
(``/tokens``, uploads, ``/http-api``, ``/rt``, ``/_emulator``, ``/openapi.yaml``) carry their
own credential or are public by design; the table says which.
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from sb_emulator.auth.operations import OperationAuth
from sb_emulator.auth.orgs import apply_act_header, resolve_org
from sb_emulator.auth.scopes import require_scope
from sb_emulator.auth.tokens import LEEWAY_S, Principal, verify_bearer
from sb_emulator.errors import MissingUser
from sb_emulator.web.keys import EMULATOR, PRINCIPAL, TOKEN_CACHE
from sb_emulator.web.operation_routes import Handler, RouteOperations

ORG_HEADER = "x-statebacked-org-id"
ACT_HEADER = "x-statebacked-act"


def auth_middleware(*, operations: RouteOperations) -> Middleware:
    """``operations``: the table entries of the app's routes (filled as routes are added)."""
    header_checked = operations.header_checked  # the same dict, filled in place by register()

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        # None: a route with its own credential or none, or no route (the router's 404, 405)
        entry = header_checked.get(request.match_info.route)
        if entry is not None:
            request[PRINCIPAL] = authenticate(request, entry)
        return await handler(request)

    return middleware


class VerifiedTokens:
    """Tokens already verified, so a client reusing its token is not re-verified each call.

    A hit is only trusted while the token has not expired and its key still exists with the
    same secret (a deleted or replaced key invalidates it at once). Bounded, oldest out first.
    """

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self.entries: dict[str, tuple[Principal, float | None, str]] = {}

    def get(self, token: str, key_lookup: Any, now: float) -> Principal | None:
        entry = self.entries.get(token)
        if entry is None:
            return None
        principal, expires_at, secret = entry
        key = key_lookup(principal.key_id)
        if (expires_at is not None and now > expires_at) or key is None or key.secret != secret:
            del self.entries[token]
            return None
        return principal

    def put(self, token: str, principal: Principal, expires_at: float | None, secret: str) -> None:
        if len(self.entries) >= self.size:
            del self.entries[next(iter(self.entries))]
        self.entries[token] = (principal, expires_at, secret)


def verify_cached(header: str | None, key_lookup: Any, cache: VerifiedTokens) -> Principal:
    now = time.time()
    if header and header[:7].lower() == "bearer ":
        token = header[7:].strip()
        cached = cache.get(token, key_lookup, now)
        if cached is not None:
            return cached
        principal = verify_bearer(header, key_lookup, int(now))
        key = key_lookup(principal.key_id)
        if key is not None:
            cache.put(token, principal, _expiry(token), key.secret)
        return principal
    return verify_bearer(header, key_lookup, int(now))


def _expiry(token: str) -> float | None:
    """The token's exp plus the verification leeway (the payload was verified already)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return 0.0
    exp = claims.get("exp")
    return float(exp) + LEEWAY_S if isinstance(exp, int | float) else None


def authenticate(request: web.Request, requirement: OperationAuth) -> Principal:
    emulator = request.app[EMULATOR]
    principal = verify_cached(
        request.headers.get("authorization"), emulator.find_key, request.app[TOKEN_CACHE]
    )
    principal = resolve_org(principal, request.headers.get(ORG_HEADER))
    if requirement.admin_only and not principal.is_admin:
        raise MissingUser("this operation needs an admin session (a key with every scope)")
    if requirement.scopes:
        require_scope(principal, *requirement.scopes)
    act = request.headers.get(ACT_HEADER)
    if act is not None:
        principal = apply_act_header(principal, act)
    return principal


def principal_of(request: web.Request) -> Principal:
    return request[PRINCIPAL]


def org_and_auth(request: web.Request) -> tuple[str, dict[str, Any]]:
    """The org the request acts in and the authContext authorizers will see."""
    principal = principal_of(request)
    return principal.org_id, dict(principal.auth_context)

