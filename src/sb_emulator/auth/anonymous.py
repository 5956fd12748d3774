"""Anonymous sessions (API.md §2.8).

Every org created with ``allowAnonymousAccess`` gets three records: an identity provider that
trusts tokens HMAC-signed with the org id itself (the client mints them locally), a token
provider ``anonymous-statebacked-dev`` producing ``{sid, did, auth: "anonymous"}``, and a
``production`` key that signs the exchanged tokens. :func:`anonymous_setup` builds them (marked
``hidden``: list endpoints leave them out, API.md §10 #18); the service stores them like any
other record, so the ordinary exchange serves anonymous sessions.

:func:`client_identity_token` reproduces the client's locally minted IdP token byte for byte
(header text, claim order, HMAC key = the org id), for tests and tooling.
"""

from __future__ import annotations

import time
import uuid
from typing import NamedTuple

from sb_emulator.auth.records import ApiKey, IdentityProvider, TokenProvider
from sb_emulator.auth.scopes import PRODUCTION
from sb_emulator.auth.tokens import hs256_jwt
from sb_emulator.ids import key_id as new_key_id
from sb_emulator.ids import key_secret as new_key_secret

SERVICE = "anonymous-statebacked-dev"
KEY_NAME = "anonymous sessions"
IDP_MAPPING = {"sid.$": "$.sid", "did.$": "$.did"}
PROVIDER_MAPPING = {"sid.$": "$.sid", "did.$": "$.did", "auth": "anonymous"}
CLIENT_TOKEN_LIFETIME_S = 86400


class AnonymousSetup(NamedTuple):
    key: ApiKey
    idp: IdentityProvider
    token_provider: TokenProvider


def audience(org_id: str) -> str:
    """The ``aud`` and ``iss`` of an org's anonymous IdP tokens."""
    return f"https://{org_id}.anonymous.auth.statebacked.dev"


def anonymous_setup(
    org_id: str, now_ms: int, *, key_id: str | None = None, secret: str | None = None
) -> AnonymousSetup:
    """The key, identity provider and token provider of an org with anonymous access."""
    key = ApiKey(
        id=key_id or new_key_id(),
        org_id=org_id,
        name=KEY_NAME,
        secret=secret or new_key_secret(),
        scopes=PRODUCTION,
        created_at_ms=now_ms,
        hidden=True,
    )
    aud = audience(org_id)
    idp = IdentityProvider(
        org_id=org_id,
        aud=aud,
        iss=aud,
        algs=("HS256",),
        key=org_id.encode("utf-8"),
        jwks_url=None,
        mapping=dict(IDP_MAPPING),
        hidden=True,
    )
    provider = TokenProvider(
        org_id=org_id, service=SERVICE, key_id=key.id, mapping=dict(PROVIDER_MAPPING), hidden=True
    )
    return AnonymousSetup(key, idp, provider)


def client_identity_token(
    org_id: str,
    session_id: str | None = None,
    device_id: str | None = None,
    now_s: int | None = None,
) -> str:
    """The IdP token ``@statebacked/client`` mints for ``{anonymous: {orgId}}``.

    ``session_id`` defaults to a random UUID and ``device_id`` to the session id, as in the
    client (``anonymous-token-config.ts``).
    """
    sid = session_id if session_id is not None else str(uuid.uuid4())
    iat = int(time.time()) if now_s is None else int(now_s)
    aud = audience(org_id)
    claims = {
        "aud": aud,
        "iss": aud,
        "iat": iat,
        "exp": iat + CLIENT_TOKEN_LIFETIME_S,
        "sid": sid,
        "did": device_id if device_id is not None else sid,
    }
    return hs256_jwt({"alg": "HS256", "typ": "JWT"}, claims, org_id.encode("utf-8"))
