"""Engine transitions per second against xstate@4 on Node, same machine and events, same run
(target: at least 0.5 of xstate's rate). Run alone with ``python -m bench.engine``."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

from bench.common import Row
from sb_emulator.engine import Implementations, Machine, initial, transition
from sb_emulator.engine.actions import assign

HERE = Path(__file__).parent
SPEC = json.loads((HERE / "engine_machine.json").read_text())


def ours(n: int) -> float:
    impl = Implementations(
        guards={"isEven": lambda c, e, m: c["count"] % 2 == 0,
                "countAbove3": lambda c, e, m: c["count"] > 3},
        actions={"inc": assign({"count": lambda c, e: c["count"] + 1}),
                 "reset": assign({"count": 0})},
    )
    machine = Machine(SPEC["machine"], impl)
    events = SPEC["events"]
    snap, _ = initial(machine)
    for i in range(2000):
        snap, _ = transition(machine, snap, events[i % len(events)])
    snap, _ = initial(machine)
    start = time.perf_counter()
    for i in range(n):
        snap, _ = transition(machine, snap, events[i % len(events)])
    return n / (time.perf_counter() - start)


def theirs(n: int) -> float | None:
    node = shutil.which("node")
    if node is None or not (HERE.parent / "tests" / "conformance" / "node_modules" / "xstate").is_dir():
        return None
    out = subprocess.run([node, str(HERE / "engine_xstate.js"), str(n)], capture_output=True,
                         text=True, check=True)
    rate: float = json.loads(out.stdout)["transitionsPerSecond"]
    return rate


def run(n: int = 20000) -> list[Row]:
    rate = ours(n)
    node_rate = theirs(n)
    baseline = f"{node_rate:,.0f} /s (xstate 4.38.3 on Node)" if node_rate else "xstate not installed"
    ratio = f"{rate / node_rate:.2f}" if node_rate else "n/a"
    return [Row("engine transitions/s (parallel + nested + guards + assign)", f"{rate:,.0f} /s",
                baseline, ratio, ">= 0.5")]


if __name__ == "__main__":
    for row in run():
        print(row)
