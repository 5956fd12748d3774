"""Shared pieces of the hostile-input tests: the app on a real localhost socket, tokens."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig

MACHINES = Path(__file__).parent / "machines"

Api = TestClient[Any, Any]


def security_config(**overrides: Any) -> EmulatorConfig:
    values: dict[str, Any] = {"port": 0, "machines": (str(MACHINES),), "clock": "manual",
                              "settle_timeout_s": 5.0, "strict": True}
    values.update(overrides)
    return EmulatorConfig(**values)


def admin_headers(config: EmulatorConfig) -> dict[str, str]:
    token = mint_token(config, "admin", json.dumps({}))
    return {"authorization": f"Bearer {token}", "content-type": "application/json"}


async def assert_responsive(api: Api, config: EmulatorConfig) -> None:
    """The server still answers a health check and an authenticated API call."""
    health = await api.get("/_emulator/health")
    assert health.status == 200, await health.text()
    machines = await api.get("/machines", headers=admin_headers(config))
    assert machines.status == 200, await machines.text()
