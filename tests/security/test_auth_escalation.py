"""Scope escalation through the token exchange and key creation (issue 16), over real HTTP.

The attack: a key holding only ``tokens.admin`` registers an identity provider whose secret it
knows, creates a token provider that signs with the *admin* key, trades a self-made subject
token for an admin-signed State Backed token and then calls ``POST /keys``. A token provider
may only sign with a key whose scopes the caller already holds, and a new key may only get
scopes its creator holds.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient

from sb_emulator.auth.records import ApiKey
from sb_emulator.auth.tokens import sign_token
from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.web import create_app

pytestmark = pytest.mark.bound(seconds=30, megabytes=256)

IDP_SECRET = b"attacker-chosen-idp-secret"
IDP_ISSUER = "https://idp.attacker.example/"

Api = TestClient[Any, Any]


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(port=0, clock="manual", settle_timeout_s=5.0, strict=True)


@pytest.fixture
async def api(
    aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig
) -> Api:
    return await aiohttp_client(create_app(config))


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def new_key_token(api: Api, admin_token: str, config: EmulatorConfig,
                        scopes: list[str]) -> tuple[str, str]:
    """Create a key with ``scopes`` (as the admin); return its id and a token it signs."""
    res = await api.post("/keys", json={"name": "k", "scopes": scopes}, headers=bearer(admin_token))
    assert res.status == 200, await res.text()
    created = await res.json()
    key = ApiKey(created["id"], config.org_id, "k", created["key"], frozenset(scopes), 0)
    return key.id, sign_token(key, {"sub": "attacker"})


async def register_idp(api: Api, token: str) -> None:
    idp = {
        "iss": IDP_ISSUER,
        "algs": ["HS256"],
        "key": base64.urlsafe_b64encode(IDP_SECRET).rstrip(b"=").decode(),
        "mapping": {"sub.$": "$.sub"},
    }
    res = await api.post("/idps", json=idp, headers=bearer(token))
    assert res.status == 204, await res.text()


async def exchange(api: Api, config: EmulatorConfig, service: str) -> Any:
    subject = jwt.encode(
        {"iss": IDP_ISSUER, "sub": "mallory", "exp": int(time.time()) + 60}, IDP_SECRET,
        algorithm="HS256",
    )
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "audience": f"https://tokens.statebacked.dev/{config.org_id}/{service}",
        "subject_token": subject,
    }
    return await api.post("/tokens", data=form)


async def assert_refused(res: Any, code: str, *fragments: str) -> None:
    assert res.status == 403, await res.text()
    body = await res.json()
    assert body["code"] == code
    for fragment in fragments:
        assert fragment in body["error"]


async def test_tokens_admin_key_cannot_mint_admin_tokens(api: Api, config: EmulatorConfig) -> None:
    admin = mint_token(config, "admin")
    _, attacker = await new_key_token(api, admin, config, ["tokens.admin"])
    await register_idp(api, attacker)  # allowed: tokens.admin manages identity providers

    provider = {"service": "escalate", "keyId": config.key_id, "mapping": {"sub.$": "$.sub"}}
    res = await api.post("/token-providers", json=provider, headers=bearer(attacker))
    await assert_refused(res, "missing-scope", config.key_id, "org.keys.write")

    # nothing was stored: the exchange finds no such provider, so no admin token comes out
    listed = await (await api.get("/token-providers", headers=bearer(admin))).json()
    assert all(p["service"] != "escalate" for p in listed["tokenProviders"])
    assert (await exchange(api, config, "escalate")).status == 400


async def test_tokens_admin_key_cannot_rewrite_an_admin_signed_provider(
    api: Api, config: EmulatorConfig
) -> None:
    admin = mint_token(config, "admin")
    _, attacker = await new_key_token(api, admin, config, ["tokens.admin"])
    original = {"service": "app", "keyId": config.key_id, "mapping": {"sub.$": "$.sub"}}
    assert (await api.post("/token-providers", json=original, headers=bearer(admin))).status == 204

    rewritten = {**original, "mapping": {"sub": "admin", "role": "owner"}}
    res = await api.post("/token-providers", json=rewritten, headers=bearer(attacker))
    await assert_refused(res, "missing-scope")
    listed = await (await api.get("/token-providers", headers=bearer(admin))).json()
    assert [p["mapping"] for p in listed["tokenProviders"] if p["service"] == "app"] == [
        original["mapping"]
    ]


async def test_provider_signing_with_a_key_within_the_callers_scopes_works(
    api: Api, config: EmulatorConfig
) -> None:
    admin = mint_token(config, "admin")
    production = ["events.write", "state.read", "instances.write", "indexes.read"]
    _, manager = await new_key_token(api, admin, config, ["tokens.admin", *production])
    await register_idp(api, manager)

    provider = {"service": "web", "keyId": config.production_key_id, "mapping": {"sub.$": "$.sub"}}
    res = await api.post("/token-providers", json=provider, headers=bearer(manager))
    assert res.status == 204, await res.text()

    exchanged = await exchange(api, config, "web")
    assert exchanged.status == 200, await exchanged.text()
    access = (await exchanged.json())["access_token"]
    assert jwt.get_unverified_header(access)["kid"] == config.production_key_id
    # the exchanged token carries the production key's scopes, no more
    await assert_refused(await api.get("/keys", headers=bearer(access)), "missing-scope")
    unknown = await api.get("/machines/nope/i/nope", headers=bearer(access))
    assert unknown.status == 404


async def test_admin_can_still_create_admin_signed_providers(
    api: Api, config: EmulatorConfig
) -> None:
    admin = mint_token(config, "admin")
    await register_idp(api, admin)
    provider = {"service": "ops", "keyId": config.key_id, "mapping": {"sub.$": "$.sub"}}
    assert (await api.post("/token-providers", json=provider, headers=bearer(admin))).status == 204
    exchanged = await exchange(api, config, "ops")
    assert exchanged.status == 200
    access = (await exchanged.json())["access_token"]
    assert (await api.get("/keys", headers=bearer(access))).status == 200


async def test_unknown_signing_key_is_still_a_400(api: Api, config: EmulatorConfig) -> None:
    admin = mint_token(config, "admin")
    _, attacker = await new_key_token(api, admin, config, ["tokens.admin"])
    provider = {"service": "x", "keyId": "sbk_doesNotExist0000000", "mapping": {}}
    res = await api.post("/token-providers", json=provider, headers=bearer(attacker))
    assert res.status == 400
    assert (await res.json())["code"] == "invalid-parameter"


async def test_key_writer_cannot_create_a_key_with_more_scopes(
    api: Api, config: EmulatorConfig
) -> None:
    admin = mint_token(config, "admin")
    _, writer = await new_key_token(api, admin, config, ["org.keys.write", "state.read"])

    res = await api.post("/keys", json={"name": "root", "use": "ci"}, headers=bearer(writer))
    await assert_refused(res, "missing-scope", "machines.write")
    res = await api.post("/keys", json={"name": "root", "scopes": ["tokens.admin"]},
                         headers=bearer(writer))
    await assert_refused(res, "missing-scope", "tokens.admin")

    allowed = await api.post("/keys", json={"name": "reader", "scopes": ["state.read"]},
                             headers=bearer(writer))
    assert allowed.status == 200, await allowed.text()
    everything = await api.post("/keys", json={"name": "ci", "use": "ci"}, headers=bearer(admin))
    assert everything.status == 200
