"""Calling a machine version's ``allowRead`` / ``allowWrite`` and explaining every 403."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sb_emulator.errors import RejectedByMachineAuthorizer


def read_request(instance: str, state: Any, context: Any, auth_context: Mapping[str, Any]
                 ) -> dict[str, Any]:
    return {"machineInstanceName": instance, "state": state, "context": context,
            "authContext": dict(auth_context)}


def init_request(instance: str, context: Any, auth_context: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "initialization", "machineInstanceName": instance, "context": context,
            "authContext": dict(auth_context)}


def event_request(instance: str, state: Any, context: Any, event: Mapping[str, Any],
                  auth_context: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "event", "machineInstanceName": instance, "state": state,
            "context": context, "event": dict(event), "authContext": dict(auth_context)}


def check(authorizer: Callable[[dict[str, Any]], Any], request: dict[str, Any], *,
          which: str, machine: str) -> None:
    """Anything but ``True`` (a falsy value, or an exception) rejects with an explanation."""
    try:
        verdict = authorizer(request)
    except Exception as err:
        raise RejectedByMachineAuthorizer(
            f"{which} of machine {machine!r} raised {type(err).__name__}: {err} "
            f"(instance {request['machineInstanceName']!r}, authContext {_short(request['authContext'])})"
        ) from err
    if verdict is not True:
        what = "initialization" if request.get("type") == "initialization" else (
            f"event {request['event'].get('type')!r}" if "event" in request else "read")
        raise RejectedByMachineAuthorizer(
            f"{which} of machine {machine!r} returned {verdict!r} for {what} of instance "
            f"{request['machineInstanceName']!r} with authContext {_short(request['authContext'])}"
        )


def _short(value: Any) -> str:
    text = json.dumps(value, default=str, sort_keys=True)
    return text if len(text) <= 200 else text[:197] + "..."
