"""Anonymous sessions: the client's locally minted IdP token, and its exchange (API.md §2.8)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt
import pytest

from sb_emulator.auth.anonymous import (
    SERVICE,
    anonymous_setup,
    audience,
    client_identity_token,
)
from sb_emulator.auth.records import Org
from sb_emulator.auth.scopes import PRODUCTION
from sb_emulator.auth.subject import InvalidSubjectToken
from sb_emulator.auth.tokens import verify_bearer
from tests.auth.conftest import NOW_S, ORG_ID
from tests.auth.exchange_world import World


def replica_of_client_token(org_id: str, sid: str, did: str, iat: int) -> str:
    """Hand-built after anonymous-token-config.ts: JSON.stringify text, btoa-style base64url,
    HMAC-SHA256 keyed with the org id."""

    def b64url(data: bytes) -> str:
        return base64.b64encode(data).decode().replace("+", "-").replace("/", "_").rstrip("=")

    scope = "https://" + org_id + ".anonymous.auth.statebacked.dev"
    header = '{"alg":"HS256","typ":"JWT"}'
    claims = (
        '{"aud":"' + scope + '","iss":"' + scope + '","iat":' + str(iat) + ',"exp":'
        + str(iat + 86400) + ',"sid":"' + sid + '","did":"' + did + '"}'
    )
    data = b64url(header.encode()) + "." + b64url(claims.encode())
    sig = hmac.new(org_id.encode(), data.encode(), hashlib.sha256).digest()
    return data + "." + b64url(sig)


def test_helper_mints_exactly_what_the_client_mints() -> None:
    expected = replica_of_client_token(ORG_ID, "s-1", "d-1", NOW_S)
    assert client_identity_token(ORG_ID, "s-1", "d-1", now_s=NOW_S) == expected
    assert client_identity_token(ORG_ID, "s-1", now_s=NOW_S) == replica_of_client_token(
        ORG_ID, "s-1", "s-1", NOW_S
    )


def test_default_session_is_a_fresh_uuid_shared_with_did() -> None:
    claims = jwt.decode(client_identity_token(ORG_ID), options={"verify_signature": False})
    assert claims["sid"] == claims["did"] and len(claims["sid"]) == 36
    assert list(claims) == ["aud", "iss", "iat", "exp", "sid", "did"]


def test_setup_records(org: Org) -> None:
    key, idp, provider = anonymous_setup(ORG_ID, 42, key_id="sbk_anon", secret="sbsec_anon")
    assert (key.id, key.secret, key.scopes, key.org_id, key.hidden) == (
        "sbk_anon", "sbsec_anon", PRODUCTION, ORG_ID, True,
    )
    assert idp.aud == idp.iss == audience(ORG_ID) == (
        f"https://{ORG_ID}.anonymous.auth.statebacked.dev"
    )
    assert idp.algs == ("HS256",) and idp.key == ORG_ID.encode() and idp.hidden
    assert provider.service == SERVICE == "anonymous-statebacked-dev"
    assert provider.key_id == "sbk_anon" and provider.hidden
    fresh = anonymous_setup(ORG_ID, 42)
    assert fresh.key.id.startswith("sbk_") and fresh.key.secret.startswith("sbsec_")
    assert fresh.key.id != anonymous_setup(ORG_ID, 42).key.id


def _anonymous_world(org: Org) -> World:
    return World().add(org, *anonymous_setup(org.id, 0))


async def test_replica_token_exchanges_for_an_anonymous_auth_context(org: Org) -> None:
    world = _anonymous_world(org)
    token = replica_of_client_token(ORG_ID, "session-9", "device-3", NOW_S)
    body = await world.exchange(token, SERVICE)
    principal = verify_bearer(f"Bearer {body['access_token']}", world.find_key, NOW_S + 5)
    assert principal.auth_context == {"sid": "session-9", "did": "device-3", "auth": "anonymous"}
    assert principal.scopes == PRODUCTION and principal.org_id == ORG_ID


async def test_anonymous_token_of_another_org_is_rejected(org: Org) -> None:
    world = _anonymous_world(org)
    other_org = "org_AAAAAAAAAAAAAAAAAAAAAA"
    token = client_identity_token(other_org, "s", now_s=NOW_S)
    with pytest.raises(InvalidSubjectToken, match="no identity provider"):
        await world.exchange(token, SERVICE)
    # the right audience but signed with another org's id as key
    forged = replica_of_client_token(ORG_ID, "s", "s", NOW_S)
    head, body, _ = forged.split(".")
    sig = hmac.new(other_org.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    bad = f"{head}.{body}." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()
    with pytest.raises(InvalidSubjectToken, match="signature does not verify"):
        await world.exchange(bad, SERVICE)


async def test_anonymous_token_cannot_carry_other_claims(org: Org) -> None:
    world = _anonymous_world(org)
    scope = audience(ORG_ID)
    claims = {"aud": scope, "iss": scope, "sid": "s", "did": "d", "sub": "admin", "role": "x"}
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    sig = hmac.new(ORG_ID.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    token = f"{head}.{body}." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()
    result = await world.exchange(token, SERVICE)
    context = verify_bearer(result["access_token"], world.find_key, NOW_S).auth_context
    assert context == {"sid": "s", "did": "d", "auth": "anonymous"}
