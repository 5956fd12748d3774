"""Resolving one event into the next state: action blocks, eventless transitions and raised
events (XState v4 ``StateNode.transition`` / ``resolveTransition`` / ``getActions``)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from sb_emulator.engine import actions as act
from sb_emulator.engine.algorithm import (
    INIT_EVENT,
    Event,
    MicroState,
    StepResult,
    config_of_value,
    get_configuration,
    get_value,
    history_value,
    initial_state_value,
    is_in_final_state,
    nodes_of_value,
    select,
    update_history_value,
)
from sb_emulator.engine.model import NULL_EVENT, Machine, StateNode
from sb_emulator.engine.resolve import (
    Action,
    Block,
    is_raisable,
    map_context,
    resolve_actions,
    to_event,
)

__all__ = ["initial_microstate", "machine_transition", "map_context", "to_event"]

_NULL: Event = {"type": NULL_EVENT}
_ORDER = attrgetter("order")


def initial_microstate(machine: Machine, context: Any) -> MicroState:
    """XState's ``machine.initialState`` (resolved without eager execution)."""
    root = machine.root
    # XState's getInitialState: the nodes of the initial value as they are, in
    # getStateNodes order (not completed by getConfiguration), which orders the value's keys
    config = nodes_of_value(root, initial_state_value(root)) if root.states else [root]
    step = StepResult([], [], config, [], has_source=False)
    return resolve_transition(machine, step, None, context, dict(INIT_EVENT), eager=False)


def machine_transition(machine: Machine, state: MicroState, event: Event, eager: bool
                       ) -> MicroState:
    """XState's ``machine.transition(state, event)``; ``eager`` is its ``predictableExec``."""
    step = select(machine.root, state.value, state, event, machine) or StepResult([], [], [], [])
    prev = step.prev_configuration = config_of_value(machine, state.value)
    step.configuration = get_configuration(prev, step.configuration) if step.configuration else prev
    return resolve_transition(machine, step, state, state.context, event, eager)


def resolve_transition(machine: Machine, step: StepResult, current: MicroState | None,
                       context: Any, event: Event, eager: bool) -> MicroState:
    will_transition = current is None or bool(step.transitions)
    nxt, raised = _next_state(machine, step, current, context, event, eager, will_transition)
    has_always = not nxt.done and (machine.root.transient or
                                   any(n.transient for n in step.configuration))
    if not will_transition and (not has_always or event["type"] == NULL_EVENT):
        return nxt
    result = nxt
    if not nxt.done:
        if has_always:
            result = _resolve_raised(machine, result, _NULL, event, eager)
        for raised_action in raised:
            result = _resolve_raised(machine, result, raised_action["_event"], event, eager)
    if current is None:
        result.changed = result.changed or None  # XState leaves it undefined initially
    else:
        # XState's ``changed``: any action, a new context or a new value along the macrostep
        result.changed = bool(result.changed or result.actions or nxt.context is not context
                              or result.value != current.value)
    return result


def _next_state(machine: Machine, step: StepResult, current: MicroState | None, context: Any,
                event: Event, eager: bool, will_transition: bool
                ) -> tuple[MicroState, list[Action]]:
    """The state right after this microstep's actions, and the events it raised."""
    config = step.configuration if will_transition or current is None else current.configuration
    config_set = set(config)
    is_done = is_in_final_state(config_set, machine.root)
    new_value = get_value(machine, config) if will_transition else None
    blocks = action_blocks(machine, config, config_set, is_done, step, context, event, eager)
    state_value = current.value if current is not None else None
    resolved, new_context = resolve_actions(machine, state_value, context, event, blocks, eager)
    raised = [a for a in resolved if is_raisable(a)]
    others = [a for a in resolved if not is_raisable(a)]
    nxt = MicroState(value=new_value, context=new_context, history=None, configuration=config,
                     activities={}, done=is_done, event=event,
                     changed=new_context is not context, executed=others)
    if current is None:
        nxt.activities = _activities({}, blocks)
        nxt.actions = others
    elif new_value is not None:
        if machine.has_history:  # only history states read it: skip the work otherwise
            hist = current.history if current.history is not None else \
                (history_value(machine.root, current.value) if step.has_source else None)
            nxt.history = update_history_value(hist, new_value) if hist else None
        nxt.activities = _activities(current.activities, blocks)
        nxt.actions = others
    else:
        # no transition: XState drops the actions from the state, but an eager interpreter
        # has run them already (entry actions of stale configuration nodes, for instance)
        nxt.value, nxt.history, nxt.activities = current.value, current.history, current.activities
    return nxt, raised


def _activities(previous: dict[str, Any], blocks: list[Block]) -> dict[str, Any]:
    activities = dict(previous)
    for _, block_actions in blocks:
        for a in block_actions:
            if a["type"] == act.START:
                activities[a["activity"].id] = a["activity"]
            elif a["type"] == act.STOP and not callable(a["activity"]):
                # stop("id") marks the id stopped too: a service started earlier in the same
                # macrostep is then never started in legacy mode
                activity = a["activity"]
                activities[activity if isinstance(activity, str) else activity.id] = False
    return activities


def _resolve_raised(machine: Machine, state: MicroState, event: Event, original: Event,
                    eager: bool) -> MicroState:
    previous_actions, previous_executed = state.actions, state.executed
    nxt = machine_transition(machine, state, event, eager)
    nxt.event = original
    nxt.actions = previous_actions + nxt.actions
    nxt.executed = previous_executed + nxt.executed
    return nxt


def action_blocks(machine: Machine, config: list[StateNode], config_set: set[StateNode],
                  is_done: bool, step: StepResult, context: Any, event: Event, eager: bool
                  ) -> list[Block]:
    """XState's ``getActions``: exit, transition, entry, done-events and stop blocks."""
    prev_config = step.prev_configuration
    entry, exit_nodes = _entry_and_exit(config, config_set, prev_config, step.exit_set)
    blocks: list[Block] = [("exit", [a for n in exit_nodes for a in n.exit_actions])]
    blocks.append(("transition", step.actions))
    for node in entry:
        blocks.append(("entry", node.entry_eager if eager else node.entry_legacy))
    done_events = _done_events(entry, config_set, context, event)
    blocks.append(("state_done", [{"type": act.RAISE, "event": e} for e in done_events]))
    if is_done:
        stops = [a for n in sorted(config, key=_ORDER, reverse=True) for a in n.exit
                 if not is_raisable(a)]
        blocks.append(("stop", stops))
    return blocks


def _entry_and_exit(config: list[StateNode], config_set: set[StateNode], prev_config: list[StateNode],
                    exit_set: list[StateNode]) -> tuple[list[StateNode], list[StateNode]]:
    prev_set = set(prev_config)
    exit_members = set(exit_set)
    entry: list[StateNode] = []
    entered: set[StateNode] = set()
    for node in sorted(config, key=_ORDER):
        if node not in prev_set or node in exit_members or node.parent in entered:
            entry.append(node)
            entered.add(node)
    exits = list(exit_set)
    for node in prev_config:
        # XState checks the growing exit set, so a whole subtree below an exited node exits.
        if node not in config_set or node.parent in exit_members:
            exits.append(node)
            exit_members.add(node)
    return entry, list(dict.fromkeys(sorted(exits, key=_ORDER, reverse=True)))


def _done_events(entry: list[StateNode], config: set[StateNode], context: Any, event: Event
                 ) -> list[Event]:
    out: list[Event] = []
    for node in entry:
        parent = node.parent
        if node.type != "final" or parent is None or parent.parent is None:
            continue
        # XState's done events always have a data key (undefined when there is no data: None
        # here); it also emits done.state.<final id>, with the unmapped data, as it does
        out.append({"type": f"done.state.{node.id}", "data": node.done_data})
        data = map_context(node.done_data, context, event) if node.done_data is not None else None
        out.append({"type": f"done.state.{parent.id}", "data": data})
        grandparent = parent.parent
        if grandparent.type == "parallel" and all(
                is_in_final_state(config, c) for c in grandparent.child_nodes):
            out.append({"type": f"done.state.{grandparent.id}", "data": None})
    return out
