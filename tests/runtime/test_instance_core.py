"""The pure instance core, called directly: an input and a stored instance in, a Commit out,
nothing mutated and no clock read (time is an argument)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sb_emulator.service.core import Instance
from sb_emulator.service.engine_runtime import EngineLoader
from sb_emulator.service.instance_core import (
    CancelTimer,
    Commit,
    ContextTooLarge,
    Limits,
    OutgoingSend,
    SetTimer,
    on_create,
    on_event,
    on_upgrade,
)
from sb_emulator.service.version_runtime import VersionRuntime

MACHINES = Path(__file__).parent / "machines"
LIMITS = Limits(max_context_bytes=400_000)
T0 = 1_000


def runtime(name: str) -> VersionRuntime:
    return EngineLoader().load({"kind": "file", "path": str(MACHINES / name)}, "unused")


def instance(rt: VersionRuntime, name: str, commit: Commit,
             parent: dict[str, str] | None = None) -> Instance:
    return Instance("org", rt.name, name, "v1", commit.snapshot, T0, commit.ts, parent=parent)


def test_create_commits_the_initial_transition() -> None:
    rt = runtime("tally.yaml")
    commit = on_create(rt, "org/tally/t", "t", None, {"count": 2}, now_ms=T0, selectors={},
                       limits=LIMITS)
    assert (commit.snapshot.value, commit.snapshot.context) == ("counting", {"count": 2})
    assert commit.transition.to_json() == {"createdAtMs": T0, "state": "counting",
                                           "event": {"type": "xstate.init"}}
    assert (commit.timers, commit.sends, commit.done_event) == ((), (), None)


def test_an_event_commits_without_touching_the_instance() -> None:
    rt = runtime("tally.yaml")
    inst = instance(rt, "t", on_create(rt, "org/tally/t", "t", None, {}, now_ms=T0,
                                       selectors={}, limits=LIMITS))
    before = inst.snapshot
    commit = on_event(inst, rt, {"type": "inc"}, now_ms=T0 + 5, selectors={}, limits=LIMITS)
    assert commit.snapshot.context == {"count": 1}
    assert (commit.ts, commit.transition.created_at_ms) == (T0 + 5, T0 + 5)
    assert inst.snapshot is before


def test_timers_are_set_and_cancelled_in_effect_order() -> None:
    rt = runtime("timers.yaml")
    inst = instance(rt, "t", on_create(rt, "org/timers/t", "t", None, {}, now_ms=T0,
                                       selectors={}, limits=LIMITS))
    commit = on_event(inst, rt, {"type": "schedule"}, now_ms=T0, selectors={}, limits=LIMITS)
    (timer,) = commit.timers
    assert isinstance(timer, SetTimer) and timer.timer_id == "org/timers/t#ping"
    assert timer.timer.due_ms > T0 and timer.timer.event == {"type": "ping"}
    commit = on_event(inst, rt, {"type": "unschedule"}, now_ms=T0, selectors={}, limits=LIMITS)
    assert commit.timers == (CancelTimer("org/timers/t#ping"),)


def test_a_send_to_the_parent_is_an_outgoing_send() -> None:
    rt = runtime("child.py")
    parent = {"machine": "parent", "instance": "p1", "invokeId": "kid"}
    inst = instance(rt, "c1", on_create(rt, "org/child/c1", "c1", parent, {}, now_ms=T0,
                                        selectors={}, limits=LIMITS), parent)
    commit = on_event(inst, rt, {"type": "ping"}, now_ms=T0, selectors={}, limits=LIMITS)
    (send,) = commit.sends
    assert send == OutgoingSend(send.position, {"type": "statebacked.instance",
                                                "machineName": "parent",
                                                "machineInstanceName": "p1"},
                                {"type": "childPinged"})


def test_a_context_over_the_limit_commits_nothing() -> None:
    rt = runtime("tally.yaml")
    with pytest.raises(ContextTooLarge):
        on_create(rt, "org/tally/t", "t", None, {"blob": "x" * 100}, now_ms=T0, selectors={},
                  limits=Limits(max_context_bytes=50))


def test_an_upgrade_is_a_commit_of_its_own() -> None:
    rt = runtime("tally.yaml")
    inst = instance(rt, "t", on_create(rt, "org/tally/t", "t", None, {}, now_ms=T0,
                                       selectors={}, limits=LIMITS))
    moved = rt.snapshot_at("counting", {"count": 9})
    commit = on_upgrade(inst, moved, "v2", now_ms=T0 + 1)
    assert (commit.version_id, commit.snapshot, commit.effects) == ("v2", moved, ())
    assert commit.transition.event == {"type": "statebacked.upgrade"}
    assert inst.version_id == "v1"
