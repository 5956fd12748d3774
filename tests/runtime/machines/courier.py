"""Inline invoke sources: async functions written straight into the machine as ``src``, named
(as in XState) by their invoke id. ``quote`` takes ``(context, event)`` and has no invoke id;
``make_label`` takes ``(context, event, meta)`` (the invoke's data, the runtime's sleep, the
invoke id); ``lost_parcel`` rejects; ``lookup(...)`` builds one from a closure."""

from collections.abc import Awaitable, Callable
from typing import Any

from sb_emulator.actions import assign
from sb_emulator.machines import ServiceMeta

name = "courier"
version = "1.0.0"


async def quote(context: Any, event: Any) -> Any:
    return {"price": context["base"] * 2}


async def make_label(context: Any, event: Any, meta: ServiceMeta) -> Any:
    await meta.sleep_ms(5)
    return f"{meta.invoke_id} to {meta.data['to']}"


async def lost_parcel(context: Any, event: Any) -> Any:
    raise LookupError(f"parcel {event['parcel']} is lost")


def lookup(table: dict[str, str]) -> Callable[[Any, Any], Awaitable[Any]]:
    async def find(context: Any, event: Any) -> Any:
        return table[event["city"]]

    return find


machine = {
    "id": "courier",
    "initial": "quoting",
    "context": {"base": 5, "quote": None, "label": None, "error": None, "depot": None},
    "states": {
        "quoting": {"invoke": {"src": quote, "onDone": {"target": "idle", "actions": "keep"}}},
        "idle": {"on": {"label": "labelling", "track": "tracking", "route": "routing"}},
        "labelling": {
            "invoke": {
                "id": "label",
                "src": make_label,
                "data": {"to": lambda ctx, ev: ev["to"]},
                "onDone": {"target": "idle",
                           "actions": assign({"label": lambda ctx, ev: ev["data"]})},
            }
        },
        "tracking": {
            "invoke": {
                "id": "track",
                "src": lost_parcel,
                "onError": {"target": "idle",
                            "actions": assign({"error": lambda ctx, ev: ev["data"]})},
            }
        },
        "routing": {
            "invoke": [{
                "id": "depot",
                "src": lookup({"Paris": "FR-75", "Lyon": "FR-69"}),
                "onDone": {"target": "idle",
                           "actions": assign({"depot": lambda ctx, ev: ev["data"]})},
                "onError": "idle",
            }]
        },
    },
}

actions = {"keep": assign({"quote": lambda ctx, ev: ev["data"]})}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    return True
