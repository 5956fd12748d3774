"""A wall-clock limit for calls into Python definitions' code, without leaving the thread.

A guard or an authorizer written in Python runs on the event loop, inside the engine's
transition: moving every call to a worker thread would cost a thread hop (tens of µs) per
event, and the engine, being synchronous, would block the loop waiting anyway. So the call
runs where it is, and a watchdog thread, woken every ``_POLL`` seconds, raises an exception
inside any call over its deadline (``PyThreadState_SetAsyncExc``, the same mechanism as
``KeyboardInterrupt``). What a call costs on the hot path: registering it in a dict and
taking an uncontended lock on the way out (about a microsecond).

The exception is raised at the runaway code's next bytecode, so pure Python loops stop; code
blocked inside a C call that holds the GIL cannot be interrupted. It derives from
``BaseException`` so that an ``except Exception`` in the user's loop does not swallow it.
Standard library only (layer 1).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Coroutine, Generator
from typing import Any, TypeVar

from sb_emulator import budget

T = TypeVar("T")
_POLL = 0.05


class _Overrun(BaseException):
    """Raised inside a call that is over its deadline; turned into BudgetExceeded."""


class _Slot:
    __slots__ = ("deadline", "fired")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False


_lock = threading.Lock()
_active: dict[int, _Slot] = {}  # thread id -> the watched call running in it
_watcher: threading.Thread | None = None


def call(what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)``, stopped with :class:`BudgetExceeded` (naming ``what`` and the
    limit) when it runs longer than ``budget.PYTHON_CALL_SECONDS``."""
    tid = threading.get_ident()
    if tid in _active:  # a watched call inside another: the outer deadline covers both
        return fn(*args, **kwargs)
    limit = budget.PYTHON_CALL_SECONDS
    slot = _Slot(time.monotonic() + limit)
    _active[tid] = slot
    if _watcher is None:
        _start_watcher()
    try:
        try:
            return fn(*args, **kwargs)
        finally:
            _leave(tid, slot)
    except _Overrun as err:
        _leave(tid, slot)  # in case the exception landed before the first _leave finished
        raise budget.BudgetExceeded(
            f"{what} ran for more than {limit:g} s, the time limit of a call into machine "
            f"code (an endless loop?); it was stopped in {_where(err)}") from None


class WatchedCoroutine:
    """Awaits ``coro`` with each of its steps (the code between two of its awaits) under the
    watchdog, so an async service that loops without awaiting is stopped too."""

    __slots__ = ("_coro", "_what")

    def __init__(self, what: str, coro: Coroutine[Any, Any, T]) -> None:
        self._what = what
        self._coro = coro

    def __await__(self) -> Generator[Any, Any, Any]:
        send: Any = None
        thrown: BaseException | None = None
        while True:
            try:
                if thrown is not None:
                    yielded = call(self._what, self._coro.throw, thrown)
                else:
                    yielded = call(self._what, self._coro.send, send)
            except StopIteration as stop:
                return stop.value
            try:
                send, thrown = (yield yielded), None
            except GeneratorExit:  # closed by its awaiter: close the coroutine with it
                self._coro.close()
                raise
            except BaseException as err:  # thrown in (a cancellation): hand it on
                send, thrown = None, err


def _where(err: BaseException) -> str:
    """The function that was running when the call was stopped, with its file and line."""
    tb = err.__traceback__
    if tb is None:
        return "an unknown place"
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    return f"{code.co_qualname} ({code.co_filename}:{tb.tb_lineno})"


def _leave(tid: int, slot: _Slot) -> None:
    with _lock:
        if _active.get(tid) is slot:
            del _active[tid]
        if slot.fired:  # the call ended as it was stopped: drop an exception not yet raised
            _set_async_exc(tid, None)


def _start_watcher() -> None:
    global _watcher
    with _lock:
        if _watcher is None:
            _watcher = threading.Thread(target=_watch, name="sb-emulator-watchdog", daemon=True)
            _watcher.start()


def _watch() -> None:
    while True:
        time.sleep(_POLL)
        now = time.monotonic()
        with _lock:
            for tid, slot in list(_active.items()):
                if not slot.fired and now >= slot.deadline:
                    slot.fired = True
                    _set_async_exc(tid, _Overrun)


def _set_async_exc(tid: int, exc: type[BaseException] | None) -> None:
    import ctypes  # only once a call overruns: not on every start-up

    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(tid), ctypes.py_object(exc) if exc is not None else None)
