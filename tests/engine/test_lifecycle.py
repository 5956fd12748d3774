"""Final states and done events, delayed transitions, invoked services, machine completion."""

from __future__ import annotations

from typing import Any

import pytest

from sb_emulator.engine import (
    CancelEvent,
    MachineLoopError,
    ScheduleEvent,
    StartService,
    StopService,
    initial,
    transition,
)
from sb_emulator.engine import actions as act
from tests.engine.helpers import machine, run


def _keep_data() -> Any:
    return act.assign({"got": lambda c, e: e.get("data")})


def test_final_child_raises_done_state_for_its_parent_with_data() -> None:
    m = machine({"initial": "job", "context": {"got": None, "n": 4}, "states": {
        "job": {"initial": "work", "onDone": {"target": "after", "actions": "keep"}, "states": {
            "work": {"on": {"FINISH": "end"}},
            "end": {"type": "final", "data": {"n": lambda c, e: c["n"], "fixed": "yes"}}}},
        "after": {}}}, actions={"keep": _keep_data()})
    snap, _ = run(m, "FINISH")
    assert snap.value == "after" and snap.context["got"] == {"n": 4, "fixed": "yes"}


def test_parallel_parent_is_done_when_every_region_is_final() -> None:
    region = {"initial": "go", "states": {"go": {}, "end": {"type": "final"}}}
    m = machine({"initial": "p", "states": {
        "p": {"type": "parallel", "onDone": "finished", "states": {
            "x": {**region, "states": {"go": {"on": {"X": "end"}}, "end": {"type": "final"}}},
            "y": {**region, "states": {"go": {"on": {"Y": "end"}}, "end": {"type": "final"}}}}},
        "finished": {}}})
    snap, _ = run(m, "X")
    assert snap.value == {"p": {"x": "end", "y": "go"}}
    assert transition(m, snap, "Y")[0].value == "finished"


def test_top_level_final_state_ends_the_machine_with_its_data() -> None:
    m = machine({"initial": "a", "context": {"total": 7}, "states": {
        "a": {"invoke": {"id": "w", "src": "s"}, "after": {"10": "a"}, "on": {"END": "z"}},
        "z": {"type": "final", "data": lambda c, e: {"total": c["total"], "by": e["type"]}}}},
        services={"s": object()})
    snap, _ = initial(m)
    done, effects = transition(m, snap, "END")
    assert done.done and done.output == {"total": 7, "by": "END"}
    assert StopService("w") in effects and CancelEvent("xstate.after(10)#m.a") in effects
    assert done.children == {} and done.delayed == {}
    again, effects = transition(m, done, "END")
    assert (again.value, again.output, effects, again.changed) == ("z", done.output, (), False)


def test_exit_actions_run_when_the_machine_completes() -> None:
    m = machine({"initial": "a", "context": {}, "states": {"a": {"on": {"END": "z"}},
                                                           "z": {"type": "final", "exit": "bye"}}},
                actions={"bye": lambda c, e: None})
    _, effects = run(m, "END")
    assert [e.name for e in effects if hasattr(e, "name")] == ["bye"]


def test_after_is_scheduled_on_entry_and_cancelled_on_exit() -> None:
    m = machine({"initial": "a", "states": {
        "a": {"after": {"1000": "b", "500": {"target": "c", "cond": "never"}}, "on": {"SKIP": "b"}},
        "b": {"after": {"slow": "a"}}, "c": {}}},
        guards={"never": lambda c, e, m: False}, delays={"slow": lambda c, e: 2000})
    snap, effects = initial(m)
    # integer keys come first, ascending, as in a JavaScript object
    assert effects == (ScheduleEvent("xstate.after(500)#m.a", {"type": "xstate.after(500)#m.a"}, 500),
                       ScheduleEvent("xstate.after(1000)#m.a", {"type": "xstate.after(1000)#m.a"}, 1000))
    assert set(snap.delayed) == {"xstate.after(500)#m.a", "xstate.after(1000)#m.a"}
    skipped, effects = transition(m, snap, "SKIP")
    assert effects[:2] == (CancelEvent("xstate.after(500)#m.a"), CancelEvent("xstate.after(1000)#m.a"))
    assert effects[2] == ScheduleEvent("xstate.after(slow)#m.b", {"type": "xstate.after(slow)#m.b"}, 2000)
    assert set(skipped.delayed) == {"xstate.after(slow)#m.b"}
    fired, _ = transition(m, snap, "xstate.after(1000)#m.a", delayed_id="xstate.after(1000)#m.a")
    assert fired.value == "b"


def test_services_start_on_entry_stop_on_exit_with_default_ids() -> None:
    m = machine({"initial": "idle", "states": {
        "idle": {"on": {"LOAD": "loading"}},
        "loading": {"invoke": [{"src": "fetch"}, {"src": {"type": "fetch", "extra": 1}, "id": "named"}],
                    "on": {"CANCEL": "idle"}}}}, services={"fetch": object()})
    snap, effects = run(m, "LOAD")
    assert [(e.id, e.src) for e in effects if isinstance(e, StartService)] == [
        ("m.loading:invocation[0]", "fetch"), ("named", {"type": "fetch", "extra": 1})]
    assert set(snap.children) == {"m.loading:invocation[0]", "named"}
    stopped, effects = transition(m, snap, "CANCEL")
    assert effects == (StopService("m.loading:invocation[0]"), StopService("named"))
    assert stopped.children == {}


def test_done_invoke_and_error_platform_route_to_on_done_and_on_error() -> None:
    m = machine({"initial": "loading", "context": {"got": None}, "states": {
        "loading": {"invoke": {"id": "f", "src": "fetch", "onDone": {"target": "ok", "actions": "keep"},
                               "onError": {"target": "failed", "actions": "keep"}}},
        "ok": {}, "failed": {}}}, services={"fetch": object()}, actions={"keep": _keep_data()})
    snap, _ = initial(m)
    ok, _ = transition(m, snap, {"type": "done.invoke.f", "data": {"rows": 2}})
    assert ok.value == "ok" and ok.context == {"got": {"rows": 2}} and ok.children == {}
    failed, effects = transition(m, snap, {"type": "error.platform.f", "data": "boom"})
    assert failed.value == "failed" and failed.context == {"got": "boom"}
    assert StopService("f") not in effects  # a child that reported is over already


def test_restored_snapshot_keeps_running_children_and_timers() -> None:
    m = machine({"initial": "a", "states": {"a": {"invoke": {"id": "k", "src": "s"}, "after": {"100": "b"}},
                                            "b": {}}}, services={"s": object()})
    snap, _ = initial(m)
    moved, effects = transition(m, snap, "xstate.after(100)#m.a", delayed_id="xstate.after(100)#m.a")
    # exit cancels the (already fired) timer as XState does, then stops the service
    assert moved.value == "b" and moved.delayed == {}
    assert effects == (CancelEvent("xstate.after(100)#m.a"), StopService("k"))


def test_inline_service_is_named_by_its_invoke_id() -> None:
    async def fetch(ctx: Any, ev: Any) -> int:
        return 1

    m = machine({"initial": "a", "states": {"a": {"invoke": {"src": fetch}}}})
    snap, effects = initial(m)
    assert effects == (StartService("m.a:invocation[0]", "m.a:invocation[0]", None, None,
                                    {"type": "xstate.init"}),)
    assert m.inline_services == {"m.a:invocation[0]": fetch}
    assert snap.to_json()["children"] == {"m.a:invocation[0]": {"src": "m.a:invocation[0]",
                                                                 "autoForward": False}}


def test_a_machine_that_keeps_sending_itself_events_raises_instead_of_hanging() -> None:
    """XState's interpreter loops forever here; the engine gives up with MachineLoopError."""
    m = machine({"initial": "a", "states": {"a": {"entry": act.send("AGAIN"), "on": {"AGAIN": "a"}}}})
    with pytest.raises(MachineLoopError, match="never settles"):
        initial(m)
    m = machine({"initial": "idle", "states": {
        "idle": {"on": {"GO": "busy"}},
        "busy": {"entry": act.send("AGAIN"), "on": {"AGAIN": {"target": "busy", "internal": False}}}}})
    snap, _ = initial(m)
    with pytest.raises(MachineLoopError, match="'AGAIN'"):
        transition(m, snap, "GO")


def test_many_self_sent_events_below_the_limit_are_processed() -> None:
    m = machine({"initial": "a", "context": {"n": 0}, "states": {"a": {
        "entry": act.send("TICK"),
        "on": {"TICK": [{"target": "a", "internal": False, "cond": "more",
                         "actions": act.assign({"n": lambda c, e: c["n"] + 1})}]}}}},
        guards={"more": lambda c, e, m: c["n"] < 2000})
    snap, _ = initial(m)
    assert snap.context == {"n": 2000}
