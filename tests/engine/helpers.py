"""Small helpers for the engine unit tests."""

from __future__ import annotations

from typing import Any

from sb_emulator.engine import Effect, ExecuteAction, Implementations, Machine, Snapshot, initial, transition


def machine(config: dict[str, Any], **impl: Any) -> Machine:
    """A machine with id ``m`` (so state ids read ``m.a``) and the given implementations."""
    return Machine({"id": "m", **config}, Implementations(**impl))


def run(m: Machine, *events: Any) -> tuple[Snapshot, list[Effect]]:
    """Start ``m``, send ``events``; the last snapshot and the effects of the last event."""
    snap, effects = initial(m)
    for event in events:
        snap, effects = transition(m, snap, event)
    return snap, list(effects)


def value_after(m: Machine, *events: Any) -> Any:
    return run(m, *events)[0].value


def executed(effects: list[Effect] | tuple[Effect, ...]) -> list[tuple[str, Any, str]]:
    """The user actions run, as (name, context, event type)."""
    return [(e.name, e.context, e.event["type"]) for e in effects if isinstance(e, ExecuteAction)]


def names(effects: list[Effect] | tuple[Effect, ...]) -> list[str]:
    """Each effect as ``Kind:detail`` for order assertions."""
    out = []
    for e in effects:
        detail = getattr(e, "id", None) or getattr(e, "name", None) or getattr(e, "send_id", None) \
            or getattr(e, "to", None) or getattr(e, "label", None)
        out.append(f"{type(e).__name__}:{detail}")
    return out
