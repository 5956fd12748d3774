"""Shared pieces of the benchmarks: result rows, subprocess servers, timing helpers."""

from __future__ import annotations

import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MACHINES = Path(__file__).parent / "machines"
LISTENING = re.compile(r"listening on (http://\S+)")


@dataclass(frozen=True)
class Row:
    """One line of the table: a figure, its baseline measured in the same run, and the goal."""

    name: str
    value: str
    baseline: str
    ratio: str
    target: str


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def median(values: list[float]) -> float:
    return statistics.median(values)


@contextmanager
def server_process(args: list[str]) -> Iterator[str]:
    """Start a server subprocess that prints ``... listening on http://HOST:PORT``."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=REPO, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    url = None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        found = LISTENING.search(line)
        if found:
            url = found.group(1)
            break
    if url is None:
        proc.kill()
        raise RuntimeError("server did not start:\n" + "".join(seen))
    try:
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
        proc.stdout.close()


def emulator_args(*extra: str) -> list[str]:
    return [sys.executable, "-m", "sb_emulator", "serve", "--port", "0", "--machines",
            str(MACHINES), *extra]


def bare_server_args() -> list[str]:
    return [sys.executable, "-m", "bench.bare_server"]


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start
