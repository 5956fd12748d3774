"""Budgets for machine code and caps on definitions (issue 16, item 2), over the real app.

A costly CEL evaluation is refused before it starts (500 ``machine-implementation-error``
naming the expression and the limit), a Python function that never returns is stopped, an
oversized definition is a 400 naming the limit, and an upload is finalised off the event
loop, so the health route answers meanwhile.
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from sb_emulator import budget
from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.service.engine_runtime import EngineLoader, EngineVersion
from sb_emulator.web import create_app

pytestmark = pytest.mark.bound(seconds=60, megabytes=400)

Api = TestClient[Any, Any]

NESTED_READ = """
name: nested
machine:
  id: nested
  initial: idle
  context: {l: %s}
  states: {idle: {}}
allowRead: 'size(context.l.map(a, context.l.map(b, context.l.map(c, a + b + c)))) > 0'
allowWrite: "true"
"""

SPINNER = """
name = "spinner"
machine = {"id": "spinner", "initial": "idle",
           "states": {"idle": {"on": {"go": {"target": "busy", "cond": "spin"},
                                      "work": "working"}},
                      "busy": {},
                      "working": {"invoke": {"src": "spinService", "onError": "failed"}},
                      "failed": {}}}


def spin(context, event):
    while True:
        try:
            pass
        except Exception:  # does not swallow the watchdog's exception
            pass


guards = {"spin": spin}


async def spin_service(context, event):
    spin(context, event)


services = {"spinService": spin_service}


def allow_read(request):
    return True


def allow_write(request):
    return True
"""


def machine_yaml(name: str, states: str, extra: str = "") -> str:
    return (f"name: {name}\nmachine:\n  id: {name}\n  initial: s0\n  states: {states}\n"
            f"{extra}allowRead: \"true\"\nallowWrite: \"true\"\n")


def block_states(n: int) -> str:
    """``n`` states written one key a line, as the issue's 30k and 100k-state machines were."""
    return "\n" + "".join(f"    s{i}:\n      on:\n        go: s{(i + 1) % n}\n"
                          for i in range(n))


def flow_states(n: int) -> str:
    """``n`` states on one line, each going to the next: cheap to write, costly to load."""
    return "{" + ", ".join(f"s{i}: {{on: {{go: s{(i + 1) % n}}}}}" for i in range(n)) + "}"


@pytest.fixture
def config(tmp_path: Path) -> EmulatorConfig:
    (tmp_path / "spinner.py").write_text(SPINNER)
    return EmulatorConfig(port=0, machines=(str(tmp_path / "spinner.py"),), clock="manual",
                          settle_timeout_s=5.0, strict=True)


@pytest.fixture
async def api(aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig) -> Api:
    return await aiohttp_client(create_app(config))


@pytest.fixture
def admin(config: EmulatorConfig) -> dict[str, str]:
    return {"authorization": f"Bearer {mint_token(config, 'admin', '{}')}"}


@pytest.fixture
def short_python_budget(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(budget, "PYTHON_CALL_SECONDS", 0.3)
    return 0.3


async def send_code(api: Api, admin: Mapping[str, str], path: str, text: str,
                    body: dict[str, Any]) -> dict[str, Any]:
    """Step one and two of an upload flow: the provisional answer, once ``text`` is sent."""
    res = await api.post(path, json=body, headers=admin)
    assert res.status < 300, await res.text()
    provisional: dict[str, Any] = await res.json()
    form = aiohttp.FormData()
    for field, value in provisional["codeUploadFields"].items():
        form.add_field(field, value)
    form.add_field("file", io.BytesIO(text.encode()), filename="m.js",
                   content_type="application/javascript")
    res = await api.session.post(provisional["codeUploadUrl"], data=form)
    assert res.status < 300, await res.text()
    return provisional


async def upload(api: Api, admin: Mapping[str, str], name: str, text: str
                 ) -> aiohttp.ClientResponse:
    """Create machine ``name`` and go through the upload flow with ``text``; the finalise
    answer."""
    res = await api.post("/machines", json={"slug": name}, headers=admin)
    assert res.status < 300, await res.text()
    provisional = await send_code(api, admin, f"/machines/{name}/v", text, {})
    return await api.put(f"/machines/{name}/v/{provisional['machineVersionId']}",
                         json={"clientInfo": "t", "makeCurrent": True}, headers=admin)


async def health(api: Api) -> int:
    res = await api.get("/_emulator/health", timeout=aiohttp.ClientTimeout(total=20))
    return res.status


# -- CEL ---------------------------------------------------------------------------------------


async def test_nested_map_authorizer_is_refused_naming_expression_and_limit(
        api: Api, admin: dict[str, str]) -> None:
    res = await upload(api, admin, "nested", NESTED_READ % list(range(100)))
    assert res.status == 200, await res.text()
    res = await api.post("/machines/nested", json={"slug": "n1"}, headers=admin)
    assert res.status == 200, await res.text()
    res = await api.get("/machines/nested/i/n1", headers=admin)
    assert res.status == 500, await res.text()
    body = await res.json()
    assert body["code"] == "machine-implementation-error"
    assert "context.l.map(a, context.l.map(b" in body["error"]
    assert f"over the limit of {budget.MAX_CEL_COST:,}" in body["error"]
    assert await health(api) == 200


async def test_nested_map_authorizer_over_small_data_still_runs(
        api: Api, admin: dict[str, str]) -> None:
    res = await upload(api, admin, "nested", NESTED_READ % [1, 2, 3])
    assert res.status == 200, await res.text()
    res = await api.post("/machines/nested", json={"slug": "n1"}, headers=admin)
    assert res.status == 200, await res.text()
    res = await api.get("/machines/nested/i/n1", headers=admin)
    assert res.status == 200, await res.text()


async def test_guard_over_budget_refuses_the_event_and_changes_nothing(
        api: Api, admin: dict[str, str]) -> None:
    text = machine_yaml(
        "guarded", "{s0: {on: {go: {target: s1, cond: costly}}}, s1: {}}",
        "guards:\n  costly: 'event.l.map(a, event.l.map(b, a + b)).size() > 0'\n")
    res = await upload(api, admin, "guarded", text)
    assert res.status == 200, await res.text()
    res = await api.post("/machines/guarded", json={"slug": "g1"}, headers=admin)
    assert res.status == 200, await res.text()
    res = await api.post("/machines/guarded/i/g1/events",
                         json={"event": {"type": "go", "l": list(range(1000))}}, headers=admin)
    assert res.status == 500, await res.text()
    body = await res.json()
    assert body["code"] == "machine-implementation-error"
    assert "event.l.map(a, event.l.map(b, a + b))" in body["error"]
    res = await api.get("/machines/guarded/i/g1", headers=admin)
    assert (await res.json())["state"] == "s0"
    res = await api.post("/machines/guarded/i/g1/events",
                         json={"event": {"type": "go", "l": [1, 2]}}, headers=admin)
    assert res.status == 200, await res.text()
    assert (await res.json())["state"] == "s1"


async def test_six_nested_maps_are_refused_at_upload(api: Api, admin: dict[str, str]) -> None:
    six = "l.map(a, l.map(b, l.map(c, l.map(d, l.map(e, l.map(f, 1))))))"
    text = NESTED_READ.replace("context.l.map(a, context.l.map(b, context.l.map(c, a + b + c)))",
                               six.replace("l.map", "context.l.map")) % list(range(10))
    res = await upload(api, admin, "nested", text)
    assert res.status == 400, await res.text()
    body = await res.json()
    assert body["code"] == "invalid-definition"
    assert "nests 6 macros" in body["error"]
    assert f"over the limit of {budget.MAX_MACRO_DEPTH}" in body["error"]
    assert "allowRead" in body["error"]


async def test_overlong_expression_is_refused_at_upload(api: Api, admin: dict[str, str]) -> None:
    long_guard = " || ".join(["context.count > 1"] * 700)  # ~14,000 characters
    text = machine_yaml("long", "{s0: {on: {go: {target: s0, cond: big}}}}",
                        f"guards:\n  big: '{long_guard}'\n")
    res = await upload(api, admin, "long", text)
    assert res.status == 400, await res.text()
    body = await res.json()
    assert body["code"] == "invalid-definition"
    assert f"over the limit of {budget.MAX_EXPRESSION_CHARS:,}" in body["error"]
    assert "guards.big" in body["error"]


# -- definition caps ---------------------------------------------------------------------------


@pytest.mark.bound(seconds=30, megabytes=300)
async def test_more_states_than_the_cap_is_a_400_naming_it(api: Api, admin: dict[str, str]
                                                          ) -> None:
    n = budget.MAX_STATES + 2_000
    res = await upload(api, admin, "big", machine_yaml("big", flow_states(n)))
    assert res.status == 400, await res.text()
    body = await res.json()
    assert body["code"] == "definition-too-large"
    assert f"{n:,} states is over the limit of {budget.MAX_STATES:,}" in body["error"]
    assert "big.yaml" in body["error"] and "machine" in body["error"]


@pytest.mark.bound(seconds=30, megabytes=300)
@pytest.mark.parametrize("states", [30_000, 100_000])
async def test_huge_definition_is_refused_before_parsing(api: Api, admin: dict[str, str],
                                                         states: int) -> None:
    text = machine_yaml("huge", block_states(states))
    assert len(text) > budget.MAX_DEFINITION_CHARS  # 30,000 states: 1.2 MB, 100,000: 4 MB
    res = await upload(api, admin, "huge", text)
    assert res.status == 400, await res.text()
    body = await res.json()
    assert body["code"] == "definition-too-large"
    assert f"{len(text):,} characters long, over the limit of " \
           f"{budget.MAX_DEFINITION_CHARS:,}" in body["error"]


@pytest.mark.bound(seconds=30, megabytes=300)
async def test_huge_migration_is_refused_before_parsing(api: Api, admin: dict[str, str]) -> None:
    res = await upload(api, admin, "mig", machine_yaml("mig", "{s0: {}}"))
    assert res.status == 200, await res.text()
    version = (await res.json())["machineVersionId"]
    text = "upgradeState:\n" + "".join(f"  s{i}: s0\n" for i in range(100_000))
    provisional = await send_code(api, admin, "/machines/mig/migrations", text,
                                  {"fromMachineVersionId": version,
                                   "toMachineVersionId": version})
    res = await api.put(f"/machines/mig/migrations/{provisional['machineVersionMigrationId']}",
                        headers=admin)
    assert res.status == 400, await res.text()
    body = await res.json()
    assert body["code"] == "definition-too-large"
    assert f"over the limit of {budget.MAX_DEFINITION_CHARS:,}" in body["error"]


async def test_health_answers_while_an_upload_is_finalised(
        api: Api, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The load is held until health has answered: were it on the event loop, health could
    not answer and would time out (the load gives up waiting after 15 s)."""
    loading, release = threading.Event(), threading.Event()
    real_load = EngineLoader.load

    def held_load(self: EngineLoader, source: Mapping[str, Any], machine: str
                  ) -> EngineVersion:
        if machine == "slow":
            loading.set()
            release.wait(15)
        return real_load(self, source, machine)

    monkeypatch.setattr(EngineLoader, "load", held_load)
    finalising = asyncio.create_task(upload(api, admin, "slow", machine_yaml("slow", "{s0: {}}")))
    assert await asyncio.to_thread(loading.wait, 20)
    try:
        assert await health(api) == 200
        assert not finalising.done()
    finally:
        release.set()
    res = await finalising
    assert res.status == 200, await res.text()


# -- Python definitions ------------------------------------------------------------------------


async def test_python_guard_that_never_returns_is_stopped(
        api: Api, admin: dict[str, str], short_python_budget: float) -> None:
    res = await api.post("/machines/spinner", json={"slug": "s1"}, headers=admin)
    assert res.status == 200, await res.text()
    res = await api.post("/machines/spinner/i/s1/events", json={"event": "go"}, headers=admin)
    assert res.status == 500, await res.text()
    body = await res.json()
    assert body["code"] == "machine-implementation-error"
    assert f"more than {short_python_budget:g} s" in body["error"]
    assert "spin (" in body["error"] and "spinner.py" in body["error"]
    # the emulator is not frozen, and the instance is unchanged
    assert await health(api) == 200
    res = await api.get("/machines/spinner/i/s1", headers=admin)
    assert res.status == 200
    assert (await res.json())["state"] == "idle"


async def test_python_service_that_never_awaits_is_stopped_and_rejects(
        api: Api, admin: dict[str, str], short_python_budget: float) -> None:
    res = await api.post("/machines/spinner", json={"slug": "s2"}, headers=admin)
    assert res.status == 200, await res.text()
    res = await api.post("/machines/spinner/i/s2/events", json={"event": "work"}, headers=admin)
    assert res.status == 200, await res.text()
    assert (await res.json())["state"] == "failed"
    assert await health(api) == 200
