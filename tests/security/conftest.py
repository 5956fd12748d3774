"""Hostile-input tests: every case runs under a wall-clock and a memory bound.

A regression must fail fast instead of hanging CI or swapping the machine, so each test in this
folder is wrapped (autouse) in ``bounded``:

* a wall-clock watchdog (``faulthandler``, a C thread that needs no GIL) that dumps every
  thread's traceback and ends the process once the time bound has passed (pytest-xdist then
  reports the test as failed, "worker crashed");
* a memory watchdog thread that reads the process's resident size every few milliseconds and
  ends the process the same way once it has grown by twice the memory bound (a bomb stops
  there, long before it swaps the machine);
* after the test, a check that the peak resident size grew by at most the memory bound.

Nothing limits allocations themselves (an address-space rlimit would make *any* thread of the
worker fail, and native code such as the Rust extensions aborts the process on a failed
allocation instead of raising ``MemoryError``). The bounds are generous on purpose (a busy
2-core CI machine must never trip them): they catch a hang or a bomb, never a slow run.
Tighten them per test with ``@pytest.mark.bound(seconds=..., megabytes=...)``.
"""

from __future__ import annotations

import faulthandler
import os
import resource
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

DEFAULT_SECONDS = 60.0
DEFAULT_MEGABYTES = 512
_POLL_S = 0.005
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * _PAGE


def _peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _memory_watchdog(limit_bytes: int, megabytes: int, done: threading.Event) -> None:
    while not done.wait(_POLL_S):
        if _rss_bytes() > limit_bytes:
            sys.stderr.write(f"\nmemory bound: resident size grew past twice the bound of "
                             f"{megabytes} MB; ending the process\n")
            faulthandler.dump_traceback(file=sys.stderr, all_threads=True)
            sys.stderr.flush()
            os._exit(3)


@contextmanager
def bounded(seconds: float = DEFAULT_SECONDS, megabytes: int = DEFAULT_MEGABYTES) -> Iterator[None]:
    """End the process after ``seconds`` or once RSS grew by ``2 * megabytes``; fail if the
    peak RSS grew by more than ``megabytes``."""
    faulthandler.dump_traceback_later(seconds, exit=True, file=sys.stderr)
    done = threading.Event()
    watchdog = threading.Thread(
        target=_memory_watchdog, args=(_rss_bytes() + 2 * megabytes * 2**20, megabytes, done),
        name="memory-bound", daemon=True)
    watchdog.start()
    peak_before = _peak_rss_kb()
    try:
        yield
    finally:
        done.set()
        watchdog.join()
        faulthandler.cancel_dump_traceback_later()
    grown_mb = (_peak_rss_kb() - peak_before) / 1024
    assert grown_mb <= megabytes, f"peak RSS grew by {grown_mb:.0f} MB (bound {megabytes} MB)"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "bound(seconds, megabytes): wall-clock and memory bound of a hostile-input test"
    )


@pytest.fixture(autouse=True)
def _hostile_input_bound(request: pytest.FixtureRequest) -> Iterator[None]:
    marker = request.node.get_closest_marker("bound")
    kwargs = dict(marker.kwargs) if marker else {}
    with bounded(
        seconds=kwargs.get("seconds", DEFAULT_SECONDS), megabytes=kwargs.get("megabytes", DEFAULT_MEGABYTES)
    ):
        yield
