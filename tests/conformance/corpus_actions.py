# ruff: noqa: E501  (tables of machine configs read best unwrapped, as in gen_corpus.py)
"""Hand-written traces about actions: assign ordering (legacy vs predictableActionArguments),
raise / send / cancel, choose, pure, log, and the context they see."""

from __future__ import annotations

from typing import Any

from tests.conformance.corpus_util import (
    Json,
    assign,
    cancel,
    choose,
    collector,
    ev,
    fn,
    log,
    m,
    pure,
    raise_,
    send,
)

RECORD_VALUE = ["pushEvent", assign(seen=fn("eventValue"))]


def traces() -> dict[str, Json]:
    t: dict[str, Json] = {}
    add = collector(t)
    _ordering(add)
    _raise_and_send(add)
    _delayed_send(add)
    _choose_pure_log(add)
    return t


def _ordering(add: Any) -> None:
    add("assign-then-send-expr", "a send expression sees every assign of the step in legacy mode only", m({
        "a": {"on": {"GO": {"actions": ["inc", send(fn("countEvent:REPORT")), "inc"]},
                     "REPORT": {"actions": RECORD_VALUE}}}}), ev("GO", "GO"))
    add("assign-then-raise-expr", "a raise expression and the assigns around it", m({
        "a": {"on": {"GO": {"actions": ["inc", raise_(fn("countEvent:R")), "double"]},
                     "R": {"actions": RECORD_VALUE}}}}), ev("GO", "GO"))
    add("exit-send-sees-later-assign", "a send in exit actions, an assign on the transition", m({
        "a": {"exit": [send(fn("countEvent:FROM_EXIT"))],
              "on": {"GO": {"target": "b", "actions": ["inc"]}}},
        "b": {"entry": ["double"], "on": {"FROM_EXIT": {"actions": RECORD_VALUE}}}}), ev("GO"))
    add("entry-send-before-assign", "a send before an assign in the same entry block", m({
        "a": {"on": {"GO": "b"}},
        "b": {"entry": [send(fn("countEvent:E")), "inc", send(fn("countEvent:F"))],
              "on": {"E": {"actions": RECORD_VALUE}, "F": {"actions": RECORD_VALUE}}}}), ev("GO"))
    add("assign-sequence", "several assigns in one step apply in order", m({
        "a": {"on": {"GO": {"actions": ["inc", "pushCount", "double", "pushCount", "dec", "pushCount"]}}}}),
        ev("GO", "GO"))
    add("assign-across-blocks", "exit, transition and entry assigns with pushCount between", m({
        "a": {"exit": ["inc", "pushCount"], "on": {"GO": {"target": "b", "actions": ["double", "pushCount"]}}},
        "b": {"entry": ["dec", "pushCount"], "on": {"BACK": {"target": "a", "actions": ["pushEvent"]}}}}),
        ev("GO", "BACK", "GO"))
    add("assign-function-values", "assign with $fn values reading context and event", m({
        "a": {"on": {"SET": {"actions": [assign(count=fn("eventValue"), flag=True)]},
                     "PLUS": {"actions": [assign(count=fn("countPlus:5"))]},
                     "LEN": {"actions": ["push:x", assign(count=fn("logLength"))]}}}}),
        ev({"type": "SET", "value": 3}, "PLUS", "LEN", "LEN"))
    add("assign-in-always", "assigns on an eventless transition see the triggering event", m({
        "a": {"on": {"GO": {"target": "b", "actions": ["setFromEvent"]}}},
        "b": {"always": {"target": "c", "actions": ["pushEvent", "inc"]}},
        "c": {}}), ev({"type": "GO", "value": 4}))


def _raise_and_send(add: Any) -> None:
    add("raise-two", "two raised events keep their order", m({
        "a": {"on": {"GO": {"actions": [raise_("A"), raise_("B"), "push:go"]},
                     "A": {"actions": ["pushEvent"]}, "B": {"actions": ["pushEvent"]}}}}), ev("GO"))
    add("raise-before-send", "raised events run before sent ones", m({
        "a": {"on": {"GO": {"actions": [send("S"), raise_("R")]},
                     "S": {"actions": ["pushEvent"]}, "R": {"actions": ["pushEvent"]}}}}), ev("GO"))
    add("raise-in-entry", "raise from entry actions of a newly entered state", m({
        "a": {"on": {"GO": "b"}},
        "b": {"entry": [raise_("NEXT"), "push:b"], "on": {"NEXT": {"target": "c", "actions": ["pushEvent"]}}},
        "c": {"entry": ["push:c"]}}), ev("GO"))
    add("raise-chain", "a raised event's transition raises again", m({
        "a": {"on": {"GO": {"target": "b", "actions": [raise_("ONE")]}}},
        "b": {"on": {"ONE": {"target": "c", "actions": ["pushEvent", raise_("TWO")]}}},
        "c": {"on": {"TWO": {"target": "d", "actions": ["pushEvent"]}}},
        "d": {}}), ev("GO"))
    add("raise-unhandled", "a raised event nobody handles is dropped", m({
        "a": {"on": {"GO": {"actions": [raise_("NOBODY"), "inc"]}}}}), ev("GO"))
    add("raise-vs-always", "raised events and eventless transitions interleave", m({
        "a": {"on": {"GO": {"target": "b", "actions": [raise_("R")]}}},
        "b": {"always": {"target": "c", "cond": "countIs:0", "actions": ["push:always"]},
              "on": {"R": {"actions": ["pushEvent"]}}},
        "c": {"on": {"R": {"actions": ["push:r-in-c"]}}}}), ev("GO"))
    add("send-event-object", "send an event object with a payload", m({
        "a": {"on": {"GO": {"actions": [send({"type": "V", "value": 9})]},
                     "V": {"actions": ["setFromEvent", "pushEvent"]}}}}), ev("GO"))
    add("send-chain", "sent events queue behind the current macrostep", m({
        "a": {"on": {"GO": {"target": "b", "actions": [send("X"), send("Y")]}}},
        "b": {"entry": [send("Z")], "on": {"X": {"actions": ["pushEvent"]}, "Y": {"actions": ["pushEvent"]},
                                          "Z": {"actions": ["pushEvent"]}}}}), ev("GO"))
    add("send-unhandled-changed", "changed after a step whose self-sent event is not handled", m({
        "a": {"on": {"GO": {"target": "b", "actions": [send("NOBODY")]},
                     "INC": {"actions": ["inc", send("NOBODY")]}}},
        "b": {"on": {"INC": {"actions": ["inc", send("NOBODY")]}}}}), ev("INC", "GO", "INC"))
    add("send-to-done", "a sent event reaches a machine that became final in the same step", m({
        "a": {"on": {"GO": {"target": "end", "actions": [send("LATE")]}}},
        "end": {"type": "final"}}), ev("GO", "LATE"))


def _delayed_send(add: Any) -> None:
    bomb = send({"type": "BOOM"}, delay=500, id="bomb")
    add("send-delayed-twice-same-id", "two delayed sends with one id: cancel stops the later one", m({
        "a": {"on": {"ARM": {"actions": [bomb]}, "DISARM": {"actions": [cancel("bomb")]},
                     "BOOM": {"actions": ["pushEvent", "inc"]}}}}),
        ev("ARM", 100, "ARM", "DISARM", 450, 100, 500))
    add("send-delayed-survives-exit", "a delayed send is not cancelled by leaving its state", m({
        "a": {"entry": [send("PING", delay=300)], "on": {"GO": "b"}},
        "b": {"on": {"PING": {"target": "c", "actions": ["pushEvent"]}}}, "c": {}}), ev(100, "GO", 250))
    add("send-delayed-named", "delayed sends with named delays and $fn delays", m({
        "a": {"on": {"GO": {"actions": ["inc", "inc", send("SHORT", delay="short"), send("CTX", delay="ctxDelay"),
                                        send("EXPR", delay=fn("countDelay")), send("EV", delay="eventDelay")]},
                     "SHORT": {"actions": ["pushEvent"]}, "CTX": {"actions": ["pushEvent"]},
                     "EXPR": {"actions": ["pushEvent"]}, "EV": {"actions": ["pushEvent"]}}}}),
        ev({"type": "GO", "value": 1}, 60, 50, 100, 200, 300))
    add("send-delayed-order", "delayed events due together fire in due order", m({
        "a": {"on": {"GO": {"actions": [send("THIRD", delay=300), send("FIRST", delay=100),
                                        send("SECOND", delay=200), send("ALSO_FIRST", delay=100)]},
                     "*": {"actions": ["pushEvent"]}}}}), ev("GO", 1000))
    add("send-delayed-cancel-in-flush", "a timer cancelling a later timer due in the same flush", m({
        "a": {"on": {"GO": {"actions": [send("KILL", delay=100), send("VICTIM", delay=200, id="v")]},
                     "KILL": {"actions": ["pushEvent", cancel("v")]}, "VICTIM": {"actions": ["pushEvent"]}}}}),
        ev("GO", 300))
    add("send-delayed-cancel-unknown", "cancelling an unknown id does nothing", m({
        "a": {"on": {"GO": {"actions": [cancel("nothing"), "inc"]}}}}), ev("GO"))
    add("raise-delayed", "raise with a delay behaves like a delayed send", m({
        "a": {"on": {"GO": {"actions": [raise_("LATER", delay=200, id="later")]},
                     "STOP": {"actions": [cancel("later")]}, "LATER": {"actions": ["pushEvent"]}}}}),
        ev("GO", 100, 100, "GO", "STOP", 300))
    add("send-delayed-after-done", "a delayed event due after the machine is done", m({
        "a": {"on": {"GO": {"target": "end", "actions": [send("PING", delay=100)]}}},
        "end": {"type": "final", "data": {"ok": True}}}), ev("GO", 200))


def _choose_pure_log(add: Any) -> None:
    add("choose-sees-assigns", "choose after an assign in the same step", m({
        "a": {"on": {"GO": {"actions": [choose({"cond": "isEven", "actions": ["push:even"]},
                                               {"actions": ["push:odd"]}), "inc"]}}}}), ev("GO", "GO", "GO"))
    add("choose-nested", "choose inside choose, with assigns in branches", m({
        "a": {"on": {"GO": {"actions": [choose(
            {"cond": "flag", "actions": [choose({"cond": "isEven", "actions": ["push:flag-even", "inc"]},
                                                {"actions": ["push:flag-odd", "clearFlag"]})]},
            {"actions": ["push:no-flag", "setFlag"]})]}}}}), ev("GO", "GO", "GO", "GO"))
    add("choose-no-match", "choose with no matching branch does nothing", m({
        "a": {"on": {"GO": {"actions": [choose({"cond": "never", "actions": ["push:x"]}), "inc"]}}}}), ev("GO"))
    add("choose-event-guard", "choose guards read the event", m({
        "a": {"on": {"V": {"actions": [choose({"cond": "eventValueAbove:5", "actions": ["push:big"]},
                                              {"cond": "eventHas:value", "actions": ["push:small"]},
                                              {"actions": ["push:none"]})]}}}}),
        ev({"type": "V", "value": 9}, {"type": "V", "value": 1}, "V"))
    add("choose-raise", "choose branches may raise", m({
        "a": {"on": {"GO": {"actions": [choose({"cond": "isEven", "actions": [raise_("EVEN"), "inc"]})]},
                     "EVEN": {"actions": ["pushEvent", "pushCount"]}}}}), ev("GO", "GO", "GO"))
    add("pure-sees-assigns", "pure getters and the assigns of the step", m({
        "a": {"on": {"GO": {"actions": [pure("pushPerCount"), "inc", "inc"]}}}}), ev("GO", "GO"))
    add("pure-with-assigns", "assigns returned by pure, between outer assigns", m({
        "a": {"on": {"GO": {"actions": ["inc", pure("incThenPushCount"), "pushCount", "double"]}}}}),
        ev("GO", "GO"))
    add("pure-raise", "pure returning a raise", m({
        "a": {"on": {"GO": {"actions": [pure("raiseIfEven"), "inc"]},
                     "EVEN": {"actions": ["pushEvent"]}}}}), ev("GO", "GO", "GO"))
    add("pure-nothing", "pure returning nothing", m({
        "a": {"on": {"GO": {"actions": [pure("nothing"), "inc"]}}}}), ev("GO"))
    add("log-forms", "log with a label, an expression and the default expression", m({
        "a": {"on": {"GO": {"target": "b", "actions": [log(fn("count"), "count"), log(label="plain"), "inc",
                                                       log("literal")]}},
              "exit": [log(fn("eventValue"))]},
        "b": {"entry": [log(label="entered")]}}), ev({"type": "GO", "value": 1}))
