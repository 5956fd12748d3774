"""The real @statebacked/client subscribing through `/rt` (a Node script, see js/)."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest

from sb_emulator.config import EmulatorConfig
from tests.realtime.conftest import Api

SCRIPT = Path(__file__).parent / "js" / "realtime_client.mjs"
CLIENT_MODULES = Path(__file__).parents[1] / "clients" / "js" / "node_modules"


async def test_real_client_subscriptions(api: Api, config: EmulatorConfig) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (CLIENT_MODULES / "@statebacked" / "client").is_dir():
        pytest.skip("run `npm ci` in tests/clients/js to install the real client")
    env = {
        **os.environ,
        "SB_URL": str(api.make_url("")).rstrip("/"),
        "SB_KEY_ID": config.key_id,
        "SB_KEY_SECRET": config.key_secret,
    }
    # The server runs on this event loop: wait for Node without blocking it.
    proc = await asyncio.create_subprocess_exec(
        node, SCRIPT.name, cwd=SCRIPT.parent, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), timeout=60)
    output = stdout.decode() + stderr.decode()
    assert proc.returncode == 0, output
    assert '"ok":true' in stdout.decode(), output
