"""Correctly signed tokens with hostile time claims (issue 16), over real HTTP.

``"exp": -1e400`` parses as -inf in Python and used to end in an ``OverflowError`` (a 500).
Every non-finite or non-numeric ``exp``/``iat``/``nbf`` is a 401 in the error shape, in a
State Backed token and in an identity provider's subject token alike; so is a token with no
``exp`` at all.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.web import create_app

pytestmark = pytest.mark.bound(seconds=30, megabytes=256)

Api = TestClient[Any, Any]

# Raw JSON text of claim values: Python's json reads every one of these (1e400 -> inf, NaN,
# Infinity, a 400-digit integer), JSON.parse reads them as non-finite or not as numbers.
HOSTILE_NUMBERS = ["-1e400", "1e400", "NaN", "Infinity", "-Infinity", "1" + "0" * 400]
NON_NUMBERS = ['"1800000000"', "true", "null", "[]", "{}"]


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(port=0, clock="manual", settle_timeout_s=5.0, strict=True)


@pytest.fixture
async def api(aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig) -> Api:
    return await aiohttp_client(create_app(config))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(secret: str | bytes, header: dict[str, str], payload: str) -> str:
    """A compact HS256 JWT around ``payload`` exactly as written (no JSON re-encoding)."""
    key = secret.encode() if isinstance(secret, str) else secret
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(payload.encode())}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def admin_token_with(config: EmulatorConfig, claims_text: str) -> str:
    """An admin-key token whose payload is ``{"act":{"sub":"x"}, <claims_text>}``."""
    payload = '{"act":{"sub":"x"},"aud":"https://api.statebacked.dev/",' + claims_text + "}"
    return signed(config.key_secret, {"alg": "HS256", "kid": config.key_id}, payload)


async def assert_401(res: Any, code: str, fragment: str) -> None:
    assert res.status == 401, await res.text()
    body = await res.json()
    assert body["code"] == code
    assert fragment in body["error"]


def future() -> int:
    return int(time.time()) + 600


@pytest.mark.parametrize("value", HOSTILE_NUMBERS + NON_NUMBERS)
async def test_bad_exp_is_a_401(api: Api, config: EmulatorConfig, value: str) -> None:
    token = admin_token_with(config, f'"exp":{value}')
    res = await api.get("/machines", headers={"authorization": f"Bearer {token}"})
    await assert_401(res, "malformed-token", "exp must be a finite number")


@pytest.mark.parametrize("claim", ["iat", "nbf"])
@pytest.mark.parametrize("value", HOSTILE_NUMBERS + NON_NUMBERS)
async def test_bad_iat_or_nbf_is_a_401(
    api: Api, config: EmulatorConfig, claim: str, value: str
) -> None:
    token = admin_token_with(config, f'"exp":{future()},"{claim}":{value}')
    res = await api.get("/machines", headers={"authorization": f"Bearer {token}"})
    await assert_401(res, "malformed-token", f"{claim} must be a finite number")


async def test_bad_exp_on_the_websocket_is_an_error_frame(
    api: Api, config: EmulatorConfig
) -> None:
    token = admin_token_with(config, '"exp":-1e400')
    async with api.ws_connect("/rt", params={"token": token}) as ws:
        await ws.send_json({"type": "subscribe-to-instance", "machineName": "m",
                            "machineInstanceName": "i", "requestId": "r1"})
        frame = await ws.receive_json(timeout=10)
    assert (frame["type"], frame["requestId"], frame["status"], frame["code"]) == (
        "error", "r1", 401, "malformed-token"
    )


async def test_integer_beyond_the_json_reader_limit_is_a_401(
    api: Api, config: EmulatorConfig
) -> None:
    token = admin_token_with(config, '"exp":1' + "0" * 5000)
    res = await api.get("/machines", headers={"authorization": f"Bearer {token}"})
    await assert_401(res, "malformed-token", "malformed bearer token")


async def test_token_without_exp_is_refused(api: Api, config: EmulatorConfig) -> None:
    token = admin_token_with(config, f'"iat":{int(time.time())}')
    res = await api.get("/machines", headers={"authorization": f"Bearer {token}"})
    await assert_401(res, "missing-exp", "no 'exp'")


async def test_well_formed_claims_still_work(api: Api, config: EmulatorConfig) -> None:
    now = int(time.time())
    token = admin_token_with(config, f'"exp":{now + 600}.5,"iat":{now},"nbf":{now - 5}')
    ok = await api.get("/machines", headers={"authorization": f"Bearer {token}"})
    assert ok.status == 200, await ok.text()
    minted = await api.get("/machines", headers={"authorization": f"Bearer {mint_token(config, 'a')}"})
    assert minted.status == 200


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", ["-1e400", "1e400", "NaN", '"soon"'])
async def test_bad_subject_token_times_are_refused_in_the_exchange(
    api: Api, config: EmulatorConfig, claim: str, value: str
) -> None:
    admin = {"authorization": f"Bearer {mint_token(config, 'admin')}"}
    secret = b"idp-secret-for-claim-tests"
    idp = {"iss": "https://idp.example/", "algs": ["HS256"], "key": b64(secret),
           "mapping": {"sub.$": "$.sub"}}
    assert (await api.post("/idps", json=idp, headers=admin)).status == 204
    provider = {"service": "app", "keyId": config.production_key_id, "mapping": {"sub.$": "$.sub"}}
    assert (await api.post("/token-providers", json=provider, headers=admin)).status == 204
    times = {"exp": str(future()), claim: value}
    payload = '{"iss":"https://idp.example/","sub":"u",' + ",".join(
        f'"{name}":{text}' for name, text in times.items()
    ) + "}"
    form = {
        "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
        "audience": f"https://tokens.statebacked.dev/{config.org_id}/app",
        "subject_token": signed(secret, {"alg": "HS256", "typ": "JWT"}, payload),
    }
    res = await api.post("/tokens", data=form)
    assert res.status == 403, await res.text()
    body = await res.json()
    assert body["code"] == "invalid-subject-token"
    assert f"{claim} must be a finite number" in body["error"]
