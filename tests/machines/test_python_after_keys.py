"""Python machines may key ``after`` with numbers, as XState v4 (JavaScript) does (issue 15)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient

from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.engine import initial
from sb_emulator.machines import load_definition
from sb_emulator.machines.pyload import js_object_keys
from sb_emulator.web import create_app

MODULE = '''
machine = {
    "id": "expiring", "initial": "open",
    "states": {
        "open": {"after": {60000: "expired", 1.5: {"actions": []}}},
        "expired": {"states": {"x": {"after": {2.0: "y"}}, "y": {}}, "initial": "x"},
    },
}

def allow_read(request):
    return True

def allow_write(request):
    return True
'''


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "expiring.py"
    path.write_text(MODULE)
    return path


def test_number_keys_load_and_schedule_their_delays(tmp_path: Path) -> None:
    d = load_definition(str(_write(tmp_path)))
    _, effects = initial(d.machine)
    assert [(e.send_id, e.delay_ms) for e in effects] == [  # type: ignore[attr-defined]
        ("xstate.after(60000)#expiring.open", 60000), ("xstate.after(1.5)#expiring.open", 1.5)]


def test_number_keys_become_the_keys_javascript_gives_them() -> None:
    config = {"states": {"a": {"after": {60000: "b", 1.5: "c", 2.0: "d", "slow": "e"}},
                         "b": {"after": {"100": "a"}}}}
    converted = js_object_keys(config)
    assert list(converted["states"]["a"]["after"]) == ["60000", "1.5", "2", "slow"]
    assert converted["states"]["b"] is config["states"]["b"]  # nothing to change: no copy
    assert list(config["states"]["a"]["after"]) == [60000, 1.5, 2.0, "slow"]  # not modified


async def test_the_delayed_transition_fires_on_clock_advance(
        tmp_path: Path, aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]]) -> None:
    config = EmulatorConfig(port=0, machines=(str(_write(tmp_path)),), clock="manual")
    api = await aiohttp_client(create_app(config))
    headers = {"authorization": f"Bearer {mint_token(config, 'admin', json.dumps({}))}"}
    created = await api.post("/machines/expiring", json={"slug": "one"}, headers=headers)
    assert created.status == 200, await created.text()
    assert (await created.json())["state"] == "open"
    advanced = await api.post("/_emulator/clock/advance", json={"ms": 59_999})
    assert advanced.status == 200, await advanced.text()
    state = await (await api.get("/machines/expiring/i/one", headers=headers)).json()
    assert state["state"] == "open"
    await api.post("/_emulator/clock/advance", json={"ms": 1})
    state = await (await api.get("/machines/expiring/i/one", headers=headers)).json()
    assert state["state"] == {"expired": "x"}
