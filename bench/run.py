"""Run every benchmark and print one table (Markdown). ``python -m bench.run [--quick]``.

Each figure is measured in this run beside its baseline: machines are noisy, so only ratios
against a baseline measured alongside mean anything.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable

from bench import clock, engine, fanout, http_events, memory, startup, store
from bench.common import Row

FULL: list[tuple[str, Callable[[], list[Row]]]] = [
    ("startup", startup.run),
    ("http", http_events.run),
    ("engine", engine.run),
    ("memory", memory.run),
    ("store", store.run),
    ("fanout", fanout.run),
    ("clock", clock.run),
]

QUICK: dict[str, Callable[[], list[Row]]] = {
    "http": lambda: http_events.run(events=500),
    "engine": lambda: engine.run(n=3000),
    "memory": lambda: memory.run(count=5000),
    "store": lambda: store.run(events=300),
    "fanout": lambda: fanout.run(subscribers=100),
    "clock": lambda: clock.run(count=1000),
}


def machine_line() -> str:
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("only", nargs="*", help="run only these benchmarks")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    for name, bench in FULL:
        if args.only and name not in args.only:
            continue
        started = time.perf_counter()
        rows.extend(QUICK.get(name, bench)() if args.quick else bench())
        print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    print(f"Machine: {machine_line()}\n")
    print("| benchmark | sb-emulator | baseline (same run) | ratio | target |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row.name} | {row.value} | {row.baseline} | {row.ratio} | {row.target} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
