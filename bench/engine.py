"""Engine transitions per second against xstate@4 on Node: the same machine
(engine_machine.json: parallel regions, nested states, guards, ``in``, ``always``, a wildcard,
assign) and the same events, in the same run. Target: at least 0.5 of xstate's rate.

``python -m bench.engine`` prints the ratio; ``--profile`` profiles our side with pyinstrument.
xstate comes from tests/conformance/node_modules when installed there, else it is installed
once under the system temp folder. Both sides must end in the same state (checked), so the
figures compare the same work.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Row
from sb_emulator.engine import Implementations, Machine, Snapshot, initial, transition
from sb_emulator.engine.actions import assign

HERE = Path(__file__).parent
SPEC = json.loads((HERE / "engine_machine.json").read_text())
XSTATE_VERSION = "4.38.3"
CONFORMANCE_XSTATE = HERE.parent / "tests" / "conformance" / "node_modules" / "xstate"
SCRATCH = Path(tempfile.gettempdir()) / "sb-emulator-bench-xstate"


def build() -> Machine:
    impl = Implementations(
        guards={"isEven": lambda c, e, m: c["count"] % 2 == 0,
                "countAbove3": lambda c, e, m: c["count"] > 3,
                "countAbove9": lambda c, e, m: c["count"] > 9},
        actions={"inc": assign({"count": lambda c, e: c["count"] + 1}),
                 "reset": assign({"count": 0}),
                 "countPlay": assign({"plays": lambda c, e: c["plays"] + 1})},
    )
    return Machine(SPEC["machine"], impl)


def _run(machine: Machine, n: int) -> Snapshot:
    events = SPEC["events"]
    snap, _ = initial(machine)
    for i in range(n):
        snap, _ = transition(machine, snap, events[i % len(events)])
    return snap


def ours(n: int, rounds: int = 3) -> tuple[float, Snapshot]:
    """Best rate of ``rounds`` (after a warm-up), and the final snapshot."""
    machine = build()
    _run(machine, 2000)
    best, snap = 0.0, None
    for _ in range(rounds):
        start = time.perf_counter()
        snap = _run(machine, n)
        best = max(best, n / (time.perf_counter() - start))
    assert snap is not None
    return best, snap


def xstate_module() -> Path | None:
    """xstate@4 for Node: the conformance suite's copy, or one installed under /tmp."""
    if CONFORMANCE_XSTATE.is_dir():
        return CONFORMANCE_XSTATE
    target = SCRATCH / "node_modules" / "xstate"
    if target.is_dir():
        return target
    npm = shutil.which("npm")
    if npm is None:
        return None
    SCRATCH.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(SCRATCH),
                    f"xstate@{XSTATE_VERSION}"], check=True, capture_output=True)
    return target if target.is_dir() else None


def theirs(n: int, rounds: int = 3) -> dict[str, Any] | None:
    node = shutil.which("node")
    module = xstate_module()
    if node is None or module is None:
        return None
    out = subprocess.run([node, str(HERE / "engine_xstate.js"), str(module), str(n), str(rounds)],
                         capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def run(n: int = 20000) -> list[Row]:
    rate, snap = ours(n)
    node = theirs(n)
    if node is None:
        return [Row("engine transitions/s (parallel + nested + guards + assign)", f"{rate:,.0f} /s",
                    "xstate not available (no node/npm)", "n/a", ">= 0.5")]
    final = node["final"]
    # same work on both sides, down to the key order of the state value
    if json.dumps([snap.value, snap.context]) != json.dumps([final["value"], final["context"]]):
        raise AssertionError(f"engine and xstate disagree: {snap.value} {snap.context} vs {final}")
    node_rate = node["transitionsPerSecond"]
    return [Row("engine transitions/s (parallel + nested + guards + assign)", f"{rate:,.0f} /s",
                f"{node_rate:,.0f} /s (xstate {XSTATE_VERSION} on Node)", f"{rate / node_rate:.2f}",
                ">= 0.5")]


def profile(n: int) -> None:
    from pyinstrument import Profiler

    machine = build()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    _run(machine, n)
    profiler.stop()
    print(profiler.output_text(unicode=False, color=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20000, help="transitions per round")
    parser.add_argument("--profile", action="store_true", help="profile our engine instead")
    args = parser.parse_args()
    if args.profile:
        profile(args.n)
        return
    for row in run(args.n):
        print(f"{row.name}: {row.value} vs {row.baseline}: ratio {row.ratio} (target {row.target})")


if __name__ == "__main__":
    main()
