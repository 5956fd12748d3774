"""Memory per idle instance with 100,000 instances (target: under 2 kB plus its context)."""

from __future__ import annotations

import asyncio
import gc
import json
import tracemalloc

from bench.common import MACHINES, Row

COUNT = 100_000


async def _measure(count: int) -> tuple[float, float]:
    from sb_emulator.bootstrap import build_emulator
    from sb_emulator.config import EmulatorConfig

    config = EmulatorConfig(port=0, clock="manual", machines=(str(MACHINES),))
    emulator = await build_emulator(config)
    # warm caches (definition, compiled expressions) before measuring
    await emulator.create_instance(config.org_id, "bench-counter", "warm", None, None, {})
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for n in range(count):
        await emulator.create_instance(config.org_id, "bench-counter", f"i{n}", None, None, {})
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    context = emulator.instances[f"{config.org_id}/bench-counter/i0"].snapshot.context
    await emulator.close()
    return (after - before) / count, len(json.dumps(context))


def run(count: int = COUNT) -> list[Row]:
    per_instance, context_bytes = asyncio.run(_measure(count))
    overhead = per_instance - context_bytes
    return [Row(f"memory per idle instance ({count:,} instances)",
                f"{per_instance:,.0f} B", f"{context_bytes} B (its context as JSON)",
                f"{overhead:,.0f} B over the context", "< 2,048 B over the context")]
