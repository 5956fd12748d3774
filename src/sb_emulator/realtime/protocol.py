"""The `/rt` WebSocket protocol (API.md §5): parse client frames, build server frames.

Pure: no aiohttp, no asyncio, no service. The rules it keeps:

* Client frames are JSON text objects with a ``type`` of ``subscribe-to-instance``,
  ``unsubscribe-from-instance`` (both carrying ``requestId``, ``machineName`` and
  ``machineInstanceName``) or ``ping`` (nothing else).
* A frame that cannot be understood raises :class:`ProtocolError`. It carries the frame's
  ``requestId`` when one could be read, so the caller can answer with an ``error`` message
  addressed to it; without one there is nobody to address (the real client routes errors by
  ``requestId`` only) and the caller drops the frame.
* Server frames are ``instance-update`` (every field required, ``publicContext`` ``{}`` when the
  instance has none: API.md §10 #21) and ``error`` (``type``, ``requestId``, ``status``, and
  ``code`` when known; a human ``error`` text is added for people reading the socket, the
  client ignores it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from sb_emulator import jsontext
from sb_emulator.errors import ApiError

SUBSCRIBE: Final = "subscribe-to-instance"
UNSUBSCRIBE: Final = "unsubscribe-from-instance"
PING: Final = "ping"
INSTANCE_UPDATE: Final = "instance-update"
ERROR: Final = "error"

INVALID_MESSAGE_STATUS: Final = 400
INVALID_MESSAGE_CODE: Final = "invalid-parameter"

# MachineSlug / MachineInstanceSlug (API.md §1.3).
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")


@dataclass(frozen=True)
class SubscribeToInstance:
    request_id: str
    machine_name: str
    machine_instance_name: str


@dataclass(frozen=True)
class UnsubscribeFromInstance:
    request_id: str
    machine_name: str
    machine_instance_name: str


@dataclass(frozen=True)
class Ping:
    pass


ClientMessage = SubscribeToInstance | UnsubscribeFromInstance | Ping

# type -> message class carrying (requestId, machineName, machineInstanceName)
_INSTANCE_MESSAGES: Final[dict[str, type[SubscribeToInstance | UnsubscribeFromInstance]]] = {
    SUBSCRIBE: SubscribeToInstance,
    UNSUBSCRIBE: UnsubscribeFromInstance,
}


class ProtocolError(ValueError):
    """A client frame that breaks the protocol. ``request_id`` is None when unaddressable."""

    def __init__(self, message: str, *, request_id: str | None, parameter: str | None = None):
        super().__init__(message)
        self.message = message
        self.request_id = request_id
        self.parameter = parameter


def parse_client_message(data: str | bytes) -> ClientMessage:
    """Decode one client frame; raise :class:`ProtocolError` when it is not a valid message."""
    try:
        frame = jsontext.decode(data)
    except (ValueError, UnicodeDecodeError) as err:
        raise ProtocolError(f"frame is not JSON: {err}", request_id=None) from err
    if not isinstance(frame, dict):
        raise ProtocolError("frame must be a JSON object", request_id=None)
    raw_request_id = frame.get("requestId")
    request_id = raw_request_id if isinstance(raw_request_id, str) else None
    kind = frame.get("type")
    if kind == PING:
        return Ping()
    message_class = _INSTANCE_MESSAGES.get(kind) if isinstance(kind, str) else None
    if message_class is None:
        raise ProtocolError(
            f"unknown message type {kind!r}; expected {SUBSCRIBE!r}, {UNSUBSCRIBE!r} or {PING!r}",
            request_id=request_id,
            parameter="type",
        )
    if request_id is None:
        raise ProtocolError(f"{kind} needs a string requestId", request_id=None)
    names = [_name_field(frame, field, request_id) for field in _NAME_FIELDS]
    return message_class(request_id, *names)


_NAME_FIELDS: Final = ("machineName", "machineInstanceName")


def _name_field(frame: Mapping[str, Any], field: str, request_id: str) -> str:
    value = frame.get(field)
    if not isinstance(value, str) or not _NAME.match(value):
        raise ProtocolError(
            f"{field} must be a string matching {_NAME.pattern}, got {value!r}",
            request_id=request_id,
            parameter=field,
        )
    return value


def instance_update(
    machine_name: str, machine_instance_name: str, state: Mapping[str, Any]
) -> dict[str, Any]:
    """An ``instance-update`` frame from a wire ``State`` (API.md §3.2)."""
    public_context = state.get("publicContext")
    return {
        "type": INSTANCE_UPDATE,
        "machineName": machine_name,
        "machineInstanceName": machine_instance_name,
        "ts": state["ts"],
        "state": state["state"],
        "publicContext": public_context if public_context is not None else {},
        "tags": list(state.get("tags", ())),
        "done": bool(state.get("done", False)),
    }


def error_message(
    request_id: str, status: int, code: str | None = None, error: str | None = None
) -> dict[str, Any]:
    """An ``error`` frame addressed to the subscription ``request_id``."""
    out: dict[str, Any] = {"type": ERROR, "requestId": request_id, "status": status}
    if code is not None:
        out["code"] = code
    if error is not None:
        out["error"] = error
    return out


def error_from_api_error(request_id: str, err: ApiError) -> dict[str, Any]:
    """The ``error`` frame equivalent of the REST error ``err`` (same status and code)."""
    return error_message(request_id, err.status, err.code, err.message)


def error_from_protocol_error(err: ProtocolError) -> dict[str, Any] | None:
    """The ``error`` frame answering a bad client frame, or None when it has no requestId."""
    if err.request_id is None:
        return None
    return error_message(err.request_id, INVALID_MESSAGE_STATUS, INVALID_MESSAGE_CODE, err.message)


def encode(message: Mapping[str, Any]) -> str:
    """A server frame as the JSON text sent on the socket."""
    return jsontext.encode(message).decode("utf-8")
