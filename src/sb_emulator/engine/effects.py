"""Effects: what the runtime must carry out after a transition, as frozen data.

The engine never performs I/O; it returns these in the order XState's interpreter would
execute them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Event = dict[str, Any]

PARENT = "#_parent"


@dataclass(frozen=True)
class StartService:
    """Start the invoked service ``src`` under ``id``; feed its result back as
    ``done.invoke.<id>`` / ``error.platform.<id>``."""

    id: str
    src: Any
    data: Any
    context: Any
    event: Event
    auto_forward: bool = False


@dataclass(frozen=True)
class StopService:
    id: str


@dataclass(frozen=True)
class ScheduleEvent:
    """Deliver ``event`` after ``delay_ms`` to self (``to`` None), the parent or a child."""

    send_id: str
    event: Event
    delay_ms: float
    to: Any = None


@dataclass(frozen=True)
class CancelEvent:
    send_id: str


@dataclass(frozen=True)
class SendEvent:
    """Send ``event`` now to ``"#_parent"``, a child id, or another target the runtime knows."""

    to: Any
    event: Event


@dataclass(frozen=True)
class ExecuteAction:
    """Run a user action with side effects: ``exec(context, event, meta)``."""

    name: str
    context: Any
    event: Event
    exec: Callable[..., Any] | None = field(default=None, compare=False)
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Log:
    label: str | None
    value: Any


Effect = StartService | StopService | ScheduleEvent | CancelEvent | SendEvent | ExecuteAction | Log
