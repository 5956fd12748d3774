"""Selecting and taking transitions: targets, self-transitions, guards, eventless, history."""

from __future__ import annotations

from typing import Any

from sb_emulator.engine import initial, transition
from tests.engine.helpers import executed, machine, run, value_after


def _tracked(config: dict[str, Any]) -> Any:
    """Every state's entry/exit recorded as a named action ``en:<key>`` / ``ex:<key>``."""
    def walk(states: dict[str, Any]) -> None:
        for key, node in states.items():
            node.setdefault("entry", []).append(f"en:{key}")
            node.setdefault("exit", []).append(f"ex:{key}")
            walk(node.get("states", {}))

    walk(config["states"])
    keys = _keys(config["states"])
    acts = {f"{p}:{k}": (lambda c, e: None) for k in keys for p in ("en", "ex")}
    return machine(config, actions={**acts, "t": lambda c, e: None})


def _keys(states: dict[str, Any]) -> list[str]:
    return [k for k, v in states.items() for k in [k, *_keys(v.get("states", {}))]]


def _trail(m: Any, *events: str) -> list[str]:
    return [name for name, _, _ in executed(run(m, *events)[1])]


def test_initial_value_shapes() -> None:
    m = machine({"initial": "a", "states": {
        "a": {"type": "parallel", "states": {
            "x": {"initial": "x1", "states": {"x1": {}}},
            "y": {"initial": "y1", "states": {"y1": {"initial": "deep", "states": {"deep": {}}}}}}}}})
    assert initial(m)[0].value == {"a": {"x": "x1", "y": {"y1": "deep"}}}
    flat = machine({"initial": "a", "states": {"a": {}}})
    assert initial(flat)[0].value == "a"


def test_initial_event_is_xstate_init() -> None:
    m = machine({"initial": "a", "context": {}, "states": {"a": {"entry": "e"}}},
                actions={"e": lambda c, e: None})
    snap, effects = initial(m)
    assert snap.event == {"type": "xstate.init"}
    assert executed(effects) == [("e", {}, "xstate.init")]


def test_external_self_transition_reenters() -> None:
    m = _tracked({"initial": "a", "states": {"a": {"on": {"SELF": {"target": "a", "actions": "t"}}}}})
    assert _trail(m, "SELF") == ["ex:a", "t", "en:a"]


def test_internal_and_targetless_transitions_do_not_reenter() -> None:
    m = _tracked({"initial": "p", "states": {"p": {"initial": "x", "states": {"x": {}, "y": {}}, "on": {
        "STAY": {"actions": "t"},
        "CHILD": ".y",
        "CHILD_EXTERNAL": {"target": ".y", "internal": False},
        "SELF_INTERNAL": {"target": "p", "internal": True}}}}})
    assert _trail(m, "STAY") == ["t"]
    assert _trail(m, "CHILD") == ["ex:x", "en:y"]
    assert _trail(m, "CHILD_EXTERNAL") == ["ex:x", "ex:p", "en:p", "en:y"]
    assert _trail(m, "SELF_INTERNAL") == []


def test_targets_by_sibling_child_id_and_lists() -> None:
    m = machine({"initial": "a", "states": {
        "a": {"on": {"SIB": "b", "DEEP": "b.b2", "ID": "#leaf", "BOTH": {"target": ["#px.x2", "#py.y2"]}}},
        "b": {"initial": "b1", "states": {"b1": {}, "b2": {"id": "leaf"}}},
        "p": {"type": "parallel", "states": {
            "x": {"id": "px", "initial": "x1", "states": {"x1": {}, "x2": {}}},
            "y": {"id": "py", "initial": "y1", "states": {"y1": {}, "y2": {}}}}}}})
    assert value_after(m, "SIB") == {"b": "b1"}
    assert value_after(m, "DEEP") == {"b": "b2"}
    assert value_after(m, "ID") == {"b": "b2"}
    assert value_after(m, "BOTH") == {"p": {"x": "x2", "y": "y2"}}


def test_guarded_list_takes_the_first_enabled_in_document_order() -> None:
    m = machine({"initial": "a", "context": {"n": 5}, "states": {
        "a": {"on": {"GO": [{"target": "small", "cond": "small"}, {"target": "big", "cond": "big"},
                            {"target": "other"}]}},
        "small": {}, "big": {}, "other": {}}},
        guards={"small": lambda c, e, m: e.get("n", c["n"]) < 3,
                "big": lambda c, e, m: e.get("n", c["n"]) > 3})
    assert value_after(m, {"type": "GO", "n": 1}) == "small"
    assert value_after(m, "GO") == "big"
    assert value_after(m, {"type": "GO", "n": 3}) == "other"


def test_guard_meta_carries_the_state_value_and_cond() -> None:
    seen: list[Any] = []
    m = machine({"initial": "a", "states": {"a": {"on": {"GO": {"target": "b", "cond": {
        "type": "check", "limit": 3}}}}, "b": {}}},
        guards={"check": lambda c, e, meta: seen.append((meta.state, dict(meta.cond))) or True})
    assert value_after(m, "GO") == "b"
    assert seen == [("a", {"type": "check", "limit": 3})]


def test_array_form_of_on_and_wildcard_last() -> None:
    m = machine({"initial": "a", "states": {
        "a": {"on": [{"event": "*", "target": "any"}, {"event": "GO", "target": "go"}]},
        "go": {}, "any": {}}})
    # the array form keeps its own order: the wildcard comes first here
    assert value_after(m, "GO") == "any"
    obj = machine({"initial": "a", "states": {"a": {"on": {"*": "any", "GO": "go"}}, "go": {}, "any": {}}})
    assert value_after(obj, "GO") == "go"
    assert value_after(obj, "OTHER") == "any"


def test_deeper_transitions_win_over_ancestors() -> None:
    m = machine({"initial": "p", "states": {
        "p": {"initial": "c", "on": {"GO": "parent_target"}, "states": {"c": {"on": {"GO": "d"}}, "d": {}}},
        "parent_target": {}}})
    assert value_after(m, "GO") == {"p": "d"}
    assert value_after(m, "GO", "GO") == "parent_target"


def test_in_guard() -> None:
    m = machine({"initial": "run", "states": {"run": {"type": "parallel", "states": {
        "light": {"initial": "red", "states": {"red": {"on": {"T": "green"}}, "green": {}}},
        "walk": {"initial": "wait", "states": {
            "wait": {"on": {"GO": {"target": "go", "in": "#m.run.light.green"}}}, "go": {}}}}}}})
    assert value_after(m, "GO") == {"run": {"light": "red", "walk": "wait"}}
    assert value_after(m, "T", "GO") == {"run": {"light": "green", "walk": "go"}}


def test_in_guard_naming_the_root_always_holds() -> None:
    """XState throws on it; the root is active whatever the state, so the engine says yes."""
    m = machine({"initial": "a", "states": {"a": {"on": {"GO": {"target": "b", "in": "#m"}}},
                                            "b": {"initial": "c", "states": {"c": {}}}}})
    assert value_after(m, "GO") == {"b": "c"}


def test_always_reevaluates_to_a_fixed_point() -> None:
    inc = {"type": "xstate.assign", "assignment": {"n": lambda c, e: c["n"] + 1}}
    m = machine({"initial": "idle", "context": {"n": 0}, "states": {
        "idle": {"on": {"GO": "loop"}},
        "loop": {"always": [{"target": "done", "cond": "three"}, {"target": "loop", "actions": inc}]},
        "done": {}}}, guards={"three": lambda c, e, m: c["n"] >= 3})
    snap, _ = run(m, "GO")
    assert snap.value == "done" and snap.context == {"n": 3}


def test_eventless_transitions_run_on_the_initial_state() -> None:
    m = machine({"initial": "a", "states": {"a": {"always": "b"}, "b": {"always": {"target": "c"}}, "c": {}}})
    assert initial(m)[0].value == "c"


def test_unknown_event_leaves_state_and_reports_unchanged() -> None:
    m = machine({"initial": "a", "context": {"n": 1}, "states": {"a": {"on": {"GO": "b"}}, "b": {}}})
    snap, _ = initial(m)
    same, effects = transition(m, snap, "NOPE")
    assert (same.value, same.context, effects, same.changed) == ("a", {"n": 1}, (), False)
    moved, _ = transition(m, snap, "GO")
    assert moved.changed is True


def test_targetless_transition_with_assign_is_a_change() -> None:
    m = machine({"initial": "a", "context": {"n": 1}, "states": {"a": {"on": {
        "SET": {"actions": {"type": "xstate.assign", "assignment": {"n": 2}}}, "NOOP": {}}}}})
    snap, _ = initial(m)
    assert transition(m, snap, "SET")[0].changed is True
    assert transition(m, snap, "NOOP")[0].changed is False


def test_shallow_and_deep_history() -> None:
    inner = {"initial": "i1", "states": {"i1": {"on": {"I": "i2"}}, "i2": {}}}
    m = machine({"initial": "p", "states": {
        "p": {"initial": "a", "on": {"OUT": "out"}, "states": {
            "a": {"on": {"B": "b"}}, "b": inner,
            "shallow": {"type": "history"}, "deep": {"type": "history", "history": "deep"}}},
        "out": {"on": {"SHALLOW": "p.shallow", "DEEP": "p.deep"}}}})
    assert value_after(m, "B", "I", "OUT", "SHALLOW") == {"p": {"b": "i1"}}
    assert value_after(m, "B", "I", "OUT", "DEEP") == {"p": {"b": "i2"}}


def test_history_default_target_by_key_and_by_id() -> None:
    states = {"a": {}, "b": {"id": "bee"}, "h": {"type": "history", "target": "b"},
              "hid": {"type": "history", "target": "#bee"}}
    m = machine({"initial": "out", "states": {
        "out": {"on": {"H": "p.h", "HID": "p.hid"}}, "p": {"initial": "a", "states": states}}})
    assert value_after(m, "H") == {"p": "b"}
    assert value_after(m, "HID") == {"p": "b"}


def test_tags_of_active_states_sorted() -> None:
    m = machine({"initial": "a", "states": {"a": {"tags": ["z", "busy"], "on": {"GO": "b"}},
                                            "b": {"tags": "done"}}})
    snap, _ = initial(m)
    assert snap.tags == ("busy", "z") and snap.has_tag("busy")
    assert transition(m, snap, "GO")[0].tags == ("done",)


def test_matches() -> None:
    m = machine({"initial": "p", "states": {"p": {"initial": "c", "states": {"c": {}}}}})
    snap, _ = initial(m)
    assert snap.matches("p") and snap.matches("p.c") and snap.matches({"p": "c"})
    assert not snap.matches("q")
