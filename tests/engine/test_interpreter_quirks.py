"""Behaviour of XState v4's interpreter that the engine reproduces (checked against 4.38.3)."""

from __future__ import annotations

from sb_emulator.engine import initial, transition
from tests.engine.helpers import executed, machine, run


def test_unhandled_error_platform_events_are_dropped() -> None:
    # the interpreter throws an error.platform event unless an active state has an
    # error.platform transition; the state stays exactly as it was
    m = machine({"initial": "a", "context": {"log": []}, "states": {
        "a": {"invoke": {"id": "k", "src": "svc"}, "on": {"*": {"actions": "note"}}}}},
        services={"svc": object()}, actions={"note": lambda c, e: None})
    snap, _ = initial(m)
    after, effects = transition(m, snap, {"type": "error.platform.k", "data": "boom"})
    assert effects == () and after.value == "a" and after.children == {}
    # any other event still reaches the wildcard
    assert executed(transition(m, snap, "X")[1]) == [("note", {"log": []}, "X")]


def test_handled_error_platform_events_are_processed_anywhere_in_the_configuration() -> None:
    m = machine({"initial": "p", "context": {}, "states": {"p": {
        "type": "parallel", "states": {
            "x": {"invoke": {"id": "k", "src": "svc", "onError": "#m.failed"}},
            "y": {"on": {"*": {"actions": "note"}}}}},
        "failed": {}}}, services={"svc": object()}, actions={"note": lambda c, e: None})
    snap, _ = initial(m)
    # another service's error is handled by the wildcard, because some state has an onError
    _, effects = transition(m, snap, {"type": "error.platform.other", "data": 1})
    assert executed(effects) == [("note", {}, "error.platform.other")]
    assert transition(m, snap, {"type": "error.platform.k", "data": 1})[0].value == "failed"


def test_initial_value_keys_follow_the_initial_configuration() -> None:
    m = machine({"type": "parallel", "states": {"x": {"initial": "a", "states": {"a": {}}}, "y": {}}})
    assert list(initial(m)[0].value) == ["x", "y"]


def _stale() -> object:
    # region y targets its sibling region x while x moves from a to b: XState keeps both a and
    # b in the configuration, though the value says b
    return machine({"type": "parallel", "predictableActionArguments": True, "states": {
        "x": {"initial": "a", "states": {"a": {"entry": "enA", "on": {"E": "b"}}, "b": {"entry": "enB"}}},
        "y": {"on": {"E": "x"}}}}, actions={"enA": lambda c, e: None, "enB": lambda c, e: None})


def test_stale_configuration_is_kept_like_xstate() -> None:
    m = _stale()
    snap, effects = run(m, "E")
    assert snap.value == {"x": "b", "y": {}}
    assert snap.configuration == ("m.x.b", "m.x.a", "m.x", "m", "m.y")
    assert [name for name, _, _ in executed(effects)] == ["enA", "enB"]


def test_eager_mode_runs_entry_actions_of_stale_nodes_on_unhandled_events() -> None:
    m = _stale()
    snap, _ = run(m, "E")
    again, effects = transition(m, snap, "NOPE")
    assert [name for name, _, _ in executed(effects)] == ["enA"]
    assert again.value == snap.value and again.changed is False


def test_legacy_mode_never_starts_a_service_stopped_later_in_the_same_step() -> None:
    m = machine({"initial": "a", "states": {
        "a": {"on": {"GO": {"target": "b", "actions": {"type": "xstate.raise", "event": "R"}}}},
        "b": {"invoke": {"id": "k", "src": "svc"},
              "on": {"R": {"actions": {"type": "xstate.stop", "activity": "k"}}}}}},
        services={"svc": object()})
    snap, effects = run(m, "GO")
    assert effects == [] and snap.children == {}
