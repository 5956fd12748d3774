"""Where ``print`` in a Python definition goes: the log sink of the call it runs in.

The runtime runs machine code (an action, a service) with a :class:`LogSink` of its own and
turns what the sink collected into log entries. ``sys.stdout`` is never swapped: swapping it
around a service, which awaits, let two overlapping services restore each other's buffers
and leave the process printing into a dead one. Instead a definition module's ``print`` is
bound to :func:`routed_print`, which writes to the sink of the current call (a context
variable, so each asyncio task, hence each running service, sees its own) and is the plain
``print`` outside any call (at import, in guards and authorizers) or when given ``file=``.
Standard library only.
"""

from __future__ import annotations

import builtins
import contextlib
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from types import ModuleType
from typing import Any


class LogSink:
    """The output of one call into machine code, collected to become one log entry."""

    __slots__ = ("_parts",)

    def __init__(self) -> None:
        self._parts: list[str] = []

    def write(self, text: str) -> None:
        self._parts.append(text)

    @property
    def text(self) -> str:
        return "".join(self._parts)


_current: ContextVar[LogSink | None] = ContextVar("sb_emulator_log_sink", default=None)


@contextlib.contextmanager
def output_to(sink: LogSink) -> Iterator[LogSink]:
    """Route ``print`` of definition modules to ``sink`` in this context (task) while open."""
    token = _current.set(sink)
    try:
        yield sink
    finally:
        _current.reset(token)


def routed_print(*values: Any, sep: str | None = " ", end: str | None = "\n",
                 file: Any = None, flush: bool = False) -> None:
    sink = _current.get()
    if sink is None or (file is not None and file is not sys.stdout):
        builtins.print(*values, sep=sep, end=end, file=file, flush=flush)
        return
    sink.write((" " if sep is None else sep).join(map(str, values))
               + ("\n" if end is None else end))


def route_print(module: ModuleType) -> None:
    """Bind ``print`` of ``module`` to :func:`routed_print` (unless it defines its own)."""
    if "print" not in vars(module):
        vars(module)["print"] = routed_print
