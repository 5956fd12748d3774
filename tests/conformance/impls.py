"""The named implementations of impls.js, for our engine (keep the two files in step)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sb_emulator.engine import Implementations
from sb_emulator.engine.actions import assign


def _split(name: str) -> tuple[str, str | None]:
    head, sep, arg = name.partition(":")
    return head, (arg if sep else None)


def _num(arg: str | None) -> float:
    return float(arg or 0)


def action_impl(name: str) -> Any:
    head, arg = _split(name)
    table: dict[str, Callable[[], Any]] = {
        "inc": lambda: assign({"count": lambda c, e: c["count"] + 1}),
        "dec": lambda: assign({"count": lambda c, e: c["count"] - 1}),
        "double": lambda: assign({"count": lambda c, e: c["count"] * 2}),
        "reset": lambda: assign({"count": 0}),
        "setFromEvent": lambda: assign({"count": lambda c, e: e["value"] if _is_number(
            e.get("value")) else c["count"]}),
        "push": lambda: assign({"log": lambda c, e: [*(c.get("log") or []), arg]}),
    }
    make = table.get(head)
    return make() if make else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def guard_impl(name: str) -> Any:
    head, arg = _split(name)
    table: dict[str, Callable[..., bool]] = {
        "isEven": lambda c, e, m: c["count"] % 2 == 0,
        "flag": lambda c, e, m: bool(c.get("flag")),
        "countAbove": lambda c, e, m: c["count"] > _num(arg),
        "countIs": lambda c, e, m: c["count"] == _num(arg),
        "eventValueAbove": lambda c, e, m: _is_number(e.get("value")) and e["value"] > _num(arg),
        "never": lambda c, e, m: False,
        "always": lambda c, e, m: True,
    }
    return table.get(head)


DELAYS: dict[str, Any] = {"short": 100, "ctxDelay": lambda c, e: c["count"] * 100 + 50}


class ServiceResult:
    """What a conformance service does: resolve or reject, with data."""

    def __init__(self, ok: bool, data: Any) -> None:
        self.ok = ok
        self.data = data


SERVICES: dict[str, Callable[[Any, Any, Any], ServiceResult]] = {
    "resolveCount": lambda ctx, ev, data: ServiceResult(True, ctx["count"] * 10),
    "rejectAlways": lambda ctx, ev, data: ServiceResult(False, "nope"),
    "echoData": lambda ctx, ev, data: ServiceResult(True, data),
}


def collect_names(config: Any, actions: set[str], guards: set[str]) -> None:
    if isinstance(config, list):
        for item in config:
            collect_names(item, actions, guards)
        return
    if not isinstance(config, Mapping):
        return
    for key, value in config.items():
        if key in ("entry", "exit", "actions"):
            for a in value if isinstance(value, list) else [value]:
                if isinstance(a, str):
                    actions.add(a)
                else:
                    collect_names(a, actions, guards)
        elif key == "cond" and isinstance(value, str):
            guards.add(value)
        elif key not in ("context", "data") and isinstance(value, Mapping | list):
            collect_names(value, actions, guards)


def implementations_for(config: Mapping[str, Any]) -> Implementations:
    actions: set[str] = set()
    guards: set[str] = set()
    collect_names(config, actions, guards)
    return Implementations(
        guards={n: g for n in guards if (g := guard_impl(n)) is not None},
        actions={n: a for n in actions if (a := action_impl(n)) is not None},
        services={name: fn for name, fn in SERVICES.items()},
        delays=DELAYS,
    )
