"""Persistent children and events between instances (API.md §7.4, §7.6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sb_emulator.bootstrap import build_emulator, shutdown_emulator
from sb_emulator.clock import iso_from_ms
from sb_emulator.config import EmulatorConfig
from sb_emulator.errors import RejectedByMachineAuthorizer
from sb_emulator.service import Emulator
from tests.runtime.conftest import MACHINES, ORG, USER, context_of, events_of
from tests.runtime.machines._probe import AUTHORIZED

P1_SENDER = {"stateBackedSender": {"machineName": "parent", "machineInstanceName": "p1"}}
C1_SENDER = {"stateBackedSender": {"machineName": "child", "machineInstanceName": "c1"}}


@pytest.fixture
async def family(emu: Emulator) -> Emulator:
    AUTHORIZED.clear()
    state = await emu.create_instance(ORG, "parent", "p1", None, None, USER)
    assert state["state"] == "waiting"  # a persistent child does not hold up settling
    return emu


def requests_to(machine: str) -> list[dict[str, Any]]:
    return [request for name, request in AUTHORIZED if name == machine]


async def stderr_of(emu: Emulator, machine: str, name: str) -> list[str]:
    body = await emu.get_logs(ORG, iso_from_ms(0), None, machine, name, None)
    return [e["log"] for e in body["logs"] if e["outputType"] == "stderr"]


async def test_the_parent_creates_its_persistent_child_with_the_invoke_data(family: Emulator
                                                                           ) -> None:
    assert (await family.get_state(ORG, "child", "c1", USER))["state"] == "listening"
    assert await context_of(family, "child", "c1") == {
        "owner": "tester", "greeting": "hello", "heard": 0}
    assert [i["slug"] for i in (await family.list_instances(ORG, "child", None))["instances"]
            ] == ["c1"]


async def test_the_childs_allow_write_sees_the_parent_as_sender(family: Emulator) -> None:
    (creation,) = requests_to("child")
    assert creation["type"] == "initialization"
    assert creation["machineInstanceName"] == "c1"
    assert creation["authContext"] == P1_SENDER
    assert creation["context"] == {"owner": "tester", "greeting": "hello"}


async def test_the_child_refuses_to_be_created_by_a_user(emu: Emulator) -> None:
    with pytest.raises(RejectedByMachineAuthorizer):
        await emu.create_instance(ORG, "child", "c2", None, None, USER)


async def test_send_parent_from_the_child_reaches_the_parent(family: Emulator) -> None:
    AUTHORIZED.clear()
    await family.send_event(ORG, "child", "c1", "ping", USER)
    assert (await family.get_state(ORG, "parent", "p1", USER))["state"] == "acknowledged"
    assert (await context_of(family, "parent", "p1"))["pings"] == 1
    (to_parent,) = requests_to("parent")
    assert to_parent["authContext"] == C1_SENDER
    assert to_parent["event"] == {"type": "childPinged"}
    # the child outlives the state that invoked it
    await family.send_event(ORG, "child", "c1", "ping", USER)
    assert (await context_of(family, "parent", "p1"))["pings"] == 2
    assert await events_of(family, "parent", "p1") == [
        "xstate.init", "childPinged", "childPinged"]


async def test_the_parent_sends_to_its_child_by_invoke_id(family: Emulator) -> None:
    await family.send_event(ORG, "parent", "p1", "tellChild", USER)
    assert (await context_of(family, "child", "c1"))["heard"] == 1
    assert requests_to("child")[-1]["authContext"] == P1_SENDER


async def test_a_send_to_a_missing_instance_is_logged_on_the_sender(family: Emulator) -> None:
    state = await family.send_event(ORG, "parent", "p1", "poke", USER)
    assert state["state"] == "waiting"
    (line,) = await stderr_of(family, "parent", "p1")
    assert "'hello'" in line and "child/ghost" in line and "no such instance" in line
    assert "ghost" not in [i["slug"] for i in
                           (await family.list_instances(ORG, "child", None))["instances"]]


async def test_a_child_that_cannot_be_created_is_logged_on_the_parent(family: Emulator) -> None:
    await family.create_instance(ORG, "parent", "p2", None, None, USER)  # wants c1 too
    (line,) = await stderr_of(family, "parent", "p2")
    assert "could not create child child/c1" in line
    assert await stderr_of(family, "parent", "p1") == []


async def test_a_delayed_send_parent_is_a_durable_timer(family: Emulator) -> None:
    await family.send_event(ORG, "child", "c1", "pingLater", USER)
    (timer,) = family.docs["timers"].values()
    assert (timer.to, timer.event) == ("#_parent", {"type": "childPinged"})
    await family.advance_clock(999)
    assert (await family.get_state(ORG, "parent", "p1", USER))["state"] == "waiting"
    await family.advance_clock(1)
    assert (await family.get_state(ORG, "parent", "p1", USER))["state"] == "acknowledged"
    assert requests_to("parent")[-1]["authContext"] == C1_SENDER
    assert family.docs["timers"] == {}


async def test_a_send_to_a_paused_instance_is_retried_until_it_resumes(family: Emulator) -> None:
    await family.set_status(ORG, "child", "c1", "paused")
    await family.send_event(ORG, "parent", "p1", "tellChild", USER)
    assert (await context_of(family, "child", "c1"))["heard"] == 0
    (retry,) = family.docs["timers"].values()
    assert retry.attempts == 1 and retry.to["machineInstanceName"] == "c1"
    await family.advance_clock(30_000)  # second attempt: still paused
    assert (await context_of(family, "child", "c1"))["heard"] == 0
    await family.set_status(ORG, "child", "c1", "running")
    await family.advance_clock(30_000)
    assert (await context_of(family, "child", "c1"))["heard"] == 1
    assert family.docs["timers"] == {}


async def test_a_send_that_keeps_failing_is_dropped_after_five_attempts(family: Emulator) -> None:
    await family.set_status(ORG, "child", "c1", "paused")
    await family.send_event(ORG, "parent", "p1", "tellChild", USER)
    for _ in range(4):
        await family.advance_clock(30_000)
    assert family.docs["timers"] == {}
    lines = await stderr_of(family, "parent", "p1")
    assert sum("retrying" in line for line in lines) == 4  # attempts 1 to 4 failed
    assert "dropped after 5 failed attempts" in lines[-1]
    await family.set_status(ORG, "child", "c1", "running")
    await family.advance_clock(60_000)
    assert (await context_of(family, "child", "c1"))["heard"] == 0


async def test_a_send_is_stored_with_the_transition_that_sent_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash after the child's `ping` transition was stored and before its sendParent went
    out: the send is a stored timer, due at once, that the restarted emulator delivers (once)."""
    config = EmulatorConfig(machines=(str(MACHINES),), clock="manual", settle_timeout_s=5.0,
                            data_dir=str(tmp_path))
    emu = await build_emulator(config)
    await emu.create_instance(ORG, "parent", "p1", None, None, USER)

    async def crash_before_sending(sender: Any, timer_id: str) -> None:
        return None

    monkeypatch.setattr(emu.children, "_send_stored", crash_before_sending)
    await emu.send_event(ORG, "child", "c1", "ping", USER)
    assert (await emu.get_state(ORG, "parent", "p1", USER))["state"] == "waiting"
    await shutdown_emulator(emu, config)

    emu = await build_emulator(config)
    try:
        (timer,) = emu.docs["timers"].values()
        assert timer.event == {"type": "childPinged"}
        assert timer.to == {"type": "statebacked.instance", "machineName": "parent",
                               "machineInstanceName": "p1"}
        await emu.advance_clock(0)
        assert (await emu.get_state(ORG, "parent", "p1", USER))["state"] == "acknowledged"
        assert (await context_of(emu, "parent", "p1"))["pings"] == 1
        assert emu.docs["timers"] == {}
        await emu.advance_clock(60_000)  # nothing left to send again
        assert (await context_of(emu, "parent", "p1"))["pings"] == 1
    finally:
        await shutdown_emulator(emu, config)


async def test_a_sent_event_leaves_no_timer_behind(family: Emulator) -> None:
    await family.send_event(ORG, "parent", "p1", "tellChild", USER)
    await family.send_event(ORG, "child", "c1", "ping", USER)
    assert (await context_of(family, "child", "c1"))["heard"] == 1
    assert (await context_of(family, "parent", "p1"))["pings"] == 1
    assert family.docs["timers"] == {}
