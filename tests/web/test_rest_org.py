"""Orgs, keys, billing, logs, identity/token providers, token exchange and control routes."""

from __future__ import annotations

import base64
import time
from typing import Any

import jwt

from tests.web.helpers import bearer


async def test_orgs_list_and_create(api: Any, token: Any, config: Any) -> None:
    admin = bearer(token())
    orgs = await (await api.get("/orgs", headers=admin)).json()
    assert any(o["id"] == config.org_id for o in orgs["orgs"])
    assert set(orgs["orgs"][0]) >= {"id", "name", "role", "createdAt", "limits"}
    created = await api.post("/orgs", json={"name": "second"}, headers=admin)
    assert created.status == 200
    assert (await created.json())["id"].startswith("org_")


async def test_create_org_needs_admin(api: Any, prod_token: Any) -> None:
    res = await api.post("/orgs", json={"name": "x"}, headers=bearer(prod_token()))
    assert res.status == 403


async def test_keys_lifecycle(api: Any, token: Any) -> None:
    admin = bearer(token())
    created = await api.post("/keys", json={"name": "ci-key", "use": "ci"}, headers=admin)
    assert created.status == 200
    key = await created.json()
    assert key["id"].startswith("sbk_") and key["key"].startswith("sbsec_")
    listing = await (await api.get("/keys", headers=admin)).json()
    mine = next(k for k in listing["keys"] if k["id"] == key["id"])
    assert "machines.write" in mine["scopes"] and "key" not in mine
    # a token signed with the new key works for its scopes and only those
    ci_token = jwt.encode(
        {"act": {"sub": "ci"}, "aud": "https://api.statebacked.dev/", "exp": int(time.time()) + 60},
        key["key"].encode(),
        algorithm="HS256",
        headers={"kid": key["id"]},
    )
    assert (await api.get("/machines", headers=bearer(ci_token))).status == 200
    assert (await api.get("/keys", headers=bearer(ci_token))).status == 403
    deleted = await api.delete(f"/keys/{key['id']}", headers=admin)
    assert deleted.status == 204
    assert (await api.get("/machines", headers=bearer(ci_token))).status == 401


async def test_billing(api: Any, token: Any) -> None:
    res = await api.get("/billing", headers=bearer(token()))
    assert res.status == 200
    assert "url" in await res.json()


async def test_logs_requires_from_and_returns_shape(api: Any, token: Any) -> None:
    admin = bearer(token())
    missing = await api.get("/logs", headers=admin)
    assert missing.status == 400
    res = await api.get("/logs", params={"from": "2020-01-01T00:00:00.000Z"}, headers=admin)
    assert res.status == 200
    body = await res.json()
    assert isinstance(body["logs"], list) and isinstance(body["maxTimestamp"], str)


async def test_identity_and_token_providers_and_exchange(api: Any, token: Any, config: Any) -> None:
    admin = bearer(token())
    secret = b"idp-shared-secret"
    idp = {
        "iss": "https://idp.example/",
        "algs": ["HS256"],
        "key": base64.urlsafe_b64encode(secret).rstrip(b"=").decode(),
        "mapping": {"sub.$": "$.sub", "email.$": "$.email"},
    }
    assert (await api.post("/idps", json=idp, headers=admin)).status == 204
    listed = await (await api.get("/idps", headers=admin)).json()
    assert any(i.get("iss") == "https://idp.example/" and "key" not in i for i in listed["idps"])
    provider = {
        "service": "my-app",
        "keyId": config.production_key_id,
        "mapping": {"sub.$": "$.sub", "via": "idp"},
    }
    assert (await api.post("/token-providers", json=provider, headers=admin)).status == 204
    providers = await (await api.get("/token-providers", headers=admin)).json()
    assert any(p["service"] == "my-app" for p in providers["tokenProviders"])

    subject = jwt.encode(
        {"iss": "https://idp.example/", "sub": "user-7", "email": "u@x", "exp": int(time.time()) + 60},
        secret,
        algorithm="HS256",
    )
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "audience": f"https://tokens.statebacked.dev/{config.org_id}/my-app",
        "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "subject_token": subject,
    }
    exchanged = await api.post("/tokens", data=form)
    assert exchanged.status == 200
    access = (await exchanged.json())["access_token"]
    claims = jwt.decode(access, options={"verify_signature": False})
    assert claims["act"] == {"sub": "user-7", "via": "idp"}

    assert (await api.delete("/token-providers/my-app", headers=admin)).status == 204
    assert (await api.post("/tokens", data=form)).status in (400, 403, 404)
    assert (await api.delete("/idps", json={"iss": "https://idp.example/"}, headers=admin)).status == 204


async def test_exchange_rejects_bad_grant(api: Any) -> None:
    res = await api.post("/tokens", data={"grant_type": "password"})
    assert res.status == 400


async def test_control_routes(api: Any, token: Any) -> None:
    health = await api.get("/_emulator/health")
    assert (await health.json())["ok"] is True
    clock = await (await api.get("/_emulator/clock")).json()
    assert clock["manual"] is True
    advanced = await api.post("/_emulator/clock/advance", json={"ms": 1500})
    assert (await advanced.json())["now"] == clock["now"] + 1500
    bad = await api.post("/_emulator/clock/advance", json={"ms": -1})
    assert bad.status == 400
    admin = bearer(token())
    await api.post("/machines/counter", json={"slug": "r1"}, headers=admin)
    exported = await (await api.get("/_emulator/export")).json()
    assert (await api.post("/_emulator/reset")).status == 204
    assert (await api.get("/machines/counter/i/r1", headers=admin)).status == 404
    assert (await api.get("/machines/counter", headers=admin)).status == 200
    assert (await api.post("/_emulator/import", json=exported)).status == 204
    assert (await api.get("/machines/counter/i/r1", headers=admin)).status == 200


async def test_openapi_served(api: Any) -> None:
    res = await api.get("/openapi.yaml")
    assert res.status == 200
    assert "openapi:" in await res.text()


async def test_unknown_route_is_json_404(api: Any) -> None:
    res = await api.get("/definitely/not/here")
    assert res.status == 404
    assert (await res.json())["code"] == "not-found"
