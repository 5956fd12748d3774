"""How long ``/_emulator/health`` takes to answer while heavy work runs (issue 16, item 2).

A standalone measurement, not part of ``bench.run``'s table: a real ``sb-emulator`` process,
polled on ``/_emulator/health`` by one client while another uploads a definition near the
caps (parsed, checked and compiled off the event loop) and then asks for a CEL evaluation
over its budget (refused before it starts). Prints the median and worst health latency
during each, beside an idle baseline.

    .venv/bin/python -m bench.health_under_load
"""

from __future__ import annotations

import asyncio
import io
import statistics
import time
from typing import Any

import aiohttp

from bench.common import emulator_args, server_process
from sb_emulator import budget
from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig


def _large_definition() -> str:
    n = budget.MAX_STATES - 100
    states = "".join(f"    s{i}:\n      on:\n        go: s{(i + 1) % n}\n" for i in range(n))
    return (f"name: large\nmachine:\n  id: large\n  initial: s0\n  context: {{l: "
            f"{list(range(1000))}}}\n  states:\n{states}"
            f"allowRead: 'size(context.l.map(a, context.l.map(b, a))) > 0'\n"
            f"allowWrite: \"true\"\n")


async def _poll(session: aiohttp.ClientSession, url: str, done: asyncio.Event) -> list[float]:
    latencies = []
    while not done.is_set():
        start = time.perf_counter()
        async with session.get(f"{url}/_emulator/health") as res:
            await res.read()
        latencies.append(time.perf_counter() - start)
        await asyncio.sleep(0.005)
    return latencies


async def _upload(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> int:
    await session.post(f"{url}/machines", json={"slug": "large"}, headers=headers)
    async with session.post(f"{url}/machines/large/v", json={}, headers=headers) as res:
        provisional: dict[str, Any] = await res.json()
    form = aiohttp.FormData()
    for field, value in provisional["codeUploadFields"].items():
        form.add_field(field, value)
    form.add_field("file", io.BytesIO(_large_definition().encode()), filename="m.js")
    async with session.post(provisional["codeUploadUrl"], data=form) as res:
        await res.read()
    async with session.put(f"{url}/machines/large/v/{provisional['machineVersionId']}",
                           json={"clientInfo": "b", "makeCurrent": True}, headers=headers) as res:
        return res.status


async def _read_over_budget(session: aiohttp.ClientSession, url: str,
                            headers: dict[str, str]) -> int:
    await session.post(f"{url}/machines/large", json={"slug": "i"}, headers=headers)
    statuses = []
    for _ in range(50):
        async with session.get(f"{url}/machines/large/i/i", headers=headers) as res:
            statuses.append(res.status)
    return max(statuses)


async def _during(url: str, work: Any) -> tuple[list[float], int]:
    done = asyncio.Event()
    async with aiohttp.ClientSession() as polling, aiohttp.ClientSession() as working:
        poller = asyncio.create_task(_poll(polling, url, done))
        try:
            status = await work(working)
        finally:
            done.set()
        return await poller, status


def _show(name: str, latencies: list[float], status: int | None = None) -> None:
    extra = f", answer {status}" if status is not None else ""
    print(f"{name}: {len(latencies)} health checks, median "
          f"{statistics.median(latencies) * 1000:.2f} ms, worst {max(latencies) * 1000:.2f} ms"
          f"{extra}")


async def _main(url: str, token: str) -> None:
    headers = {"authorization": f"Bearer {token}"}

    async def idle(_: aiohttp.ClientSession) -> int:
        await asyncio.sleep(1)
        return 200

    latencies, _ = await _during(url, idle)
    _show("idle", latencies)
    started = time.perf_counter()
    latencies, status = await _during(url, lambda s: _upload(s, url, headers))
    _show(f"while a {budget.MAX_STATES - 100:,}-state upload finalises "
          f"({time.perf_counter() - started:.1f} s)", latencies, status)
    latencies, status = await _during(url, lambda s: _read_over_budget(s, url, headers))
    _show("while 50 reads are refused by the CEL budget", latencies, status)


def main() -> None:
    config = EmulatorConfig()
    token = mint_token(config, "bench", "{}")
    with server_process(emulator_args()) as url:
        asyncio.run(_main(url, token))


if __name__ == "__main__":
    main()
