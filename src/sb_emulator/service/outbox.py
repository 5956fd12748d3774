"""Messages to other instances that one delivery produces, carried out once the sender's lock
is released (an instance never waits on another while holding its own lock).

Each message is a typed record rather than a tagged tuple, so the code that carries them out
(``children.ChildrenMixin.dispatch_outbox``) is checked for every kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sb_emulator.service.core import Instance


@dataclass(frozen=True, slots=True)
class SpawnChild:
    """Create the persistent child ``child`` ({machine, instance}) invoked as ``invoke_id``."""

    parent: Instance
    child: dict[str, str]
    invoke_id: str
    version: str | None
    context: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredSend:
    """The first attempt at a send stored as a timer with its transition (a send to another
    instance, or a finished child's ``done.invoke`` notice): the timer stands as the retry."""

    sender: Instance
    timer_id: str


@dataclass(frozen=True, slots=True)
class DirectSend:
    """A send that could not be stored with its transition (to a child spawned by that same
    transition): sent once, retried through a new timer on a retryable failure."""

    sender: Instance
    target: tuple[str, str]
    event: dict[str, Any]


Message = SpawnChild | StoredSend | DirectSend


def sender_of(inst: Instance) -> dict[str, Any]:
    """The ``authContext`` an event from ``inst`` carries to the instance it is sent to."""
    return {"stateBackedSender": {"machineName": inst.machine, "machineInstanceName": inst.name}}


@dataclass
class Outbox:
    """The messages of one delivery, in the order they were made."""

    messages: list[Message] = field(default_factory=list)

    def add(self, message: Message) -> None:
        self.messages.append(message)
