"""The named implementations of impls.js, for our engine (keep the two files in step).

``build(config_json)`` turns a corpus machine (pure JSON naming its implementations, see
impls.js and README.md) into ``(config, Implementations)`` for ``sb_emulator.engine.Machine``:
action and guard names go into ``Implementations``, ``{"$fn": name}`` references and
``xstate.pure`` getters become Python callables inside the config, and the JSON action objects
are passed to the engine as they are (it reads XState's action-object shapes itself).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sb_emulator.engine import Implementations
from sb_emulator.engine.actions import assign, raise_

Fn = Callable[..., Any]


def _num(arg: str | None) -> float:
    return float(arg or 0)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _log(ctx: Any) -> list[Any]:
    return list(ctx.get("log") or [])


def _js_num_text(value: Any) -> str:
    """``String(n)`` for the integers and floats the corpus uses (``${ctx.count}`` in JS)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(Decimal(repr(value))))  # JS writes the shortest digits, zero padded
    return str(value)


def _js_int(value: int | float) -> int | float:
    """Arithmetic as JS numbers do it: past 2**53 an integer is a double (long random runs
    keep doubling the count)."""
    if isinstance(value, int) and abs(value) > 2**53:
        return float(value)
    return value


# name -> (arg) -> action object
ACTIONS: dict[str, Callable[[str | None], dict[str, Any]]] = {
    "inc": lambda arg: assign({"count": lambda c, e: _js_int(c["count"] + 1)}),
    "dec": lambda arg: assign({"count": lambda c, e: _js_int(c["count"] - 1)}),
    "double": lambda arg: assign({"count": lambda c, e: _js_int(c["count"] * 2)}),
    "reset": lambda arg: assign({"count": 0}),
    "setFromEvent": lambda arg: assign(
        {"count": lambda c, e: e["value"] if _is_number(e.get("value")) else c["count"]}),
    "setFromData": lambda arg: assign(
        {"count": lambda c, e: e["data"] if _is_number(e.get("data")) else c["count"]}),
    "setFlag": lambda arg: assign({"flag": True}),
    "clearFlag": lambda arg: assign({"flag": False}),
    "toggleFlag": lambda arg: assign({"flag": lambda c, e: not c.get("flag")}),
    "push": lambda arg: assign({"log": lambda c, e: [*_log(c), arg]}),
    "pushEvent": lambda arg: assign({"log": lambda c, e: [*_log(c), e["type"]]}),
    "pushCount": lambda arg: assign({"log": lambda c, e: [*_log(c), f"c{_js_num_text(c['count'])}"]}),
    "pushData": lambda arg: assign({"log": lambda c, e: [*_log(c), e.get("data")]}),
}

# name -> (arg) -> guard(ctx, event, meta)
GUARDS: dict[str, Callable[[str | None], Fn]] = {
    "isEven": lambda arg: lambda c, e, m: c["count"] % 2 == 0,
    "flag": lambda arg: lambda c, e, m: bool(c.get("flag")),
    "hasFlag": lambda arg: lambda c, e, m: bool(c.get("flag")),
    "countAbove": lambda arg: lambda c, e, m: c["count"] > _num(arg),
    "countIs": lambda arg: lambda c, e, m: c["count"] == _num(arg),
    "eventValueAbove": lambda arg: lambda c, e, m: _is_number(e.get("value")) and e["value"] > _num(arg),
    "eventHas": lambda arg: lambda c, e, m: arg in e,
    "never": lambda arg: lambda c, e, m: False,
    "always": lambda arg: lambda c, e, m: True,
}

# name -> (arg) -> function(ctx, event, meta=None)
FNS: dict[str, Callable[[str | None], Fn]] = {
    "count": lambda arg: lambda c, e=None, m=None: c["count"],
    "countPlus": lambda arg: lambda c, e=None, m=None: _js_int(c["count"] + int(_num(arg))),
    "logLength": lambda arg: lambda c, e=None, m=None: len(_log(c)),
    "eventValue": lambda arg: lambda c, e, m=None: e.get("value"),
    "eventData": lambda arg: lambda c, e, m=None: e.get("data"),
    "countEvent": lambda arg: lambda c, e=None, m=None: {"type": arg, "value": c["count"]},
    "countDelay": lambda arg: lambda c, e=None, m=None: c["count"] * 100 + 50,
    "contextCopy": lambda arg: lambda c, e=None, m=None: {"count": c["count"], "flag": c["flag"]},
}

# name -> (arg) -> pure getter(ctx, event) returning action objects
PURE: dict[str, Callable[[str | None], Fn]] = {
    "pushPerCount": lambda arg: lambda c, e: [ACTIONS["push"]("p") for _ in range(min(c["count"], 3))],
    "raiseIfEven": lambda arg: lambda c, e: [raise_({"type": "EVEN"})] if c["count"] % 2 == 0
    else [ACTIONS["push"]("odd")],
    "incThenPushCount": lambda arg: lambda c, e: [ACTIONS["inc"](None), ACTIONS["pushCount"](None)],
    "nothing": lambda arg: lambda c, e: None,
}

DELAYS: dict[str, Any] = {
    "short": 100,
    "long": 1000,
    "ctxDelay": lambda c, e: c["count"] * 100 + 50,
    "eventDelay": lambda c, e: e["value"] * 100 if _is_number(e.get("value")) else 10,
}


@dataclass(frozen=True)
class ServiceResult:
    """What a conformance service does: resolve (``ok``) or reject, with data."""

    ok: bool
    data: Any


# name -> (context, event, invoke data) -> result; mirrors the already-settled promises of impls.js
SERVICES: dict[str, Callable[[Any, Any, Any], ServiceResult]] = {
    "resolveCount": lambda ctx, ev, data: ServiceResult(True, ctx["count"] * 10),
    "rejectAlways": lambda ctx, ev, data: ServiceResult(False, "nope"),
    "rejectCount": lambda ctx, ev, data: ServiceResult(False, {"code": ctx["count"]}),
    "echoData": lambda ctx, ev, data: ServiceResult(True, data),
    "eventValue": lambda ctx, ev, data: ServiceResult(True, ev.get("value")),
    "resolveNothing": lambda ctx, ev, data: ServiceResult(True, None),
}


def _lookup(table: Mapping[str, Callable[[str | None], Any]], kind: str, name: str) -> Any:
    head, sep, arg = name.partition(":")
    if head not in table:
        raise KeyError(f'unknown {kind} "{name}"')
    return table[head](arg if sep else None)


def _is_fn_ref(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("$fn"), str)


def resolve_fns(value: Any) -> Any:
    """Replace every ``{"$fn": name}`` in a JSON value by its function."""
    if _is_fn_ref(value):
        return _lookup(FNS, "function", value["$fn"])
    if isinstance(value, list):
        return [resolve_fns(v) for v in value]
    if isinstance(value, Mapping):
        return {k: resolve_fns(v) for k, v in value.items()}
    return value


class Builder:
    """Walks a corpus config the way impls.js's Builder does."""

    def __init__(self) -> None:
        self.actions: dict[str, Any] = {}
        self.guards: dict[str, Fn] = {}

    def guard(self, cond: Any) -> Any:
        if isinstance(cond, str) and cond not in self.guards:
            self.guards[cond] = _lookup(GUARDS, "guard", cond)
        return cond

    def action(self, a: Any) -> Any:
        if isinstance(a, str):
            if a not in self.actions:
                self.actions[a] = _lookup(ACTIONS, "action", a)
            return a
        kind = a["type"]
        if kind == "xstate.pure":
            return {"type": kind, "get": _lookup(PURE, "pure getter", a["get"])}
        if kind == "xstate.choose":
            return {"type": kind, "conds": [
                {**c, "cond": self.guard(c.get("cond")), "actions": self.action_list(c["actions"])}
                if "cond" in c else {**c, "actions": self.action_list(c["actions"])}
                for c in a["conds"]]}
        if kind in ("xstate.raise", "xstate.send", "xstate.cancel", "xstate.log", "xstate.assign",
                    "xstate.stop"):
            return resolve_fns(a)
        raise ValueError(f"unsupported action object {a!r}")

    def action_list(self, value: Any) -> list[Any]:
        return [self.action(a) for a in (value if isinstance(value, list) else [value])]

    def config(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.config(n) for n in node]
        if not isinstance(node, Mapping):
            return node
        if _is_fn_ref(node):
            return resolve_fns(node)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("entry", "exit", "actions"):
                out[key] = self.action_list(value)
            elif key == "cond":
                out[key] = self.guard(value)
            elif key == "context":
                out[key] = value
            elif key == "data":
                out[key] = resolve_fns(value)
            else:
                out[key] = self.config(value)
        return out


def build(config_json: Mapping[str, Any]) -> tuple[dict[str, Any], Implementations]:
    """A corpus machine as ``(config, implementations)`` for ``engine.Machine``."""
    builder = Builder()
    config = builder.config(config_json)
    impl = Implementations(guards=builder.guards, actions=builder.actions,
                           services=dict(SERVICES), delays=DELAYS)
    return config, impl
