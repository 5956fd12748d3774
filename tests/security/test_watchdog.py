"""The wall-clock limit on calls into Python definitions' code (sb_emulator.watchdog)."""

from __future__ import annotations

import asyncio

import pytest

from sb_emulator import budget, watchdog

pytestmark = pytest.mark.bound(seconds=30, megabytes=64)


@pytest.fixture(autouse=True)
def short_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "PYTHON_CALL_SECONDS", 0.2)


def spin_swallowing_exceptions() -> None:
    while True:
        try:  # noqa: SIM105 - the point: a broad except must not swallow the stop
            pass
        except Exception:
            pass


def test_an_endless_loop_is_stopped_naming_the_call_the_limit_and_where() -> None:
    with pytest.raises(budget.BudgetExceeded) as stopped:
        watchdog.call("guard 'spin' of m.py", spin_swallowing_exceptions)
    message = str(stopped.value)
    assert message.startswith("guard 'spin' of m.py ran for more than 0.2 s")
    assert "spin_swallowing_exceptions (" in message and "test_watchdog.py" in message
    assert stopped.value.code == "machine-implementation-error"


def test_calls_that_return_are_untouched_and_the_next_call_after_a_stop_is_too() -> None:
    with pytest.raises(budget.BudgetExceeded):
        watchdog.call("spin", spin_swallowing_exceptions)
    assert watchdog.call("add", lambda a, b=0: a + b, 1, b=2) == 3
    with pytest.raises(ZeroDivisionError):  # the function's own errors pass through
        watchdog.call("div", lambda: 1 / 0)


def test_a_nested_call_runs_under_the_outer_deadline() -> None:
    def outer() -> None:
        watchdog.call("inner", spin_swallowing_exceptions)

    with pytest.raises(budget.BudgetExceeded, match=r"^outer ran for more"):
        watchdog.call("outer", outer)


async def test_an_async_service_looping_between_its_awaits_is_stopped() -> None:
    async def spin_after_an_await() -> None:
        await asyncio.sleep(0)
        spin_swallowing_exceptions()

    with pytest.raises(budget.BudgetExceeded, match=r"^service 'spin' ran for more"):
        await watchdog.WatchedCoroutine("service 'spin'", spin_after_an_await())


async def test_a_watched_coroutine_returns_raises_and_cancels_as_the_coroutine_does() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    async def fail() -> None:
        await asyncio.sleep(0)
        raise KeyError("k")

    started, cancelled = asyncio.Event(), asyncio.Event()

    async def wait_forever() -> None:
        started.set()
        try:
            await asyncio.Event().wait()
        finally:
            cancelled.set()

    assert await watchdog.WatchedCoroutine("answer", answer()) == 42
    with pytest.raises(KeyError):
        await watchdog.WatchedCoroutine("fail", fail())

    async def run_forever() -> None:
        await watchdog.WatchedCoroutine("forever", wait_forever())

    task = asyncio.create_task(run_forever())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled.is_set()
