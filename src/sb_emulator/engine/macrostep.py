"""Resolving one event into the next state: action blocks, assign ordering, eventless
transitions and raised events (XState v4 ``resolveTransition`` / ``resolveActions``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sb_emulator.engine import actions as act
from sb_emulator.engine.algorithm import (
    INIT_EVENT,
    Event,
    MicroState,
    StepResult,
    get_configuration,
    get_value,
    history_value,
    is_in_final_state,
    nodes_of_value,
    select,
    update_history_value,
)
from sb_emulator.engine.jsvalues import js_truthy
from sb_emulator.engine.model import NULL_EVENT, GuardMeta, Machine, StateNode

Block = tuple[str, list[dict[str, Any]]]


def to_event(event: Any) -> Event:
    if isinstance(event, str):
        return {"type": event}
    if isinstance(event, Mapping) and isinstance(event.get("type"), str):
        return dict(event)
    raise ValueError(f"an event must be a string or an object with a string type, not {event!r}")


def map_context(mapper: Any, context: Any, event: Event) -> Any:
    if callable(mapper):
        return act.adapt(mapper, 2)(context, event)
    if isinstance(mapper, Mapping):
        return {k: (act.adapt(v, 2)(context, event) if callable(v) else v)
                for k, v in mapper.items()}
    return mapper


def initial_microstate(machine: Machine, context: Any) -> MicroState:
    from sb_emulator.engine.algorithm import initial_state_nodes

    root = machine.root
    config = get_configuration([], initial_state_nodes(root) if root.states else [root])
    step = StepResult([], [], config, [], has_source=False)
    return resolve_transition(machine, step, None, context, dict(INIT_EVENT))


def machine_transition(machine: Machine, state: MicroState, event: Event) -> MicroState:
    """XState's ``machine.transition(state, event)``."""
    step = select(machine.root, state.value, state, event, machine) or \
        StepResult([], [], [], [])
    prev = get_configuration([], nodes_of_value(machine.root, state.value))
    step.configuration = get_configuration(prev, step.configuration) if step.configuration else prev
    return resolve_transition(machine, step, state, state.context, event)


def resolve_transition(machine: Machine, step: StepResult, current: MicroState | None,
                       context: Any, event: Event) -> MicroState:
    root = machine.root
    will_transition = current is None or bool(step.transitions)
    config = step.configuration if will_transition else current.configuration  # type: ignore[union-attr]
    is_done = is_in_final_state(config, root)
    new_value = get_value(root, config) if will_transition else None
    hist = None
    if current is not None:
        hist = current.history if current.history is not None else (
            history_value(root, current.value) if step.has_source else None)
    blocks = _action_blocks(machine, config, is_done, step, context, event, current)
    activities = dict(current.activities) if current is not None else {}
    for _, block_actions in blocks:
        for a in block_actions:
            if a["type"] == act.START:
                activities[a["activity"].id] = a["activity"]
            elif a["type"] == act.STOP and not isinstance(a.get("activity"), str):
                activities[a["activity"].id] = False
    resolved, new_context = resolve_actions(machine, current, context, event, blocks)
    raised = [a for a in resolved if _is_raisable(a)]
    others = [a for a in resolved if not _is_raisable(a)]
    if new_value is not None:
        next_history = update_history_value(hist, new_value) if hist else None
    else:
        next_history = current.history if current is not None else None
    nxt = MicroState(
        value=new_value if new_value is not None else current.value,  # type: ignore[union-attr]
        context=new_context,
        history=next_history,
        configuration=config,
        activities=activities if new_value is not None else current.activities,  # type: ignore[union-attr]
        actions=others if new_value is not None else [],
        done=is_done,
        event=event,
    )
    has_always = not is_done and (root.transient or any(n.transient for n in step.configuration))
    if not will_transition and (not has_always or event["type"] == NULL_EVENT):
        return nxt
    result = nxt
    if not is_done:
        if has_always:
            result = _resolve_raised(machine, result, {"type": NULL_EVENT}, event)
        for raised_action in raised:
            result = _resolve_raised(machine, result, raised_action["_event"], event)
    return result


def _resolve_raised(machine: Machine, state: MicroState, event: Event, original: Event
                    ) -> MicroState:
    previous_actions = state.actions
    nxt = machine_transition(machine, state, event)
    nxt.event = original
    nxt.actions = previous_actions + nxt.actions
    return nxt


def _is_raisable(a: Mapping[str, Any]) -> bool:
    kind = a["type"]
    return (kind == act.RAISE or (kind == act.SEND and a.get("to") == act.INTERNAL)) and \
        not isinstance(a.get("delay"), int | float)


def _action_blocks(machine: Machine, config: list[StateNode], is_done: bool, step: StepResult,
                   context: Any, event: Event, current: MicroState | None) -> list[Block]:
    """XState's ``getActions``: exit, transition, entry, done-events and stop blocks."""
    prev_config = get_configuration([], nodes_of_value(machine.root, current.value)) \
        if current is not None else []
    prev_set = set(prev_config)
    exit_set = list(step.exit_set)
    exit_members = set(exit_set)
    entry: list[StateNode] = []
    entered: set[StateNode] = set()
    for node in sorted(config, key=lambda n: n.order):
        if node not in prev_set or node in exit_members or (node.parent in entered):
            entry.append(node)
            entered.add(node)
    config_set = set(config)
    for node in prev_config:
        # XState checks the growing exit set, so a whole subtree below an exited node exits.
        if node not in config_set or node.parent in exit_members:
            exit_set.append(node)
            exit_members.add(node)
    exit_nodes = list(dict.fromkeys(sorted(exit_set, key=lambda n: -n.order)))
    done_events = _done_events(entry, config, context, event)
    blocks: list[Block] = [("exit", [a for n in exit_nodes for a in
                                     [*n.exit, *({"type": act.STOP, "activity": i} for i in n.invokes)]])]
    blocks.append(("transition", list(step.actions)))
    for node in entry:
        starts = [{"type": act.START, "activity": i} for i in node.invokes]
        ordered = [*node.entry, *starts] if machine.predictable else [*starts, *node.entry]
        blocks.append(("entry", ordered))
    blocks.append(("state_done", [{"type": act.RAISE, "event": e} for e in done_events]))
    if is_done:
        stops = [a for n in sorted(config, key=lambda n: -n.order) for a in n.exit
                 if not _is_raisable(a)]
        blocks.append(("stop", stops))
    return blocks


def _done_events(entry: list[StateNode], config: list[StateNode], context: Any, event: Event
                 ) -> list[Event]:
    out: list[Event] = []
    for node in entry:
        if node.type != "final" or node.parent is None or node.parent.parent is None:
            continue
        parent = node.parent
        out.append({"type": f"done.state.{node.id}"})
        data = map_context(node.done_data, context, event) if node.done_data is not None else None
        done: Event = {"type": f"done.state.{parent.id}"}
        if data is not None:
            done["data"] = data
        out.append(done)
        grandparent = parent.parent
        if grandparent is not None and grandparent.type == "parallel" and all(
                is_in_final_state(config, c) for c in grandparent.children()):
            out.append({"type": f"done.state.{grandparent.id}"})
    return out


def update_context(context: Any, event: Event, assigns: list[dict[str, Any]], state_value: Any
                   ) -> Any:
    if context is None:
        return context
    for assign in assigns:
        assignment = assign["assignment"]
        meta = GuardMeta(state=state_value, cond=assign)
        if callable(assignment):
            partial = assignment(context, event, meta)
        else:
            partial = {k: (v(context, event, meta) if callable(v) else v)
                       for k, v in assignment.items()}
        context = {**context, **(partial or {})}
    return context


def resolve_actions(machine: Machine, current: MicroState | None, context: Any, event: Event,
                    blocks: list[Block]) -> tuple[list[dict[str, Any]], Any]:
    """XState's ``resolveActions``. In legacy mode every assign of the step runs first."""
    state_value = current.value if current is not None else None
    ctx = context
    if not machine.preserve_order:
        assigns = [a for _, actions in blocks for a in actions if a["type"] == act.ASSIGN]
        blocks = [(kind, [a for a in actions if a["type"] != act.ASSIGN]) for kind, actions in blocks]
        if assigns:
            ctx = update_context(ctx, event, assigns, state_value)
    resolved: list[dict[str, Any]] = []

    def handle(a: dict[str, Any]) -> None:
        nonlocal ctx
        kind = a["type"]
        if kind == act.ASSIGN:
            ctx = update_context(ctx, event, [a], state_value)
        elif kind in (act.RAISE, act.SEND):
            resolved.append(_resolve_send(machine, a, ctx, event))
        elif kind == act.LOG:
            expr = a.get("expr")
            value = act.adapt(expr, 2)(ctx, event) if callable(expr) else expr
            resolved.append({"type": act.LOG, "label": a.get("label"), "value": value})
        elif kind == act.CHOOSE:
            chosen = next((c["actions"] for c in a["conds"] if c["guard"] is None or js_truthy(
                c["guard"].fn(ctx, event, GuardMeta(state=state_value, cond=c["guard"].cond)))), None)
            if chosen:
                inner, ctx = resolve_actions(machine, current, ctx, event, [("choose", chosen)])
                resolved.extend(inner)
        elif kind == act.PURE:
            got = a["get"](ctx, event)
            if got:
                from sb_emulator.engine.model import to_action_object

                objs = [to_action_object(machine, g, "pure") for g in
                        (got if isinstance(got, list | tuple) else [got])]
                inner, ctx = resolve_actions(machine, current, ctx, event, [("pure", objs)])
                resolved.extend(inner)
        else:
            resolved.append({**a, "_ctx": ctx})

    for _, actions in blocks:
        for a in actions:
            handle(a)
    return resolved, ctx


def _resolve_send(machine: Machine, a: dict[str, Any], ctx: Any, event: Event
                  ) -> dict[str, Any]:
    raw_event = a.get("event")
    resolved_event = to_event(raw_event(ctx, event, None) if callable(raw_event) else raw_event)
    delay = a.get("delay")
    if isinstance(delay, str):
        configured = machine.impl.delays.get(delay)
        delay = act.adapt(configured, 3)(ctx, event, None) if callable(configured) else configured
    elif callable(delay):
        delay = delay(ctx, event, None)
    to = a.get("to")
    if callable(to):
        to = to(ctx, event, None)
    send_id = a.get("id")
    if send_id is None:
        send_id = resolved_event["type"] if not callable(raw_event) else \
            getattr(raw_event, "__name__", resolved_event["type"])
    return {"type": a["type"], "_event": resolved_event, "delay": delay, "to": to, "id": send_id,
            "_ctx": ctx}

