"""Advancing the manual clock over 10,000 pending delayed events, against delivering the same
10,000 events directly."""

from __future__ import annotations

import asyncio
import time

from bench.common import MACHINES, Row, ms


async def _measure(count: int) -> tuple[float, float]:
    from sb_emulator.bootstrap import build_emulator
    from sb_emulator.config import EmulatorConfig

    config = EmulatorConfig(port=0, clock="manual", machines=(str(MACHINES),))
    emulator = await build_emulator(config)
    org = config.org_id
    for n in range(count):
        await emulator.create_instance(org, "bench-counter", f"t{n}", None, None, {})
        await emulator.send_event(org, "bench-counter", f"t{n}", "arm", {})
    assert len(emulator.docs["timers"]) == count
    start = time.perf_counter()
    await emulator.advance_clock(1000)
    advance = time.perf_counter() - start
    assert not emulator.docs["timers"]
    start = time.perf_counter()
    for n in range(count):
        await emulator.send_event(org, "bench-counter", f"t{n}", "inc", {})
    direct = time.perf_counter() - start
    await emulator.close()
    return advance, direct


def run(count: int = 10_000) -> list[Row]:
    advance, direct = asyncio.run(_measure(count))
    return [Row(f"clock advance over {count:,} delayed events", ms(advance),
                f"{ms(direct)} ({count:,} events sent directly)", f"{advance / direct:.2f}x",
                "close to direct delivery")]
