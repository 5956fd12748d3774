"""Engine behaviour the conformance traces do not observe: effects, snapshots, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sb_emulator.engine import (
    CancelEvent,
    ExecuteAction,
    Implementations,
    Log,
    Machine,
    MachineConfigError,
    ScheduleEvent,
    SendEvent,
    Snapshot,
    StartService,
    StopService,
    initial,
    snapshot_at,
    transition,
)
from sb_emulator.engine import actions as act


def machine(config: dict[str, Any], **impl: Any) -> Machine:
    return Machine({"id": "m", **config}, Implementations(**impl))


def test_snapshot_json_round_trip_continues_identically() -> None:
    m = machine({"initial": "a", "context": {"n": 0}, "states": {
        "a": {"on": {"GO": {"target": "b", "actions": act.assign({"n": lambda c, e: c["n"] + 1})}}},
        "b": {"type": "parallel", "states": {
            "x": {"initial": "x1", "states": {"x1": {"on": {"X": "x2"}}, "x2": {}}},
            "y": {"initial": "y1", "states": {"y1": {"after": {"500": "y2"}}, "y2": {}}}}}}})
    snap, _ = initial(m)
    snap, _ = transition(m, snap, "GO")
    restored = Snapshot.from_json(json.loads(json.dumps(snap.to_json())))
    assert restored == snap
    a, _ = transition(m, snap, "X")
    b, _ = transition(m, restored, "X")
    assert a.to_json() == b.to_json()
    assert a.value == {"b": {"x": "x2", "y": "y1"}}
    assert list(a.delayed) == ["xstate.after(500)#m.b.y.y1"]


def test_services_start_and_stop_with_their_state() -> None:
    m = machine({"initial": "idle", "states": {
        "idle": {"on": {"LOAD": "loading"}},
        "loading": {"invoke": {"src": "fetch", "data": {"q": lambda c, e: e["q"]},
                               "onDone": "done"}, "on": {"CANCEL": "idle"}},
        "done": {}}}, services={"fetch": object()})
    snap, _ = initial(m)
    snap, effects = transition(m, snap, {"type": "LOAD", "q": "x"})
    start = next(e for e in effects if isinstance(e, StartService))
    assert (start.id, start.src, start.data) == ("m.loading:invocation[0]", "fetch", {"q": "x"})
    assert snap.children == {"m.loading:invocation[0]": {"src": "fetch", "autoForward": False}}
    stopped, effects = transition(m, snap, "CANCEL")
    assert StopService("m.loading:invocation[0]") in effects and stopped.children == {}
    finished, _ = transition(m, snap, {"type": "done.invoke.m.loading:invocation[0]", "data": 1})
    assert finished.value == "done" and finished.children == {}


def test_after_schedules_on_entry_and_cancels_on_exit() -> None:
    m = machine({"initial": "a", "states": {"a": {"after": {"1000": "b"}, "on": {"SKIP": "b"}},
                                            "b": {}}})
    snap, effects = initial(m)
    assert effects == (ScheduleEvent("xstate.after(1000)#m.a", {"type": "xstate.after(1000)#m.a"}, 1000),)
    _, effects = transition(m, snap, "SKIP")
    assert effects == (CancelEvent("xstate.after(1000)#m.a"),)
    fired, _ = transition(m, snap, {"type": "xstate.after(1000)#m.a"}, delayed_id="xstate.after(1000)#m.a")
    assert fired.value == "b" and fired.delayed == {}


def test_sends_to_parent_children_and_origin() -> None:
    m = machine({"initial": "a", "states": {"a": {"on": {
        "UP": {"actions": act.send_parent({"type": "HELLO"})},
        "DOWN": {"actions": act.send_to("kid", lambda c, e: {"type": "PING", "n": e["n"]})},
        "ASK": {"actions": act.respond("ANSWER")},
        "FAIL": {"actions": act.escalate({"reason": "x"})},
        "FWD": {"actions": act.forward_to("kid")},
    }}}})
    snap, _ = initial(m)
    assert transition(m, snap, "UP")[1] == (SendEvent("#_parent", {"type": "HELLO"}),)
    assert transition(m, snap, {"type": "DOWN", "n": 2})[1] == (SendEvent("kid", {"type": "PING", "n": 2}),)
    assert transition(m, snap, "ASK", origin="sender-1")[1] == (SendEvent("sender-1", {"type": "ANSWER"}),)
    assert transition(m, snap, "FAIL")[1] == (
        SendEvent("#_parent", {"type": "xstate.error", "data": {"reason": "x"}}),)
    assert transition(m, snap, {"type": "FWD", "k": 1})[1] == (SendEvent("kid", {"type": "FWD", "k": 1}),)


def test_custom_actions_get_the_context_of_their_mode() -> None:
    seen: list[Any] = []
    config = {"initial": "a", "context": {"n": 0}, "states": {"a": {"on": {"GO": {"actions": [
        "record", act.assign({"n": lambda c, e: c["n"] + 1})]}}}}}
    for predictable, expected in ((False, 1), (True, 0)):
        m = machine({**config, "predictableActionArguments": predictable},
                    actions={"record": lambda c, e: seen.append(c["n"])})
        snap, _ = initial(m)
        _, effects = transition(m, snap, "GO")
        run = [e for e in effects if isinstance(e, ExecuteAction)]
        assert [e.name for e in run] == ["record"] and run[0].context["n"] == expected


def test_log_pure_and_stop() -> None:
    m = machine({"initial": "a", "context": {"n": 2}, "states": {"a": {
        "invoke": {"id": "svc", "src": "s"},
        "on": {
            "LOG": {"actions": act.log(lambda c, e: f"n={c['n']}", "label")},
            "PURE": {"actions": act.pure(lambda c, e: [act.raise_("R"), act.assign({"n": 9})])},
            "R": {"actions": act.assign({"n": lambda c, e: c["n"] + 100})},
            "STOP": {"actions": act.stop("svc")},
        }}}}, services={"s": object()})
    snap, _ = initial(m)
    assert transition(m, snap, "LOG")[1] == (Log("label", "n=2"),)
    assert transition(m, snap, "PURE")[0].context == {"n": 109}
    stopped, effects = transition(m, snap, "STOP")
    assert effects == (StopService("svc"),) and stopped.children == {}


def test_top_level_final_state_outputs_and_ignores_later_events() -> None:
    m = machine({"initial": "a", "context": {"total": 7}, "states": {
        "a": {"invoke": {"id": "w", "src": "s"}, "after": {"10": "a"}, "on": {"END": "z"}},
        "z": {"type": "final", "data": {"total": lambda c, e: c["total"], "k": "v"}}}},
        services={"s": object()})
    snap, _ = initial(m)
    done, effects = transition(m, snap, "END")
    assert done.done and done.output == {"total": 7, "k": "v"}
    assert StopService("w") in effects and CancelEvent("xstate.after(10)#m.a") in effects
    again, effects = transition(m, done, "END")
    assert again.value == "z" and effects == () and again.changed is False


def test_unknown_events_leave_the_state_unchanged() -> None:
    m = machine({"initial": "a", "states": {"a": {}}})
    snap, _ = initial(m)
    same, effects = transition(m, snap, "NOPE")
    assert same.value == "a" and effects == () and same.changed is False
    with pytest.raises(ValueError, match="wildcard"):
        transition(m, snap, "*")


def test_snapshot_at_rebuilds_a_resting_state() -> None:
    m = machine({"initial": "a", "states": {
        "a": {"tags": ["t"]}, "b": {"initial": "c", "states": {"c": {}}}}})
    snap = snapshot_at(m, "b", {"x": 1})
    assert snap.value == {"b": "c"} and snap.context == {"x": 1}
    assert snapshot_at(m, "a", {}).tags == ("t",)


@pytest.mark.parametrize(("config", "path", "fragment"), [
    ({"initial": "a", "states": {"a": {"on": {"GO": "nowhere"}}}},
     "states.a.on.GO[0].target", 'unknown target "nowhere"'),
    ({"initial": "x", "states": {"a": {}}}, "initial", 'unknown initial state "x"'),
    ({"states": {"a": {}, "b": {}}}, "initial", "no initial state"),
    ({"initial": "a", "states": {"a": {"type": "history", "states": {"b": {}}}}},
     "states.a.states", "history state cannot have child states"),
    ({"initial": "a", "states": {"a": {"on": {"GO": {"cond": "missing"}}}}},
     "states.a.on.GO[0].cond", 'unknown guard "missing"'),
    ({"initial": "a", "states": {"a": {"entry": "missing"}}}, "states.a.entry[0]",
     'unknown action "missing"'),
    ({"initial": "a", "states": {"a": {"invoke": {"src": "missing"}}}}, "states.a.invoke[0].src",
     'unknown service "missing"'),
    ({"initial": "a", "states": {"a": {"after": {"later": "a"}}}}, "states.a.after.later",
     'unknown delay "later"'),
    ({"initial": "a", "states": {"a": {"type": "paralel"}}}, "states.a.type",
     "unknown state type"),
])
def test_config_errors_name_the_path(config: dict[str, Any], path: str, fragment: str) -> None:
    with pytest.raises(MachineConfigError) as raised:
        machine(config)
    assert raised.value.path == path
    assert fragment in str(raised.value)


def test_did_you_mean() -> None:
    with pytest.raises(MachineConfigError, match='did you mean "placed"'):
        machine({"initial": "pending", "states": {"pending": {"on": {"GO": "plaecd"}}, "placed": {}}})
