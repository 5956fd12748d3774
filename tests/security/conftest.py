"""Hostile-input tests: every case runs under a wall-clock and a memory bound.

A regression must fail fast instead of hanging CI or swapping the machine, so each test in this
folder is wrapped (autouse) in ``bounded``: a watchdog that kills the worker with a traceback
of every thread once the wall-clock bound has passed (pytest-xdist then reports the test as
failed, "worker crashed"), an address-space limit that turns a runaway allocation into a
``MemoryError`` instead of gigabytes of RSS, and a check of the process's peak RSS afterwards.
The bounds are generous on purpose (a busy 2-core CI machine must never trip them): they
catch a hang or a bomb, never a slow run. Tighten them per test with
``@pytest.mark.bound(seconds=..., megabytes=...)``.
"""

from __future__ import annotations

import faulthandler
import resource
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

DEFAULT_SECONDS = 60.0
DEFAULT_MEGABYTES = 512
# Address space is not resident memory: thread stacks and malloc arenas reserve far more than
# they touch, so the hard limit leaves room above the RSS bound.
ADDRESS_SPACE_HEADROOM_MB = 1024


def _vm_size_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmSize not found in /proc/self/status")


def _peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@contextmanager
def bounded(seconds: float = DEFAULT_SECONDS, megabytes: int = DEFAULT_MEGABYTES) -> Iterator[None]:
    """Fail (by killing the process) after ``seconds``; fail if peak RSS grew over ``megabytes``."""
    faulthandler.dump_traceback_later(seconds, exit=True, file=sys.stderr)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _vm_size_bytes() + (megabytes + ADDRESS_SPACE_HEADROOM_MB) * 2**20
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    peak_before = _peak_rss_kb()
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
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
