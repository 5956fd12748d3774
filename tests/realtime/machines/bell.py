"""A doorbell that knocks on door ``d1`` (another instance) when rung: an update of the door
caused by another instance rather than by a request to it."""

from typing import Any

from sb_emulator.actions import send_to

name = "bell"
version = "1.0.0"

DOOR_D1 = {"type": "statebacked.instance", "machineName": "door", "machineInstanceName": "d1"}

machine = {
    "id": "bell",
    "initial": "silent",
    "states": {"silent": {"on": {"ring": {"actions": send_to(DOOR_D1, {"type": "knock"})}}}},
}


def allow_read(request: dict[str, Any]) -> bool:
    return True


def allow_write(request: dict[str, Any]) -> bool:
    return True
