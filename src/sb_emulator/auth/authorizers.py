"""Calling a machine version's ``allowRead`` / ``allowWrite`` (API.md §6.2), and explaining
every rejection.

The request builders produce exactly the dicts of §6.2 (``initialization`` has no ``state``).
:func:`check` treats anything but ``True`` — ``False``, a truthy non-boolean, an exception, a
coroutine (authorizers are synchronous) — as a rejection, and raises 403
``rejected-by-machine-authorizer`` saying which authorizer of which machine refused what, for
which instance, with which authContext, and the exception if it raised.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from typing import Any

from sb_emulator.budget import BudgetExceeded
from sb_emulator.errors import RejectedByMachineAuthorizer

Authorizer = Callable[[dict[str, Any]], Any]
_MAX_SHOWN = 300


def read_request(
    instance_name: str, state: Any, context: Any, auth_context: Mapping[str, Any]
) -> dict[str, Any]:
    """``allowRead`` argument: reading an instance's state (REST get, WS subscribe)."""
    return {
        "machineInstanceName": instance_name,
        "state": state,
        "context": context,
        "authContext": dict(auth_context),
    }


def init_request(
    instance_name: str, context: Any, auth_context: Mapping[str, Any]
) -> dict[str, Any]:
    """``allowWrite`` argument for instance creation: the caller-supplied initial context."""
    return {
        "type": "initialization",
        "machineInstanceName": instance_name,
        "context": context,
        "authContext": dict(auth_context),
    }


def event_request(
    instance_name: str,
    state: Any,
    context: Any,
    event: Mapping[str, Any] | str,
    auth_context: Mapping[str, Any],
) -> dict[str, Any]:
    """``allowWrite`` argument for an event: state and context *before* it, event normalised
    to an object (API.md §3.3)."""
    return {
        "type": "event",
        "machineInstanceName": instance_name,
        "state": state,
        "context": context,
        "event": {"type": event} if isinstance(event, str) else dict(event),
        "authContext": dict(auth_context),
    }


def check(
    authorizer: Authorizer,
    request: dict[str, Any],
    which: str = "authorizer",
    *,
    machine: str | None = None,
) -> None:
    """Run ``authorizer(request)``; return only if it returned exactly ``True``.

    ``which`` names the authorizer (``"allowRead"``/``"allowWrite"``), ``machine`` its machine.
    """
    try:
        verdict = authorizer(request)
    except BudgetExceeded:  # not a refusal: the machine's code ran out of time or cost
        raise
    except Exception as e:  # user code: any exception is a rejection, explained
        raise RejectedByMachineAuthorizer(
            f"{_who(which, machine)} raised {type(e).__name__}: {e} — {_situation(request)}"
        ) from e
    if verdict is True:
        return
    if inspect.iscoroutine(verdict):
        verdict.close()  # never awaited on purpose: authorizers must answer synchronously
        raise RejectedByMachineAuthorizer(
            f"{_who(which, machine)} returned a coroutine; authorizers must be synchronous "
            f"and return true — {_situation(request)}"
        )
    raise RejectedByMachineAuthorizer(
        f"{_who(which, machine)} returned {_shown(verdict)} (only true allows) — "
        f"{_situation(request)}"
    )


def _who(which: str, machine: str | None) -> str:
    return f"{which} of machine {machine!r}" if machine else which


def _situation(request: Mapping[str, Any]) -> str:
    kind = request.get("type")
    if kind == "initialization":
        what = "creating"
    elif kind == "event":
        event = request.get("event") or {}
        what = f"sending event {event.get('type')!r} to"
    else:
        what = "reading"
    return (
        f"{what} instance {request.get('machineInstanceName')!r} with authContext "
        f"{_shown(request.get('authContext'))}"
    )


def _shown(value: Any) -> str:
    try:
        text = json.dumps(value, sort_keys=True, default=repr)
    except ValueError:  # circular structures
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."
