"""The documentation's `order` machine behind the HTTP API (seed 001, API.md §8), run against
both its YAML and its Python definition."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from sb_emulator.config import EmulatorConfig
from tests.http_api.conftest import Api, bearer, http_api_path

Jwt = Callable[..., str]

# The documentation's example request, character for character (only the host differs).
DOCUMENTED_CURL = """curl --request POST \\
https://api.statebacked.dev/http-api/$ORG_ID/machines/order/place-order \\
--header "Authorization: Bearer $JWT" \\
--header "Content-Type: application/json" \\
--data '{
"orderId": "order-123",
"items": ["item-a", "item-b"],
"total": 49.99
}'"""
DOCUMENTED_BODY = {"orderId": "order-123", "items": ["item-a", "item-b"], "total": 49.99}
DOCUMENTED_RESPONSE = {"orderId": "order-123", "status": "placed", "total": 49.99}


async def place_order(api: Api, config: EmulatorConfig, token: str, **overrides: Any) -> Any:
    body = {**DOCUMENTED_BODY, **overrides}
    return await api.post(
        http_api_path(config, "order", "place-order"),
        data=json.dumps(body),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )


async def instance_status(api: Api, sb_token: Callable[..., str], name: str) -> int:
    res = await api.get(f"/machines/order/i/{name}/admin", headers=bearer(sb_token()))
    return res.status


async def admin_view(api: Api, sb_token: Callable[..., str], name: str) -> Any:
    res = await api.get(f"/machines/order/i/{name}/admin", headers=bearer(sb_token()))
    assert res.status == 200
    return await res.json()


async def test_documented_curl_example_returns_the_documented_body(
    api: Api, config: EmulatorConfig, end_user_jwt: Jwt
) -> None:
    base = str(api.make_url("")).rstrip("/")
    env = {**os.environ, "ORG_ID": config.org_id, "JWT": end_user_jwt("alice")}
    if shutil.which("curl") is not None:
        command = DOCUMENTED_CURL.replace("https://api.statebacked.dev", base)
        done = await asyncio.to_thread(
            subprocess.run, ["bash", "-c", command], env=env, capture_output=True, timeout=30
        )
        assert done.returncode == 0, done.stderr
        body = json.loads(done.stdout)
    else:  # the same request through aiohttp
        res = await place_order(api, config, env["JWT"])
        body = await res.json()
    assert body == DOCUMENTED_RESPONSE


async def test_place_order_creates_and_places_the_instance(
    api: Api, config: EmulatorConfig, end_user_jwt: Jwt, sb_token: Callable[..., str]
) -> None:
    res = await place_order(api, config, end_user_jwt("alice"))
    assert res.status == 200
    assert res.headers["content-type"].startswith("application/json")
    assert await res.json() == DOCUMENTED_RESPONSE
    view = await admin_view(api, sb_token, "order-123")
    assert view["state"] == "placed"
    assert view["context"] == {
        "items": ["item-a", "item-b"],
        "total": 49.99,
        "orderId": "order-123",
        "userId": "alice",
    }
    # the instance is an ordinary one: its owner reads it over REST with a State Backed token
    state = await api.get("/machines/order/i/order-123", headers=bearer(sb_token("alice")))
    assert (await state.json())["state"] == "placed"


@pytest.mark.parametrize(
    "case",
    ["wrong method", "GET", "no authorization", "JWT signed with another secret",
     "missing total", "missing items", "body is not JSON"],
)
async def test_handler_failures_are_400_and_create_nothing(
    api: Api, config: EmulatorConfig, end_user_jwt: Jwt, sb_token: Callable[..., str], case: str
) -> None:
    url = http_api_path(config, "order", "place-order")
    good = {"authorization": f"Bearer {end_user_jwt('alice')}", "content-type": "application/json"}
    payload = json.dumps(DOCUMENTED_BODY)
    method, headers = "POST", dict(good)
    if case == "wrong method":
        method = "PUT"
    elif case == "GET":
        method, payload = "GET", ""
    elif case == "no authorization":
        del headers["authorization"]
    elif case == "JWT signed with another secret":
        headers["authorization"] = f"Bearer {end_user_jwt('alice', secret='x' * 40)}"
    elif case == "missing total":
        payload = json.dumps({k: v for k, v in DOCUMENTED_BODY.items() if k != "total"})
    elif case == "missing items":
        payload = json.dumps({k: v for k, v in DOCUMENTED_BODY.items() if k != "items"})
    else:
        payload = '{"orderId": "order-123",'
    res = await api.request(method, url, data=payload, headers=headers)
    assert res.status == 400
    error = await res.json()
    assert isinstance(error["error"], str) and error["error"]
    assert isinstance(error["code"], str)
    assert await instance_status(api, sb_token, "order-123") == 404


async def test_missing_instance_without_initial_context_is_404(
    api: Api, config: EmulatorConfig, end_user_jwt: Jwt, sb_token: Callable[..., str]
) -> None:
    res = await api.post(
        http_api_path(config, "order", "cancel-order"),
        json={"orderId": "order-999"},
        headers={"authorization": f"Bearer {end_user_jwt('alice')}"},
    )
    assert res.status == 404
    assert (await res.json())["code"] == "not-found"
    assert await instance_status(api, sb_token, "order-999") == 404


async def test_allow_write_rejection_is_403_and_changes_nothing(
    api: Api, config: EmulatorConfig, end_user_jwt: Jwt, sb_token: Callable[..., str]
) -> None:
    assert (await place_order(api, config, end_user_jwt("alice"))).status == 200
    cancel = await api.post(
        http_api_path(config, "order", "cancel-order"),
        json={"orderId": "order-123"},
        headers={"authorization": f"Bearer {end_user_jwt('mallory')}"},
    )
    assert cancel.status == 403
    assert (await cancel.json())["code"] == "rejected-by-machine-authorizer"
    replace = await place_order(api, config, end_user_jwt("mallory"), total=0.01)
    assert replace.status == 403
    view = await admin_view(api, sb_token, "order-123")
    assert (view["state"], view["context"]["total"]) == ("placed", 49.99)


async def test_owner_cancels_through_the_second_endpoint(
    api: Api, config: EmulatorConfig, end_user_jwt: Jwt
) -> None:
    await place_order(api, config, end_user_jwt("alice"))
    res = await api.post(
        http_api_path(config, "order", "cancel-order"),
        json={"orderId": "order-123"},
        headers={"authorization": f"Bearer {end_user_jwt('alice')}"},
    )
    assert res.status == 200
    assert await res.json() == {"status": "cancelled"}


@pytest.mark.parametrize(
    ("org", "machine", "slug"),
    [
        (None, "order", "no-such-slug"),
        (None, "no-such-machine", "place-order"),
        ("org_noSuchOrgNoSuchOrg0000", "order", "place-order"),
    ],
)
async def test_unknown_org_machine_or_slug_is_404(
    api: Api, config: EmulatorConfig, end_user_jwt: Jwt, org: str | None, machine: str, slug: str
) -> None:
    url = f"/http-api/{org or config.org_id}/machines/{machine}/{slug}"
    res = await api.post(
        url, json=DOCUMENTED_BODY, headers={"authorization": f"Bearer {end_user_jwt()}"}
    )
    assert res.status == 404
    error = await res.json()
    assert error["code"] == "not-found"
    assert isinstance(error["error"], str)


async def test_no_state_backed_token_is_needed_or_checked(
    api: Api, config: EmulatorConfig, end_user_jwt: Jwt
) -> None:
    # The end user's JWT is not a State Backed token (no kid, no act): REST refuses it ...
    rest = await api.get("/machines/order/i/order-123", headers=bearer(end_user_jwt()))
    assert rest.status == 401
    # ... while the HTTP API leaves authentication to the machine's handler.
    res = await place_order(api, config, end_user_jwt())
    assert res.status == 200
