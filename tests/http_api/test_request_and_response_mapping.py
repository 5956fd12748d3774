"""How the raw request reaches a handler and how a mapper's output goes back (API.md §8.2):
the Python-defined `echo` machine and the YAML-defined `ycounter`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sb_emulator.config import EmulatorConfig
from tests.http_api.conftest import Api, bearer, http_api_path

OK = {"x-ok": "yes"}


@pytest.fixture
def order_kind() -> str:
    """These tests do not involve `order`: load one of its definitions only."""
    return "yaml"


def echo_url(config: EmulatorConfig, slug: str = "echo") -> str:
    return http_api_path(config, "echo", slug)


async def admin_context(api: Api, sb_token: Callable[..., str], machine: str, name: str) -> Any:
    res = await api.get(f"/machines/{machine}/i/{name}/admin", headers=bearer(sb_token()))
    return (await res.json())["context"] if res.status == 200 else None


async def test_handler_sees_json_body_lower_case_headers_method_and_query(
    api: Api, config: EmulatorConfig
) -> None:
    res = await api.post(
        echo_url(config) + "?i=e1&a=1&a=2&b=x",
        json={"n": 1, "nested": {"ok": [1, 2]}},
        headers={**OK, "X-Custom-Header": "Hello"},
    )
    assert res.status == 201
    assert res.headers["x-calls"] == "1"
    assert res.headers["content-type"].startswith("application/json")
    seen = await res.json()
    assert seen["body"] == {"n": 1, "nested": {"ok": [1, 2]}}
    assert seen["method"] == "POST"
    assert seen["query"] == {"i": "e1", "a": "2", "b": "x"}  # last value wins, as fromEntries
    assert seen["headers"]["x-custom-header"] == "Hello"
    assert seen["headers"]["content-type"] == "application/json"
    assert all(name == name.lower() for name in seen["headers"])


@pytest.mark.parametrize(
    ("content_type", "payload", "expected"),
    [
        (
            "application/x-www-form-urlencoded",
            "a=1&b=two+words&empty=",
            {"a": "1", "b": "two words", "empty": ""},
        ),
        ("text/plain", "just text", "just text"),
        ("application/xml", "<a>1</a>", "<a>1</a>"),
        ("application/vnd.api+json", '{"data": [1]}', {"data": [1]}),
        ("application/json; charset=utf-8", '{"é": "ü"}', {"é": "ü"}),
    ],
)
async def test_body_is_parsed_by_content_type(
    api: Api, config: EmulatorConfig, content_type: str, payload: str, expected: Any
) -> None:
    res = await api.put(
        echo_url(config),
        data=payload.encode("utf-8"),
        headers={**OK, "content-type": content_type},
    )
    assert res.status == 201, await res.text()
    seen = await res.json()
    assert seen["method"] == "PUT"
    assert seen["body"] == expected


async def test_absent_body_is_null(api: Api, config: EmulatorConfig) -> None:
    res = await api.get(echo_url(config), headers=OK)
    assert res.status == 201
    assert (await res.json())["body"] is None


async def test_invalid_json_is_400_and_creates_nothing(
    api: Api, config: EmulatorConfig, sb_token: Callable[..., str]
) -> None:
    res = await api.post(
        echo_url(config), data=b"{nope", headers={**OK, "content-type": "application/json"}
    )
    assert res.status == 400
    assert (await res.json())["code"] == "invalid-parameter"
    assert await admin_context(api, sb_token, "echo", "e1") is None


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_every_method_reaches_the_handler(
    api: Api, config: EmulatorConfig, method: str
) -> None:
    res = await api.request(method, echo_url(config), headers=OK)
    assert res.status == 201
    assert (await res.json())["method"] == method


async def test_head_reaches_the_handler_and_sends_no_body(
    api: Api, config: EmulatorConfig, sb_token: Callable[..., str]
) -> None:
    res = await api.head(echo_url(config), headers=OK)
    assert res.status == 201
    assert res.headers["x-calls"] == "1"
    assert await res.read() == b""
    context = await admin_context(api, sb_token, "echo", "e1")
    assert context["last"]["method"] == "HEAD"


async def test_browser_preflight_is_left_to_the_handler(api: Api, config: EmulatorConfig) -> None:
    res = await api.options(
        echo_url(config),
        headers={**OK, "origin": "http://localhost:3000", "access-control-request-method": "POST"},
    )
    assert res.status == 201
    assert (await res.json())["method"] == "OPTIONS"


async def test_string_body_is_sent_as_text_with_the_mapped_status(
    api: Api, config: EmulatorConfig
) -> None:
    res = await api.post(echo_url(config, "text"), json={}, headers=OK)
    assert res.status == 202
    assert res.headers["content-type"].startswith("text/plain")
    assert await res.text() == "calls=1"


async def test_python_mapper_that_throws_falls_back_to_200_ok_after_delivering(
    api: Api, config: EmulatorConfig, sb_token: Callable[..., str]
) -> None:
    res = await api.post(echo_url(config, "explode"), json={"x": 1}, headers=OK)
    assert res.status == 200
    assert await res.json() == {"ok": True}
    context = await admin_context(api, sb_token, "echo", "e1")
    assert context["calls"] == 1  # the event was delivered before the mapper failed


async def test_result_is_the_output_once_final_and_null_before(
    api: Api, config: EmulatorConfig
) -> None:
    res = await api.post(echo_url(config, "peek"), json={}, headers=OK)
    assert await res.json() == {"state": "idle", "result": None}
    res = await api.post(echo_url(config, "finish"), json={}, headers=OK)
    assert await res.json() == {"state": "done", "result": {"calls": 1}}


async def test_async_handler_and_mapper(api: Api, config: EmulatorConfig) -> None:
    for expected in (1, 2):
        res = await api.post(echo_url(config, "async"), json={}, headers=OK)
        assert res.status == 200
        assert await res.json() == {"calls": expected}


async def test_allow_write_rejecting_creation_is_403_and_creates_nothing(
    api: Api, config: EmulatorConfig, sb_token: Callable[..., str]
) -> None:
    res = await api.post(echo_url(config), json={})  # no x-ok: authContext {"ok": false}
    assert res.status == 403
    assert (await res.json())["code"] == "rejected-by-machine-authorizer"
    assert await admin_context(api, sb_token, "echo", "e1") is None


async def test_handler_without_initial_context_for_a_missing_instance_is_404(
    api: Api, config: EmulatorConfig
) -> None:
    res = await api.post(echo_url(config, "no-instance"), json={}, headers=OK)
    assert res.status == 404
    assert (await res.json())["code"] == "not-found"


async def test_yaml_mapper(api: Api, config: EmulatorConfig) -> None:
    url = http_api_path(config, "ycounter", "add") + "?name=c1"
    for expected in (5, 10):
        res = await api.post(url, json={"by": 5})
        assert res.status == 200
        assert res.headers["content-type"].startswith("application/json")
        assert await res.json() == {"count": expected}


async def test_yaml_mapper_that_throws_falls_back_to_200_ok_after_delivering(
    api: Api, config: EmulatorConfig
) -> None:
    broken = http_api_path(config, "ycounter", "add-broken") + "?name=c1"
    res = await api.post(broken, json={"by": 3})
    assert res.status == 200
    assert await res.json() == {"ok": True}
    res = await api.post(http_api_path(config, "ycounter", "add") + "?name=c1", json={"by": 4})
    assert await res.json() == {"count": 7}
