"""XState v4's ``machine.transition``: selecting transitions, computing configurations,
history, action blocks, eventless (``always``) and raised events.

The structure follows XState v4's ``StateNode`` (``_transition``, ``next``, ``getActions``,
``resolveTransition``, ``resolveRaisedTransition``) and ``actions.resolveActions``, because
exactness matters more than elegance here: the goldens in fixtures/conformance are recorded
from the real library.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sb_emulator.engine.jsvalues import js_keys, js_truthy
from sb_emulator.engine.model import GuardMeta, Machine, StateNode, Transition

Event = dict[str, Any]
INIT_EVENT: Event = {"type": "xstate.init"}
# memo tables (per machine) stop growing here; a machine has few distinct configurations
_CACHE_LIMIT = 4096


@dataclass
class MicroState:
    """XState's ``State`` while a macrostep is being resolved (internal, mutable)."""

    value: Any
    context: Any
    history: Any
    configuration: list[StateNode]
    activities: dict[str, Any]
    actions: list[dict[str, Any]] = field(default_factory=list)
    done: bool = False
    event: Event = field(default_factory=lambda: dict(INIT_EVENT))
    # the actions an eager (predictable) interpreter runs: ``actions`` plus those of steps
    # that made no transition, which XState resolves and runs but leaves out of the state
    executed: list[dict[str, Any]] = field(default_factory=list)
    changed: bool | None = None  # XState's state.changed for the event that led here


@dataclass
class StepResult:
    transitions: list[Transition]
    exit_set: list[StateNode]
    configuration: list[StateNode]
    actions: list[dict[str, Any]]
    has_source: bool = True
    # the configuration of the state value the step starts from (XState's prevConfig)
    prev_configuration: list[StateNode] = field(default_factory=list)


# ---- configuration and values ----------------------------------------------------------------


def _adjacency(config: list[StateNode]) -> dict[StateNode, list[StateNode]]:
    adj: dict[StateNode, list[StateNode]] = {}
    for node in config:
        if node.parent is not None:
            adj.setdefault(node.parent, []).append(node)
    return adj


def get_configuration(prev: list[StateNode], nodes: list[StateNode]) -> list[StateNode]:
    """XState's ``getConfiguration``: complete ``nodes`` with ancestors and descendants,
    reusing previously active children where a compound/parallel node needs them.

    Memoised per machine; the result is shared, so callers never mutate it."""
    if not nodes:
        return []
    key = (tuple([n.order for n in prev]), tuple([n.order for n in nodes]))
    cache = nodes[0].machine.configuration_cache
    config = cache.get(key)
    if config is None:
        config = _compute_configuration(prev, nodes)
        if len(cache) < _CACHE_LIMIT:
            cache[key] = config
    return config


def _compute_configuration(prev: list[StateNode], nodes: list[StateNode]) -> list[StateNode]:
    prev_adj = _adjacency(prev)
    config: list[StateNode] = []
    seen: set[StateNode] = set()

    def add(n: StateNode) -> None:
        if n not in seen:
            seen.add(n)
            config.append(n)

    for n in nodes:
        add(n)
    _add_ancestors(config, seen, add)
    adj = _adjacency(config)
    i = 0
    while i < len(config):
        s = config[i]
        i += 1
        if s.type == "compound" and not adj.get(s):
            for child in prev_adj.get(s) or initial_state_nodes(s):
                add(child)
        elif s.type == "parallel":
            for child in s.child_nodes:
                if child not in seen:
                    add(child)
                    for grandchild in prev_adj.get(child) or initial_state_nodes(child):
                        add(grandchild)
    _add_ancestors(config, seen, add)
    return config


def _add_ancestors(config: list[StateNode], seen: set[StateNode], add: Any) -> None:
    i = 0
    while i < len(config):
        m = config[i].parent
        i += 1
        while m is not None and m not in seen:
            add(m)
            m = m.parent


def initial_state_nodes(node: StateNode) -> list[StateNode]:
    if node.initial_nodes_cache is not None:
        return node.initial_nodes_cache
    if node.is_leaf or (node.type == "compound" and node.initial is None):
        result = [node]
    else:
        result = []
        for path in to_state_paths(initial_state_value(node)):
            result += from_relative_path(node, path)
    node.initial_nodes_cache = result
    return result


def initial_state_value(node: StateNode) -> Any:
    if node.type == "parallel":
        return {k: (initial_state_value(c) or {}) for k, c in node.states.items()
                if c.type != "history"}
    if node.initial is not None:
        child = node.states[node.initial]
        return node.initial if child.is_leaf else {node.initial: initial_state_value(child)}
    return {}


def from_relative_path(node: StateNode, path: list[str]) -> list[StateNode]:
    """XState's ``getFromRelativePath``: a history node on the way resolves to its default."""
    if not path:
        return [node]
    child = node.states[path[0]]
    if child.type == "history":
        return resolve_history(child, None)
    return from_relative_path(child, path[1:])


def to_state_paths(value: Any) -> list[list[str]]:
    if isinstance(value, str):
        return [[value]]
    out: list[list[str]] = []
    for key in js_keys(value):
        sub = value[key]
        if isinstance(sub, str) or (isinstance(sub, Mapping) and sub):
            out += [[key, *p] for p in to_state_paths(sub)]
        else:
            out.append([key])
    return out


def get_value(machine: Machine, config: list[StateNode]) -> Any:
    """XState's ``getValue``; cached per configuration (a fresh copy every time, since
    snapshots hand their values to user code)."""
    key = tuple([n.order for n in config])
    cache = machine.value_cache
    value = cache.get(key)
    if value is None:
        root = machine.root
        value = _value_from_adj(root, _adjacency(get_configuration([root], config)))
        if len(cache) < _CACHE_LIMIT:
            cache[key] = value
    return copy_value(value)


def copy_value(value: Any) -> Any:
    if isinstance(value, str):
        return value
    return {k: copy_value(v) for k, v in value.items()}


def config_of_value(machine: Machine, value: Any) -> list[StateNode]:
    """``getConfiguration([], getStateNodes(value))``, cached per value (never mutated)."""
    key = value if isinstance(value, str) else _value_key(value)
    cache = machine.config_cache
    config = cache.get(key)
    if config is None:
        config = get_configuration([], nodes_of_value(machine.root, value))
        if len(cache) < _CACHE_LIMIT:
            cache[key] = config
    return config


def _value_key(value: Any) -> Any:
    if isinstance(value, str):
        return value
    return tuple([(k, _value_key(v)) for k, v in value.items()])


def _value_from_adj(node: StateNode, adj: dict[StateNode, list[StateNode]]) -> Any:
    children = adj.get(node)
    if not children:
        return {}
    if node.type == "compound":
        first = children[0]
        if first.is_leaf:
            return first.key
    return {c.key: _value_from_adj(c, adj) for c in children}


def nodes_of_value(root: StateNode, value: Any) -> list[StateNode]:
    """All nodes named by a state value (XState's ``getStateNodes``), root included."""
    out: list[StateNode] = [root]
    if isinstance(value, str):
        child = root.states[value]
        if child.initial is not None:
            return [root, *nodes_of_value(child, child.initial)]
        return [root, child]
    for key in js_keys(value):
        out += nodes_of_value(root.states[key], value[key])
    return out


def is_in_final_state(config: Collection[StateNode], node: StateNode) -> bool:
    if node.type == "compound":
        return any(c.type == "final" and c in config for c in node.child_nodes)
    if node.type == "parallel":
        return all(is_in_final_state(config, c) for c in node.child_nodes)
    return False


def matches_state(parent: Any, child: Any) -> bool:
    parent_value = to_state_value(parent)
    child_value = to_state_value(child)
    if isinstance(child_value, str):
        return isinstance(parent_value, str) and child_value == parent_value
    if isinstance(parent_value, str):
        return parent_value in child_value
    return all(k in child_value and matches_state(parent_value[k], child_value[k])
               for k in parent_value)


def to_state_value(value: Any) -> Any:
    if isinstance(value, str):
        return path_to_value(value.split("."))
    if isinstance(value, list | tuple):
        return path_to_value(list(value))
    return value


def path_to_value(path: list[str]) -> Any:
    if len(path) == 1:
        return path[0]
    value: Any = path[-1]
    for key in reversed(path[:-1]):
        value = {key: value}
    return value


# ---- history --------------------------------------------------------------------------------


def history_value(node: StateNode, value: Any) -> Any:
    if not node.states:
        return None
    states = {}
    for key, child in node.states.items():
        if child.type == "history":
            continue
        sub = None if isinstance(value, str) or value is None else value.get(key)
        states[key] = history_value(child, sub or initial_state_value(child))
    return {"current": value if value is not None else initial_state_value(node), "states": states}


def update_history_value(hist: Any, value: Any) -> Any:
    return {"current": value, "states": _update_history_states(hist, value)}


def _update_history_states(hist: Any, value: Any) -> Any:
    out: dict[str, Any] = {}
    for key, sub in (hist.get("states") or {}).items():
        if not sub:
            out[key] = None
            continue
        sub_value = (None if isinstance(value, str) else value.get(key)) or sub.get("current")
        out[key] = {"current": sub_value, "states": _update_history_states(sub, sub_value)} \
            if sub_value else None
    return out


def resolve_history(node: StateNode, history: Any) -> list[StateNode]:
    parent = node.parent
    assert parent is not None
    if not history:
        if node.history_target is None:
            return initial_state_nodes(parent)
        out: list[StateNode] = []
        for path in node.history_target:
            out += from_relative_path(parent, path)
        return out
    sub = history
    for key in parent.path:
        sub = (sub.get("states") or {}).get(key) if sub else None
    current = sub.get("current") if sub else None
    if current is None:
        return resolve_history(node, None)
    if isinstance(current, str):
        return [parent.states[current]]
    out = []
    for path in to_state_paths(current):
        if node.history == "deep":
            out += from_relative_path(parent, path)
        else:
            out.append(parent.states[path[0]])
    return out


# ---- selecting transitions ------------------------------------------------------------------


def select(node: StateNode, value: Any, state: MicroState, event: Event,
           machine: Machine) -> StepResult | None:
    if isinstance(value, str):
        nxt = next_step(node.states[value], state, event, machine)
        if nxt is None or not nxt.transitions:
            return next_step(node, state, event, machine)
        return nxt
    keys = js_keys(value)
    if len(keys) == 1:
        nxt = select(node.states[keys[0]], value[keys[0]], state, event, machine)
        if nxt is None or not nxt.transitions:
            return next_step(node, state, event, machine)
        return nxt
    results = []
    for key in keys:
        sub = value[key]
        if sub is None or sub == "":
            continue
        found = select(node.states[key], sub, state, event, machine)
        if found is not None:
            results.append(found)
    if not any(r.transitions for r in results):
        return next_step(node, state, event, machine)
    return StepResult(
        transitions=[t for r in results for t in r.transitions],
        exit_set=[n for r in results for n in r.exit_set],
        configuration=[n for r in results for n in r.configuration],
        actions=[a for r in results for a in r.actions],
    )


def next_step(node: StateNode, state: MicroState, event: Event, machine: Machine
              ) -> StepResult | None:
    for candidate in node.get_candidates(event["type"]):
        if not _in_state_ok(node, candidate, state, machine):
            continue
        guard = candidate.guard
        if guard is not None and not js_truthy(
                guard.fn(state.context, event, GuardMeta(state=state.value, cond=guard.cond))):
            continue
        targets = candidate.targets
        if not targets:
            return StepResult([candidate], [], [node], list(candidate.actions))
        config: list[StateNode] = []
        for target in targets:
            config += resolve_history(target, state.history) if target.type == "history" \
                else initial_state_nodes(target)
        exit_set: list[StateNode] = [] if candidate.internal else \
            [n for t in targets for n in _reentering_nodes(node, t)]
        return StepResult([candidate], exit_set, config, list(candidate.actions))
    return None


def _in_state_ok(node: StateNode, candidate: Transition, state: MicroState, machine: Machine
                 ) -> bool:
    ref = candidate.in_state
    if ref is None:
        return True
    if isinstance(ref, str) and ref.startswith("#"):
        head = ref[1:]
        target = machine.node_by_id(head)
        if target is None:
            return False
        if not target.path:
            return True  # the root is always active (XState throws on "#<root id>")
        return matches_state(path_to_value(list(target.path)), state.value)
    scoped: Any = state.value
    for key in node.path[:-2]:
        scoped = scoped.get(key) if isinstance(scoped, Mapping) else None
    return scoped is not None and matches_state(ref, scoped)


def _reentering_nodes(source: StateNode, target: StateNode) -> list[StateNode]:
    if source.order < target.order:
        return [source]
    nodes: list[StateNode] = []
    marker: StateNode | None = source
    while marker is not None and marker is not target:
        nodes.append(marker)
        marker = marker.parent
    if marker is not target:
        return []
    nodes.append(target)
    return nodes
