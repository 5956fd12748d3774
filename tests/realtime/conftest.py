"""`/rt` integration tests: the real app on a real localhost socket, a manual clock."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.web import create_app
from tests.realtime.wsclient import RtClient

MACHINES = Path(__file__).parent / "machines"

Api = TestClient[Any, Any]


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(
        port=0, machines=(str(MACHINES),), clock="manual", settle_timeout_s=5.0, strict=True
    )


@pytest.fixture
async def api(
    aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig
) -> Api:
    return await aiohttp_client(create_app(config))


@pytest.fixture
def token(config: EmulatorConfig) -> Callable[..., str]:
    """A token signed with the admin key (every scope); ``sub`` becomes authContext.sub."""

    def make(sub: str = "admin", **claims: Any) -> str:
        minted: str = mint_token(config, sub, json.dumps(claims))
        return minted

    return make


@pytest.fixture
def rt(api: Api) -> Callable[..., Awaitable[RtClient]]:
    """Open a `/rt` socket the way the real client does: the token in the query string."""

    async def connect(token: str | None, **params: str) -> RtClient:
        query = dict(params)
        if token is not None:
            query["token"] = token
        return RtClient(await api.ws_connect("/rt", params=query))

    return connect


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}", "content-type": "application/json"}


async def create_instance(api: Api, token: str, machine: str, slug: str, **context: Any) -> Any:
    res = await api.post(
        f"/machines/{machine}", json={"slug": slug, "context": context}, headers=bearer(token)
    )
    assert res.status == 200, await res.text()
    return await res.json()


async def send_event(api: Api, token: str, machine: str, slug: str, event: Any) -> Any:
    res = await api.post(
        f"/machines/{machine}/i/{slug}/events", json={"event": event}, headers=bearer(token)
    )
    assert res.status == 200, await res.text()
    return await res.json()
