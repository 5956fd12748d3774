"""Verifying a token-exchange subject token against an org's identity providers (API.md §2.7).

An IdP matches a token when each of its configured ``aud``/``iss`` equals the token's (the
token's ``aud`` may be an array); IdPs configuring both are tried before those configuring
one. The first candidate that verifies wins; if none does, the most specific candidate's
reason is reported. Verification accepts only the IdP's ``algs``; the key is the IdP's
``key`` (HMAC secret bytes, or for asymmetric algorithms a PEM, DER or JWK public key) or its
JWKS. Expiry is checked against the injected time with the same leeway as bearer tokens.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from sb_emulator.auth.jwks import candidate_keys, describe_kids
from sb_emulator.auth.records import IdentityProvider
from sb_emulator.auth.time_claims import InvalidNumericDate, numeric_dates
from sb_emulator.auth.tokens import LEEWAY_S, NO_CLAIM_CHECKS, quiet_key_length
from sb_emulator.errors import Forbidden

FetchJwks = Callable[[str], Awaitable[Mapping[str, Any]]]
VerificationKey = Any  # bytes, a cryptography public key, or a PyJWK


class InvalidSubjectToken(Forbidden):
    """403: the subject token matches no IdP of the org, or fails its IdP's verification."""

    default_code = "invalid-subject-token"


def matching_idps(
    idps: Sequence[IdentityProvider], claims: Mapping[str, Any]
) -> list[IdentityProvider]:
    """The IdPs whose ``aud``/``iss`` fit the token's claims, most specific first."""
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    issuer = claims.get("iss")
    fits = [
        idp
        for idp in idps
        if (idp.aud is not None or idp.iss is not None)
        and (idp.aud is None or idp.aud in audiences)
        and (idp.iss is None or idp.iss == issuer)
    ]
    return sorted(fits, key=lambda idp: (idp.aud is None) + (idp.iss is None))


async def verify_subject(
    token: str,
    header: Mapping[str, Any],
    candidates: Sequence[IdentityProvider],
    *,
    fetch_jwks: FetchJwks,
    now_s: float,
) -> tuple[IdentityProvider, dict[str, Any]]:
    """Verify ``token`` with the first candidate IdP that accepts it."""
    first_error: InvalidSubjectToken | None = None
    for idp in candidates:
        try:
            return idp, await verify_with_idp(
                token, header, idp, fetch_jwks=fetch_jwks, now_s=now_s
            )
        except InvalidSubjectToken as e:
            first_error = first_error or e
    assert first_error is not None, "verify_subject needs at least one candidate"
    raise first_error


async def verify_with_idp(
    token: str,
    header: Mapping[str, Any],
    idp: IdentityProvider,
    *,
    fetch_jwks: FetchJwks,
    now_s: float,
) -> dict[str, Any]:
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in idp.algs:
        raise InvalidSubjectToken(
            f"subject token is signed with {alg!r} but {_name(idp)} accepts only "
            f"{list(idp.algs)}"
        )
    keys = await _keys_for(header, idp, alg, fetch_jwks)
    claims = _decode_with_any(token, keys, alg, idp)
    _check_expiry(claims, now_s, idp)
    return claims


async def _keys_for(
    header: Mapping[str, Any], idp: IdentityProvider, alg: str, fetch_jwks: FetchJwks
) -> list[VerificationKey]:
    if idp.key is not None:
        return [idp.key if alg.startswith("HS") else _public_key(idp, alg)]
    assert idp.jwks_url is not None
    jwks = await fetch_jwks(idp.jwks_url)
    keys = candidate_keys(jwks, header)
    if not keys:
        raise InvalidSubjectToken(
            f"no key in the JWKS of {_name(idp)} ({idp.jwks_url}) fits the subject token "
            f"(kid {header.get('kid')!r}, alg {alg}); the JWKS has {describe_kids(jwks)}"
        )
    return list(keys)


def _public_key(idp: IdentityProvider, alg: str) -> VerificationKey:
    """An IdP ``key`` for an asymmetric algorithm: PEM, JWK JSON, or DER public key bytes."""
    material = idp.key or b""
    try:
        if material.lstrip().startswith(b"-----BEGIN"):
            return serialization.load_pem_public_key(material)
        if material.lstrip().startswith(b"{"):
            return jwt.PyJWK(json.loads(material), algorithm=alg)
        return serialization.load_der_public_key(material)
    except (ValueError, TypeError, jwt.PyJWKError, jwt.InvalidKeyError) as e:
        raise InvalidSubjectToken(
            f"the key configured for {_name(idp)} is not a usable {alg} public key "
            f"(PEM, DER or JWK): {e}"
        ) from e


def _decode_with_any(
    token: str, keys: Sequence[VerificationKey], alg: str, idp: IdentityProvider
) -> dict[str, Any]:
    reason = "no key"
    for key in keys:
        try:
            with quiet_key_length():
                claims: dict[str, Any] = jwt.decode(
                    token, key, algorithms=[alg], options=NO_CLAIM_CHECKS
                )
            return claims
        except jwt.InvalidSignatureError:
            reason = "its signature does not verify with the configured key"
        except (jwt.PyJWTError, TypeError, ValueError) as e:  # bad key material, claims...
            reason = f"it cannot be verified: {e}"
    raise InvalidSubjectToken(f"subject token rejected by {_name(idp)}: {reason}")


def _check_expiry(claims: Mapping[str, Any], now_s: float, idp: IdentityProvider) -> None:
    """Time claims must be finite numbers; ``exp`` is optional (the IdP's choice), and the
    exchanged token never outlives it."""
    try:
        times = numeric_dates(claims)
    except InvalidNumericDate as e:
        raise InvalidSubjectToken(f"subject token for {_name(idp)} rejected: {e}") from e
    exp, nbf = times["exp"], times["nbf"]
    if exp is not None and now_s > exp + LEEWAY_S:
        raise InvalidSubjectToken(
            f"subject token for {_name(idp)} expired at {int(exp)} (now {int(now_s)})"
        )
    if nbf is not None and now_s + LEEWAY_S < nbf:
        raise InvalidSubjectToken(
            f"subject token for {_name(idp)} is not valid before {int(nbf)} (now {int(now_s)})"
        )


def _name(idp: IdentityProvider) -> str:
    parts = [f"{field}={value!r}" for field, value in (("aud", idp.aud), ("iss", idp.iss)) if value]
    return f"identity provider ({', '.join(parts)})"
