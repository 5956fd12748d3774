"""The `/rt` realtime protocol (layer 3, pure): message parsing, building and bookkeeping.

The aiohttp side (sockets, queues, the service) lives in ``sb_emulator.web.realtime``.
"""

from sb_emulator.realtime.protocol import (
    ClientMessage,
    Ping,
    ProtocolError,
    SubscribeToInstance,
    UnsubscribeFromInstance,
    encode,
    error_from_api_error,
    error_from_protocol_error,
    error_message,
    instance_update,
    parse_client_message,
)
from sb_emulator.realtime.subscriptions import Added, InstanceKey, SubscriptionTable

__all__ = [
    "Added",
    "ClientMessage",
    "InstanceKey",
    "Ping",
    "ProtocolError",
    "SubscribeToInstance",
    "SubscriptionTable",
    "UnsubscribeFromInstance",
    "encode",
    "error_from_api_error",
    "error_from_protocol_error",
    "error_message",
    "instance_update",
    "parse_client_message",
]
