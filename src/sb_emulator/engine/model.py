"""Compiling an XState v4 machine config into a tree of state nodes, once.

Everything the transition algorithm needs is precomputed here: ids, paths, document order,
transitions per event type (in XState's candidate order), entry/exit action lists with the
``after`` timers and invocations folded in exactly where XState v4 puts them. Invalid configs
raise :class:`MachineConfigError` naming the config path and what was expected.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sb_emulator.engine import actions as act
from sb_emulator.engine.errors import MachineConfigError, did_you_mean, one_of
from sb_emulator.engine.implementations import (
    Guard,
    GuardMeta,
    Implementations,
    to_action_object,
    to_guard,
)
from sb_emulator.engine.implementations import to_list as _to_list
from sb_emulator.engine.jsvalues import js_keys, js_truthy

__all__ = ["GuardMeta", "Implementations", "Machine", "StateNode", "Transition", "to_action_object"]

NULL_EVENT = ""
WILDCARD = "*"
STATE_TYPES = frozenset({"atomic", "compound", "parallel", "final", "history"})
PERSISTENT_INVOKE = "statebacked.invoke"  # a persistent child instance: a machine


@dataclass
class InvokeDef:
    id: str
    src: Any
    data: Any
    auto_forward: bool  # autoForward declared and the child is a machine (see below)


@dataclass(eq=False)
class Transition:
    source: StateNode
    event_type: str
    target_specs: list[Any] | None
    actions: list[dict[str, Any]]
    guard: Guard | None
    in_state: Any  # None, "#id", or a state value (path string, list or object) to match
    internal: bool
    path: str
    targets: list[StateNode] | None = None


class StateNode:
    """One node of the compiled machine. Identity-compared; never mutated after compile."""

    def __init__(self, machine: Machine, config: Any, key: str, parent: StateNode | None,
                 cpath: str) -> None:
        if not isinstance(config, Mapping):
            raise MachineConfigError(cpath or "machine", "a state must be an object",
                                     f"an object with states, on, entry...; got {config!r}")
        self.machine = machine
        self.config = config
        self.key = key
        self.parent = parent
        self.cpath = cpath
        self.path: tuple[str, ...] = (*parent.path, key) if parent else ()
        self.id: str = str(config.get("id") or ".".join((machine.key, *self.path)))
        self.order = 0
        self.type = self._state_type()
        self.history = self._history_kind()
        self.initial: str | None = config.get("initial")
        self.tags: tuple[str, ...] = tuple(_to_list(config.get("tags")))
        self.done_data = config.get("data") if self.type == "final" else None
        self.states: dict[str, StateNode] = self._child_states()
        self.entry: list[dict[str, Any]] = []
        self.exit: list[dict[str, Any]] = []
        self.invokes: list[InvokeDef] = []
        self.transitions: list[Transition] = []
        self.candidates: dict[str, list[Transition]] = {}
        self.wildcard_candidates: list[Transition] = []
        self.transient = False
        self.is_leaf = self.type in ("atomic", "final")
        self.initial_nodes_cache: list[StateNode] | None = None
        # filled in by ``_finish_node`` once every node is compiled
        self.child_nodes: list[StateNode] = []
        self.exit_actions: list[dict[str, Any]] = []
        self.entry_legacy: list[dict[str, Any]] = []
        self.entry_eager: list[dict[str, Any]] = []
        self.history_target: list[list[str]] | None = None
        self.handles_errors = False

    def _p(self, suffix: str) -> str:
        return f"{self.cpath}.{suffix}" if self.cpath else suffix

    def _history_kind(self) -> str:
        if self.type != "history":
            return "shallow"
        hist = self.config.get("history")
        kind = "shallow" if hist in (None, True) else str(hist)
        if kind not in ("shallow", "deep"):
            raise MachineConfigError(self._p("history"), f"invalid history {hist!r}", '"shallow" or "deep"')
        return kind

    def _child_states(self) -> dict[str, StateNode]:
        raw_states = self.config.get("states") or {}
        if not isinstance(raw_states, Mapping):
            raise MachineConfigError(self._p("states"), "states must be an object",
                                     "a mapping of state names to state configs")
        if self.type == "history" and raw_states:
            raise MachineConfigError(self._p("states"), "a history state cannot have child states",
                                     "no states under a history state")
        return {key: StateNode(self.machine, raw_states[key], key, self, self._p(f"states.{key}"))
                for key in js_keys(raw_states)}

    def _state_type(self) -> str:
        declared = self.config.get("type")
        if declared is not None:
            if declared not in STATE_TYPES:
                raise MachineConfigError(self._p("type"), f"unknown state type {declared!r}",
                                         one_of(STATE_TYPES), did_you_mean(str(declared), STATE_TYPES))
            return str(declared)
        if self.config.get("parallel"):
            return "parallel"
        states = self.config.get("states")
        if isinstance(states, Mapping) and states:
            return "compound"
        if self.config.get("history"):
            return "history"
        return "atomic"

    def __repr__(self) -> str:
        return f"<StateNode #{self.id}>"

    # -- queries used by the algorithm -------------------------------------------------------

    def get_candidates(self, event_type: str) -> list[Transition]:
        """XState's ``getCandidates``: transitions for the type or ``*``, in document order
        (precomputed; any other type gets the wildcard ones)."""
        return self.candidates.get(event_type, self.wildcard_candidates)


class Machine:
    """A compiled XState v4 machine: ``Machine(config, Implementations(...))``."""

    def __init__(self, config: Mapping[str, Any], implementations: Implementations | None = None
                 ) -> None:
        if not isinstance(config, Mapping):
            raise MachineConfigError("machine", "the machine config must be an object",
                                     "an XState v4 config object")
        self.config = config
        self.impl = implementations or Implementations()
        self.key: str = str(config.get("key") or config.get("id") or "(machine)")
        self.context: Any = config.get("context")
        self.predictable: bool = bool(config.get("predictableActionArguments"))
        self.preserve_order: bool = self.predictable or bool(config.get("preserveActionOrder"))
        self.id_map: dict[str, StateNode] = {}
        # inline (callable) invoke sources, by the invoke id that stands for them as src
        self.inline_services: dict[str, Any] = {}
        self.root = StateNode(self, config, self.key, None, "")
        self.nodes: list[StateNode] = []
        self._index(self.root)
        for node in self.nodes:
            _compile_node(self, node)
        for node in self.nodes:
            _check_initial(node)
            _finish_node(node)
        self.invokes_by_id = {inv.id: inv for node in self.nodes for inv in node.invokes}
        self.has_history = any(node.type == "history" for node in self.nodes)
        # per-machine memo tables of the transition algorithm (bounded; see algorithm.py)
        self.value_cache: dict[tuple[int, ...], Any] = {}
        self.config_cache: dict[Any, list[StateNode]] = {}
        self.configuration_cache: dict[tuple[tuple[int, ...], tuple[int, ...]], list[StateNode]] = {}
        self.ids_cache: dict[tuple[str, ...], list[StateNode]] = {}

    def _index(self, node: StateNode) -> None:
        node.order = len(self.nodes)
        self.nodes.append(node)
        if node.id in self.id_map:
            raise MachineConfigError(node.cpath or "machine", f'duplicate state id "{node.id}"',
                                     "unique state ids")
        self.id_map[node.id] = node
        for child in node.states.values():
            self._index(child)

    @property
    def id(self) -> str:
        return self.root.id

    def node_by_id(self, state_id: str) -> StateNode | None:
        return self.id_map.get(state_id)


# ---- compilation ---------------------------------------------------------------------------


def _compile_node(machine: Machine, node: StateNode) -> None:
    config = node.config
    node.entry = [to_action_object(machine, a, node._p(f"entry[{i}]"))
                  for i, a in enumerate(_to_list(config.get("entry", config.get("onEntry"))))]
    node.exit = [to_action_object(machine, a, node._p(f"exit[{i}]"))
                 for i, a in enumerate(_to_list(config.get("exit", config.get("onExit"))))]
    node.invokes = _compile_invokes(machine, node)
    node.transitions = _compile_transitions(machine, node)
    on = config.get("on")
    node.transient = bool(config.get("always")) or (
        isinstance(on, Mapping) and NULL_EVENT in on
    ) or (isinstance(on, list) and any(isinstance(t, Mapping) and t.get("event") == NULL_EVENT
                                       for t in on))
    for transition in node.transitions:
        transition.targets = _resolve_targets(node, transition)
        _check_in_guard(node.machine, transition)


def _check_in_guard(machine: Machine, transition: Transition) -> None:
    """An ``in: "#id"`` guard must name an existing state id exactly (XState throws later)."""
    ref = transition.in_state
    if isinstance(ref, str) and ref.startswith("#") and machine.node_by_id(ref[1:]) is None:
        raise MachineConfigError(f"{transition.path}.in", f'unknown state "{ref}"', "the id of a state (#id)",
                                 did_you_mean(ref[1:], machine.id_map))


def _finish_node(node: StateNode) -> None:
    """Precompute what the transition algorithm reads on every step."""
    node.child_nodes = [s for s in node.states.values() if s.type != "history"]
    transitions = node.transitions
    node.wildcard_candidates = [t for t in transitions if t.event_type == WILDCARD]
    node.candidates = {kind: [t for t in transitions if t.event_type in (kind, WILDCARD)]
                       for kind in {t.event_type for t in transitions} - {WILDCARD, NULL_EVENT}}
    # eventless transitions never match the wildcard
    node.candidates[NULL_EVENT] = [t for t in transitions if t.event_type == NULL_EVENT]
    stops = [{"type": act.STOP, "activity": i} for i in node.invokes]
    starts = [{"type": act.START, "activity": i} for i in node.invokes]
    node.exit_actions = [*node.exit, *stops]
    # XState puts the invocations after the entry actions only when executing eagerly
    # (predictableActionArguments, except for the initial state)
    node.entry_legacy = [*starts, *node.entry]
    node.entry_eager = [*node.entry, *starts]
    if node.type == "history":
        node.history_target = _history_target(node)
    # XState's interpreter drops error.platform events unless some active state has a
    # non-inert error.platform transition (State.nextEvents)
    node.handles_errors = any(
        t.event_type.startswith("error.platform") and (t.target_specs or t.actions or not t.internal)
        for t in node.transitions)


def _history_target(node: StateNode) -> list[list[str]] | None:
    """The default target of a history state, as paths relative to its parent."""
    target = node.config.get("target")
    if target is None or target == "":
        return None
    parent = node.parent
    assert parent is not None
    path = node._p("target")
    if isinstance(target, str) and target.startswith("#"):
        found = _by_id_path(node.machine, target[1:])
        if found is None or found.path[:len(parent.path)] != parent.path or found is parent:
            raise MachineConfigError(path, f'unknown history target "{target}"',
                                     f'the id of a descendant of "{parent.id}"',
                                     did_you_mean(target[1:], node.machine.id_map))
        return [list(found.path[len(parent.path):])]
    if isinstance(target, str):
        target = {target: {}} if target in parent.states else target
    return [_check_relative_path(parent, p, path) for p in _value_paths(target, path)]


def _value_paths(value: Any, path: str) -> list[list[str]]:
    if isinstance(value, str):
        return [[value]]
    if not isinstance(value, Mapping) or not value:
        raise MachineConfigError(path, f"invalid history target {value!r}",
                                 "a child state key, a #id or a state value object")
    out: list[list[str]] = []
    for key in js_keys(value):
        sub = value[key]
        out += [[key, *p] for p in _value_paths(sub, path)] if sub else [[key]]
    return out


def _check_relative_path(parent: StateNode, rel: list[str], path: str) -> list[str]:
    current = parent
    for part in rel:
        child = current.states.get(part)
        if child is None:
            raise MachineConfigError(path, f'unknown history target "{".".join(rel)}"',
                                     f'a child of "{current.id}": {one_of(current.states)}',
                                     did_you_mean(part, current.states))
        current = child
    return rel


def _check_initial(node: StateNode) -> None:
    if node.type != "compound":
        if node.initial is not None and node.type != "parallel":
            raise MachineConfigError(node._p("initial"), "only compound states have an initial state",
                                     "no initial on an atomic state")
        return
    if node.initial is None:
        raise MachineConfigError(node._p("initial") if node.cpath else "initial",
                                 "compound state has no initial state",
                                 one_of(node.states))
    if node.initial not in node.states:
        raise MachineConfigError(node._p("initial") if node.cpath else "initial",
                                 f'unknown initial state "{node.initial}"',
                                 f'a child of "{node.id}": {one_of(node.states)}',
                                 did_you_mean(str(node.initial), node.states))


def _compile_invokes(machine: Machine, node: StateNode) -> list[InvokeDef]:
    out: list[InvokeDef] = []
    for i, inv in enumerate(_to_list(node.config.get("invoke"))):
        ipath = node._p(f"invoke[{i}]")
        if not isinstance(inv, Mapping) or "src" not in inv:
            raise MachineConfigError(ipath, "an invoke needs a src", "an object with a src")
        invoke_id = str(inv.get("id") or f"{node.id}:invocation[{i}]")
        src = inv["src"]
        if callable(src):
            # as XState does: an inline service is registered under the invoke id
            machine.inline_services[invoke_id] = src
            src = invoke_id
        else:
            _check_service(machine, src, f"{ipath}.src")
        declared = inv.get("autoForward") if "autoForward" in inv else inv.get("forward")
        forwards = bool(declared) and _is_machine_service(machine, src)
        out.append(InvokeDef(invoke_id, src, inv.get("data"), forwards))
    return out


def _is_machine_service(machine: Machine, src: Any) -> bool:
    """XState's interpreter auto-forwards events only to children that are machines (not to
    promises, callbacks or observables): here a persistent child instance
    (``statebacked.invoke``) or a service implemented by a compiled ``Machine``."""
    name = src.get("type") if isinstance(src, Mapping) else src
    return isinstance(name, str) and (
        name == PERSISTENT_INVOKE or isinstance(machine.impl.services.get(name), Machine))


def _check_service(machine: Machine, src: Any, path: str) -> None:
    name = src if isinstance(src, str) else (src.get("type") if isinstance(src, Mapping) else None)
    if not isinstance(name, str):
        raise MachineConfigError(path, f"invalid service {src!r}",
                                 'a service name, {"type": name, ...} or a function')
    if name not in machine.impl.services and not name.startswith("statebacked."):
        raise MachineConfigError(path, f'unknown service "{name}"',
                                 f"a service in services: {one_of(machine.impl.services)}",
                                 did_you_mean(name, machine.impl.services))


def _transition_configs(key: str, value: Any, *, null_forbids: bool = False) -> list[Any]:
    """XState's ``toTransitionConfigArray``. In ``on``, a null (``undefined`` in JS) value is
    a forbidden transition: it matches, does nothing and stops the search in the ancestors
    (elsewhere XState skips a falsy value)."""
    if value is None:
        return [{"event": key}] if null_forbids else []
    return [dict(v, event=key) if isinstance(v, Mapping) else
            {"event": key} if v is None else {"target": v, "event": key}
            for v in _to_list(value)]


def _compile_transitions(machine: Machine, node: StateNode) -> list[Transition]:
    config = node.config
    raw: list[tuple[dict[str, Any], str]] = []
    if "onDone" in config:
        raw += [(c, node._p(f"onDone[{i}]"))
                for i, c in enumerate(_transition_configs(f"done.state.{node.id}", config["onDone"]))]
    for index, inv in enumerate(_to_list(config.get("invoke"))):
        inv_def = node.invokes[index]
        for which, prefix in (("onDone", "done.invoke."), ("onError", "error.platform.")):
            if isinstance(inv, Mapping) and which in inv:
                raw += [(c, node._p(f"invoke[{index}].{which}[{i}]"))
                        for i, c in enumerate(_transition_configs(prefix + inv_def.id, inv[which]))]
    on = config.get("on")
    if isinstance(on, list):
        raw += [(dict(c), node._p(f"on[{i}]")) for i, c in enumerate(on)]
    elif isinstance(on, Mapping):
        keys = [k for k in js_keys(on) if k != WILDCARD] + ([WILDCARD] if WILDCARD in on else [])
        for key in keys:
            raw += [(c, node._p(f"on.{key}[{i}]"))
                    for i, c in enumerate(_transition_configs(key, on[key], null_forbids=True))]
    elif on is not None:
        raise MachineConfigError(node._p("on"), "on must be an object or a list",
                                 "a mapping of event types to transitions")
    if "always" in config:
        raw += [(c, node._p(f"always[{i}]"))
                for i, c in enumerate(_transition_configs(NULL_EVENT, config["always"]))]
    out = [_make_transition(machine, node, c, p) for c, p in raw]
    out += _delayed_transitions(machine, node)
    return out


def _delayed_transitions(machine: Machine, node: StateNode) -> list[Transition]:
    after = node.config.get("after")
    if not after:
        return []
    items: list[tuple[Any, Any, str]] = []
    if isinstance(after, list):
        items = [(t.get("delay"), t, node._p(f"after[{i}]")) for i, t in enumerate(after)]
    elif isinstance(after, Mapping):
        items = [(_delay_key(k), after[k], node._p(f"after.{k}")) for k in js_keys(after)]
    out: list[Transition] = []
    for i, (delay, value, path) in enumerate(items):
        if isinstance(delay, str) and delay not in machine.impl.delays:
            raise MachineConfigError(path, f'unknown delay "{delay}"',
                                     f"a number of ms or a delay in delays: {one_of(machine.impl.delays)}",
                                     did_you_mean(delay, machine.impl.delays))
        delay_ref = f"{node.id}:delay[{i}]" if callable(delay) else _js_number_text(delay)
        event_type = f"xstate.after({delay_ref})#{node.id}"
        node.entry.append({"type": act.SEND, "event": {"type": event_type}, "to": None,
                           "delay": delay, "id": event_type})
        node.exit.append({"type": act.CANCEL, "sendId": event_type})
        configs = value if isinstance(value, list) else [value]
        for j, c in enumerate(configs):
            cfg = dict(c) if isinstance(c, Mapping) else {"target": c}
            cfg["event"] = event_type
            where = f"{path}[{j}]" if isinstance(value, list) else path
            out.append(_make_transition(machine, node, cfg, where))
    return out


def _delay_key(key: str) -> Any:
    try:
        number = float(key)
    except ValueError:
        return key
    return int(number) if number.is_integer() else number


def _js_number_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _make_transition(machine: Machine, node: StateNode, cfg: Mapping[str, Any], path: str
                     ) -> Transition:
    if not isinstance(cfg, Mapping):
        raise MachineConfigError(path, "invalid transition", "a target string or an object")
    target = cfg.get("target")
    specs = None if target is None else _to_list(target)
    if specs is not None and not specs:
        specs = None
    if "internal" in cfg:
        internal = bool(cfg["internal"])
    else:
        internal = specs is None or any(isinstance(t, str) and t.startswith(".") for t in specs)
    actions = [to_action_object(machine, a, f"{path}.actions[{i}]")
               for i, a in enumerate(_to_list(cfg.get("actions")))]
    guard = to_guard(machine, cfg.get("cond", cfg.get("guard")), f"{path}.cond")
    in_state = cfg.get("in")
    if not js_truthy(in_state):
        in_state = None  # XState ignores a falsy `in`
    elif not isinstance(in_state, str | list | tuple | Mapping):
        raise MachineConfigError(f"{path}.in", f"invalid in guard {in_state!r}",
                                 "a #id, a state path or a state value object")
    return Transition(node, str(cfg.get("event", "")), specs, actions, guard,
                      in_state, internal, path)


def _resolve_targets(node: StateNode, transition: Transition) -> list[StateNode] | None:
    if transition.target_specs is None:
        return None
    return [_resolve_target(node, spec, f"{transition.path}.target") for spec in transition.target_specs]


def _resolve_target(node: StateNode, spec: Any, path: str) -> StateNode:
    if not isinstance(spec, str):
        raise MachineConfigError(path, f"invalid target {spec!r}", "a state key, .child or #id")
    machine = node.machine
    if spec.startswith("#"):
        found = _by_id_path(machine, spec[1:])
        if found is None:
            raise MachineConfigError(path, f'unknown target "{spec}"', "the id of a state (#id)",
                                     did_you_mean(spec[1:], machine.id_map))
        return found
    if spec.startswith("."):
        base, rel = node, spec[1:]
    elif node.parent is None:
        base, rel = node, spec
    else:
        base, rel = node.parent, spec
    current = base
    for part in rel.split("."):
        if not part:
            break
        child = current.states.get(part)
        if child is None:
            where = f'a child of "{current.id}"' if current is not node.parent else \
                f'a sibling state of "{node.key}"'
            raise MachineConfigError(path, f'unknown target "{spec}"',
                                     f"{where}: {one_of(current.states)}",
                                     did_you_mean(part, current.states))
        current = child
    return current


def _by_id_path(machine: Machine, ref: str) -> StateNode | None:
    found = machine.node_by_id(ref)
    if found is not None:
        return found
    head, _, rest = ref.partition(".")
    node = machine.node_by_id(head)
    for part in rest.split(".") if rest else []:
        if node is None:
            return None
        node = node.states.get(part)
    return node
