"""Invalid configs raise one MachineConfigError naming the config path and what was expected."""

from __future__ import annotations

from typing import Any

import pytest

from sb_emulator.engine import MachineConfigError
from tests.engine.helpers import machine

IMPL: dict[str, Any] = {"guards": {"isReady": lambda c, e, m: True}, "actions": {"notify": lambda c, e: None},
                        "services": {"fetchUser": object()}, "delays": {"shortWait": 10}}


@pytest.mark.parametrize(("config", "path", "fragment", "expected"), [
    ({"initial": "a", "states": {"a": {"on": {"GO": "nowhere"}}}},
     "states.a.on.GO[0].target", 'unknown target "nowhere"', 'a sibling state of "a"'),
    ({"initial": "a", "states": {"a": {"on": {"GO": [{"cond": "isReady"}, {"target": ".x"}]}}}},
     "states.a.on.GO[1].target", 'unknown target ".x"', 'a child of "m.a"'),
    ({"initial": "a", "states": {"a": {"on": {"GO": "#nope"}}}},
     "states.a.on.GO[0].target", 'unknown target "#nope"', "the id of a state"),
    ({"initial": "x", "states": {"a": {}}}, "initial", 'unknown initial state "x"', '"a"'),
    ({"states": {"a": {}, "b": {}}}, "initial", "no initial state", '"a", "b"'),
    ({"initial": "a", "states": {"a": {"initial": "b"}}}, "states.a.initial",
     "only compound states have an initial state", "no initial"),
    ({"initial": "a", "states": {"a": {"type": "history", "states": {"b": {}}}}},
     "states.a.states", "history state cannot have child states", "no states"),
    ({"initial": "a", "states": {"a": {"type": "history", "history": "wide"}}},
     "states.a.history", "invalid history", '"shallow" or "deep"'),
    ({"initial": "p", "states": {"p": {"initial": "a", "states": {
        "a": {}, "h": {"type": "history", "target": "zz"}}}}},
     "states.p.states.h.target", 'unknown history target "zz"', 'a child of "m.p"'),
    ({"initial": "a", "states": {"a": {"on": {"GO": {"cond": "isRedy"}}}}},
     "states.a.on.GO[0].cond", 'unknown guard "isRedy"', 'a guard in guards: one of "isReady"'),
    ({"initial": "a", "states": {"a": {"entry": ["notify", "notfy"]}}}, "states.a.entry[1]",
     'unknown action "notfy"', 'an action in actions: one of "notify"'),
    ({"initial": "a", "states": {"a": {"invoke": {"src": "fetchUsr"}}}}, "states.a.invoke[0].src",
     'unknown service "fetchUsr"', 'one of "fetchUser"'),
    ({"initial": "a", "states": {"a": {"invoke": {"id": "x"}}}}, "states.a.invoke[0]",
     "an invoke needs a src", "a src"),
    ({"initial": "a", "states": {"a": {"invoke": {"src": 42}}}}, "states.a.invoke[0].src",
     "invalid service 42", "a service name"),
    ({"initial": "a", "states": {"a": {"after": {"shortWiat": "a"}}}}, "states.a.after.shortWiat",
     'unknown delay "shortWiat"', 'one of "shortWait"'),
    ({"initial": "a", "states": {"a": {"type": "paralel"}}}, "states.a.type", "unknown state type",
     '"parallel"'),
    ({"initial": "a", "states": {"a": {"id": "dup"}, "b": {"id": "dup"}}}, "states.b",
     'duplicate state id "dup"', "unique state ids"),
    ({"initial": "a", "states": {"a": "not a state"}}, "states.a", "a state must be an object",
     "an object"),
    ({"initial": "a", "states": {"a": {"on": "GO"}}}, "states.a.on", "on must be an object or a list",
     "a mapping"),
    ({"initial": "a", "states": {"a": {"exit": {"type": "xstate.assign"}}}}, "states.a.exit[0].assignment",
     'needs "assignment"', "a function"),
    ({"initial": "a", "states": {"a": {"entry": {"type": "xstate.send", "delay": 5}}}},
     "states.a.entry[0].event", 'needs "event"', "an event"),
    ({"initial": "a", "states": {"a": {"entry": {"type": "xstate.send", "event": "E", "delay": "later"}}}},
     "states.a.entry[0].delay", 'unknown delay "later"', 'one of "shortWait"'),
    ({"initial": "a", "states": {"a": {"entry": {"type": "xstate.cancel"}}}},
     "states.a.entry[0].sendId", 'needs "sendId"', "the id of a delayed send"),
    ({"initial": "a", "states": {"a": {"entry": {"type": "xstate.choose", "conds": [
        {"cond": "nope", "actions": []}]}}}},
     "states.a.entry[0].conds[0].cond", 'unknown guard "nope"', "a guard in guards"),
    ({"initial": "a", "states": {"a": {"entry": [42]}}}, "states.a.entry[0]", "invalid action 42",
     "an action name"),
    ({"initial": "a", "states": {"a": {"on": {"GO": {"target": "a", "in": "#m.b"}}}}},
     "states.a.on.GO[0].in", 'unknown state "#m.b"', "the id of a state"),
])
def test_config_errors_name_the_path(config: dict[str, Any], path: str, fragment: str,
                                     expected: str) -> None:
    with pytest.raises(MachineConfigError) as raised:
        machine(config, **IMPL)
    error = raised.value
    assert error.path == path
    assert fragment in str(error) and path in str(error)
    assert expected in error.expected


def test_did_you_mean_for_near_misses() -> None:
    with pytest.raises(MachineConfigError, match='did you mean "placed"'):
        machine({"initial": "pending", "states": {"pending": {"on": {"place": "plaecd"}}, "placed": {}}})
    with pytest.raises(MachineConfigError, match='did you mean "isReady"') as raised:
        machine({"initial": "a", "states": {"a": {"always": {"target": "a", "cond": "isRedy"}}}}, **IMPL)
    assert raised.value.path == "states.a.always[0].cond"
    with pytest.raises(MachineConfigError, match='did you mean "fetchUser"'):
        machine({"initial": "a", "states": {"a": {"invoke": {"src": "fetchUsr"}}}}, **IMPL)


def test_a_valid_config_raises_nothing() -> None:
    m = machine({"initial": "a", "states": {
        "a": {"entry": "notify", "invoke": {"src": "fetchUser"}, "after": {"shortWait": "b"},
              "on": {"GO": {"target": "b", "cond": "isReady"}}},
        "b": {"type": "final"}}}, **IMPL)
    assert m.id == "m"
