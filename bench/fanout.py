"""``/rt`` fan-out: time for one transition to reach 1,000 subscribers, beside the time a bare
aiohttp WebSocket server takes to broadcast one message to 1,000 clients."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
from aiohttp import web

from bench.common import Row, emulator_args, ms, server_process
from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig


async def _emulator_fanout(url: str, token: str, subscribers: int) -> float:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    # limit=0: the default pool of 100 connections would be exhausted by the sockets
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async with session.post(f"{url}/machines/bench-counter", json={"slug": "fan"},
                                headers=headers) as res:
            assert res.status == 200
        sockets = []
        for n in range(subscribers):
            ws = await session.ws_connect(f"{url}/rt", params={"token": token})
            await ws.send_json({"type": "subscribe-to-instance", "requestId": f"r{n}",
                                "machineName": "bench-counter", "machineInstanceName": "fan"})
            sockets.append(ws)
        for ws in sockets:  # the immediate update after subscribing
            await ws.receive(timeout=30)
        start = time.perf_counter()
        async with session.post(f"{url}/machines/bench-counter/i/fan/events",
                                json={"event": "inc"}, headers=headers) as res:
            assert res.status == 200
        await asyncio.gather(*(_until_count(ws, 1) for ws in sockets))
        elapsed = time.perf_counter() - start
        for ws in sockets:
            await ws.close()
        return elapsed


async def _until_count(ws: aiohttp.ClientWebSocketResponse, count: int) -> None:
    while True:
        msg = await ws.receive(timeout=60)
        data = json.loads(msg.data)
        if data.get("type") == "instance-update" and data["publicContext"].get("count") == count:
            return


async def _bare_fanout(subscribers: int) -> float:
    clients: list[web.WebSocketResponse] = []
    connected = asyncio.Event()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        clients.append(ws)
        if len(clients) == subscribers:
            connected.set()
        async for _ in ws:
            pass
        return ws

    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        sockets = [await session.ws_connect(f"http://127.0.0.1:{port}/ws") for _ in range(subscribers)]
        await connected.wait()
        start = time.perf_counter()
        payload = json.dumps({"type": "instance-update", "publicContext": {"count": 1}})
        for ws in clients:
            await ws.send_str(payload)
        await asyncio.gather(*(_until_count(s, 1) for s in sockets))
        elapsed = time.perf_counter() - start
        for s in sockets:
            await s.close()
    await runner.cleanup()
    return elapsed


def run(subscribers: int = 1000) -> list[Row]:
    token = mint_token(EmulatorConfig(), "bench")
    with server_process(emulator_args()) as url:
        ours = asyncio.run(_emulator_fanout(url, token, subscribers))
    bare = asyncio.run(_bare_fanout(subscribers))
    return [Row(f"/rt fan-out of one transition to {subscribers:,} subscribers", ms(ours),
                f"{ms(bare)} (bare aiohttp broadcast, in-process)", f"{ours / bare:.1f}x",
                "one transition, all subscribers")]
