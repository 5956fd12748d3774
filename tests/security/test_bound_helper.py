"""The bound itself must bite: a runaway allocation or a hang inside a bounded block ends the
process fast, with a message; a small allocation passes. Checked in child processes, since
the bound ends the process it runs in."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.security.conftest import bounded

REPO = Path(__file__).resolve().parents[2]


def _run_bounded(body: str) -> subprocess.CompletedProcess[str]:
    script = "\n".join([
        "from tests.security.conftest import bounded",
        "with bounded(seconds=5, megabytes=64):",
        textwrap.indent(textwrap.dedent(body).strip(), "    "),
        'print("finished")',
    ])
    return subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True,
                          text=True, timeout=120, check=False)


def test_a_runaway_allocation_ends_the_process_with_a_message() -> None:
    result = _run_bounded("""
        hog = []
        while True:
            hog.append(bytearray(16 * 2**20))  # touched: zero-filled by bytearray
            hog[-1][::4096] = b"x" * (16 * 2**20 // 4096)
    """)
    assert result.returncode != 0 and "finished" not in result.stdout
    assert "memory bound" in result.stderr


def test_a_hang_ends_the_process_with_every_thread_s_traceback() -> None:
    result = _run_bounded("""
        import threading
        threading.Event().wait()
    """)
    assert result.returncode != 0 and "finished" not in result.stdout
    assert "Timeout" in result.stderr and "Thread" in result.stderr


def test_a_small_allocation_passes() -> None:
    with bounded(seconds=30, megabytes=64):
        data = bytearray(2**20)
        data[-1] = 1
