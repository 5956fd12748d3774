# ruff: noqa: E501  (tables of machine configs read best unwrapped, as in gen_corpus.py)
"""Hand-written traces about the state tree: transition selection and targets, parallel regions,
history, eventless transitions, final states and done data, delayed transitions, invocations."""

from __future__ import annotations

from typing import Any

from tests.conformance.corpus_util import CTX, Json, collector, ev, fn, m

ENTER_EXIT = {"entry": ["pushEvent"]}


def traces() -> dict[str, Json]:
    t: dict[str, Json] = {}
    add = collector(t)
    _selection(add)
    _parallel(add)
    _history(add)
    _always_and_final(add)
    _after(add)
    _invoke(add)
    return t


def _nested(name: str, **extra: Any) -> Json:
    """A state that records its entry and exit in the log."""
    return {"entry": [f"push:{name}+"], "exit": [f"push:{name}-"], **extra}


def _selection(add: Any) -> None:
    add("child-before-parent", "a child's transition wins over its parent's; a failed guard falls through", m({
        "p": _nested("p", initial="c", states={
            "c": _nested("c", on={"E": [{"target": "d", "cond": "flag"}], "F": "d"}),
            "d": _nested("d")}, on={"E": {"target": "q", "actions": ["push:parent"]}, "F": "q"}),
        "q": _nested("q", on={"SET": {"target": "p", "actions": ["setFlag"]}})}),
        ev("E", "SET", "E", "F"))
    add("wildcard-depth", "a child's wildcard beats the parent's named transition", m({
        "p": {"initial": "c", "states": {"c": {"on": {"*": {"actions": ["pushEvent"]}}}},
              "on": {"KNOWN": {"actions": ["push:parent-known"]}}}}), ev("KNOWN", "OTHER"))
    add("wildcard-guarded", "a guarded wildcard and a specific event in one state", m({
        "a": {"on": {"X": {"actions": ["push:x"]},
                     "*": [{"target": "b", "cond": "eventValueAbove:2"}, {"actions": ["pushEvent"]}]}},
        "b": {}}), ev("X", "Y", {"type": "Z", "value": 1}, {"type": "Z", "value": 3}))
    add("external-parent-target", "a child targeting its parent re-enters the parent", m({
        "p": _nested("p", initial="c1", states={
            "c1": _nested("c1", on={"N": "c2"}), "c2": _nested("c2", on={"UP": "#m.p", "UPI": {
                "target": "#m.p", "internal": True}})})}), ev("N", "UP", "N", "UPI"))
    add("parent-self-transitions", "external and internal self transitions of a compound state", m({
        "p": _nested("p", initial="c1", states={"c1": _nested("c1", on={"N": "c2"}), "c2": _nested("c2")},
                     on={"EXT": "p", "INT": {"target": ".c1", "actions": ["push:int"]},
                         "STAY": {"actions": ["push:stay"]}})}), ev("N", "STAY", "INT", "N", "EXT"))
    add("deep-target-entry-order", "entering a deep target enters every ancestor in order", m({
        "a": _nested("a", on={"GO": "b.b1.b11", "ID": "#b12"}),
        "b": _nested("b", initial="b0", states={
            "b0": _nested("b0"),
            "b1": _nested("b1", initial="b10", states={
                "b10": _nested("b10"), "b11": _nested("b11", on={"BACK": "#m.a"}),
                "b12": _nested("b12", id="b12", on={"BACK": "#m.a"})})})}), ev("GO", "BACK", "ID"))
    add("unknown-events", "unknown events change nothing", m({
        "a": {"on": {"KNOWN": {"actions": ["inc"]}}}}), ev("NOPE", {"type": "ALSO", "value": 1}, "KNOWN", "NOPE"))
    add("forbidden-transition", "an event mapped to null (undefined in JS) in a child blocks the parent's", m({
        "p": {"initial": "a", "on": {"GO": {"target": "q", "actions": ["inc"]}, "ANY": {"actions": ["push:p"]}},
              "states": {"a": {"on": {"GO": None, "N": "b"}},
                         "b": {"on": {"GO": [{"target": "a", "cond": "flag"}, None], "*": None}}}},
        "q": {}}), ev("GO", "N", "GO", "ANY", {"type": "GO", "value": 1}))
    add("targetless-nothing", "a targetless transition without actions", m({
        "a": {"on": {"E": {}, "F": {"actions": []}}, "entry": ["push:a"]}}), ev("E", "F"))
    add("guard-list-fallthrough", "guards in a list are tried in order, the first match wins", m({
        "a": {"on": {"E": [{"target": "x", "cond": "countAbove:2"}, {"target": "y", "cond": "countIs:2"},
                           {"target": "z", "cond": "flag"}, {"actions": ["inc"]}],
                     "F": {"actions": ["setFlag"]}}},
        "x": {}, "y": {"on": {"E": {"target": "a", "actions": ["inc"]}}}, "z": {}}),
        ev("E", "E", "E", "E", "E", "F"))


def _parallel(add: Any) -> None:
    region = {"initial": "a", "states": {"a": _nested("a", on={"N": "b"}), "b": _nested("b")}}
    add("parallel-entry-exit-order", "entry and exit order of parallel regions", m({
        "p": _nested("p", type="parallel", states={"r1": {**_nested("r1"), **region},
                                                    "r2": {**_nested("r2"), **region}},
                     on={"OUT": "q"}),
        "q": _nested("q", on={"IN": "p"})}), ev("N", "OUT", "IN"))
    add("parallel-exit-from-region", "a region's transition out of the parallel state exits all regions", m({
        "p": _nested("p", type="parallel", states={
            "r1": {"initial": "a", "states": {"a": _nested("a1", on={"LEAVE": "#m.q"})}},
            "r2": {"initial": "a", "states": {"a": _nested("a2")}}}),
        "q": _nested("q")}), ev("LEAVE"))
    add("parallel-targets-from-outside", "multiple targets into parallel regions from outside", m({
        "q": _nested("q", on={"GO": {"target": ["#r1b", "#r2b"]}, "ONE": "#r1b"}),
        "p": _nested("p", type="parallel", states={
            "r1": {"initial": "a", "states": {"a": _nested("r1a"), "b": _nested("r1b", id="r1b")}},
            "r2": {"initial": "a", "states": {"a": _nested("r2a"), "b": _nested("r2b", id="r2b")}}},
                     on={"OUT": "q"})}), ev("GO", "OUT", "ONE"))
    add("parallel-nested-done", "done of a parallel state whose regions are compound", m({
        "p": {"type": "parallel", "onDone": {"target": "done", "actions": ["push:p-done"]}, "states": {
            "r1": {"initial": "a", "onDone": {"actions": ["push:r1-done"]}, "states": {
                "a": {"initial": "x", "states": {"x": {"on": {"A": "y"}}, "y": {"type": "final"}},
                      "onDone": "f"},
                "f": {"type": "final"}}},
            "r2": {"initial": "a", "states": {"a": {"on": {"B": "f"}}, "f": {"type": "final"}}}}},
        "done": {"type": "final", "data": {"n": fn("count"), "log": fn("logLength")}}}), ev("A", "B"))
    add("parallel-in-guard-values", "in guards as state value objects and path lists; an empty in is no guard", m({
        "p": {"type": "parallel", "states": {
            "left": {"initial": "off", "states": {"off": {"on": {"T": "on"}}, "on": {"on": {"T": "off"}}}},
            "right": {"initial": "a", "states": {"a": {"on": {
                "OBJ": {"target": "b", "in": {"left": "on"}, "actions": ["push:obj"]},
                "LIST": {"target": "b", "in": ["left", "on"], "actions": ["push:list"]},
                "EMPTY": {"actions": ["push:empty"], "in": ""}}},
                "b": {"on": {"BACK": "a"}}}}}}}),
        ev("OBJ", "LIST", "EMPTY", "T", "OBJ", "BACK", "LIST"))
    add("parallel-in-guard-forms", "in guards by state id and by a path relative to the grandparent", m({
        "p": {"type": "parallel", "states": {
            "left": {"initial": "off", "states": {"off": {"on": {"T": "on"}}, "on": {"id": "leftOn", "on": {"T": "off"}}}},
            "right": {"initial": "idle", "states": {"idle": {"on": {
                "GO": [{"target": "busy", "in": "#leftOn"}, {"actions": ["push:blocked"]}]}},
                "busy": {"on": {"GO": {"target": "idle", "in": "left.off"}}}}}}}}),
        ev("GO", "T", "GO", "GO", "T", "GO"))
    add("parallel-tags", "tags from every active region", m({
        "p": {"type": "parallel", "tags": ["top"], "states": {
            "r1": {"initial": "a", "states": {"a": {"tags": ["a1"], "on": {"N": "b"}}, "b": {"tags": ["b1", "same"]}}},
            "r2": {"initial": "a", "states": {"a": {"tags": ["same"]}}}}}}), ev("N"))
    add("parallel-always", "an eventless transition inside one region", m({
        "p": {"type": "parallel", "states": {
            "r1": {"initial": "a", "states": {"a": {"on": {"N": {"target": "b", "actions": ["inc"]}}}, "b": {}}},
            "r2": {"initial": "w", "states": {"w": {"always": {"target": "x", "cond": "countAbove:0"}},
                                              "x": {"entry": ["push:x"]}}}}}}), ev("N"))


def _history(add: Any) -> None:
    add("history-deep-default", "deep history with a nested default target", m({
        "q": {"on": {"IN": "p.h", "PLAIN": "p"}},
        "p": {"initial": "a", "on": {"OUT": "q"}, "states": {
            "a": {}, "b": {"initial": "b1", "states": {"b1": {"on": {"N": "b2"}}, "b2": {"id": "hb2"}}},
            "h": {"type": "history", "history": "deep", "target": "#hb2"}}}}), ev("IN", "OUT", "PLAIN", "OUT", "IN"))
    add("history-parallel", "history of a parallel state restores every region", m({
        "p": {"initial": "par", "states": {
            "par": {"type": "parallel", "states": {
                "r1": {"initial": "a", "states": {"a": {"on": {"N1": "b"}}, "b": {}}},
                "r2": {"initial": "a", "states": {"a": {"on": {"N2": "b"}}, "b": {}}}}},
            "other": {}, "hs": {"type": "history"}, "hd": {"type": "history", "history": "deep"}},
              "on": {"OUT": "q"}},
        "q": {"on": {"DEEP": "p.hd", "SHALLOW": "p.hs"}}}), ev("N1", "OUT", "DEEP", "N2", "OUT", "SHALLOW"))
    add("history-while-active", "targeting a history state of the active parent", m({
        "p": {"initial": "a", "states": {"a": _nested("a", on={"N": "b"}), "b": _nested("b", on={"H": "h"}),
                                         "h": {"type": "history"}}}}), ev("N", "H"))
    add("history-by-id", "a history state targeted by id from far away", m({
        "p": {"initial": "a", "states": {"a": {"on": {"N": "b"}}, "b": {}, "h": {"type": "history", "id": "ph"}},
              "on": {"OUT": "q.q1"}},
        "q": {"initial": "q1", "states": {"q1": {"on": {"BACK": "#ph"}}}}}), ev("N", "OUT", "BACK"))


def _always_and_final(add: Any) -> None:
    add("always-guard-list", "an eventless guarded list picks the first enabled branch", m({
        "a": {"on": {"SET": {"target": "b", "actions": ["setFromEvent"]}}},
        "b": {"always": [{"target": "big", "cond": "countAbove:5"}, {"target": "even", "cond": "isEven"},
                         {"target": "odd"}]},
        "big": {"on": {"SET": {"target": "b", "actions": ["setFromEvent"]}}},
        "even": {"on": {"SET": {"target": "b", "actions": ["setFromEvent"]}}},
        "odd": {"on": {"SET": {"target": "b", "actions": ["setFromEvent"]}}}}),
        ev({"type": "SET", "value": 3}, {"type": "SET", "value": 4}, {"type": "SET", "value": 9}))
    add("always-targetless-once", "a targetless eventless transition whose guard turns false", m({
        "a": {"always": {"cond": "countIs:0", "actions": ["inc", "push:once"]}, "on": {"R": {"actions": ["reset"]}}}}),
        ev("R"))
    add("always-to-final", "an eventless chain ending in a top-level final state", m({
        "a": {"on": {"GO": "b"}}, "b": {"always": {"target": "c", "actions": ["inc"]}},
        "c": {"always": {"target": "end", "actions": ["double"]}},
        "end": {"type": "final", "entry": ["inc"], "data": fn("contextCopy")}}), ev("GO", "GO"))
    add("final-data-function", "compound done data from a function, read by onDone", m({
        "job": {"initial": "w", "states": {"w": {"on": {"FIN": {"target": "f", "actions": ["inc", "inc"]}}},
                                           "f": {"type": "final", "data": fn("count")}},
                "onDone": {"target": "after", "actions": ["setFromData", "pushData"]}},
        "after": {"on": {"AGAIN": "job"}}}), ev("FIN", "AGAIN", "FIN"))
    add("final-done-event-handler", "done.state events handled through on", m({
        "job": {"id": "job", "initial": "w", "states": {"w": {"on": {"FIN": "f"}},
                                                       "f": {"type": "final", "data": {"n": 2}}}},
        "other": {}}, on={"done.state.job": {"target": ".other", "actions": ["pushEvent", "pushData"]}}),
        ev("FIN"))
    add("final-nested-in-compound", "a final state of a nested compound state does not end the machine", m({
        "outer": {"initial": "inner", "onDone": "end", "states": {
            "inner": {"initial": "x", "onDone": "last", "states": {"x": {"on": {"F": "f"}}, "f": {"type": "final"}}},
            "last": {"on": {"G": "g"}}, "g": {"type": "final"}}},
        "end": {"type": "final", "data": {"finished": True, "count": fn("count")}}}), ev("F", "G", "H"))
    add("top-final-data-from-event", "top-level done data computed from the last event", m({
        "a": {"on": {"END": "end"}},
        "end": {"type": "final", "data": {"value": fn("eventValue")}}}), ev({"type": "END", "value": 7}))
    add("done-events-have-data", "done.state events carry a data key even without data", m({
        "p": {"type": "parallel", "states": {
            "r1": {"initial": "a", "states": {"a": {"on": {"F": "f"}}, "f": {"id": "r1f", "type": "final"}},
                   "onDone": [{"cond": "eventHas:data", "actions": ["push:r1-has"]}, {"actions": ["push:r1-no"]}]},
            "r2": {"initial": "a", "states": {"a": {"on": {"F": "f"}}, "f": {"type": "final"}}}},
              "on": {"done.state.r1f": [{"cond": "eventHas:data", "actions": ["push:own-has"]},
                                        {"actions": ["push:own-no"]}]},
              "onDone": [{"target": "q", "cond": "eventHas:data", "actions": ["push:p-has"]},
                         {"target": "q", "actions": ["push:p-no"]}]},
        "q": {}}), ev("F"))
    add("final-data-not-an-object", "done data that is no object is read key by key (Object.keys)", m({
        "job": {"initial": "w", "states": {
            "w": {"on": {"S": "fs", "A": "fa", "N": "fn", "Z": "fz", "T": "ft"}},
            "fs": {"type": "final", "data": "ok"}, "fa": {"type": "final", "data": [1, fn("count")]},
            "fn": {"type": "final", "data": 7}, "fz": {"type": "final", "data": 0},
            "ft": {"type": "final", "data": True}},
                "onDone": {"target": "job", "actions": ["pushData"]}},
        }), ev("S", "A", "N", "Z", "T"))
    add("top-final-data-string", "a top-level final state with string data", m({
        "a": {"on": {"END": {"target": "end", "actions": ["inc"]}}},
        "end": {"type": "final", "data": "done!"}}), ev("END"))


def _after(add: Any) -> None:
    add("after-restart-external", "an external self transition restarts an after timer", m({
        "a": {"after": {"300": {"target": "b"}}, "on": {"RE": "a", "IN": {"target": "a", "internal": True}}},
        "b": {}}), ev(200, "IN", 50, "RE", 200, 100))
    add("after-guarded-list", "after with a guarded transition list", m({
        "a": {"after": {"100": [{"target": "b", "cond": "flag"}, {"target": "c"}]}, "on": {"SET": {"actions": ["setFlag"]}}},
        "b": {}, "c": {"on": {"BACK": "a"}}}), ev(100, "BACK", "SET", 100))
    add("after-parallel", "after timers in parallel regions", m({
        "p": {"type": "parallel", "states": {
            "r1": {"initial": "a", "states": {"a": {"after": {"100": "b"}}, "b": {}}},
            "r2": {"initial": "a", "states": {"a": {"after": {"200": "b"}, "on": {"STOP": "c"}}, "b": {}, "c": {}}}}}}),
        ev(100, "STOP", 100))
    add("after-nested-cancelled", "leaving a parent cancels its child's timer", m({
        "p": {"initial": "c", "states": {"c": {"after": {"100": {"actions": ["push:late"]}}}}, "on": {"OUT": "q"}},
        "q": {}}), ev(50, "OUT", 100))
    add("after-zero", "after 0 fires on the next clock tick", m({
        "a": {"after": {"0": "b"}}, "b": {"entry": ["inc"]}}), ev(0, 1))
    add("after-named-context", "a named delay computed from the context set by entry", m({
        "a": {"on": {"GO": {"target": "w", "actions": ["inc"]}}},
        "w": {"entry": ["inc"], "after": {"ctxDelay": {"target": "a", "actions": ["pushCount"]}}}}),
        ev("GO", 200, 50, "GO", 349, 1))
    add("after-chain", "after timers chain across states in one clock advance", m({
        "a": {"after": {"100": "b"}}, "b": {"after": {"100": "c"}}, "c": {"entry": ["push:c"]}}), ev(150, 60))


def _invoke(add: Any) -> None:
    add("invoke-done-data", "done.invoke data reaches onDone actions", m({
        "idle": {"on": {"GO": {"target": "busy", "actions": ["inc", "inc"]}}},
        "busy": {"invoke": {"id": "svc", "src": "resolveCount",
                            "onDone": {"target": "idle", "actions": ["pushEvent", "setFromData"]}}}}),
        ev("GO", "GO"))
    add("invoke-error-data", "error.platform data reaches onError actions", m({
        "busy": {"entry": ["inc"], "invoke": {"id": "svc", "src": "rejectCount",
                                              "onError": {"target": "failed", "actions": ["pushEvent", "pushData"]}}},
        "failed": {}}), [])
    add("invoke-data-mapper", "invoke data mapped from context and event", m({
        "idle": {"on": {"GO": {"target": "busy", "actions": ["inc"]}}},
        "busy": {"invoke": {"id": "echo", "src": "echoData", "data": {"n": fn("count"), "v": fn("eventValue")},
                            "onDone": {"target": "idle", "actions": ["pushData"]}}}}),
        ev({"type": "GO", "value": 5}, "GO"))
    add("invoke-data-not-an-object", "invoke data that is no object is read key by key, falsy data is none", m({
        "idle": {"on": {"S": "s", "A": "a", "Z": "z"}},
        "s": {"invoke": {"src": "echoData", "data": "hi", "onDone": {"target": "idle", "actions": ["pushData"]}}},
        "a": {"invoke": {"src": "echoData", "data": [fn("count"), "x"],
                         "onDone": {"target": "idle", "actions": ["pushData"]}}},
        "z": {"invoke": {"src": "echoData", "data": 0, "onDone": {"target": "idle", "actions": ["pushData"]}}}}),
        ev("S", "A", "Z"))
    add("invoke-context-seen", "the context a service sees after the assigns of its step", m({
        "idle": {"on": {"GO": {"target": "busy", "actions": ["inc"]}}},
        "busy": {"entry": ["double"], "invoke": {"id": "svc", "src": "resolveCount",
                                                  "onDone": {"target": "idle", "actions": ["pushData"]}},
                 "exit": ["inc"]}}), ev("GO", "GO"))
    add("invoke-data-before-child-entry", "invoke data and service context versus a child's entry assigns", m({
        "idle": {"on": {"GO": "busy"}},
        "busy": {"entry": ["inc"], "initial": "inner",
                 "invoke": [{"id": "echo", "src": "echoData", "data": {"n": fn("count")},
                             "onDone": {"actions": ["pushData"]}},
                            {"id": "svc", "src": "resolveCount", "onDone": {"actions": ["pushData"]}}],
                 "states": {"inner": {"entry": ["double", "double"]}}, "on": {"BACK": "idle"}}}),
        ev("GO", "BACK", "GO"))
    add("invoke-event-seen", "the event a service sees is the one that entered its state", m({
        "idle": {"on": {"GO": "busy"}},
        "busy": {"invoke": {"id": "svc", "src": "eventValue",
                            "onDone": {"target": "idle", "actions": ["pushData"]}}}}),
        ev({"type": "GO", "value": 3}, "GO"))
    add("invoke-event-after-raise", "the event a service sees when its state is entered by a raised event", m({
        "idle": {"on": {"GO": {"actions": [{"type": "xstate.raise", "event": "R"}]}, "R": "busy"}},
        "busy": {"invoke": {"id": "svc", "src": "eventValue",
                            "onDone": {"target": "idle", "actions": ["pushData"]}}}}),
        ev({"type": "GO", "value": 3}))
    add("invoke-default-id", "an invoke without id, finished through onDone", m({
        "busy": {"invoke": {"src": "resolveNothing", "onDone": {"target": "ok", "actions": ["pushEvent", "pushData"]}}},
        "ok": {}}), [])
    add("invoke-done-via-on", "done.invoke handled by an explicit on entry", m({
        "busy": {"invoke": {"id": "svc", "src": "resolveCount"},
                 "on": {"done.invoke.svc": {"target": "ok", "actions": ["pushEvent", "setFromData"]}}},
        "ok": {}}, context={**CTX, "count": 4}), [])
    add("invoke-stopped-by-entry", "a stop of a state's own service in its entry actions, and from a transition", m({
        "idle": {"on": {"GO": "busy", "GO2": "busy2"}},
        "busy": {"entry": ["inc", {"type": "xstate.stop", "activity": "svc"}],
                 "invoke": {"id": "svc", "src": "resolveCount", "onDone": {"actions": ["push:done", "pushData"]}},
                 "on": {"BACK": "idle"}},
        "busy2": {"invoke": {"id": "svc2", "src": "resolveCount", "onDone": {"actions": ["push:done2"]}},
                  "on": {"BACK": {"target": "idle", "actions": [{"type": "xstate.stop", "activity": "svc2"}]}}}}),
        ev("GO", "BACK", "GO2", "BACK", "GO"))
    add("invoke-two", "two invocations in one state report in start order", m({
        "busy": {"invoke": [{"id": "one", "src": "resolveCount", "onDone": {"actions": ["push:one"]}},
                            {"id": "two", "src": "echoData", "data": {"x": 1}, "onDone": {"actions": ["push:two"]}}],
                 "on": {"DONE": "ok"}}, "ok": {}}), ev("DONE"))
    add("invoke-restart", "re-entering an invoking state restarts its service; the old one is ignored", m({
        "busy": {"entry": ["inc"], "invoke": {"id": "svc", "src": "resolveCount",
                                              "onDone": {"target": "ok", "actions": ["pushData"]}},
                 "always": {"target": "busy", "cond": "countIs:1"}},
        "ok": {"on": {"AGAIN": "busy"}}}), ev("AGAIN"))
    add("invoke-parallel", "services in parallel regions", m({
        "p": {"type": "parallel", "states": {
            "r1": {"initial": "w", "states": {"w": {"invoke": {"id": "a", "src": "resolveCount",
                                                              "onDone": {"target": "d", "actions": ["push:a"]}}},
                                              "d": {"type": "final"}}},
            "r2": {"initial": "w", "states": {"w": {"invoke": {"id": "b", "src": "rejectAlways",
                                                              "onError": {"target": "d", "actions": ["push:b"]}}},
                                              "d": {"type": "final"}}}},
              "onDone": "end"},
        "end": {"type": "final", "data": fn("contextCopy")}}), [])
    add("invoke-transient", "a state left in the same step never starts its service", m({
        "a": {"on": {"GO": "b"}},
        "b": {"invoke": {"id": "svc", "src": "resolveCount", "onDone": {"actions": ["push:should-not"]}},
              "always": "c"},
        "c": {}}), ev("GO"))
    add("invoke-then-done", "a service resolving into a top-level final state", m({
        "busy": {"invoke": {"id": "svc", "src": "resolveCount", "onDone": {"target": "end", "actions": ["setFromData"]}}},
        "end": {"type": "final", "data": {"result": fn("count")}}}, context={**CTX, "count": 2}), ev("LATE"))
