"""A persistent child reaching its final state notifies its parent with ``done.invoke.<id>``
(the emulator's answer to API.md §7.6's open question, as an invoked XState v4 machine does).

The machines are ``quest`` (the parent) and ``trial`` (its child), both YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sb_emulator.bootstrap import build_emulator, shutdown_emulator
from sb_emulator.clock import iso_from_ms
from sb_emulator.config import EmulatorConfig
from sb_emulator.service import Emulator
from tests.runtime.conftest import MACHINES, ORG, USER, all_transitions, context_of, events_of

RETRY_MS = 30_000


async def start_quest(emu: Emulator, name: str = "q1", context: Any = None) -> str:
    """Create a quest; returns the name of the trial instance it invoked."""
    state = await emu.create_instance(ORG, "quest", name, context, None, USER)
    assert state["state"] == "questing"  # a persistent child does not hold up settling
    child = emu.instances[f"{ORG}/quest/{name}"].children["trial"]
    assert child["machine"] == "trial"
    return child["instance"]


async def state_of(emu: Emulator, machine: str, name: str) -> Any:
    return (await emu.get_state(ORG, machine, name, USER))["state"]


async def logs_of(emu: Emulator, machine: str, name: str, kind: str = "stderr") -> list[str]:
    body = await emu.get_logs(ORG, iso_from_ms(0), None, machine, name, None)
    return [e["log"] for e in body["logs"] if e["outputType"] == kind]


async def test_the_parent_gets_done_invoke_with_the_final_states_data(emu: Emulator) -> None:
    trial = await start_quest(emu)
    await emu.send_event(ORG, "trial", trial, "score", USER)
    await emu.send_event(ORG, "trial", trial, "score", USER)
    state = await emu.send_event(ORG, "trial", trial, "finish", USER)
    assert state["done"] is True and state["state"] == "passed"
    assert await state_of(emu, "quest", "q1") == "rewarded"
    assert (await context_of(emu, "quest", "q1"))["reward"] == {"hero": "tester", "score": 2}
    done = (await all_transitions(emu, "quest", "q1"))[-1]["event"]
    assert done == {"type": "done.invoke.trial", "data": {"hero": "tester", "score": 2}}
    assert emu.docs["timers"] == {}
    assert await logs_of(emu, "trial", trial) == []


async def test_the_final_states_own_actions_reach_the_parent_first(emu: Emulator) -> None:
    trial = await start_quest(emu)
    await emu.send_event(ORG, "trial", trial, "finish", USER)
    assert await events_of(emu, "quest", "q1") == [
        "xstate.init", "cheered", "done.invoke.trial"]
    assert (await context_of(emu, "quest", "q1"))["cheers"] == 1


async def test_a_final_state_without_data_sends_no_data(emu: Emulator) -> None:
    trial = await start_quest(emu)
    await emu.send_event(ORG, "trial", trial, "abandon", USER)
    assert await state_of(emu, "quest", "q1") == "defeated"
    assert (await all_transitions(emu, "quest", "q1"))[-1]["event"] == {
        "type": "done.invoke.trial"}


async def test_a_child_created_final_notifies_its_parent(emu: Emulator) -> None:
    await start_quest(emu, context={"instant": True})
    assert await state_of(emu, "quest", "q1") == "rewarded"
    assert (await context_of(emu, "quest", "q1"))["reward"] == {"hero": "tester", "score": 0}
    assert await events_of(emu, "quest", "q1") == [
        "xstate.init", "cheered", "done.invoke.trial"]


async def test_a_done_child_notifies_only_once(emu: Emulator) -> None:
    trial = await start_quest(emu)
    await emu.send_event(ORG, "trial", trial, "finish", USER)
    await emu.send_event(ORG, "trial", trial, "score", USER)  # ignored by a done machine
    await emu.send_event(ORG, "trial", trial, "abandon", USER)
    assert await events_of(emu, "quest", "q1") == [
        "xstate.init", "cheered", "done.invoke.trial"]
    assert emu.docs["timers"] == {}


async def test_the_parents_authorizer_sees_the_child_and_may_refuse(emu: Emulator) -> None:
    trial = await start_quest(emu)
    await emu.send_event(ORG, "quest", "q1", "refuseTrial", USER)
    await emu.send_event(ORG, "trial", trial, "abandon", USER)
    assert await state_of(emu, "quest", "q1") == "questing"
    (line,) = await logs_of(emu, "trial", trial)
    assert "'done.invoke.trial' to the parent dropped" in line
    assert emu.docs["timers"] == {}  # a refusal is final


async def test_a_paused_parent_gets_the_notice_when_a_retry_finds_it_running(emu: Emulator
                                                                             ) -> None:
    trial = await start_quest(emu)
    await emu.set_status(ORG, "quest", "q1", "paused")
    await emu.send_event(ORG, "trial", trial, "abandon", USER)
    (timer,) = emu.docs["timers"].values()
    assert (timer.to, timer.attempts) == ("#_parent", 1)
    assert timer.event == {"type": "done.invoke.trial"}
    assert "retrying in 30000 ms" in (await logs_of(emu, "trial", trial))[-1]
    await emu.advance_clock(RETRY_MS)  # the second attempt: still paused
    assert emu.docs["timers"][next(iter(emu.docs["timers"]))].attempts == 2
    await emu.set_status(ORG, "quest", "q1", "running")
    await emu.advance_clock(RETRY_MS)
    assert await state_of(emu, "quest", "q1") == "defeated"
    assert emu.docs["timers"] == {}


async def test_a_notice_that_keeps_failing_is_dropped_after_five_attempts(emu: Emulator) -> None:
    trial = await start_quest(emu)
    await emu.set_status(ORG, "quest", "q1", "paused")
    await emu.send_event(ORG, "trial", trial, "abandon", USER)
    for _ in range(4):
        await emu.advance_clock(RETRY_MS)
    assert emu.docs["timers"] == {}
    assert "dropped after 5 failed attempts" in (await logs_of(emu, "trial", trial))[-1]
    await emu.set_status(ORG, "quest", "q1", "running")
    await emu.advance_clock(2 * RETRY_MS)
    assert await state_of(emu, "quest", "q1") == "questing"


async def test_a_deleted_parent_is_logged_on_the_child(emu: Emulator) -> None:
    from sb_emulator import ids

    trial = await start_quest(emu)
    await emu.delete_instance(ORG, "quest", "q1", {
        "dangerDataWillBeDeletedForever": True,
        "hmacSha256OfMachineInstanceNameWithMachineNameKey": ids.hmac_confirmation("quest", "q1")})
    await emu.send_event(ORG, "trial", trial, "abandon", USER)
    (line,) = await logs_of(emu, "trial", trial)
    assert line == "event 'done.invoke.trial' to the parent dropped: no such instance quest/q1"
    assert emu.docs["timers"] == {}


async def test_a_child_stored_without_its_invoke_id_finds_it_at_the_parent(emu: Emulator
                                                                           ) -> None:
    """Children created before parents were told the invoke id (stored data of older runs)."""
    trial = await start_quest(emu)
    child = emu.instances[f"{ORG}/trial/{trial}"]
    assert child.parent is not None and child.parent.pop("invokeId") == "trial"
    await emu.send_event(ORG, "trial", trial, "finish", USER)
    assert await state_of(emu, "quest", "q1") == "rewarded"


def config_for(data_dir: Path) -> EmulatorConfig:
    return EmulatorConfig(machines=(str(MACHINES),), clock="manual", settle_timeout_s=5.0,
                          data_dir=str(data_dir))


async def test_the_notice_is_stored_with_the_finishing_transition(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash after the child's transition was stored and before the notice went out: the
    notice is a stored timer, due at once, that the restarted emulator delivers, after the
    final state's own sendParent (stored with it), as XState orders them."""
    config = config_for(tmp_path)
    emu = await build_emulator(config)
    trial = await start_quest(emu)

    async def crash_before_sending(child: Any, timer_id: str) -> None:
        return None

    monkeypatch.setattr(emu.children, "_send_stored", crash_before_sending)
    await emu.send_event(ORG, "trial", trial, "finish", USER)
    assert await state_of(emu, "quest", "q1") == "questing"
    await shutdown_emulator(emu, config)

    emu = await build_emulator(config)
    try:
        cheer, notice = (doc for _, doc in sorted(emu.docs["timers"].items()))
        assert cheer.event["type"] == "cheered" and cheer.attempts == 0
        assert notice.event["type"] == "done.invoke.trial" and notice.attempts == 0
        await emu.advance_clock(0)
        assert await state_of(emu, "quest", "q1") == "rewarded"
        assert await events_of(emu, "quest", "q1") == [
            "xstate.init", "cheered", "done.invoke.trial"]
        assert emu.docs["timers"] == {}
    finally:
        await shutdown_emulator(emu, config)
