"""REST integration tests: a real aiohttp server on a real localhost socket per test."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.web import create_app

HERE = Path(__file__).parent
MACHINES = HERE / "machines"


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(
        port=0, machines=(str(MACHINES),), clock="manual", settle_timeout_s=5.0, strict=True
    )


@pytest.fixture
async def api(
    aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]], config: EmulatorConfig
) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(config))


@pytest.fixture
def token(config: EmulatorConfig) -> Callable[..., str]:
    def make(sub: str = "admin", **claims: Any) -> str:
        import json

        return mint_token(config, sub, json.dumps(claims))

    return make


@pytest.fixture
def prod_token(config: EmulatorConfig) -> Callable[..., str]:
    """A token signed with the production key (events.write, state.read, instances.write,
    indexes.read): lacks every admin scope."""
    from dataclasses import replace

    def make(sub: str = "alice") -> str:
        prod = replace(
            config, key_id=config.production_key_id, key_secret=config.production_key_secret
        )
        return mint_token(prod, sub)

    return make
