"""A small `/rt` client for the tests: send the real client's frames, read the server's."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

RECEIVE_TIMEOUT_S = 5.0


class RtClient:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws

    async def subscribe(self, request_id: str, machine: str, instance: str) -> None:
        await self.ws.send_json(
            {
                "type": "subscribe-to-instance",
                "machineName": machine,
                "machineInstanceName": instance,
                "requestId": request_id,
            }
        )

    async def unsubscribe(self, request_id: str, machine: str, instance: str) -> None:
        await self.ws.send_json(
            {
                "type": "unsubscribe-from-instance",
                "machineName": machine,
                "machineInstanceName": instance,
                "requestId": request_id,
            }
        )

    async def ping(self) -> None:
        await self.ws.send_json({"type": "ping"})

    async def next(self, timeout: float = RECEIVE_TIMEOUT_S) -> dict[str, Any]:
        msg = await self.ws.receive(timeout=timeout)
        assert msg.type == aiohttp.WSMsgType.TEXT, f"expected a text frame, got {msg!r}"
        frame = json.loads(msg.data)
        assert isinstance(frame, dict)
        return frame

    async def updates(self, count: int) -> list[dict[str, Any]]:
        frames = [await self.next() for _ in range(count)]
        for frame in frames:
            assert frame["type"] == "instance-update", frame
        return frames

    async def assert_silent(self, seconds: float = 0.3) -> None:
        """Nothing arrives within ``seconds`` (the server sent no further frame)."""
        with pytest.raises(TimeoutError):
            msg = await self.ws.receive(timeout=seconds)
            pytest.fail(f"unexpected frame: {msg!r}")


def states_of(frames: list[dict[str, Any]]) -> list[Any]:
    return [frame["state"] for frame in frames]
