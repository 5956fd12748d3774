"""The engine's public functions: ``initial`` and ``transition``.

They play the part of XState v4's interpreter for one external event, without any I/O: each
macrostep is resolved by ``machine_transition``, and its actions become :mod:`effects` in the
order the interpreter would execute them. Self-addressed ``send``s (no delay) are processed
right after, as the interpreter's event queue would.

Two execution modes, as in XState v4's interpreter:

* legacy: actions run once the macrostep is resolved, with the final context (or, with
  ``preserveActionOrder``, the context at their place in the step) and the external event;
  a service is started only if its state is still active at the end of the step;
* eager (``predictableActionArguments``, every event but ``xstate.init``): actions run as
  they are resolved, with the context and event of their microstep; services always start;
  sends to other actors leave once the macrostep is over.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sb_emulator.engine import actions as act
from sb_emulator.engine.algorithm import (
    MicroState,
    config_of_value,
    get_configuration,
    get_value,
    is_in_final_state,
    nodes_of_value,
)
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
from sb_emulator.engine.errors import MachineLoopError
from sb_emulator.engine.macrostep import (
    initial_microstate,
    machine_transition,
    map_context,
    to_event,
)
from sb_emulator.engine.model import Machine, StateNode
from sb_emulator.engine.snapshot import Snapshot

Event = dict[str, Any]
Action = Mapping[str, Any]
_PRIVATE = frozenset({"exec", "_ctx", "_ev"})
# self-sent events one call may process: XState's interpreter would loop forever past this
MAX_SELF_EVENTS = 10_000


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
        self.outgoing: list[Effect] = []

    def absorb(self, state: MicroState, event: Event, eager: bool) -> None:
        """Turn a macrostep's actions into effects, as the interpreter executes them."""
        for a in (state.executed if eager else state.actions):
            ctx, ev = (a["_ctx"], a["_ev"]) if eager else (state.context, event)
            self._effect_of(a, state, ctx, ev, eager)
        # eager mode queues sends to other actors until the state is updated
        self.effects += self.outgoing
        self.outgoing.clear()
        if state.done:
            # the interpreter stops: timers cleared, children stopped, the queue dropped
            self.effects += [CancelEvent(send_id) for send_id in self.delayed]
            self.effects += [StopService(child_id) for child_id in self.running]
            self.running.clear()
            self.delayed.clear()
            self.queue.clear()

    def _effect_of(self, a: Action, state: MicroState, ctx: Any, ev: Event, eager: bool) -> None:
        kind = a["type"]
        if kind == act.START:
            self._start(a, state, ctx, ev)
        elif kind == act.STOP:
            if self.running.pop(a["id"], None) is not None:
                self.effects.append(StopService(a["id"]))
        elif kind in (act.SEND, act.RAISE):
            self._send(a, eager)
        elif kind == act.CANCEL:
            self.effects.append(CancelEvent(a["sendId"]))
            self.delayed.pop(a["sendId"], None)
        elif kind == act.LOG:
            self.effects.append(Log(a.get("label"), a.get("value")))
        else:
            if not eager and self.machine.preserve_order:
                ctx = a["_ctx"]  # XState binds the context at the action's place in the step
            params = {k: v for k, v in a.items() if k not in _PRIVATE}
            self.effects.append(ExecuteAction(kind, ctx, ev, a.get("exec"), params))

    def _start(self, a: Action, state: MicroState, ctx: Any, ev: Event) -> None:
        inv = a["activity"]
        # legacy mode skips a service whose state was left within the same macrostep
        if not self.machine.predictable and not state.activities.get(inv.id):
            return
        data = map_context(inv.data, ctx, ev) if inv.data is not None else None
        self.effects.append(StartService(inv.id, inv.src, data, ctx, ev, inv.auto_forward))
        self.running[inv.id] = {"src": inv.src, "autoForward": inv.auto_forward}

    def _send(self, a: Action, eager: bool) -> None:
        event, delay, to = a["_event"], a.get("delay"), a.get("to")
        if to == act.INTERNAL:
            to = None
        if isinstance(delay, int | float) and not isinstance(delay, bool):
            self.effects.append(ScheduleEvent(a["id"], event, delay, to))
            self.delayed[a["id"]] = {"event": event, "delay": delay, "to": to}
            return
        if to is None:
            self.queue.append(event)
            return
        if to == act.ORIGIN:
            if self.origin is None:
                return
            to = self.origin
        (self.outgoing if eager else self.effects).append(SendEvent(to, event))


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
        changed=snapshot.changed,
    )


def _configuration(machine: Machine, snapshot: Snapshot) -> list[StateNode]:
    ids = snapshot.configuration
    if not ids:
        return config_of_value(machine, snapshot.value)
    cached = machine.ids_cache.get(ids)
    if cached is not None:
        return cached
    nodes = [machine.id_map.get(i) for i in ids]
    if not all(n is not None for n in nodes):  # a snapshot of another version: use its value
        return config_of_value(machine, snapshot.value)
    config = [n for n in nodes if n is not None]
    if len(machine.ids_cache) < 4096:
        machine.ids_cache[ids] = config
    return config


def _finish(machine: Machine, state: MicroState, run: _Run) -> tuple[Snapshot, tuple[Effect, ...]]:
    output = None
    if state.done:
        final = next((n for n in state.configuration
                      if n.type == "final" and n.parent is machine.root), None)
        if final is not None and final.done_data is not None:
            output = map_context(final.done_data, state.context, state.event)
    snapshot = Snapshot(
        value=state.value,
        context=state.context,
        history=state.history,
        tags=_tags(state.configuration),
        done=state.done,
        output=output,
        children=dict(run.running),
        delayed=dict(run.delayed),
        changed=state.changed,
        event=state.event,
        configuration=tuple([n.id for n in state.configuration]),
    )
    return snapshot, tuple(run.effects)


def _tags(configuration: list[StateNode]) -> tuple[str, ...]:
    tags = {t for n in configuration for t in n.tags}
    return tuple(sorted(tags)) if tags else ()


def _drain(machine: Machine, state: MicroState, run: _Run) -> MicroState:
    delivered = 0
    while run.queue and not state.done:
        event = run.queue.pop(0)
        delivered += 1
        if delivered > MAX_SELF_EVENTS:
            raise MachineLoopError(
                f"the machine sent itself more than {MAX_SELF_EVENTS} events while handling one "
                f"event (the last {event['type']!r}): it never settles")
        state = _deliver(machine, state, event, run)
    return state


def _deliver(machine: Machine, state: MicroState, event: Event, run: _Run) -> MicroState:
    kind = event["type"]
    if kind.startswith(("done.invoke.", "error.platform.")):
        # a child that reports is over (removed before its report is forwarded to the others)
        run.running.pop(kind.split(".", 2)[2], None)
    for child_id, child in run.running.items():
        if _forwards_to(machine, child_id, child):
            run.effects.append(SendEvent(child_id, event))
    if kind.startswith("error.platform") and not any(n.handles_errors for n in state.configuration):
        # the interpreter throws the error instead of processing an event nobody handles:
        # its state (``changed`` included) stays as it was
        return state
    eager = machine.predictable
    nxt = machine_transition(machine, state, event, eager)
    run.absorb(nxt, event, eager)
    return nxt


def _forwards_to(machine: Machine, child_id: str, child: Mapping[str, Any]) -> bool:
    """autoForward applies to machine children only (XState forwards to nothing else); the
    compiled invoke decides, so that snapshots written before this rule keep to it too."""
    inv = machine.invokes_by_id.get(child_id)
    return inv.auto_forward if inv is not None else bool(child.get("autoForward"))


def initial(machine: Machine, context: Any = None) -> tuple[Snapshot, tuple[Effect, ...]]:
    """The initial snapshot (``context`` None: the machine's own context) and its effects."""
    ctx = machine.context if context is None else context
    state = initial_microstate(machine, ctx)
    run = _Run(machine, {}, {}, None)
    run.absorb(state, state.event, eager=False)
    state = _drain(machine, state, run)
    return _finish(machine, state, run)


def transition(machine: Machine, snapshot: Snapshot, event: Any, *,
               delayed_id: str | None = None, origin: Any = None
               ) -> tuple[Snapshot, tuple[Effect, ...]]:
    """Deliver ``event`` (a string or ``{"type": ...}``) and return the next snapshot and the
    effects to carry out. ``delayed_id`` names the delayed event being delivered (it is no
    longer pending); ``origin`` identifies the sender for ``respond``.

    ``snapshot.changed`` is XState's ``state.changed`` for the last event processed (the
    external one, or the last self-sent event it led to)."""
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
    return _finish(machine, state, run)


def snapshot_at(machine: Machine, value: Any, context: Any) -> Snapshot:
    """A snapshot resting in ``value`` with ``context`` (used by migrations between versions).

    Raises ``KeyError`` naming the first state that does not exist in ``machine``.
    """
    config = get_configuration([], nodes_of_value(machine.root, value))
    return Snapshot(
        value=get_value(machine, config),
        context=context,
        tags=_tags(config),
        done=is_in_final_state(config, machine.root),
        configuration=tuple(n.id for n in config),
    )
