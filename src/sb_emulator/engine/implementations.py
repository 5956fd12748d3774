"""Named implementations (XState's machine ``options``) and the normalisation of guards and
actions into the objects the algorithm reads.

Every action becomes an action object (a dict with a ``type``) at compile time: a name is
looked up in ``Implementations.actions``, a built-in's callables are wrapped to take XState's
full argument list, and anything unknown raises :class:`MachineConfigError` with its path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sb_emulator.engine import actions as act
from sb_emulator.engine.errors import MachineConfigError, did_you_mean, one_of

if TYPE_CHECKING:
    from sb_emulator.engine.model import Machine


@dataclass(frozen=True)
class Implementations:
    """Named implementations a config refers to (XState's ``options``)."""

    guards: Mapping[str, Any] = field(default_factory=dict)
    actions: Mapping[str, Any] = field(default_factory=dict)
    services: Mapping[str, Any] = field(default_factory=dict)
    delays: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GuardMeta:
    """Third argument of a guard: the current state value and the cond object."""

    state: Any
    cond: Mapping[str, Any]


@dataclass
class Guard:
    fn: Callable[..., Any]
    cond: dict[str, Any]


def to_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def to_guard(machine: Machine, cond: Any, path: str) -> Guard | None:
    """A ``cond``: a guard name, ``{"type": name, ...params}``, or a callable."""
    if cond is None:
        return None
    if callable(cond):
        return Guard(act.adapt(cond, 3), {"type": getattr(cond, "__name__", "guard")})
    if isinstance(cond, str):
        cond = {"type": cond}
    if isinstance(cond, Mapping) and isinstance(cond.get("type"), str):
        name = cond["type"]
        guards = machine.impl.guards
        if name in guards:
            return Guard(act.adapt(guards[name], 3), dict(cond))
        if callable(cond.get("predicate")):
            return Guard(act.adapt(cond["predicate"], 3), dict(cond))
        raise MachineConfigError(path, f'unknown guard "{name}"', f"a guard in guards: {one_of(guards)}",
                                 did_you_mean(name, guards))
    raise MachineConfigError(path, f"invalid guard {cond!r}", "a guard name or a function")


def to_action_object(machine: Machine, action: Any, path: str) -> dict[str, Any]:
    """Normalise one action (name, action object or callable) to an action object."""
    if callable(action):
        return {"type": getattr(action, "__name__", "action"), "exec": act.adapt(action, 3)}
    if isinstance(action, str):
        action = {"type": action}
    if not isinstance(action, Mapping) or not isinstance(action.get("type"), str):
        raise MachineConfigError(path, f"invalid action {action!r}",
                                 "an action name, an action object with a type, or a function")
    kind = action["type"]
    if kind in _BUILTINS:
        return _BUILTINS[kind](machine, dict(action), path)
    impl = machine.impl.actions.get(kind)
    if impl is None:
        if callable(action.get("exec")):
            return dict(action)
        raise MachineConfigError(path, f'unknown action "{kind}"',
                                 f"an action in actions: {one_of(machine.impl.actions)}",
                                 did_you_mean(kind, machine.impl.actions))
    if isinstance(impl, Mapping):
        return to_action_object(machine, impl, path)
    if callable(impl):
        return {**action, "exec": act.adapt(impl, 3)}
    raise MachineConfigError(path, f'action "{kind}" is not callable', "a function or an action object")


def _maybe(value: Any, arity: int) -> Any:
    return act.adapt(value, arity) if callable(value) else value


def _require(action: Mapping[str, Any], key: str, path: str, expected: str) -> Any:
    if key not in action or action[key] is None:
        raise MachineConfigError(f"{path}.{key}", f'a {action["type"]} action needs "{key}"', expected)
    return action[key]


def _assign(machine: Machine, action: dict[str, Any], path: str) -> dict[str, Any]:
    assignment = _require(action, "assignment", path, "an object of values/functions or a function")
    if callable(assignment):
        action["assignment"] = act.adapt(assignment, 3)
    elif isinstance(assignment, Mapping):
        action["assignment"] = {k: _maybe(v, 3) for k, v in assignment.items()}
    else:
        raise MachineConfigError(f"{path}.assignment", f"invalid assignment {assignment!r}",
                                 "an object of values/functions or a function")
    return action


def _send(machine: Machine, action: dict[str, Any], path: str) -> dict[str, Any]:
    _require(action, "event", path, "an event type, an event object or a function")
    delay = action.get("delay")
    if isinstance(delay, str) and delay not in machine.impl.delays:
        raise MachineConfigError(f"{path}.delay", f'unknown delay "{delay}"',
                                 f"a number of ms or a delay in delays: {one_of(machine.impl.delays)}",
                                 did_you_mean(delay, machine.impl.delays))
    for key in ("event", "delay", "to"):
        if key in action:
            action[key] = _maybe(action[key], 3)
    return action


def _cancel(machine: Machine, action: dict[str, Any], path: str) -> dict[str, Any]:
    _require(action, "sendId", path, "the id of a delayed send")
    return action


def _choose(machine: Machine, action: dict[str, Any], path: str) -> dict[str, Any]:
    conds = []
    for i, c in enumerate(to_list(action.get("conds"))):
        cpath = f"{path}.conds[{i}]"
        if not isinstance(c, Mapping):
            raise MachineConfigError(cpath, f"invalid choice {c!r}", "an object with cond and actions")
        conds.append({
            "guard": to_guard(machine, c.get("cond", c.get("guard")), f"{cpath}.cond"),
            "actions": [to_action_object(machine, a, f"{cpath}.actions[{j}]")
                        for j, a in enumerate(to_list(c.get("actions")))],
        })
    action["conds"] = conds
    return action


def _log(machine: Machine, action: dict[str, Any], path: str) -> dict[str, Any]:
    if "expr" in action:
        action["expr"] = _maybe(action["expr"], 2)
    return action


def _pure(machine: Machine, action: dict[str, Any], path: str) -> dict[str, Any]:
    get = _require(action, "get", path, "a function (context, event) -> actions")
    if not callable(get):
        raise MachineConfigError(f"{path}.get", "a pure action's get must be a function",
                                 "a function (context, event) -> actions")
    action["get"] = act.adapt(get, 2)
    return action


def _stop(machine: Machine, action: dict[str, Any], path: str) -> dict[str, Any]:
    action["activity"] = _maybe(_require(action, "activity", path, "the id of a child"), 2)
    return action


_BUILTINS: dict[str, Callable[[Machine, dict[str, Any], str], dict[str, Any]]] = {
    act.ASSIGN: _assign,
    act.RAISE: _send,
    act.SEND: _send,
    act.CANCEL: _cancel,
    act.CHOOSE: _choose,
    act.LOG: _log,
    act.PURE: _pure,
    act.STOP: _stop,
}
