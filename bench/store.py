"""Durable events per second with the SQLite store, against the in-memory store in the same
run (target: at least 0.3)."""

from __future__ import annotations

import asyncio
import tempfile
import time

from bench.common import MACHINES, Row, median


async def _rate(data_dir: str | None, events: int) -> float:
    from sb_emulator.bootstrap import build_emulator, shutdown_emulator
    from sb_emulator.config import EmulatorConfig

    config = EmulatorConfig(port=0, clock="manual", machines=(str(MACHINES),), data_dir=data_dir)
    emulator = await build_emulator(config)
    await emulator.create_instance(config.org_id, "bench-counter", "one", None, None, {})
    start = time.perf_counter()
    for _ in range(events):
        await emulator.send_event(config.org_id, "bench-counter", "one", "inc", {})
    elapsed = time.perf_counter() - start
    await shutdown_emulator(emulator, config)
    return events / elapsed


def run(events: int = 3000, rounds: int = 5) -> list[Row]:
    """``rounds`` alternating pairs (memory, then SQLite): the ratio is the median of each
    pair's ratio, so a burst of load elsewhere skews neither side; the rates shown are each
    side's median."""
    memory_rates, sqlite_rates = [], []
    for _ in range(rounds):
        memory_rates.append(asyncio.run(_rate(None, events)))
        with tempfile.TemporaryDirectory() as tmp:
            sqlite_rates.append(asyncio.run(_rate(tmp, events)))
    ratio = median([s / m for s, m in zip(sqlite_rates, memory_rates, strict=True)])
    return [Row("durable events/s (SQLite, WAL)", f"{median(sqlite_rates):,.0f} /s",
                f"{median(memory_rates):,.0f} /s (in-memory store)", f"{ratio:.2f}", ">= 0.3")]
