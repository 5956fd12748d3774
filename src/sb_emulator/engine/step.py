"""The engine's public functions: ``initial`` and ``transition``.

They play the part of XState v4's interpreter for one external event, without any I/O: the
macrostep is resolved by ``machine_transition``, and its actions become :mod:`effects` in the
order the interpreter would execute them. Self-addressed ``send``s (no delay) are processed
right after, as the interpreter's event queue would.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sb_emulator.engine import actions as act
from sb_emulator.engine.algorithm import MicroState, get_configuration, nodes_of_value
from sb_emulator.engine.effects import (
    CancelEvent,
    Effect,
    ExecuteAction,
    Log,
    ScheduleEvent,
    SendEvent,
    StartService,
    StopService,
)
from sb_emulator.engine.macrostep import (
    initial_microstate,
    machine_transition,
    map_context,
    to_event,
)
from sb_emulator.engine.model import Machine, StateNode
from sb_emulator.engine.snapshot import Snapshot

Event = dict[str, Any]


class _Run:
    """Book-keeping for one call: running services, pending delayed events, effects."""

    def __init__(self, machine: Machine, children: Mapping[str, Any],
                 delayed: Mapping[str, Any], origin: Any) -> None:
        self.machine = machine
        self.running: dict[str, Mapping[str, Any]] = dict(children)
        self.delayed: dict[str, Mapping[str, Any]] = dict(delayed)
        self.origin = origin
        self.effects: list[Effect] = []
        self.queue: list[Event] = []

    def absorb(self, state: MicroState, event: Event) -> None:
        for a in state.actions:
            self._effect_of(a, state, event)
        if state.done:
            for child_id in list(self.running):
                self.effects.append(StopService(child_id))
            for send_id in list(self.delayed):
                self.effects.append(CancelEvent(send_id))
            self.running.clear()
            self.delayed.clear()
            self.queue.clear()

    def _effect_of(self, a: Mapping[str, Any], state: MicroState, event: Event) -> None:
        kind = a["type"]
        if kind == act.START:
            inv = a["activity"]
            if state.activities.get(inv.id):
                data = map_context(inv.data, state.context, event) if inv.data is not None else None
                self.effects.append(StartService(inv.id, inv.src, data, state.context, event,
                                                 inv.auto_forward))
                self.running[inv.id] = {"src": inv.src, "autoForward": inv.auto_forward}
        elif kind == act.STOP:
            activity = a["activity"]
            child_id = activity if isinstance(activity, str) else activity.id
            if child_id in self.running:
                self.effects.append(StopService(child_id))
                del self.running[child_id]
        elif kind in (act.SEND, act.RAISE):
            self._send(a)
        elif kind == act.CANCEL:
            self.effects.append(CancelEvent(a["sendId"]))
            self.delayed.pop(a["sendId"], None)
        elif kind == act.LOG:
            self.effects.append(Log(a.get("label"), a.get("value")))
        else:
            context = a["_ctx"] if self.machine.preserve_order else state.context
            params = {k: v for k, v in a.items() if k not in ("exec", "_ctx")}
            self.effects.append(ExecuteAction(kind, context, event, a.get("exec"), params))

    def _send(self, a: Mapping[str, Any]) -> None:
        event, delay, to = a["_event"], a.get("delay"), a.get("to")
        if isinstance(delay, int | float) and not isinstance(delay, bool):
            self.effects.append(ScheduleEvent(a["id"], event, delay, to))
            self.delayed[a["id"]] = {"event": event, "delay": delay, "to": to}
        elif to is None:
            self.queue.append(event)
        elif to == act.ORIGIN:
            if self.origin is not None:
                self.effects.append(SendEvent(self.origin, event))
        else:
            self.effects.append(SendEvent(to, event))


def _microstate(machine: Machine, snapshot: Snapshot) -> MicroState:
    activities: dict[str, Any] = {}
    for child_id in snapshot.children:
        inv = machine.invokes_by_id.get(child_id)
        if inv is not None:
            activities[child_id] = inv
    return MicroState(
        value=snapshot.value,
        context=snapshot.context,
        history=snapshot.history,
        configuration=_configuration(machine, snapshot),
        activities=activities,
        event=dict(snapshot.event),
    )


def _configuration(machine: Machine, snapshot: Snapshot) -> list[StateNode]:
    if snapshot.configuration:
        nodes = [machine.id_map.get(i) for i in snapshot.configuration]
        if all(n is not None for n in nodes):
            return [n for n in nodes if n is not None]
    return get_configuration([], nodes_of_value(machine.root, snapshot.value))


def _finish(machine: Machine, state: MicroState, run: _Run, previous: Snapshot | None
            ) -> tuple[Snapshot, tuple[Effect, ...]]:
    output = None
    if state.done:
        final = next((n for n in state.configuration
                      if n.type == "final" and n.parent is machine.root), None)
        if final is not None and final.done_data is not None:
            output = map_context(final.done_data, state.context, state.event)
    tags = tuple(sorted({t for n in state.configuration for t in n.tags}))
    changed = previous is None or bool(run.effects) or state.value != previous.value or \
        state.context is not previous.context
    snapshot = Snapshot(
        value=state.value,
        context=state.context,
        history=state.history,
        tags=tags,
        done=state.done,
        output=output,
        children=dict(run.running),
        delayed=dict(run.delayed),
        changed=changed,
        event=state.event,
        configuration=tuple(n.id for n in state.configuration),
    )
    return snapshot, tuple(run.effects)


def _drain(machine: Machine, state: MicroState, run: _Run) -> MicroState:
    while run.queue and not state.done:
        event = run.queue.pop(0)
        state = _deliver(machine, state, event, run)
    return state


def _deliver(machine: Machine, state: MicroState, event: Event, run: _Run) -> MicroState:
    for child_id, child in run.running.items():
        if child.get("autoForward"):
            run.effects.append(SendEvent(child_id, event))
    kind = event["type"]
    for prefix in ("done.invoke.", "error.platform."):
        if kind.startswith(prefix):
            run.running.pop(kind[len(prefix):], None)
    nxt = machine_transition(machine, state, event)
    run.absorb(nxt, event)
    return nxt


def initial(machine: Machine, context: Any = None) -> tuple[Snapshot, tuple[Effect, ...]]:
    """The initial snapshot (``context`` None: the machine's own context) and its effects."""
    ctx = machine.context if context is None else context
    state = initial_microstate(machine, ctx)
    run = _Run(machine, {}, {}, None)
    run.absorb(state, state.event)
    state = _drain(machine, state, run)
    return _finish(machine, state, run, None)


def transition(machine: Machine, snapshot: Snapshot, event: Any, *,
               delayed_id: str | None = None, origin: Any = None
               ) -> tuple[Snapshot, tuple[Effect, ...]]:
    """Deliver ``event`` (a string or ``{"type": ...}``) and return the next snapshot and the
    effects to carry out. ``delayed_id`` names the delayed event being delivered (it is no
    longer pending); ``origin`` identifies the sender for ``respond``."""
    ev = to_event(event)
    if ev["type"] == "*":
        raise ValueError("an event cannot have the wildcard type '*'")
    delayed = dict(snapshot.delayed)
    if delayed_id is not None:
        delayed.pop(delayed_id, None)
    if snapshot.done:
        return Snapshot(**{**snapshot.__dict__, "delayed": delayed, "changed": False}), ()
    run = _Run(machine, snapshot.children, delayed, origin)
    state = _deliver(machine, _microstate(machine, snapshot), ev, run)
    state = _drain(machine, state, run)
    return _finish(machine, state, run, snapshot)


def snapshot_at(machine: Machine, value: Any, context: Any) -> Snapshot:
    """A snapshot resting in ``value`` with ``context`` (used by migrations between versions).

    Raises ``KeyError`` naming the first state that does not exist in ``machine``.
    """
    config = get_configuration([], nodes_of_value(machine.root, value))
    from sb_emulator.engine.algorithm import get_value, is_in_final_state

    return Snapshot(
        value=get_value(machine.root, config),
        context=context,
        tags=tuple(sorted({t for n in config for t in n.tags})),
        done=is_in_final_state(config, machine.root),
        configuration=tuple(n.id for n in config),
    )
