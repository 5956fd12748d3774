"""Durable events per second with the SQLite store, against the in-memory store in the same
run (target: at least 0.3)."""

from __future__ import annotations

import asyncio
import tempfile
import time

from bench.common import MACHINES, Row


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


def run(events: int = 3000, rounds: int = 3) -> list[Row]:
    """Best of ``rounds`` for each, alternating, so a burst of load elsewhere skews neither."""
    memory = sqlite = 0.0
    for _ in range(rounds):
        memory = max(memory, asyncio.run(_rate(None, events)))
        with tempfile.TemporaryDirectory() as tmp:
            sqlite = max(sqlite, asyncio.run(_rate(tmp, events)))
    return [Row("durable events/s (SQLite, WAL)", f"{sqlite:,.0f} /s",
                f"{memory:,.0f} /s (in-memory store)", f"{sqlite / memory:.2f}", ">= 0.3")]
