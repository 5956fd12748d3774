"""``POST /tokens``: trading an identity provider's token for a State Backed token."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import jwt

from sb_emulator.auth.mapping import apply_mapping
from sb_emulator.auth.records import ApiKey, IdentityProvider, Org, TokenProvider
from sb_emulator.auth.tokens import quiet_key_length, sign_token
from sb_emulator.errors import Forbidden, InvalidParameter

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
AUDIENCE_PREFIX = "https://tokens.statebacked.dev/"
ISSUED_LIFETIME_S = 3600


class InvalidSubjectToken(Forbidden):
    default_code = "invalid-subject-token"


async def exchange_token(
    form: Mapping[str, str], *,
    find_org: Callable[[str], Org | None],
    find_idps: Callable[[str], list[IdentityProvider]],
    find_token_provider: Callable[[str, str], TokenProvider | None],
    find_key: Callable[[str], ApiKey | None],
    fetch_jwks: Callable[[str], Awaitable[dict[str, Any]]],
    now_s: int | None = None,
) -> dict[str, str]:
    now = int(time.time()) if now_s is None else now_s
    if form.get("grant_type") != GRANT_TYPE:
        raise InvalidParameter("grant_type", f"grant_type must be {GRANT_TYPE}")
    requested = form.get("requested_token_type", form.get("requested_token-type"))
    if requested is not None and requested != ACCESS_TOKEN_TYPE:
        raise InvalidParameter("requested_token_type", f"requested_token_type must be {ACCESS_TOKEN_TYPE}")
    org_id, service = _parse_audience(form.get("audience", ""))
    subject = form.get("subject_token")
    if not subject:
        raise InvalidParameter("subject_token", "subject_token is required")
    if find_org(org_id) is None:
        raise InvalidParameter("audience", f"unknown org {org_id} in audience")
    provider = find_token_provider(org_id, service)
    if provider is None:
        raise InvalidParameter("audience", f"org {org_id} has no token provider {service!r}")
    claims = await _verify_subject(subject, find_idps(org_id), fetch_jwks)
    idp, verified = claims
    intermediate = apply_mapping(idp.mapping, verified)
    final = apply_mapping(provider.mapping, intermediate)
    key = find_key(provider.key_id)
    if key is None:
        raise InvalidParameter("audience", f"token provider {service!r} signs with a deleted key")
    exp = verified.get("exp")
    lifetime = ISSUED_LIFETIME_S
    if isinstance(exp, int | float):
        lifetime = max(1, min(lifetime, int(exp) - now))
    token = sign_token(key, final, expires_in_s=lifetime, issuer=f"{AUDIENCE_PREFIX}{org_id}/{service}",
                       now_s=now)
    return {"access_token": token, "issued_token_type": ACCESS_TOKEN_TYPE, "token_type": "Bearer"}


def _parse_audience(audience: str) -> tuple[str, str]:
    if not audience.startswith(AUDIENCE_PREFIX):
        raise InvalidParameter("audience", f"audience must be {AUDIENCE_PREFIX}<orgId>/<service>")
    parts = audience[len(AUDIENCE_PREFIX):].split("/")
    if len(parts) != 2 or not all(parts):
        raise InvalidParameter("audience", f"audience must be {AUDIENCE_PREFIX}<orgId>/<service>")
    return parts[0], parts[1]


def _matches(idp: IdentityProvider, claims: Mapping[str, Any]) -> bool:
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    if idp.aud is not None and idp.aud not in auds:
        return False
    return idp.iss is None or idp.iss == claims.get("iss")


async def _verify_subject(token: str, idps: list[IdentityProvider],
                          fetch_jwks: Callable[[str], Awaitable[dict[str, Any]]]
                          ) -> tuple[IdentityProvider, dict[str, Any]]:
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as err:
        raise InvalidSubjectToken(f"subject_token is not a JWT: {err}") from err
    candidates = [i for i in idps if _matches(i, unverified)]
    if not candidates:
        raise InvalidSubjectToken("no identity provider of this org matches the subject token's "
                                  f"aud {unverified.get('aud')!r} / iss {unverified.get('iss')!r}")
    errors = []
    for idp in candidates:
        try:
            key = await _verification_key(idp, header, fetch_jwks)
            with quiet_key_length():
                claims = jwt.decode(token, key, algorithms=list(idp.algs), leeway=10,
                                    audience=idp.aud, issuer=idp.iss,
                                    options={"verify_aud": idp.aud is not None})
            return idp, claims
        except (jwt.PyJWTError, KeyError, ValueError) as err:
            errors.append(str(err))
    raise InvalidSubjectToken("subject token failed verification: " + "; ".join(errors))


async def _verification_key(idp: IdentityProvider, header: Mapping[str, Any],
                            fetch_jwks: Callable[[str], Awaitable[dict[str, Any]]]) -> Any:
    if idp.key is not None:
        return idp.key
    assert idp.jwks_url is not None
    jwks = await fetch_jwks(idp.jwks_url)
    keys = jwks.get("keys") or []
    kid = header.get("kid")
    chosen = next((k for k in keys if kid is None or k.get("kid") == kid), None)
    if chosen is None:
        raise ValueError(f"no key {kid!r} in the JWKS at {idp.jwks_url}")
    return jwt.PyJWK.from_dict(chosen).key


_JWKS_CACHE: dict[str, tuple[float, dict[str, Any]]] = {}


async def fetch_jwks_urllib(url: str) -> dict[str, Any]:
    """Fetch a JWKS over HTTP(S) in a thread, caching it for a minute."""
    cached = _JWKS_CACHE.get(url)
    if cached is not None and time.monotonic() - cached[0] < 60:
        return cached[1]

    def get() -> dict[str, Any]:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - configured IdP URL
            body: dict[str, Any] = json.loads(response.read())
            return body

    try:
        jwks = await asyncio.to_thread(get)
    except (OSError, ValueError) as err:
        raise InvalidSubjectToken(f"could not fetch the JWKS at {url}: {err}") from err
    _JWKS_CACHE[url] = (time.monotonic(), jwks)
    return jwks
