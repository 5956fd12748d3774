"""Two services that overlap and finish in the order they started: ``first`` is still running
when ``second`` starts, and returns before it. Both print; each output belongs to its own
service's log entry. The services hand over through events made per run (``_probe``)."""

import asyncio
from typing import Any

from sb_emulator.machines import ServiceMeta
from tests.runtime.machines import _probe

name = "duet"
version = "1.0.0"

machine = {
    "id": "duet",
    "initial": "idle",
    "states": {
        "idle": {"on": {"play": "playing"}},
        "playing": {
            "type": "parallel",
            "states": {
                "one": {"initial": "busy", "states": {
                    "busy": {"invoke": {"id": "first", "src": "first", "onDone": "over"}},
                    "over": {"type": "final"}}},
                "two": {"initial": "busy", "states": {
                    "busy": {"invoke": {"id": "second", "src": "second", "onDone": "over"}},
                    "over": {"type": "final"}}},
            },
            "onDone": "idle",
        },
    },
}


def _handover() -> tuple[asyncio.Event, asyncio.Event]:
    if _probe.DUET is None:
        _probe.DUET = (asyncio.Event(), asyncio.Event())
    return _probe.DUET


async def first(context: Any, event: Any, meta: ServiceMeta) -> Any:
    second_started, first_done = _handover()
    print("first starts")
    await second_started.wait()
    print("first ends")
    first_done.set()
    return 1


async def second(context: Any, event: Any, meta: ServiceMeta) -> Any:
    second_started, first_done = _handover()
    print("second starts")
    second_started.set()
    await first_done.wait()
    print("second ends")
    return 2


services = {"first": first, "second": second}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    return True
