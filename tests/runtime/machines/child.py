"""The persistent child of ``parent``: only a ``parent`` instance may create it; the user
``tester`` may send it events. ``ping`` answers the parent with ``sendParent``; ``pingLater``
does so a second later."""

from typing import Any

from sb_emulator.actions import assign, send_parent
from tests.runtime.machines._probe import AUTHORIZED

name = "child"
version = "1.0.0"

machine = {
    "id": "child",
    "initial": "listening",
    "context": {"owner": None, "greeting": None, "heard": 0},
    "states": {
        "listening": {
            "on": {
                "ping": {"actions": send_parent({"type": "childPinged"})},
                "pingLater": {"actions": send_parent({"type": "childPinged"}, delay=1000)},
                "fromParent": {"actions": "countHeard"},
            }
        }
    },
}

actions = {"countHeard": assign({"heard": lambda ctx, ev: ctx["heard"] + 1})}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    AUTHORIZED.append(("child", request))
    auth = request["authContext"]
    sender = auth.get("stateBackedSender") or {}
    if sender.get("machineName") == "parent":
        return True
    return bool(request["type"] == "event" and auth.get("sub") == "tester")
