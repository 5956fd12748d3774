"""A parent that invokes the persistent child ``relay_kid/<instance>`` and two promise services,
all with ``autoForward``: XState forwards events to machine children only, so the child hears
every event sent to the relay and the promise services are never sent anything."""

import asyncio
from typing import Any

from sb_emulator.actions import assign

name = "relay"
version = "1.0.0"

machine = {
    "id": "relay",
    "initial": "relaying",
    "context": {"seen": 0, "answer": None},
    "states": {
        "relaying": {
            "invoke": [
                {"id": "kid", "autoForward": True,
                 "src": {"type": "statebacked.invoke", "machineName": "relay_kid"},
                 "data": {"heard": []}},
                {"id": "answer", "src": "answer", "autoForward": True,
                 "onDone": {"actions": "storeAnswer"}},
                # still running when done.invoke.answer arrives: nothing is forwarded to it
                {"id": "later", "src": "later", "autoForward": True,
                 "onDone": {"actions": "storeAnswer"}},
            ],
            "on": {"shout": {"actions": "countSeen"}},
        },
    },
}

actions = {
    "countSeen": assign({"seen": lambda ctx, ev: ctx["seen"] + 1}),
    "storeAnswer": assign({"answer": lambda ctx, ev: ev["data"]}),
}


async def answer(ctx: Any, ev: Any, meta: Any) -> int:
    return 42


async def later(ctx: Any, ev: Any, meta: Any) -> int:
    await asyncio.sleep(0.02)
    return 43


services = {"answer": answer, "later": later}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    return bool(request["authContext"].get("sub") == "tester")
