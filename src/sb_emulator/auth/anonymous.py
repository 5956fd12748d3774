"""Anonymous sessions exactly as the real client mints them (API.md §2.8)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

from sb_emulator.auth.records import ApiKey, IdentityProvider, TokenProvider
from sb_emulator.auth.scopes import PRESETS
from sb_emulator.ids import key_id, key_secret

SERVICE = "anonymous-statebacked-dev"
IDP_MAPPING = {"sid.$": "$.sid", "did.$": "$.did"}
PROVIDER_MAPPING = {"sid.$": "$.sid", "did.$": "$.did", "auth": "anonymous"}


def audience(org_id: str) -> str:
    return f"https://{org_id}.anonymous.auth.statebacked.dev"


def anonymous_setup(org_id: str, now_ms: int) -> tuple[ApiKey, IdentityProvider, TokenProvider]:
    """The key, identity provider and token provider every org with anonymous access has.

    Emulator choice (API.md §10 #18): they are hidden from the list endpoints.
    """
    key = ApiKey(key_id(), org_id, "anonymous sessions", key_secret(), PRESETS["production"],
                 now_ms, hidden=True)
    aud = audience(org_id)
    idp = IdentityProvider(org_id, aud, aud, ("HS256",), org_id.encode("utf-8"), None,
                           dict(IDP_MAPPING), hidden=True)
    provider = TokenProvider(org_id, SERVICE, key.id, dict(PROVIDER_MAPPING), hidden=True)
    return key, idp, provider


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def client_identity_token(org_id: str, session_id: str | None = None,
                          device_id: str | None = None, now_s: int | None = None) -> str:
    """The IdP token ``@statebacked/client`` mints locally for an anonymous session: exact
    header text, claim order, and the org id as HMAC key."""
    sid = session_id or str(uuid.uuid4())
    did = device_id or sid
    now = int(time.time()) if now_s is None else now_s
    aud = audience(org_id)
    header = json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":"))
    claims = json.dumps({"aud": aud, "iss": aud, "iat": now, "exp": now + 86400, "sid": sid,
                         "did": did}, separators=(",", ":"))
    signing_input = f"{_b64url(header.encode())}.{_b64url(claims.encode())}"
    signature = hmac.new(org_id.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64url(signature)}"
