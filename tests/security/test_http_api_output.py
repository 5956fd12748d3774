"""The HTTP API with hostile handler and mapper output (issue 16, #4 and #5).

Instance names from a handler follow the REST rule; a response mapper's status and headers
must be something HTTP can carry, else the emulator answers its own 500
``machine-implementation-error`` naming what was wrong (the machine's code is at fault).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sb_emulator.config import EmulatorConfig
from sb_emulator.service.payload_limits import MAX_EVENT_BYTES
from sb_emulator.web import create_app
from tests.security.helpers import Api, admin_headers, assert_responsive, security_config


@pytest.fixture
def config() -> EmulatorConfig:
    return security_config()


@pytest.fixture
async def api(aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig) -> Api:
    return await aiohttp_client(create_app(config))


def _path(config: EmulatorConfig) -> str:
    return f"/http-api/{config.org_id}/machines/probe/answer"


async def _instances(api: Api, config: EmulatorConfig) -> list[str]:
    res = await api.get("/machines/probe/i", headers=admin_headers(config))
    return [i["slug"] for i in (await res.json())["instances"]]


@pytest.mark.parametrize("name", ["../../etc/passwd", "a\x00b", "a" * 129, "a" * 100_000,
                                  "trailing-newline\n", 42],
                         ids=["traversal", "nul", "129-chars", "100k-chars", "newline", "number"])
async def test_bad_instance_names_from_a_handler_are_refused(
        api: Api, config: EmulatorConfig, name: Any) -> None:
    res = await api.post(_path(config), json={"name": name, "status": 200, "headers": {}})
    assert res.status == 400, await res.text()
    body = await res.json()
    assert body["code"] == "http-api-handler-failed"
    assert "machineInstanceName" in body["error"]
    assert len(body["error"]) < 500  # a huge name is not echoed whole
    assert await _instances(api, config) == []
    await assert_responsive(api, config)


async def test_a_valid_name_and_response_go_through(api: Api, config: EmulatorConfig) -> None:
    body = {"name": "a" * 128, "status": 201, "headers": {"x-probe": "yes", "x-count": 3}}
    res = await api.post(_path(config), json=body)
    assert res.status == 201, await res.text()
    assert res.headers["x-probe"] == "yes"
    assert res.headers["x-count"] == "3"
    assert await res.json() == {"ok": True}
    assert await _instances(api, config) == ["a" * 128]


@pytest.mark.parametrize(("status", "headers", "mentions"), [
    (99, {}, "statusCode"),
    (1000, {}, "statusCode"),
    (-1, {}, "statusCode"),
    (1e20, {}, "statusCode"),
    (200.5, {}, "statusCode"),
    ("two hundred", {}, "statusCode"),
    (True, {}, "statusCode"),
    (200, {"bad name": "x"}, "header name 'bad name'"),
    (200, {"": "x"}, "header name ''"),
    (200, {"x-split": "a\r\nSet-Cookie: evil=1"}, "'x-split' contains CR, LF or NUL"),
    (200, {"x-lf": "a\nb"}, "'x-lf' contains CR, LF or NUL"),
    (200, {"x-nul": "a\x00b"}, "'x-nul' contains CR, LF or NUL"),
    (200, {"x-obj": {"a": 1}}, "'x-obj' must have a text value"),
    (200, ["x"], "headers must be an object"),
], ids=["99", "1000", "minus-1", "1e20", "fraction", "text", "bool", "space-in-name",
        "empty-name", "crlf", "lf", "nul", "object-value", "headers-list"])
async def test_an_invalid_mapper_response_is_the_emulators_own_500(
        api: Api, config: EmulatorConfig, status: Any, headers: Any, mentions: str) -> None:
    res = await api.post(_path(config), json={"name": "n1", "status": status, "headers": headers})
    assert res.status == 500, await res.text()
    assert "set-cookie" not in res.headers
    body = await res.json()
    assert body["code"] == "machine-implementation-error"
    assert "responseMapper of 'answer'" in body["error"]
    assert mentions in body["error"]
    await assert_responsive(api, config)


async def test_an_oversized_event_from_a_handler_is_refused(
        api: Api, config: EmulatorConfig) -> None:
    body = {"name": "big", "status": 200, "headers": {"x-pad": "x" * MAX_EVENT_BYTES}}
    res = await api.post(_path(config), json=body)
    assert res.status == 400, await res.text()
    assert (await res.json())["code"] == "event-too-large"
    assert await _instances(api, config) == []
