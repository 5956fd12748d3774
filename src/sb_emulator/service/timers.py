"""Durable delayed events (``after``, delayed ``send``) on the injected clock (API.md §7.5).

Timers are documents in the store, so they survive a restart. With the real clock a task
delivers them when due; with the manual clock ``advance_clock`` moves time to each due timer
in turn, delivering and settling after each, so a timer set by an earlier one inside the
window fires too and one cancelled by an earlier one does not.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
from typing import Any, Protocol

from sb_emulator.clock import ManualClock
from sb_emulator.errors import ApiError
from sb_emulator.service.core import EmulatorCore, Instance
from sb_emulator.service.records import TimerRecord
from sb_emulator.store.base import Change


class TimerDelivery(Protocol):
    """What firing a timer needs of the runner."""

    async def deliver(self, inst: Instance, event: Any, auth_context: dict[str, Any] | None, *,
                      delayed_id: str | None = None) -> dict[str, Any]: ...

    async def deliver_to_target(self, inst: Instance, to: Any, event: dict[str, Any]
                                ) -> None: ...

    def log_delivery_failure(self, inst: Instance, what: str, err: ApiError, *, retrying: bool,
                             attempts: int | None = None) -> None: ...


class Timers:
    """The durable timers, in due order, and what fires them."""

    def __init__(self, core: EmulatorCore, runner: TimerDelivery) -> None:
        self.core = core
        self.runner = runner
        self._timer_task: asyncio.Task[None] | None = None
        self._timer_wakeup: asyncio.Event | None = None
        # (due ms, timer id) in due order; entries whose document changed or vanished are stale
        # and skipped, so cancelling stays O(1) and finding the next timer O(log n).
        self._timer_heap: list[tuple[int, str]] | None = None

    def set_timer(self, timer_id: str, timer: TimerRecord) -> Change:
        change = self.core.put_record("timers", timer_id, timer)
        self.push_timer(timer.due_ms, timer_id)
        if self._timer_wakeup is not None:
            self._timer_wakeup.set()
        return change

    def cancel_timer(self, timer_id: str) -> Change | None:
        if timer_id not in self.core.docs["timers"]:
            return None
        return self.core.delete("timers", timer_id)

    def push_timer(self, due: int, timer_id: str) -> None:
        if self._timer_heap is None:
            self._rebuild_timer_heap()
        assert self._timer_heap is not None
        heapq.heappush(self._timer_heap, (due, timer_id))

    def forget_timer_order(self) -> None:
        """The timers were replaced wholesale (an import, a reset): rebuild the order."""
        self._timer_heap = None

    def _rebuild_timer_heap(self) -> None:
        self._timer_heap = [(timer.due_ms, key) for key, timer in self.core.docs["timers"].items()]
        heapq.heapify(self._timer_heap)

    def next_timer(self, until_ms: int | None = None) -> tuple[str, TimerRecord] | None:
        """The earliest pending timer (due by ``until_ms`` when given)."""
        if self._timer_heap is None:
            self._rebuild_timer_heap()
        heap = self._timer_heap
        assert heap is not None
        while heap:
            due, key = heap[0]
            timer: TimerRecord | None = self.core.docs["timers"].get(key)
            if timer is None or timer.due_ms != due:
                heapq.heappop(heap)  # stale: cancelled, fired or rescheduled
                continue
            if until_ms is not None and due > until_ms:
                return None
            return key, timer
        return None

    async def fire_timer(self, timer_id: str, timer: TimerRecord) -> None:
        inst = self.core.instances.get(timer.instance)
        if inst is None:
            self.core.persist([self.core.delete("timers", timer_id)])
            return
        self.core.persist([self.core.delete("timers", timer_id)])
        try:
            if timer.to is None:
                await self.runner.deliver(inst, timer.event, None, delayed_id=timer.send_id)
            else:
                await self.runner.deliver_to_target(inst, timer.to, timer.event)
        except ApiError as err:
            self._retry_or_drop(timer_id, timer, inst, err)

    def _retry_or_drop(self, timer_id: str, timer: TimerRecord, inst: Instance, err: ApiError
                       ) -> None:
        attempts = timer.attempts + 1
        what = f"delayed event {timer.event.get('type')!r}"
        if attempts >= self.core.settings.max_delivery_attempts:
            self.runner.log_delivery_failure(inst, what, err, retrying=False, attempts=attempts)
            return
        self.runner.log_delivery_failure(inst, what, err, retrying=True)
        due = self.core.clock.now_ms() + self.core.settings.retry_delay_ms
        self.core.persist([self.core.put_record("timers", timer_id, timer.retried(due, attempts))])
        self.push_timer(due, timer_id)

    async def advance_clock(self, ms: int) -> None:
        clock = self.core.clock
        if not isinstance(clock, ManualClock):
            from sb_emulator.errors import BadRequest

            raise BadRequest("the clock is real: start the emulator with --clock manual to "
                             "control time", code="clock-not-manual")
        target = clock.now_ms() + ms
        while (found := self.next_timer(until_ms=target)) is not None:
            timer_id, timer = found
            clock.set(max(timer.due_ms, clock.now_ms()))
            await self.fire_timer(timer_id, timer)
        clock.set(target)

    # -- the real-clock loop ----------------------------------------------------------------

    def start_timer_loop(self) -> None:
        if self.core.clock.is_manual or self._timer_task is not None:
            return
        self._timer_wakeup = asyncio.Event()
        self._timer_task = asyncio.get_running_loop().create_task(self._timer_loop())

    async def stop_timer_loop(self) -> None:
        task, self._timer_task = self._timer_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _timer_loop(self) -> None:
        assert self._timer_wakeup is not None
        while True:
            found = self.next_timer()
            if found is not None and found[1].due_ms <= self.core.clock.now_ms():
                try:
                    await self.fire_timer(*found)
                except Exception as err:  # keep the loop alive; the failure is reported
                    self.core.errors.append(err)
                    self.core.docs["timers"].pop(found[0], None)
                continue
            wait_s = 1.0 if found is None else min((found[1].due_ms - self.core.clock.now_ms()) / 1000, 1.0)
            self._timer_wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._timer_wakeup.wait(), max(wait_s, 0.001))
