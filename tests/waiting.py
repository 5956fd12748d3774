"""Waiting for a condition in async tests (never for a fixed time)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_until(condition: Callable[[], bool], *, timeout_s: float = 30.0) -> None:
    """Wait for ``condition()`` to hold, polling the loop; the bound only stops a test that
    would otherwise hang, it is never the point of the test."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"condition still false after {timeout_s} s")
        await asyncio.sleep(0.01)
