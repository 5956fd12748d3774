"""State Backed bearer tokens: minting exactly like ``@statebacked/token``, and verifying.

Wire format (API.md §2.1): header ``{"alg":"HS256","kid":"sbk_..."}``, claims ``act``, ``aud``
(``https://api.statebacked.dev/``), ``exp``, ``iss``, ``iat`` in that order, HMAC-SHA256 keyed
with the UTF-8 bytes of the whole ``sbsec_...`` secret. Minting is done by hand (not PyJWT)
so the bytes match jose's output exactly: no ``typ`` header, ``JSON.stringify`` spacing,
non-ASCII kept as UTF-8. Verification uses PyJWT.

Time is passed in (``now_s``) rather than read, so manual clocks work; the ``exp`` leeway is
10 s because the client keeps sending a token for up to 1 s after its ``exp``. Each failure
is a 401 with its own message and code (``missing-token``, ``not-bearer``, ``malformed-token``,
``unknown-key``, ``invalid-signature``, ``token-expired``, ``invalid-audience``, ``missing-exp``).
A token must carry ``exp`` (``signToken`` always sets it), and ``exp``/``iat``/``nbf`` must be
finite numbers (``time_claims``).
"""

from __future__ import annotations

import hashlib
import hmac
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import jwt

from sb_emulator import jsontext
from sb_emulator.auth.records import ApiKey
from sb_emulator.auth.scopes import ALL_SCOPES
from sb_emulator.auth.time_claims import InvalidNumericDate, numeric_dates
from sb_emulator.errors import Unauthenticated
from sb_emulator.ids import b64url

if TYPE_CHECKING:
    from jwt.types import Options

API_AUDIENCE = "https://api.statebacked.dev/"
LEEWAY_S = 10
DEFAULT_LIFETIME_S = 3600

KeyLookup = Callable[[str], ApiKey | None]


@dataclass(frozen=True)
class Principal:
    """Who a request acts as: the key's org and scopes, and the authContext authorizers see.

    ``is_admin``: the key holds every scope — the emulator's stand-in for a signed-in org
    admin (API.md §2.5).
    """

    org_id: str
    key_id: str
    scopes: frozenset[str]
    auth_context: dict[str, Any] = field(default_factory=dict)
    is_admin: bool = False

    @classmethod
    def for_key(cls, key: ApiKey, auth_context: Mapping[str, Any]) -> Principal:
        return cls(
            org_id=key.org_id,
            key_id=key.id,
            scopes=key.scopes,
            auth_context=dict(auth_context),
            is_admin=key.scopes >= ALL_SCOPES,
        )

    def with_auth_context(self, auth_context: Mapping[str, Any]) -> Principal:
        return replace(self, auth_context=dict(auth_context))


def sign_token(
    key: ApiKey,
    act: Mapping[str, Any],
    *,
    expires_in_s: int = DEFAULT_LIFETIME_S,
    expires_at_s: int | None = None,
    issuer: str | None = None,
    sub: str | None = None,
    now_s: int | None = None,
) -> str:
    """Mint what ``signToken({stateBackedKeyId, stateBackedSecretKey}, act, options)`` mints.

    ``expires_at_s`` wins over ``expires_in_s`` (as ``expires.at`` over ``expires.in``).
    ``sub`` adds a top-level ``sub`` claim (the pre-``act`` token style; authorizers fall back
    to it when ``act`` has no ``sub``). ``now_s`` defaults to the wall clock.
    """
    now = int(time.time()) if now_s is None else int(now_s)
    claims: dict[str, Any] = {
        "act": dict(act),
        "aud": API_AUDIENCE,
        "exp": expires_at_s if expires_at_s is not None else now + expires_in_s,
        "iss": issuer or f"https://{key.id}.client.statebacked.dev/",
        "iat": now,
    }
    if sub is not None:
        claims["sub"] = sub
    return hs256_jwt({"alg": "HS256", "kid": key.id}, claims, key.secret.encode("utf-8"))


def sign_user_token(
    key: ApiKey,
    sub: str | None,
    claims: Mapping[str, Any] | None = None,
    *,
    expires_in_s: int = DEFAULT_LIFETIME_S,
) -> str:
    """A token for one end user, in the one shape every minting path uses (``sb-emulator
    token``, the testing facade, the pytest fixtures): ``act = {sub, **claims}`` (the
    authorizers' ``authContext``) and ``sub`` top-level too, so machine code that verifies the
    JWT itself (an HTTP API handler reading ``jwt.sub``) sees the same user. ``sub=None``:
    ``act`` holds only ``claims`` and there is no top-level ``sub``.
    """
    extra = dict(claims or {})
    act = extra if sub is None else {"sub": sub, **extra}
    return sign_token(key, act, expires_in_s=expires_in_s, sub=sub)


def hs256_jwt(header: Mapping[str, Any], claims: Mapping[str, Any], key: bytes) -> str:
    """A compact HS256 JWT whose segments are exactly ``JSON.stringify`` of the given objects."""
    signing_input = f"{b64url(js_json(header))}.{b64url(js_json(claims))}"
    signature = hmac.new(key, signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def js_json(value: Any) -> bytes:
    """UTF-8 of ``JSON.stringify(value)`` for JSON-like values (ints, strings, dicts, lists)."""
    return jsontext.compact(value).encode("utf-8")


def verify_bearer(
    authorization_header_or_token: str | None, key_lookup: KeyLookup, now_s: float
) -> Principal:
    """Verify an ``authorization`` header value, or a bare token (as ``/rt?token=`` carries).

    Raises :class:`Unauthenticated` saying exactly what is wrong.
    """
    token = bearer_token(authorization_header_or_token)
    header = _unverified_header(token)
    key = _key_for(header, key_lookup)
    claims = _verified_claims(token, key)
    _check_times(claims, now_s)
    _check_audience(claims)
    return Principal.for_key(key, _auth_context(claims))


def bearer_token(value: str | None) -> str:
    """The token of ``Bearer <token>``; a value without a scheme is taken as the token."""
    if value is None or not value.strip():
        raise Unauthenticated(
            "missing authorization header: send 'authorization: Bearer <State Backed token>' "
            "(on /rt: the token query parameter)",
            code="missing-token",
        )
    scheme, _, rest = value.strip().partition(" ")
    if not rest.strip():
        if scheme.lower() == "bearer":
            raise Unauthenticated(
                "authorization header has no token after 'Bearer'", code="missing-token"
            )
        return scheme  # a bare token (the WebSocket passes the JWT in the query string)
    if scheme.lower() != "bearer":
        raise Unauthenticated(
            f"authorization header uses the {scheme!r} scheme; State Backed expects "
            "'Bearer <token>'",
            code="not-bearer",
        )
    return rest.strip()


def _unverified_header(token: str) -> dict[str, Any]:
    try:
        header: dict[str, Any] = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as e:
        raise _malformed(f"not a compact JWT ({e})") from e
    if header.get("alg") != "HS256":
        raise _malformed(f"signed with {header.get('alg')!r}; State Backed tokens are HS256")
    return header


def _key_for(header: Mapping[str, Any], key_lookup: KeyLookup) -> ApiKey:
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _malformed("no 'kid' header naming the key that signed it")
    key = key_lookup(kid)
    if key is None:
        raise Unauthenticated(
            f"unknown key id {kid!r} in the token's 'kid' header (deleted, or never created "
            "in this emulator)",
            code="unknown-key",
        )
    return key


def _verified_claims(token: str, key: ApiKey) -> dict[str, Any]:
    try:
        with quiet_key_length():
            claims: dict[str, Any] = jwt.decode(
                token, key.secret.encode("utf-8"), algorithms=["HS256"], options=NO_CLAIM_CHECKS
            )
    except jwt.InvalidSignatureError as e:
        raise Unauthenticated(
            f"bearer token signature does not verify with key {key.id} (signed with another "
            "secret?)",
            code="invalid-signature",
        ) from e
    except jwt.InvalidTokenError as e:
        raise _malformed(str(e)) from e
    return claims


# Time and audience are checked by hand: against the injected clock, and with State Backed's
# audience rule, which PyJWT cannot express ("this audience or none").
NO_CLAIM_CHECKS: Options = {
    "verify_exp": False,
    "verify_nbf": False,
    "verify_iat": False,
    "verify_aud": False,
    "verify_iss": False,
}


def _check_times(claims: Mapping[str, Any], now_s: float) -> None:
    try:
        times = numeric_dates(claims)
    except InvalidNumericDate as e:
        raise _malformed(str(e)) from e
    exp, nbf = times["exp"], times["nbf"]
    if exp is None:
        # signToken always sets exp; a token without one would be valid forever (README,
        # "Security model")
        raise Unauthenticated(
            "bearer token has no 'exp' claim: State Backed tokens must expire (signToken sets "
            "it from expires.in or expires.at)",
            code="missing-exp",
        )
    if now_s > exp + LEEWAY_S:
        raise Unauthenticated(
            f"bearer token expired at {int(exp)} (now {int(now_s)}, {LEEWAY_S} s leeway)",
            code="token-expired",
        )
    if nbf is not None and now_s + LEEWAY_S < nbf:
        raise Unauthenticated(
            f"bearer token is not valid before {int(nbf)} (now {int(now_s)})",
            code="token-not-yet-valid",
        )


def _check_audience(claims: Mapping[str, Any]) -> None:
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if aud is not None and API_AUDIENCE not in audiences:
        raise Unauthenticated(
            f"bearer token audience {aud!r} is not {API_AUDIENCE!r}", code="invalid-audience"
        )


def _auth_context(claims: Mapping[str, Any]) -> dict[str, Any]:
    act = claims.get("act", {})
    if not isinstance(act, dict):
        raise _malformed(f"'act' must be an object, got {act!r}")
    context = dict(act)
    if "sub" not in context and "sub" in claims:
        context["sub"] = claims["sub"]
    return context


def _malformed(detail: str) -> Unauthenticated:
    return Unauthenticated(f"malformed bearer token: {detail}", code="malformed-token")


@contextmanager
def quiet_key_length() -> Iterator[None]:
    """Silence PyJWT's short-HMAC-key warning: State Backed itself uses short keys (the org
    id keys anonymous IdP tokens, API.md §2.8) and users choose their own IdP secrets."""
    with warnings.catch_warnings():
        if _KEY_LENGTH_WARNING is not None:
            warnings.simplefilter("ignore", _KEY_LENGTH_WARNING)
        yield


# PyJWT < 2.10 has no such warning.
_KEY_LENGTH_WARNING: type[Warning] | None = getattr(jwt, "InsecureKeyLengthWarning", None)
