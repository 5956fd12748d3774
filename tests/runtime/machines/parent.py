"""A parent that invokes the persistent child ``child/c1`` and talks to it (API.md §7.4, §7.6).

Writes are allowed for the user ``tester`` and for events sent by a ``child`` instance."""

from typing import Any

from sb_emulator.actions import assign, send_to
from tests.runtime.machines._probe import AUTHORIZED

name = "parent"
version = "1.0.0"

GHOST = {"type": "statebacked.instance", "machineName": "child", "machineInstanceName": "ghost"}

machine = {
    "id": "parent",
    "initial": "waiting",
    "context": {"owner": "tester", "pings": 0},
    "states": {
        "waiting": {
            "invoke": {
                "id": "kid",
                "src": {"type": "statebacked.invoke", "machineName": "child",
                        "machineInstanceName": "c1"},
                "data": {"owner": lambda ctx, ev: ctx["owner"], "greeting": "hello"},
            },
            "on": {
                "childPinged": {"target": "acknowledged", "actions": "countPing"},
                "tellChild": {"actions": send_to("kid", {"type": "fromParent"})},
                "poke": {"actions": send_to(GHOST, {"type": "hello"})},
            },
        },
        "acknowledged": {"on": {"childPinged": {"actions": "countPing"}}},
    },
}

actions = {"countPing": assign({"pings": lambda ctx, ev: ctx["pings"] + 1})}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    AUTHORIZED.append(("parent", request))
    auth = request["authContext"]
    sender = auth.get("stateBackedSender") or {}
    return auth.get("sub") == "tester" or sender.get("machineName") == "child"
