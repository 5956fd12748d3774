"""``POST /tokens``: trade an identity provider's token for a State Backed token
(API.md §2.7, §2.8, §4.9 #28).

Steps: validate the form; parse ``audience`` = ``https://tokens.statebacked.dev/<orgId>/<service>``;
find the org, its token provider for ``service`` and the provider's key; pick the IdPs whose
``aud``/``iss`` fit the subject token and verify it; apply the IdP mapping, then the provider
mapping; sign a State Backed token with the provider's key whose ``act`` is the result, valid
for an hour but never past the subject token's ``exp``.

Errors (emulator choices, the real ones are undocumented):

* 400 ``invalid-parameter`` naming the field: a malformed form, an ``audience`` that is not a
  token-exchange audience, an unknown org or service, a ``subject_token`` that is not a JWT,
  a provider whose signing key is gone;
* 403 ``invalid-subject-token``: the subject token matches no IdP of the org, or fails the
  matching IdP's algorithm, signature or expiry checks;
* 502 ``jwks-unavailable``: the IdP's JWKS could not be fetched.

Lookups are injected and may be plain or async callables, so the service layer can pass its
store methods directly; so is ``fetch_jwks`` (default: :func:`fetch_jwks_urllib`).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

import jwt

from sb_emulator.auth.jwks import JwksUnavailable, fetch_jwks_urllib
from sb_emulator.auth.mapping import apply_mapping
from sb_emulator.auth.records import SERVICE_PATTERN, ApiKey, IdentityProvider, Org, TokenProvider
from sb_emulator.auth.subject import FetchJwks, InvalidSubjectToken, matching_idps, verify_subject
from sb_emulator.auth.tokens import sign_token
from sb_emulator.errors import ApiError, InvalidParameter

__all__ = [
    "ACCESS_TOKEN_TYPE",
    "GRANT_TYPE",
    "ExchangeRequest",
    "InvalidSubjectToken",
    "JwksUnavailable",
    "exchange_token",
    "fetch_jwks_urllib",
    "parse_exchange_form",
]

GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"
AUDIENCE_PREFIX = "https://tokens.statebacked.dev/"
ISSUED_TOKEN_LIFETIME_S = 3600
_AUDIENCE = re.compile(r"^https://tokens\.statebacked\.dev/([^/]+)/([^/]+)/?$")

T = TypeVar("T")
MaybeAwaitable: TypeAlias = T | Awaitable[T]
FindOrg = Callable[[str], MaybeAwaitable[Org | None]]
FindIdps = Callable[[str], MaybeAwaitable[Sequence[IdentityProvider]]]
FindTokenProvider = Callable[[str, str], MaybeAwaitable[TokenProvider | None]]
FindKey = Callable[[str], MaybeAwaitable[ApiKey | None]]


@dataclass(frozen=True)
class ExchangeRequest:
    org_id: str
    service: str
    subject_token: str


async def exchange_token(
    form: Mapping[str, str],
    *,
    find_org: FindOrg,
    find_idps: FindIdps,
    find_token_provider: FindTokenProvider,
    find_key: FindKey,
    fetch_jwks: FetchJwks = fetch_jwks_urllib,
    now_s: float,
) -> dict[str, str]:
    """Serve one token exchange; returns the 200 body of ``POST /tokens``."""
    request = parse_exchange_form(form)
    if await _resolve(find_org(request.org_id)) is None:
        raise InvalidParameter("audience", f"no org {request.org_id!r} (from the audience)")
    provider = await _resolve(find_token_provider(request.org_id, request.service))
    if provider is None:
        raise InvalidParameter(
            "audience",
            f"org {request.org_id!r} has no token provider for service {request.service!r}",
        )
    key = await _signing_key(provider, find_key)
    idps = await _resolve(find_idps(request.org_id))
    idp, claims = await _verify(request, idps, _guarded(fetch_jwks), now_s)
    act = apply_mapping(provider.mapping, apply_mapping(idp.mapping, claims))
    return _issue(key, act, request, _exp_of(claims), now_s)


def parse_exchange_form(form: Mapping[str, str]) -> ExchangeRequest:
    """Validate the ``ExchangeToken`` form fields (API.md §4.9 #28)."""
    grant_type = form.get("grant_type")
    if grant_type != GRANT_TYPE:
        raise InvalidParameter(
            "grant_type", f"grant_type must be {GRANT_TYPE!r}, got {grant_type!r}"
        )
    # The client sends the underscore spelling; SPEC declares the hyphen one (API.md §10 #9).
    # Both are accepted, and the field may be absent.
    requested = form.get("requested_token_type", form.get("requested_token-type"))
    if requested is not None and requested != ACCESS_TOKEN_TYPE:
        raise InvalidParameter(
            "requested_token_type",
            f"requested_token_type must be {ACCESS_TOKEN_TYPE!r}, got {requested!r}",
        )
    org_id, service = _parse_audience(form.get("audience"))
    subject_token = form.get("subject_token")
    if not subject_token:
        raise InvalidParameter("subject_token", "subject_token (the IdP's JWT) is required")
    return ExchangeRequest(org_id=org_id, service=service, subject_token=subject_token)


def _parse_audience(audience: str | None) -> tuple[str, str]:
    match = _AUDIENCE.match(audience or "")
    if match is None:
        raise InvalidParameter(
            "audience",
            f"audience must be '{AUDIENCE_PREFIX}<orgId>/<service>', got {audience!r}",
        )
    org_id, service = match.groups()
    if not SERVICE_PATTERN.match(service):
        raise InvalidParameter(
            "audience", f"service {service!r} does not match ^[a-zA-Z0-9_-]{{1,128}}$"
        )
    return org_id, service


async def _signing_key(provider: TokenProvider, find_key: FindKey) -> ApiKey:
    key = await _resolve(find_key(provider.key_id))
    if key is None or key.org_id != provider.org_id:
        raise InvalidParameter(
            "audience",
            f"token provider {provider.service!r} signs with key {provider.key_id!r}, "
            "which does not exist (deleted?)",
        )
    return key


async def _verify(
    request: ExchangeRequest,
    idps: Sequence[IdentityProvider],
    fetch_jwks: FetchJwks,
    now_s: float,
) -> tuple[IdentityProvider, dict[str, Any]]:
    header, unverified = _peek(request.subject_token)
    candidates = matching_idps(idps, unverified)
    if not candidates:
        configured = [{"aud": idp.aud, "iss": idp.iss} for idp in idps if not idp.hidden]
        raise InvalidSubjectToken(
            f"no identity provider of org {request.org_id!r} matches the subject token "
            f"(aud {unverified.get('aud')!r}, iss {unverified.get('iss')!r}); configured: "
            f"{configured}"
        )
    return await verify_subject(
        request.subject_token, header, candidates, fetch_jwks=fetch_jwks, now_s=now_s
    )


def _peek(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and claims before verification: needed to choose the IdP."""
    try:
        header: dict[str, Any] = jwt.get_unverified_header(token)
        claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError as e:
        raise InvalidParameter("subject_token", f"subject_token is not a JWT: {e}") from e
    return header, claims


def _guarded(fetch_jwks: FetchJwks) -> FetchJwks:
    """Report an injected fetcher's own failures (network, JSON...) as 502 jwks-unavailable."""

    async def fetch(url: str) -> Mapping[str, Any]:
        try:
            return await fetch_jwks(url)
        except ApiError:
            raise
        except Exception as e:  # any failure of caller-supplied I/O code
            raise JwksUnavailable(f"could not fetch the JWKS at {url}: {e}") from e

    return fetch


def _issue(
    key: ApiKey,
    act: Mapping[str, Any],
    request: ExchangeRequest,
    subject_exp: int | None,
    now_s: float,
) -> dict[str, str]:
    now = int(now_s)
    expires_at = now + ISSUED_TOKEN_LIFETIME_S
    if subject_exp is not None:
        expires_at = min(expires_at, subject_exp)
    token = sign_token(
        key,
        act,
        expires_at_s=expires_at,
        issuer=f"{AUDIENCE_PREFIX}{request.org_id}/{request.service}",
        now_s=now,
    )
    return {"access_token": token, "issued_token_type": ACCESS_TOKEN_TYPE, "token_type": "Bearer"}


def _exp_of(claims: Mapping[str, Any]) -> int | None:
    exp = claims.get("exp")
    return int(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


async def _resolve(value: MaybeAwaitable[T]) -> T:
    if inspect.isawaitable(value):
        return await value
    return value
