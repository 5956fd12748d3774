"""What a loaded machine version is, whatever file it came from (docs/CONTRACTS.md §2)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sb_emulator.engine import Machine

Authorizer = Callable[[dict[str, Any]], Any]
Service = Callable[[Any, Any, Any], Awaitable[Any]]
IndexFn = Callable[[Any], Any]


@dataclass(frozen=True)
class ServiceMeta:
    """Third argument of a service call: the invoke's ``data`` and the clock's sleep."""

    data: Any
    sleep_ms: Callable[[int], Awaitable[None]]
    invoke_id: str = ""


@dataclass(frozen=True)
class HttpApiEndpoint:
    """One slug of an ``httpApiMapper``: ``handler(request)`` and ``response_mapper(input)``.

    Either may be sync or async; raising means "fail" (API.md §8.3).
    """

    handler: Callable[[dict[str, Any]], Any]
    response_mapper: Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class MachineDefinition:
    name: str
    version_label: str
    machine: Machine
    allow_read: Authorizer
    allow_write: Authorizer
    services: Mapping[str, Service] = field(default_factory=dict)
    http_api_mapper: Mapping[str, HttpApiEndpoint] = field(default_factory=dict)
    indexes: Mapping[str, IndexFn] = field(default_factory=dict)
    upgrade_state: Callable[[list[str], Any], list[str]] | None = None
    upgrade_context: Callable[[list[list[str]], list[list[str]], Any], Any] | None = None
    source: str = ""
    source_text: str | None = None  # YAML text, kept for uploaded versions (re-loadable)
    kind: str = "yaml"  # "yaml" or "python"

    def summary(self) -> str:
        states = len(self.machine.nodes) - 1
        events = sorted({t.event_type for n in self.machine.nodes for t in n.transitions
                         if t.event_type and not t.event_type.startswith(("xstate.", "done.", "error."))})
        return (f"{self.name} {self.version_label}: {_count(states, 'state')}, "
                f"{_count(len(events), 'event')} ({', '.join(events)}) [{self.source}]")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
