"""State Backed tokens: minting exactly like ``@statebacked/token`` and verifying with PyJWT."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import jwt
from jwt.warnings import InsecureKeyLengthWarning

from sb_emulator.errors import Unauthenticated

if TYPE_CHECKING:
    from sb_emulator.auth.records import ApiKey

AUDIENCE = "https://api.statebacked.dev/"
LEEWAY_S = 10  # the client keeps using a token up to 1 s after exp (API.md §2.1)


@dataclass(frozen=True)
class Principal:
    """Who is calling: the key's org and scopes, and the authContext authorizers see."""

    org_id: str
    key_id: str
    scopes: frozenset[str]
    auth_context: Mapping[str, Any] = field(default_factory=dict)
    is_admin: bool = False

    def with_auth_context(self, auth_context: Mapping[str, Any]) -> Principal:
        return replace(self, auth_context=dict(auth_context))


def sign_token(key: ApiKey, act: Mapping[str, Any], *, expires_in_s: int = 3600,
               issuer: str | None = None, sub: str | None = None,
               now_s: int | None = None) -> str:
    """A token as ``signToken`` mints it: HS256, ``kid``, ``act``, ``aud``, ``exp``, ``iss``,
    ``iat``; the HMAC key is the UTF-8 bytes of the whole ``sbsec_`` secret."""
    now = int(time.time()) if now_s is None else now_s
    claims: dict[str, Any] = {
        "act": dict(act),
        "aud": AUDIENCE,
        "exp": now + expires_in_s,
        "iss": issuer or f"https://{key.id}.client.statebacked.dev/",
        "iat": now,
    }
    if sub is not None:
        claims["sub"] = sub
    with quiet_key_length():
        return jwt.encode(claims, key.secret.encode("utf-8"), algorithm="HS256",
                          headers={"kid": key.id, "typ": None})


class quiet_key_length(warnings.catch_warnings):  # type: ignore[type-arg]  # noqa: N801
    """State Backed's own protocol uses short HMAC keys (the anonymous IdP signs with the org
    id), so PyJWT's key-length advice is silenced around our calls, and only there."""

    def __enter__(self) -> None:
        super().__enter__()
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)


def bearer_token(header: str | None) -> str:
    if not header:
        raise Unauthenticated("missing authorization header: send 'authorization: Bearer <token>'",
                              code="missing-token")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("the authorization header must be 'Bearer <token>'",
                              code="invalid-token")
    return token.strip()


def verify_bearer(header_or_token: str | None, key_lookup: Callable[[str], ApiKey | None],
                  now_s: int, *, is_header: bool = True) -> Principal:
    """Verify a State Backed token; every failure gets its own 401 message."""
    token = bearer_token(header_or_token) if is_header else (header_or_token or "")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as err:
        raise Unauthenticated(f"malformed token: {err}", code="invalid-token") from err
    if header.get("alg") != "HS256":
        raise Unauthenticated(f"token algorithm must be HS256, not {header.get('alg')!r}",
                              code="invalid-token")
    kid = header.get("kid")
    key = key_lookup(kid) if isinstance(kid, str) else None
    if key is None:
        raise Unauthenticated(f"token signed with an unknown key id {kid!r}", code="unknown-key")
    try:
        with quiet_key_length():
            claims = jwt.decode(
                token, key.secret.encode("utf-8"), algorithms=["HS256"], audience=AUDIENCE,
                leeway=LEEWAY_S, options={"verify_aud": "aud" in _peek(token), "verify_iat": False},
            )
    except jwt.ExpiredSignatureError as err:
        raise Unauthenticated("token expired", code="token-expired") from err
    except jwt.InvalidSignatureError as err:
        raise Unauthenticated(f"token signature does not verify with key {kid}",
                              code="invalid-signature") from err
    except jwt.PyJWTError as err:
        raise Unauthenticated(f"invalid token: {err}", code="invalid-token") from err
    _ = now_s  # PyJWT checks exp against the wall clock, with LEEWAY_S
    act = claims.get("act")
    auth_context: dict[str, Any] = dict(act) if isinstance(act, Mapping) else {}
    if "sub" not in auth_context and isinstance(claims.get("sub"), str):
        auth_context["sub"] = claims["sub"]
    from sb_emulator.auth.scopes import ALL_SCOPES

    return Principal(key.org_id, key.id, key.scopes, auth_context,
                     is_admin=ALL_SCOPES <= key.scopes)


def _peek(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims
