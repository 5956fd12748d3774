"""Resolving action blocks into concrete actions (XState v4 ``actions.resolveActions``).

Assigns update the context (all of a step's assigns first in legacy mode, in document order
with ``preserveActionOrder`` / ``predictableActionArguments``); sends, raises and logs have
their expressions evaluated; ``choose`` and ``pure`` expand in place. Every resolved action
carries the context (``_ctx``) and event (``_ev``) it was resolved with, which is what
XState's interpreter hands to it when it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sb_emulator.engine import actions as act
from sb_emulator.engine.jsvalues import js_truthy
from sb_emulator.engine.model import GuardMeta, Machine, to_action_object

Event = dict[str, Any]
Action = dict[str, Any]
Block = tuple[str, list[Action]]


def to_event(event: Any) -> Event:
    """XState's ``toEventObject``: a string type or an object with a string ``type``."""
    if isinstance(event, str):
        return {"type": event}
    if isinstance(event, Mapping) and isinstance(event.get("type"), str):
        return dict(event)
    raise ValueError(f"an event must be a string or an object with a string type, not {event!r}")


def map_context(mapper: Any, context: Any, event: Event) -> Any:
    """XState's ``data ? mapContext(data, context, event) : undefined`` for invoke ``data``
    and final-state ``data``: a function is called; anything else is read key by key as
    ``Object.keys`` does (a string by character, an array by index, a number or boolean has
    no keys), calling the values that are functions; a falsy mapper gives None."""
    if callable(mapper):
        return act.adapt(mapper, 2)(context, event)
    if not js_truthy(mapper):
        return None
    items: Any
    if isinstance(mapper, Mapping):
        items = mapper.items()
    elif isinstance(mapper, str):
        items = ((str(i), ch) for i, ch in enumerate(mapper))
    elif isinstance(mapper, list | tuple):
        items = ((str(i), v) for i, v in enumerate(mapper))
    else:
        return {}
    return {k: (act.adapt(v, 2)(context, event) if callable(v) else v) for k, v in items}


def update_context(context: Any, event: Event, assigns: list[Action], state_value: Any) -> Any:
    """Apply assign actions in order; each makes a new dict (identity marks a change)."""
    if context is None:  # XState leaves an undefined context undefined
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


def is_raisable(a: Mapping[str, Any]) -> bool:
    """Processed inside the macrostep (``raise``, or ``send`` to ``#_internal``) when not
    delayed by a number of milliseconds (XState's ``isRaisableAction``)."""
    kind = a["type"]
    return (kind == act.RAISE or (kind == act.SEND and a.get("to") == act.INTERNAL)) and \
        not _is_number(a.get("delay"))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Resolver:
    """One ``resolveActions`` call (choose and pure recurse with a new one)."""

    def __init__(self, machine: Machine, state_value: Any, context: Any, event: Event,
                 eager: bool) -> None:
        self.machine = machine
        self.state_value = state_value
        self.ctx = context
        self.event = event
        # eager: XState's ``predictableExec`` runs actions while resolving them; the only
        # visible difference in order is that sends of an entry block run at the block's end
        self.eager = eager

    def blocks(self, blocks: list[Block]) -> list[Action]:
        if not self.machine.preserve_order:
            assigns = [a for _, actions in blocks for a in actions if a["type"] == act.ASSIGN]
            if assigns:
                self.ctx = update_context(self.ctx, self.event, assigns, self.state_value)
            blocks = [(kind, [a for a in actions if a["type"] != act.ASSIGN])
                      for kind, actions in blocks]
        out: list[Action] = []
        for kind, actions in blocks:
            deferred: list[Action] = []
            for a in actions:
                for resolved in self.action(kind, a):
                    defer = self.eager and kind == "entry" and resolved["type"] == act.SEND \
                        and resolved.get("to") != act.INTERNAL
                    (deferred if defer else out).append(resolved)
            out += deferred
        return out

    def action(self, kind: str, a: Action) -> list[Action]:
        handler = _HANDLERS.get(a["type"])
        if handler is not None:
            return handler(self, kind, a)
        return [{**a, "_ctx": self.ctx, "_ev": self.event}]

    def _assign(self, kind: str, a: Action) -> list[Action]:
        self.ctx = update_context(self.ctx, self.event, [a], self.state_value)
        return []

    def _send(self, kind: str, a: Action) -> list[Action]:
        return [resolve_send(self.machine, a, self.ctx, self.event)]

    def _log(self, kind: str, a: Action) -> list[Action]:
        expr = a.get("expr")
        value = expr(self.ctx, self.event) if callable(expr) else expr
        return [{"type": act.LOG, "label": a.get("label"), "value": value,
                 "_ctx": self.ctx, "_ev": self.event}]

    def _choose(self, kind: str, a: Action) -> list[Action]:
        for cond in a["conds"]:
            guard = cond["guard"]
            if guard is None or js_truthy(guard.fn(self.ctx, self.event,
                                                   GuardMeta(state=self.state_value, cond=guard.cond))):
                return self.nested(kind, cond["actions"])
        return []

    def _pure(self, kind: str, a: Action) -> list[Action]:
        got = a["get"](self.ctx, self.event)
        if not got:
            return []
        items = got if isinstance(got, list | tuple) else [got]
        return self.nested(kind, [to_action_object(self.machine, g, "pure") for g in items])

    def _stop(self, kind: str, a: Action) -> list[Action]:
        activity = a["activity"]
        if callable(activity):
            activity = activity(self.ctx, self.event)
        child_id = activity if isinstance(activity, str) else activity.id
        return [{"type": act.STOP, "activity": activity, "id": child_id,
                 "_ctx": self.ctx, "_ev": self.event}]

    def nested(self, kind: str, actions: list[Action]) -> list[Action]:
        inner = _Resolver(self.machine, self.state_value, self.ctx, self.event, self.eager)
        resolved = inner.blocks([(kind, actions)])
        self.ctx = inner.ctx
        return resolved


_HANDLERS: dict[str, Callable[[_Resolver, str, Action], list[Action]]] = {
    act.ASSIGN: _Resolver._assign,
    act.RAISE: _Resolver._send,
    act.SEND: _Resolver._send,
    act.LOG: _Resolver._log,
    act.CHOOSE: _Resolver._choose,
    act.PURE: _Resolver._pure,
    act.STOP: _Resolver._stop,
}


def resolve_actions(machine: Machine, state_value: Any, context: Any, event: Event,
                    blocks: list[Block], eager: bool) -> tuple[list[Action], Any]:
    """Resolve ``blocks``; returns the actions in the order they run and the new context."""
    resolver = _Resolver(machine, state_value, context, event, eager)
    resolved = resolver.blocks(blocks)
    return resolved, resolver.ctx


def resolve_send(machine: Machine, a: Action, ctx: Any, event: Event) -> Action:
    """XState's ``resolveSend`` / ``resolveRaise``: evaluate event, delay and target."""
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
        send_id = getattr(raw_event, "__name__", resolved_event["type"]) if callable(raw_event) \
            else resolved_event["type"]
    return {"type": a["type"], "_event": resolved_event, "delay": delay, "to": to, "id": send_id,
            "_ctx": ctx, "_ev": event}
