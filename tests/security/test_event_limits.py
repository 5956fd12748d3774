"""Events a caller may send (issue 16, #6 and #7): the wildcard type, size and depth limits.

Each refusal is a 400 in the API's error shape, and the instance is left as it was.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from sb_emulator.config import EmulatorConfig
from sb_emulator.service.payload_limits import (
    MAX_EVENT_BYTES,
    MAX_NESTING_DEPTH,
    TooDeeplyNested,
    checked_json_size,
    may_nest_past,
    nesting_exceeds,
)
from sb_emulator.web import create_app
from tests.security.helpers import Api, admin_headers, assert_responsive, security_config

EVENTS = "/machines/probe/i/one/events"


@pytest.fixture
def config() -> EmulatorConfig:
    return security_config()


@pytest.fixture
async def api(aiohttp_client: Callable[..., Awaitable[Api]], config: EmulatorConfig) -> Api:
    client = await aiohttp_client(create_app(config))
    res = await client.post("/machines/probe", json={"slug": "one"}, headers=admin_headers(config))
    assert res.status == 200, await res.text()
    return client


async def _transitions(api: Api, config: EmulatorConfig) -> list[Any]:
    res = await api.get(EVENTS, headers=admin_headers(config))
    items: list[Any] = (await res.json())["transitions"]
    return items


def _deep(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize(("event", "code", "mentions"), [
    ("*", "invalid-parameter", "wildcard"),
    ({"type": "*"}, "invalid-parameter", "wildcard"),
    ({"type": "nest", "blob": "x" * (5 * 1024 * 1024)}, "event-too-large",
     str(MAX_EVENT_BYTES)),
    ({"type": "nest", "blob": "x" * MAX_EVENT_BYTES}, "event-too-large",
     str(MAX_EVENT_BYTES)),
    ({"type": "nest", "payload": _deep(500)}, "too-deeply-nested", str(MAX_NESTING_DEPTH)),
], ids=["wildcard", "wildcard-object", "five-megabytes", "just-over", "deep-payload"])
async def test_a_refused_event_is_a_400_and_leaves_the_instance(
        api: Api, config: EmulatorConfig, event: Any, code: str, mentions: str) -> None:
    before = await _transitions(api, config)
    # a BytesIO: aiohttp warns (an error under filterwarnings) about large raw bodies
    payload = io.BytesIO(json.dumps({"event": event}).encode())
    res = await api.post(EVENTS, data=payload, headers=admin_headers(config))
    assert res.status == 400, await res.text()
    body = await res.json()
    assert body["code"] == code
    assert mentions in body["error"]
    assert await _transitions(api, config) == before
    await assert_responsive(api, config)


async def test_an_event_at_the_limits_is_delivered(api: Api, config: EmulatorConfig) -> None:
    event = {"type": "nest", "payload": _deep(MAX_NESTING_DEPTH - 1), "pad": "x" * 1000}
    res = await api.post(EVENTS, json={"event": event}, headers=admin_headers(config))
    assert res.status == 200, await res.text()
    assert len(await _transitions(api, config)) == 2


def _random_value(rng: random.Random, depth: int) -> Any:
    """JSON values with brackets, quotes, backslashes and newlines in keys and strings."""
    if depth == 0 or rng.random() < 0.2:
        return rng.choice([1, 2.5, None, True, "}]{[", '"\\', "\n}\n  }", "{" * 5])
    if rng.random() < 0.5:
        return {rng.choice(["k", "}", '["', "\\", "\n "]) + str(i): _random_value(rng, depth - 1)
                for i in range(rng.randint(0, 3))}
    return [_random_value(rng, depth - 1) for _ in range(rng.randint(0, 3))]


def test_the_quick_depth_test_never_passes_a_value_too_deep() -> None:
    rng = random.Random(16)
    for _ in range(5000):
        value = _random_value(rng, rng.randint(1, 10))
        limit = rng.randint(1, 6)
        if nesting_exceeds(value, limit):
            assert may_nest_past(value, limit), value


def test_strings_of_brackets_do_not_hide_depth() -> None:
    # closing brackets in strings before the deep part, opening ones after: a count of
    # brackets in the text would see less depth than there is
    value = {"s": "}" * 100, "deep": _deep(MAX_NESTING_DEPTH + 1), "t": "{" * 100,
             "many": [{} for _ in range(MAX_NESTING_DEPTH)]}
    with pytest.raises(TooDeeplyNested):
        checked_json_size(value, "the context")
    shallow = {**value, "deep": _deep(MAX_NESTING_DEPTH - 1)}
    assert checked_json_size(shallow, "the context") == len(json.dumps(
        shallow, separators=(",", ":"), ensure_ascii=False).encode())
