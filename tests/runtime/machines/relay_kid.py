"""The persistent child of ``relay``: records every event it hears; only a ``relay`` instance
may create it or send it events."""

from typing import Any

from sb_emulator.actions import assign

name = "relay_kid"
version = "1.0.0"

machine = {
    "id": "relay_kid",
    "initial": "listening",
    "context": {"heard": []},
    "states": {"listening": {"on": {"*": {"actions": "record"}}}},
}

actions = {"record": assign({"heard": lambda ctx, ev: [*ctx["heard"], ev["type"]]})}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    sender = request["authContext"].get("stateBackedSender") or {}
    return bool(sender.get("machineName") == "relay")
