"""Built-in actions for Python machine definitions.

Each returns the action object XState's own creator would; callables may take
``(context, event)`` (or ``(context, event, meta)``).
"""

from sb_emulator.engine.actions import (
    assign,
    cancel,
    choose,
    escalate,
    forward_to,
    log,
    pure,
    raise_,
    respond,
    send,
    send_parent,
    send_to,
    stop,
)

__all__ = [
    "assign",
    "cancel",
    "choose",
    "escalate",
    "forward_to",
    "log",
    "pure",
    "raise_",
    "respond",
    "send",
    "send_parent",
    "send_to",
    "stop",
]
