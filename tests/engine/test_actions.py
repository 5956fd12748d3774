"""Actions: order and arguments in both modes, and every built-in action.

The expected orders and contexts were checked against xstate 4.38.3's interpreter.
"""

from __future__ import annotations

from typing import Any

import pytest

from sb_emulator.engine import (
    CancelEvent,
    ExecuteAction,
    Log,
    ScheduleEvent,
    SendEvent,
    Snapshot,
    StartService,
    StopService,
    initial,
    transition,
)
from sb_emulator.engine import actions as act
from tests.engine.helpers import executed, machine, names, run

NOOP = {name: (lambda c, e: None) for name in ("exitA", "t1", "entryB", "onR", "entryC", "mark")}


def _order_machine(**flags: Any) -> Any:
    return machine({"initial": "a", "context": {"n": 0}, **flags, "states": {
        "a": {"exit": ["exitA", act.assign({"n": lambda c, e: c["n"] + 1})],
              "on": {"GO": {"target": "b", "actions": ["t1", act.assign({"n": lambda c, e: c["n"] * 10}),
                                                       act.raise_("R")]}}},
        "b": {"entry": ["entryB", act.assign({"n": lambda c, e: c["n"] + 2})],
              "on": {"R": {"target": "c", "actions": "onR"}}},
        "c": {"entry": "entryC"}}}, actions=NOOP)


def test_legacy_mode_runs_assigns_first_and_actions_see_the_final_context() -> None:
    snap, effects = run(_order_machine(), "GO")
    assert snap.value == "c" and snap.context == {"n": 12}
    assert executed(effects) == [("exitA", {"n": 12}, "GO"), ("t1", {"n": 12}, "GO"),
                                 ("entryB", {"n": 12}, "GO"), ("onR", {"n": 12}, "GO"),
                                 ("entryC", {"n": 12}, "GO")]


def test_preserve_action_order_binds_each_action_to_its_context() -> None:
    _, effects = run(_order_machine(preserveActionOrder=True), "GO")
    assert executed(effects) == [("exitA", {"n": 0}, "GO"), ("t1", {"n": 1}, "GO"),
                                 ("entryB", {"n": 10}, "GO"), ("onR", {"n": 12}, "GO"),
                                 ("entryC", {"n": 12}, "GO")]


def test_predictable_mode_passes_the_event_of_each_microstep() -> None:
    _, effects = run(_order_machine(predictableActionArguments=True), "GO")
    assert executed(effects) == [("exitA", {"n": 0}, "GO"), ("t1", {"n": 1}, "GO"),
                                 ("entryB", {"n": 10}, "GO"), ("onR", {"n": 12}, "R"),
                                 ("entryC", {"n": 12}, "R")]


@pytest.mark.parametrize(("predictable", "expected"), [
    # legacy: a service of a state left in the same step never starts; entry actions after starts
    (False, ["StartService:kid2", "SendEvent:kid2", "ExecuteAction:mark"]),
    # predictable: started then stopped; entry sends run at the end of their block, and
    # sends to other actors leave after the macrostep
    (True, ["StartService:svc", "StopService:svc", "ExecuteAction:mark", "StartService:kid2",
            "SendEvent:kid2"]),
])
def test_effect_order_of_services_and_sends(predictable: bool, expected: list[str]) -> None:
    m = machine({"initial": "a", "predictableActionArguments": predictable, "states": {
        "a": {"on": {"GO": "pass"}},
        "pass": {"invoke": {"id": "svc", "src": "svc"}, "always": "end"},
        "end": {"entry": [act.send_to("kid2", "HI"), "mark"], "invoke": {"id": "kid2", "src": "kid"}}}},
        actions=NOOP, services={"svc": object(), "kid": object()})
    snap, effects = run(m, "GO")
    assert names(effects) == expected
    assert set(snap.children) == {"kid2"}


def test_raised_events_run_before_self_sent_and_next_external_events() -> None:
    def push_(item: str) -> Any:
        return act.assign({"log": lambda c, e: [*c["log"], item]})

    push = {k: push_(k) for k in ("r", "s", "x")}
    m = machine({"initial": "a", "context": {"log": []}, "states": {"a": {"on": {
        "GO": {"actions": [act.send("S"), act.raise_("R")]},
        "R": {"actions": "r"}, "S": {"actions": "s"}, "X": {"actions": "x"}}}}}, actions=push)
    snap, effects = run(m, "GO")
    assert snap.context == {"log": ["r", "s"]} and effects == []
    assert transition(m, snap, "X")[0].context == {"log": ["r", "s", "x"]}


def test_send_with_delay_and_id_then_cancel() -> None:
    m = machine({"initial": "a", "states": {"a": {"on": {
        "LATER": {"actions": act.send({"type": "PING", "n": 1}, delay=250, id="ping")},
        "TO_KID": {"actions": act.send_to("kid", "HI", delay="slow", id="k")},
        "STOP": {"actions": act.cancel("ping")},
        "PING": "b"}}, "b": {}}}, delays={"slow": lambda c, e: 1000})
    snap, effects = run(m, "LATER")
    assert effects == [ScheduleEvent("ping", {"type": "PING", "n": 1}, 250, None)]
    assert snap.delayed == {"ping": {"event": {"type": "PING", "n": 1}, "delay": 250, "to": None}}
    cancelled, effects = transition(m, snap, "STOP")
    assert effects == (CancelEvent("ping"),) and cancelled.delayed == {}
    fired, _ = transition(m, snap, {"type": "PING", "n": 1}, delayed_id="ping")
    assert fired.value == "b" and fired.delayed == {}
    assert run(m, "TO_KID")[1] == [ScheduleEvent("k", {"type": "HI"}, 1000, "kid")]


def test_delayed_raise_is_scheduled_to_self() -> None:
    m = machine({"initial": "a", "states": {"a": {"entry": act.raise_("T", delay=5, id="t"),
                                                  "on": {"T": "b"}}, "b": {}}})
    snap, effects = initial(m)
    assert effects == (ScheduleEvent("t", {"type": "T"}, 5, None),)
    assert transition(m, snap, "T", delayed_id="t")[0].value == "b"


def test_send_parent_respond_escalate_forward_and_json_objects() -> None:
    m = machine({"initial": "a", "states": {"a": {"on": {
        "UP": {"actions": act.send_parent("HELLO")},
        "ASK": {"actions": act.respond(lambda c, e: {"type": "ANSWER", "q": e["q"]})},
        "FAIL": {"actions": act.escalate(lambda c, e: {"why": e["type"]})},
        "FWD": {"actions": act.forward_to("kid")},
        "RAW": {"actions": {"type": "xstate.send", "event": {"type": "RAW_OUT"}, "to": "#_parent"}},
    }}}})
    snap, _ = initial(m)
    assert transition(m, snap, "UP")[1] == (SendEvent("#_parent", {"type": "HELLO"}),)
    assert transition(m, snap, {"type": "ASK", "q": 1}, origin="caller")[1] == (
        SendEvent("caller", {"type": "ANSWER", "q": 1}),)
    assert transition(m, snap, {"type": "ASK", "q": 1})[1] == ()  # nobody to respond to
    assert transition(m, snap, "FAIL")[1] == (
        SendEvent("#_parent", {"type": "xstate.error", "data": {"why": "FAIL"}}),)
    assert transition(m, snap, {"type": "FWD", "x": 2})[1] == (SendEvent("kid", {"type": "FWD", "x": 2}),)
    assert transition(m, snap, "RAW")[1] == (SendEvent("#_parent", {"type": "RAW_OUT"}),)


def test_choose_takes_the_first_enabled_branch() -> None:
    m = machine({"initial": "a", "context": {"n": 0}, "states": {"a": {"on": {"GO": {"actions": act.choose([
        {"cond": "big", "actions": [act.assign({"n": 100}), "mark"]},
        {"cond": lambda c, e: e.get("small"), "actions": act.assign({"n": 1})},
        {"actions": act.assign({"n": -1})}])}}}}},
        guards={"big": lambda c, e, m: e.get("big")}, actions=NOOP)
    snap, effects = run(m, {"type": "GO", "big": True})
    assert snap.context == {"n": 100} and executed(effects) == [("mark", {"n": 100}, "GO")]
    assert run(m, {"type": "GO", "small": True})[0].context == {"n": 1}
    assert run(m, "GO")[0].context == {"n": -1}


def test_choose_as_a_json_object_with_named_guards() -> None:
    m = machine({"initial": "a", "context": {"n": 0}, "states": {"a": {"on": {"GO": {"actions": {
        "type": "xstate.choose", "conds": [
            {"cond": "never", "actions": "mark"},
            {"actions": [{"type": "xstate.assign", "assignment": {"n": 7}}]}]}}}}}},
        guards={"never": lambda c, e, m: False}, actions=NOOP)
    assert run(m, "GO")[0].context == {"n": 7}


def test_pure_returns_actions_from_context_and_event() -> None:
    m = machine({"initial": "a", "context": {"n": 2}, "states": {"a": {"on": {
        "GO": {"actions": act.pure(lambda c, e: [act.assign({"n": c["n"] * 3}), act.raise_("R")])},
        "NONE": {"actions": act.pure(lambda c, e: None)},
        "R": {"actions": act.assign({"n": lambda c, e: c["n"] + 1})}}}}})
    assert run(m, "GO")[0].context == {"n": 7}
    assert run(m, "NONE")[1] == []


def test_log_with_label_and_default_expression() -> None:
    m = machine({"initial": "a", "context": {"n": 1}, "states": {"a": {"on": {
        "L": {"actions": act.log(lambda c, e: f"n is {c['n']}", "lbl")},
        "ALL": {"actions": act.log()},
        "RAW": {"actions": {"type": "xstate.log", "label": "raw", "expr": "text"}}}}}})
    assert run(m, "L")[1] == [Log("lbl", "n is 1")]
    assert run(m, "ALL")[1] == [Log(None, {"context": {"n": 1}, "event": {"type": "ALL"}})]
    assert run(m, "RAW")[1] == [Log("raw", "text")]


def test_stop_a_child_by_id() -> None:
    m = machine({"initial": "a", "states": {"a": {"invoke": {"id": "kid", "src": "svc"}, "on": {
        "STOP": {"actions": act.stop("kid")}, "AGAIN": {"actions": act.stop("kid")}}}}},
        services={"svc": object()})
    snap, effects = run(m, "STOP")
    assert effects == [StopService("kid")] and snap.children == {}
    assert transition(m, snap, "AGAIN")[1] == ()


def test_custom_action_objects_keep_their_params() -> None:
    m = machine({"initial": "a", "context": {}, "states": {"a": {"entry": {"type": "notify", "to": "ops"}}}},
                actions={"notify": lambda c, e, meta: None})
    (effect,) = initial(m)[1]
    assert isinstance(effect, ExecuteAction) and effect.name == "notify"
    assert effect.params == {"type": "notify", "to": "ops"} and effect.exec is not None


def test_inline_callables_run_as_actions() -> None:
    def audit(ctx: Any, ev: Any) -> None:
        return None

    m = machine({"initial": "a", "context": {}, "states": {"a": {"on": {"GO": {"actions": audit}}}}})
    assert executed(run(m, "GO")[1]) == [("audit", {}, "GO")]


CHILD_MACHINE = {"type": "statebacked.invoke", "machineName": "kid"}


async def _worker(ctx: Any, ev: Any, meta: Any) -> int:
    return 1


def test_invoke_data_and_auto_forward_to_a_machine_child() -> None:
    m = machine({"initial": "a", "context": {"q": "x"}, "states": {"a": {
        "invoke": {"id": "w", "src": CHILD_MACHINE, "autoForward": True,
                   "data": {"q": lambda c, e: c["q"], "k": 1}},
        "on": {"PING": {}}}}})
    snap, effects = initial(m)
    assert effects == (StartService("w", CHILD_MACHINE, {"q": "x", "k": 1}, {"q": "x"},
                                    {"type": "xstate.init"}, True),)
    assert transition(m, snap, "PING")[1] == (SendEvent("w", {"type": "PING"}),)


def test_auto_forward_to_a_compiled_machine_service_and_the_legacy_forward_key() -> None:
    kid = machine({"initial": "x", "states": {"x": {}}})
    m = machine({"initial": "a", "states": {"a": {
        "invoke": {"id": "w", "src": "kid", "forward": True}, "on": {"PING": {}}}}},
        services={"kid": kid})
    snap, effects = initial(m)
    assert effects[0] == StartService("w", "kid", None, None, {"type": "xstate.init"}, True)
    assert transition(m, snap, "PING")[1] == (SendEvent("w", {"type": "PING"}),)


def test_auto_forward_skips_promise_services() -> None:
    """xstate sets autoForward only when the service creator returns a machine."""
    m = machine({"initial": "a", "context": {}, "states": {"a": {
        "invoke": [{"id": "w", "src": "worker", "autoForward": True},
                   {"id": "k", "src": CHILD_MACHINE, "autoForward": True}],
        "on": {"PING": {}}}}}, services={"worker": _worker})
    snap, effects = initial(m)
    assert [e.auto_forward for e in effects if isinstance(e, StartService)] == [False, True]
    assert snap.children["w"]["autoForward"] is False
    assert transition(m, snap, "PING")[1] == (SendEvent("k", {"type": "PING"}),)
    # a snapshot written when promise children were marked as forwarding still forwards to
    # the machine child only
    old = snap.to_json()
    old["children"]["w"]["autoForward"] = True
    assert transition(m, Snapshot.from_json(old), "PING")[1] == (SendEvent("k", {"type": "PING"}),)


def test_a_child_that_reports_done_is_not_forwarded_its_own_report() -> None:
    m = machine({"initial": "a", "states": {"a": {
        "invoke": [{"id": "k1", "src": CHILD_MACHINE, "autoForward": True},
                   {"id": "k2", "src": CHILD_MACHINE, "autoForward": True}]}}})
    snap, _ = initial(m)
    done = {"type": "done.invoke.k1", "data": 3}
    snap, effects = transition(m, snap, done)
    assert effects == (SendEvent("k2", done),)
    assert list(snap.children) == ["k2"]
