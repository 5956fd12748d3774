"""Settling with Python async services: ``double`` resolves, ``explode`` rejects, ``sleepy``
outlives a short settle timeout (it reports start and cancellation to ``_probe``)."""

import asyncio
from typing import Any

from sb_emulator.actions import assign
from sb_emulator.machines import ServiceMeta
from tests.runtime.machines._probe import SERVICE_EVENTS

name = "worker"
version = "1.0.0"

machine = {
    "id": "worker",
    "initial": "idle",
    "context": {"result": None, "error": None},
    "states": {
        "idle": {"on": {"compute": "computing", "explode": "exploding", "slow": "slowing"}},
        "computing": {
            "invoke": {
                "id": "double",
                "src": "double",
                "data": {"n": lambda ctx, ev: ev["n"]},
                "onDone": {"target": "idle", "actions": "storeResult"},
            }
        },
        "exploding": {
            "invoke": {
                "id": "explode",
                "src": "explode",
                "onError": {"target": "failed", "actions": "storeError"},
            }
        },
        "slowing": {
            "invoke": {
                "id": "sleepy",
                "src": "sleepy",
                "onDone": "finished",
                "onError": {"target": "timedOut", "actions": "storeError"},
            }
        },
        "failed": {},
        "finished": {},
        "timedOut": {"on": {"ack": "acknowledged"}},
        "acknowledged": {},
    },
}

actions = {
    "storeResult": assign({"result": lambda ctx, ev: ev["data"]}),
    "storeError": assign({"error": lambda ctx, ev: ev["data"]}),
}


async def double(context: Any, event: Any, meta: ServiceMeta) -> Any:
    await asyncio.sleep(0.02)
    return {"doubled": meta.data["n"] * 2}


async def explode(context: Any, event: Any, meta: ServiceMeta) -> Any:
    await asyncio.sleep(0)
    raise ValueError("boom")


async def sleepy(context: Any, event: Any, meta: ServiceMeta) -> Any:
    SERVICE_EVENTS.append("sleepy started")
    try:
        await asyncio.sleep(2)
    except asyncio.CancelledError:
        SERVICE_EVENTS.append("sleepy cancelled")
        raise
    SERVICE_EVENTS.append("sleepy finished")
    return "late"


services = {"double": double, "explode": explode, "sleepy": sleepy}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    return True
