"""A door for the realtime tests: request-, timer- and service-driven transitions.

Reading: anyone but "nobody", unless the owner made the door private (then only the owner).
Writing: anyone but "nobody".
"""

from typing import Any

from sb_emulator.actions import assign

name = "door"
version = "1.0.0"

machine = {
    "id": "door",
    "initial": "closed",
    "context": {"owner": None, "private": False, "width": None, "public": {"opens": 0}},
    "on": {"knock": {"actions": "countKnock"}},
    "states": {
        "closed": {
            "on": {
                "open": {"target": "open", "actions": "countOpen"},
                "hide": {"actions": "makePrivate"},
                "measure": "measuring",
            }
        },
        "open": {"tags": ["ajar"], "after": {"1000": "closed"}, "on": {"close": "closed"}},
        "measuring": {
            "invoke": {
                "id": "ruler",
                "src": "ruler",
                "onDone": {"target": "closed", "actions": "storeWidth"},
            }
        },
    },
}

actions = {
    "countOpen": assign(
        {"public": lambda ctx, ev: {**ctx["public"], "opens": ctx["public"]["opens"] + 1}}
    ),
    "countKnock": assign(
        {"public": lambda ctx, ev: {**ctx["public"], "knocks": ctx["public"].get("knocks", 0) + 1}}
    ),
    "makePrivate": assign({"private": True}),
    "storeWidth": assign({"width": lambda ctx, ev: ev["data"]}),
}


async def ruler(context: Any, event: Any) -> int:
    return 82


services = {"ruler": ruler}


def allow_read(request: dict[str, Any]) -> bool:
    sub = request["authContext"].get("sub")
    context = request["context"]
    if sub == "nobody":
        return False
    return bool(not context.get("private") or sub == context.get("owner"))


def allow_write(request: dict[str, Any]) -> bool:
    return bool(request["authContext"].get("sub") != "nobody")
