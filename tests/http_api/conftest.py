"""HTTP API tests: the real app on a real localhost port, with the documentation's `order`
machine (YAML or Python: every order test runs against both) and this folder's machines."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp.test_utils import TestClient

from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.web import create_app

ROOT = Path(__file__).resolve().parents[2]
ORDER_DEFINITIONS = {
    "yaml": ROOT / "fixtures" / "machines" / "order.yaml",
    "python": ROOT / "fixtures" / "machines" / "python" / "order.py",
}
MACHINES = Path(__file__).parent / "machines"

Api = TestClient[Any, Any]


@pytest.fixture(params=sorted(ORDER_DEFINITIONS))
def order_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def config(order_kind: str) -> EmulatorConfig:
    return EmulatorConfig(
        port=0,
        machines=(str(ORDER_DEFINITIONS[order_kind]), str(MACHINES)),
        clock="manual",
        settle_timeout_s=5.0,
        strict=True,
    )


@pytest.fixture
async def api(aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig) -> Api:
    return await aiohttp_client(create_app(config))


@pytest.fixture
def end_user_jwt(config: EmulatorConfig) -> Callable[..., str]:
    """The caller's JWT as the `order` handlers verify it: HS256 with the endpoint's
    ``jwtSecret`` (the emulator's default admin secret), the user id in ``sub``."""

    def make(sub: str = "alice", secret: str | None = None) -> str:
        claims = {"sub": sub, "iat": int(time.time()), "exp": int(time.time()) + 3600}
        token: str = jwt.encode(claims, secret or config.key_secret, algorithm="HS256")
        return token

    return make


@pytest.fixture
def sb_token(config: EmulatorConfig) -> Callable[..., str]:
    """A State Backed admin token, to inspect instances over the REST API."""

    def make(sub: str = "admin", **claims: Any) -> str:
        minted: str = mint_token(config, sub, json.dumps(claims))
        return minted

    return make


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "content-type": "application/json"}


def http_api_path(config: EmulatorConfig, machine: str, slug: str) -> str:
    return f"/http-api/{config.org_id}/machines/{machine}/{slug}"
