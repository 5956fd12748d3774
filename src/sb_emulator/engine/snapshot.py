"""The engine's snapshot of an instance: JSON-serialisable, restorable, immutable."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Snapshot:
    """Everything needed to continue an instance later.

    ``value`` has XState's exact shape; ``history`` is XState's history value tree;
    ``children`` the active invocations (id -> {"src", "autoForward"}); ``delayed`` the pending
    delayed events (send id -> {"event", "delay", "to"}); ``output`` the top-level final state's
    ``data`` once ``done``.
    """

    value: Any
    context: Any
    history: Any = None
    tags: tuple[str, ...] = ()
    done: bool = False
    output: Any = None
    children: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    delayed: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    changed: bool | None = None
    event: Mapping[str, Any] = field(default_factory=lambda: {"type": "xstate.init"})
    # XState keeps the active state nodes (ids, in its own order) next to the value; after
    # some parallel transitions they are not derivable from the value, and v4 behaviour
    # depends on them (entry actions of such nodes re-run), so they are kept verbatim.
    configuration: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "context": self.context,
            "history": self.history,
            "tags": list(self.tags),
            "done": self.done,
            "output": self.output,
            "children": {k: dict(v) for k, v in self.children.items()},
            "delayed": {k: dict(v) for k, v in self.delayed.items()},
            "changed": self.changed,
            "event": dict(self.event),
            "configuration": list(self.configuration),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot:
        return cls(
            value=data["value"],
            context=data.get("context"),
            history=data.get("history"),
            tags=tuple(data.get("tags") or ()),
            done=bool(data.get("done")),
            output=data.get("output"),
            children=dict(data.get("children") or {}),
            delayed=dict(data.get("delayed") or {}),
            changed=data.get("changed"),
            event=dict(data.get("event") or {"type": "xstate.init"}),
            configuration=tuple(data.get("configuration") or ()),
        )

    def matches(self, parent_value: Any) -> bool:
        """XState's ``state.matches``."""
        from sb_emulator.engine.algorithm import matches_state

        return matches_state(parent_value, self.value)

    def has_tag(self, tag: str) -> bool:
        return tag in self.tags
