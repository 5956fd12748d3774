"""XState v4's built-in action creators, as plain action objects.

Every action the engine sees is a dict with a ``type``, exactly the shape XState's own
creators produce (``{"type": "xstate.assign", "assignment": {...}}``), so machines written in
YAML can use the built-ins as data. These helpers build the same objects from Python; any
callable argument may take ``(context, event)`` or ``(context, event, meta)``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

ASSIGN = "xstate.assign"
RAISE = "xstate.raise"
SEND = "xstate.send"
CANCEL = "xstate.cancel"
CHOOSE = "xstate.choose"
LOG = "xstate.log"
PURE = "xstate.pure"
STOP = "xstate.stop"
START = "xstate.start"
BUILTIN_TYPES = frozenset({ASSIGN, RAISE, SEND, CANCEL, CHOOSE, LOG, PURE, STOP, START})

PARENT = "#_parent"
INTERNAL = "#_internal"
ORIGIN = "#_origin"
ERROR_EVENT = "xstate.error"

ActionObject = dict[str, Any]


def adapt(fn: Callable[..., Any], arity: int) -> Callable[..., Any]:
    """Wrap ``fn`` so it can always be called with ``arity`` positional arguments.

    User code may declare fewer parameters (``lambda ctx, ev: ...``); XState passes
    ``(context, event, meta)``. Decided once, at definition time, never on the hot path.
    """
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return fn
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return fn
    positional = [
        p for p in params
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    accepted = len(positional)
    if accepted >= arity:
        return fn

    def call(*args: Any) -> Any:
        return fn(*args[:accepted])

    call.__name__ = getattr(fn, "__name__", "action")
    call.__wrapped__ = fn  # type: ignore[attr-defined]
    return call


def _maybe(value: Any, arity: int = 3) -> Any:
    return adapt(value, arity) if callable(value) else value


def assign(assignment: Mapping[str, Any] | Callable[..., Any]) -> ActionObject:
    """``assign({key: value_or_fn})`` or ``assign(fn_returning_partial_context)``."""
    if callable(assignment):
        return {"type": ASSIGN, "assignment": adapt(assignment, 3)}
    return {"type": ASSIGN, "assignment": {k: _maybe(v) for k, v in assignment.items()}}


def raise_(event: Any, *, delay: Any = None, id: str | None = None) -> ActionObject:
    out: ActionObject = {"type": RAISE, "event": _maybe(event)}
    if delay is not None:
        out["delay"] = _maybe(delay, 3)
    if id is not None:
        out["id"] = id
    return out


def send(event: Any, *, to: Any = None, delay: Any = None, id: str | None = None) -> ActionObject:
    out: ActionObject = {"type": SEND, "event": _maybe(event), "to": _maybe(to)}
    if delay is not None:
        out["delay"] = _maybe(delay, 3)
    if id is not None:
        out["id"] = id
    return out


def send_parent(event: Any, *, delay: Any = None, id: str | None = None) -> ActionObject:
    return send(event, to=PARENT, delay=delay, id=id)


def send_to(to: Any, event: Any, *, delay: Any = None, id: str | None = None) -> ActionObject:
    return send(event, to=to, delay=delay, id=id)


def forward_to(target: Any) -> ActionObject:
    return send(lambda ctx, ev, meta=None: ev, to=target)


def respond(event: Any, *, delay: Any = None, id: str | None = None) -> ActionObject:
    return send(event, to=ORIGIN, delay=delay, id=id)


def escalate(error_data: Any) -> ActionObject:
    data = _maybe(error_data, 2)

    def make(ctx: Any, ev: Any, meta: Any = None) -> dict[str, Any]:
        return {"type": ERROR_EVENT, "data": data(ctx, ev) if callable(data) else data}

    return send(make, to=PARENT)


def cancel(send_id: str) -> ActionObject:
    return {"type": CANCEL, "sendId": send_id}


def log(expr: Any = None, label: str | None = None) -> ActionObject:
    """``log()`` logs the context and event, like XState's default expression."""
    if expr is None:
        return {"type": LOG, "label": label, "expr": lambda ctx, ev: {"context": ctx, "event": ev}}
    return {"type": LOG, "label": label, "expr": _maybe(expr, 2)}


def choose(conds: Sequence[Mapping[str, Any]]) -> ActionObject:
    return {
        "type": CHOOSE,
        "conds": [
            {**c, "cond": _maybe(c["cond"]) if "cond" in c else None} for c in conds
        ],
    }


def pure(get: Callable[..., Any]) -> ActionObject:
    return {"type": PURE, "get": adapt(get, 2)}


def stop(actor_id: str) -> ActionObject:
    return {"type": STOP, "activity": actor_id}
