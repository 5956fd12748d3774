"""The confirmation a destructive request must carry (deleting a machine or an instance)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sb_emulator import ids
from sb_emulator.errors import InvalidParameter


def confirm_deletion(body: Mapping[str, Any], field: str, machine: str, name: str) -> None:
    """``dangerDataWillBeDeletedForever`` and ``field`` = base64url(HMAC-SHA256(key=machine
    name, data=``name``)), or :class:`InvalidParameter` naming the missing one."""
    if body.get("dangerDataWillBeDeletedForever") is not True:
        raise InvalidParameter("dangerDataWillBeDeletedForever",
                               "dangerDataWillBeDeletedForever must be true")
    if body.get(field) != ids.hmac_confirmation(machine, name):
        raise InvalidParameter(field, f"{field} must be base64url(HMAC-SHA256(key=machine name, "
                                      f"data={'machine' if machine == name else 'instance'} name))")
