"""Injected time. Nothing in ``service/`` reads the wall clock or sleeps except through a Clock.

``RealClock`` follows the system clock; ``ManualClock`` only moves when told to and refuses to
go backwards (in the spirit of XState v4's ``SimulatedClock`` and trio's ``MockClock``).
Standard library only (layer 1).
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """What the service layer needs to know about time."""

    @property
    def is_manual(self) -> bool: ...

    def now_ms(self) -> int:
        """Milliseconds since the Unix epoch."""
        ...

    async def sleep_ms(self, ms: int) -> None:
        """Wait ``ms`` milliseconds of this clock's time (manual clocks: see below)."""
        ...


class RealClock:
    is_manual = False

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    async def sleep_ms(self, ms: int) -> None:
        await asyncio.sleep(max(ms, 0) / 1000)


class ClockWentBackwards(ValueError):
    pass


class ManualClock:
    """A clock that moves only through :meth:`set` / :meth:`advance`.

    ``sleep_ms`` on a manual clock never finishes on its own accord: the runtime schedules
    timers by due time and fires them when the clock is advanced, so a sleeping task would only
    be woken by the clock moving. Sleepers are woken whenever the clock reaches their due time.
    """

    is_manual = True

    def __init__(self, start_ms: int | None = None) -> None:
        self._now = start_ms if start_ms is not None else time.time_ns() // 1_000_000
        self._sleepers: list[tuple[int, asyncio.Future[None]]] = []

    def now_ms(self) -> int:
        return self._now

    def set(self, ms: int) -> None:
        if ms < self._now:
            raise ClockWentBackwards(f"manual clock cannot go back from {self._now} to {ms}")
        self._now = ms
        due = [(t, f) for t, f in self._sleepers if t <= ms]
        self._sleepers = [(t, f) for t, f in self._sleepers if t > ms]
        for _, fut in due:
            if not fut.done():
                fut.set_result(None)

    def advance(self, ms: int) -> None:
        if ms < 0:
            raise ClockWentBackwards(f"cannot advance the clock by a negative amount ({ms} ms)")
        self.set(self._now + ms)

    async def sleep_ms(self, ms: int) -> None:
        if ms <= 0:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + ms, fut))
        await fut


def iso_from_ms(ms: int) -> str:
    """Format like JavaScript's ``Date.prototype.toISOString()`` (API.md §1.7): four-digit
    years, zero-padded (``0276-...``); outside 0000-9999 the extended ``±YYYYYY`` form."""
    from datetime import UTC, datetime, timedelta

    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    year = moment.year
    year_text = f"{year:04d}" if 0 <= year <= 9999 else f"{'+' if year > 0 else '-'}{abs(year):06d}"
    return (f"{year_text}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
            f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z")


def ms_from_iso(text: str) -> int:
    """Parse an ISO-8601 timestamp (as ``toISOString()`` or any RFC 3339 form) to epoch ms."""
    from datetime import datetime

    value = text.strip()
    if value.endswith("Z") or value.endswith("z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)
