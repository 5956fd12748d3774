"""Conformance tests: our engine against traces recorded from the real xstate@4."""

from __future__ import annotations

import json
import select
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
NODE_MODULES = HERE / "node_modules" / "xstate"
KNOWN_FAILURES: dict[str, str] = json.loads((HERE / "known_failures.json").read_text())
REPLY_TIMEOUT_S = 10  # a trace takes milliseconds; xstate itself hangs on a few machines


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say how many traces are known not to match yet (the goal is zero)."""
    xfailed = [r for r in terminalreporter.stats.get("xfailed", [])
               if "test_replay.py::test_trace_matches_xstate" in r.nodeid]
    terminalreporter.write_line(
        f"conformance: {len(KNOWN_FAILURES)} trace(s) listed in tests/conformance/known_failures.json, "
        f"{len(xfailed)} of them run here as strict xfails"
    )


class LiveXState:
    """A long-lived `node record.js --serve` process: one JSON line in, one out."""

    def __init__(self) -> None:
        self.proc = self._spawn()

    @staticmethod
    def _spawn() -> subprocess.Popen[str]:
        node = shutil.which("node")
        assert node is not None
        return subprocess.Popen(
            [node, str(HERE / "record.js"), "--serve"], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={"NODE_ENV": "production", "PATH": str(Path(node).parent)},
        )

    def run(self, trace: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(trace) + "\n")
        self.proc.stdin.flush()
        # a machine that makes xstate loop would block readline() forever: fail instead
        ready, _, _ = select.select([self.proc.stdout], [], [], REPLY_TIMEOUT_S)
        if not ready:
            # stay usable for the next trace: a fresh recorder replaces the stuck one
            self.proc.kill()
            self.proc.wait(timeout=10)
            for pipe in (self.proc.stdin, self.proc.stdout):
                if pipe is not None:
                    pipe.close()
            self.proc = self._spawn()
            raise TimeoutError(f"xstate gave no answer within {REPLY_TIMEOUT_S}s for {trace!r}")
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the xstate recorder exited")
        result: dict[str, Any] = json.loads(line)
        return result

    def close(self) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture(scope="session")
def live_xstate() -> Iterator[LiveXState]:
    if shutil.which("node") is None or not NODE_MODULES.is_dir():
        pytest.skip("xstate is not installed: run `npm ci` in tests/conformance "
                    "(scripts/test.sh does)")
    live = LiveXState()
    try:
        yield live
    finally:
        live.close()
