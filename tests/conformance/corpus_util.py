"""Small builders for hand-written conformance traces (pure JSON, see impls.js)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Json = dict[str, Any]
CTX: Json = {"count": 0, "flag": False, "log": []}


def m(states: Json, initial: str | None = None, **extra: Any) -> Json:
    """A machine with id ``m``, the standard context and ``states``."""
    out: Json = {"id": "m", "context": dict(CTX), "states": states, **extra}
    out["initial"] = initial or next(iter(states))
    return out


def ev(*items: Any) -> list[Json]:
    """Steps: ints advance the clock, anything else is an event."""
    return [{"advance": n} if isinstance(n, int) else {"event": n} for n in items]


def fn(name: str) -> Json:
    return {"$fn": name}


def send(event: Any, **options: Any) -> Json:
    return {"type": "xstate.send", "event": event, **options}


def raise_(event: Any, **options: Any) -> Json:
    return {"type": "xstate.raise", "event": event, **options}


def cancel(send_id: str) -> Json:
    return {"type": "xstate.cancel", "sendId": send_id}


def log(expr: Any = None, label: str | None = None) -> Json:
    out: Json = {"type": "xstate.log"}
    if expr is not None:
        out["expr"] = expr
    if label is not None:
        out["label"] = label
    return out


def choose(*conds: Json) -> Json:
    return {"type": "xstate.choose", "conds": list(conds)}


def pure(getter: str) -> Json:
    return {"type": "xstate.pure", "get": getter}


def assign(**assignment: Any) -> Json:
    return {"type": "xstate.assign", "assignment": assignment}


Adder = Callable[..., None]


def collector(out: dict[str, Json]) -> Adder:
    """``add(name, description, machine, steps, both_modes=True)``; with both modes the trace
    is also written with ``predictableActionArguments: true`` under ``<name>-predictable``."""

    def add(name: str, description: str, machine: Json, steps: list[Json],
            both_modes: bool = True) -> None:
        assert name not in out, name
        out[name] = {"description": description, "machine": machine, "steps": steps}
        if both_modes:
            out[name + "-predictable"] = {
                "description": description + " (predictableActionArguments)",
                "machine": {**machine, "predictableActionArguments": True}, "steps": steps}

    return add
