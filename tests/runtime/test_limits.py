"""Limits (API.md §7.2, §7.5, §7.10): the context size limit, paused instances, retried and
dropped timer deliveries."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sb_emulator.clock import iso_from_ms
from sb_emulator.errors import ApiError, InvalidState, NotFound
from sb_emulator.service import Emulator
from tests.runtime.conftest import ORG, START_MS, USER, EmulatorFactory, all_transitions

LIMIT = 2_000


async def everything_about(emu: Emulator, name: str) -> dict[str, Any]:
    """The instance as every reader sees it, its history and its timers."""
    return {
        "state": await emu.get_state(ORG, "bag", name, USER),
        "admin": await emu.admin_state(ORG, "bag", name),
        "transitions": await all_transitions(emu, "bag", name),
        "timers": copy.deepcopy({k: v for k, v in emu.docs["timers"].items()
                                 if v.instance.endswith(f"/bag/{name}")}),
    }


async def logs_of(emu: Emulator, name: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = (
        await emu.get_logs(ORG, iso_from_ms(START_MS), None, "bag", name, None))["logs"]
    return entries


@pytest.fixture
async def small(emulator_factory: EmulatorFactory) -> Emulator:
    return await emulator_factory(max_context_bytes=LIMIT, settle_timeout_s=5.0)


@pytest.mark.parametrize("event", ["stash", "add"])
async def test_a_transition_over_the_context_limit_changes_nothing(small: Emulator, event: str
                                                                   ) -> None:
    await small.create_instance(ORG, "bag", "b", None, None, USER)
    await small.send_event(ORG, "bag", "b", {"type": "stash", "item": "small"}, USER)
    before = await everything_about(small, "b")
    assert len(before["timers"]) == 1

    with pytest.raises(ApiError) as err:
        await small.send_event(ORG, "bag", "b", {"type": event, "item": "x" * LIMIT}, USER)
    assert (err.value.status, err.value.code) == (400, "context-too-large")

    assert await everything_about(small, "b") == before
    assert await logs_of(small, "b") == []  # `add`'s log action never ran
    # the timer is still live: it fires as if the event never happened
    await small.advance_clock(60_000)
    assert (await small.get_state(ORG, "bag", "b", USER))["state"] == "expired"
    assert (await small.admin_state(ORG, "bag", "b"))["context"] == {"items": ["small"]}


async def test_a_context_of_exactly_the_limit_is_allowed(small: Emulator) -> None:
    item = "x" * (LIMIT - len('{"items":[""]}'))  # compact UTF-8 JSON of exactly LIMIT bytes
    await small.create_instance(ORG, "bag", "b", None, None, USER)
    state = await small.send_event(ORG, "bag", "b", {"type": "add", "item": item}, USER)
    assert state["state"] == "filled"
    assert [e["log"] for e in await logs_of(small, "b")] == [f"added {len(item)} characters"]
    await small.create_instance(ORG, "bag", "c", None, None, USER)
    with pytest.raises(ApiError) as err:
        await small.send_event(ORG, "bag", "c", {"type": "add", "item": item + "x"}, USER)
    assert err.value.code == "context-too-large"
    assert (await small.get_state(ORG, "bag", "c", USER))["state"] == "open"


async def test_non_ascii_characters_count_their_utf8_bytes(small: Emulator) -> None:
    await small.create_instance(ORG, "bag", "b", None, None, USER)
    with pytest.raises(ApiError) as err:  # 700 characters, 2,100 bytes
        await small.send_event(ORG, "bag", "b", {"type": "stash", "item": "\u20ac" * 700}, USER)
    assert err.value.code == "context-too-large"


async def test_a_non_ascii_context_under_the_limit_in_utf8_is_allowed(small: Emulator) -> None:
    await small.create_instance(ORG, "bag", "b", None, None, USER)
    item = "\u20ac" * 600  # {"items":["€€…"]}: 14 + 1,800 = 1,814 bytes of UTF-8 JSON
    state = await small.send_event(ORG, "bag", "b", {"type": "stash", "item": item}, USER)
    assert state["state"] == "open"
    assert (await small.admin_state(ORG, "bag", "b"))["context"] == {"items": [item]}


async def test_the_default_limit_is_400_kb(emu: Emulator) -> None:
    await emu.create_instance(ORG, "bag", "b", None, None, USER)
    await emu.send_event(ORG, "bag", "b", {"type": "stash", "item": "x" * 390_000}, USER)
    with pytest.raises(ApiError) as err:
        await emu.send_event(ORG, "bag", "b", {"type": "stash", "item": "y" * 10_000}, USER)
    assert err.value.code == "context-too-large"
    assert len((await emu.admin_state(ORG, "bag", "b"))["context"]["items"]) == 1


async def test_an_instance_created_over_the_limit_does_not_exist(small: Emulator) -> None:
    with pytest.raises(ApiError) as err:
        await small.create_instance(ORG, "bag", "b", {"items": ["x" * LIMIT]}, None, USER)
    assert err.value.code == "context-too-large"
    with pytest.raises(NotFound):
        await small.get_state(ORG, "bag", "b", USER)
    assert small.docs["timers"] == {}
    # the name is still free
    assert (await small.create_instance(ORG, "bag", "b", None, None, USER))["state"] == "open"


async def test_a_paused_instance_refuses_events_and_resumes_where_it_was(emu: Emulator) -> None:
    await emu.create_instance(ORG, "bag", "b", None, None, USER)
    await emu.send_event(ORG, "bag", "b", {"type": "stash", "item": "one"}, USER)
    await emu.set_status(ORG, "bag", "b", "paused")
    before = await everything_about(emu, "b")
    assert before["admin"]["status"] == "paused"
    assert (await emu.list_instances(ORG, "bag", None))["instances"][0]["status"] == "paused"

    with pytest.raises(InvalidState) as err:
        await emu.send_event(ORG, "bag", "b", {"type": "add", "item": "two"}, USER)
    assert (err.value.status, err.value.code) == (409, "invalid-state")
    assert await everything_about(emu, "b") == before

    await emu.set_status(ORG, "bag", "b", "running")
    state = await emu.send_event(ORG, "bag", "b", {"type": "add", "item": "two"}, USER)
    assert state["state"] == "filled"
    assert (await emu.admin_state(ORG, "bag", "b"))["context"] == {"items": ["one", "two"]}
    assert (await emu.admin_state(ORG, "bag", "b"))["status"] == "running"


async def test_timer_deliveries_to_a_paused_instance_are_retried_then_dropped(emu: Emulator
                                                                              ) -> None:
    await emu.create_instance(ORG, "bag", "b", None, None, USER)
    await emu.set_status(ORG, "bag", "b", "paused")
    transitions = await all_transitions(emu, "bag", "b")
    retry = emu.settings.retry_delay_ms

    await emu.advance_clock(60_000)  # first attempt
    (timer,) = (await everything_about(emu, "b"))["timers"].values()
    assert timer.attempts == 1
    assert timer.due_ms == emu.clock.now_ms() + retry
    for attempt in (2, 3, 4):
        await emu.advance_clock(retry)
        (timer,) = (await everything_about(emu, "b"))["timers"].values()
        assert timer.attempts == attempt
    await emu.advance_clock(retry)  # fifth and last attempt

    assert (await everything_about(emu, "b"))["timers"] == {}
    logs = await logs_of(emu, "b")
    assert [entry["outputType"] for entry in logs] == ["stderr"] * 5
    assert all("retrying" in entry["log"] for entry in logs[:4])
    assert "dropped after 5 failed attempts" in logs[4]["log"]
    assert "xstate.after(60000)#bag.open" in logs[4]["log"]

    await emu.set_status(ORG, "bag", "b", "running")
    await emu.advance_clock(10 * retry)
    assert (await emu.get_state(ORG, "bag", "b", USER))["state"] == "open"  # never delivered
    assert await all_transitions(emu, "bag", "b") == transitions


async def test_a_retried_timer_is_delivered_once_the_instance_runs_again(emu: Emulator) -> None:
    await emu.create_instance(ORG, "bag", "b", None, None, USER)
    await emu.set_status(ORG, "bag", "b", "paused")
    await emu.advance_clock(60_000)
    await emu.set_status(ORG, "bag", "b", "running")
    await emu.advance_clock(emu.settings.retry_delay_ms - 1)
    assert (await emu.get_state(ORG, "bag", "b", USER))["state"] == "open"
    await emu.advance_clock(1)
    assert (await emu.get_state(ORG, "bag", "b", USER))["state"] == "expired"
    assert len(await logs_of(emu, "b")) == 1
