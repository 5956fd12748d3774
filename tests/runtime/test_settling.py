"""Settling (API.md §7.3): requests wait for invoked services; the settle timeout."""

from __future__ import annotations

import time

from sb_emulator.service import Emulator
from tests.runtime.conftest import ORG, USER, EmulatorFactory, context_of, events_of
from tests.runtime.machines._probe import SERVICE_EVENTS
from tests.waiting import wait_until


async def test_create_waits_for_a_yaml_service_with_a_delay(emu: Emulator) -> None:
    started = time.monotonic()
    state = await emu.create_instance(ORG, "waiter", "w1", None, None, USER)
    assert time.monotonic() - started >= 0.045  # the service's 50 ms delay was awaited
    assert state["state"] == "idle"
    assert await context_of(emu, "waiter", "w1") == {
        "quote": {"price": 12, "currency": "EUR"}, "error": None}
    assert await events_of(emu, "waiter", "w1") == ["xstate.init", "done.invoke.quote"]


async def test_send_waits_for_a_yaml_service_again(emu: Emulator) -> None:
    await emu.create_instance(ORG, "waiter", "w1", None, None, USER)
    state = await emu.send_event(ORG, "waiter", "w1", "requote", USER)
    assert state["state"] == "idle"
    assert (await events_of(emu, "waiter", "w1"))[-2:] == ["requote", "done.invoke.quote"]


async def test_a_rejecting_yaml_service_takes_on_error(emu: Emulator) -> None:
    await emu.create_instance(ORG, "waiter", "w1", None, None, USER)
    state = await emu.send_event(ORG, "waiter", "w1", {"type": "fail"}, USER)
    assert state["state"] == "failed"
    assert (await context_of(emu, "waiter", "w1"))["error"] == "courier unavailable"
    assert (await events_of(emu, "waiter", "w1"))[-1] == "error.platform.broken"


async def test_send_waits_for_a_python_async_service(emu: Emulator) -> None:
    await emu.create_instance(ORG, "worker", "k1", None, None, USER)
    state = await emu.send_event(ORG, "worker", "k1", {"type": "compute", "n": 21}, USER)
    assert state["state"] == "idle"
    assert (await context_of(emu, "worker", "k1"))["result"] == {"doubled": 42}
    assert await events_of(emu, "worker", "k1") == ["xstate.init", "compute", "done.invoke.double"]


async def test_a_raising_python_service_takes_on_error(emu: Emulator) -> None:
    await emu.create_instance(ORG, "worker", "k1", None, None, USER)
    state = await emu.send_event(ORG, "worker", "k1", "explode", USER)
    assert state["state"] == "failed"
    error = (await context_of(emu, "worker", "k1"))["error"]
    assert error == {"message": "boom", "name": "ValueError"}


async def test_settle_timeout_answers_with_the_latest_state_and_stops_the_service(
        emulator_factory: EmulatorFactory) -> None:
    emu = await emulator_factory(settle_timeout_s=0.2)
    SERVICE_EVENTS.clear()
    await emu.create_instance(ORG, "worker", "k1", None, None, USER)
    state = await emu.send_event(ORG, "worker", "k1", "slow", USER)
    # answered at the settle timeout, while the 2 s service still ran (it was cancelled,
    # never finished: see SERVICE_EVENTS below)
    assert state["state"] == "slowing"
    # cancelling a task takes effect at its next step: wait for it (the service would
    # record "sleepy finished" instead had it run to its end)
    await wait_until(lambda: len(SERVICE_EVENTS) > 1)
    assert SERVICE_EVENTS == ["sleepy started", "sleepy cancelled"]
    assert await events_of(emu, "worker", "k1") == ["xstate.init", "slow"]


async def test_the_cut_off_service_error_is_delivered_before_the_next_event(
        emulator_factory: EmulatorFactory) -> None:
    emu = await emulator_factory(settle_timeout_s=0.2)
    await emu.create_instance(ORG, "worker", "k1", None, None, USER)
    await emu.send_event(ORG, "worker", "k1", "slow", USER)
    # `ack` is only handled in `timedOut`, the onError target: reaching `acknowledged` proves
    # the error event was delivered first.
    state = await emu.send_event(ORG, "worker", "k1", "ack", USER)
    assert state["state"] == "acknowledged"
    assert await events_of(emu, "worker", "k1") == [
        "xstate.init", "slow", "error.platform.sleepy", "ack"]
    assert (await context_of(emu, "worker", "k1"))["error"] == {
        "message": "service timed out while settling"}
