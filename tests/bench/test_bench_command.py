"""The benchmark command runs and prints its Markdown table (no timing is asserted here: the
figures are ratios read by people, README "Performance")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.xdist_group("processes")


def test_bench_run_prints_one_row_per_figure_with_its_baseline() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "startup", "store", "fanout", "clock"],
        cwd=REPO, capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    lines = out.splitlines()
    assert lines[0].startswith("Machine: ")
    header = lines.index("| benchmark | sb-emulator | baseline (same run) | ratio | target |")
    rows = [line.split(" | ") for line in lines[header + 2:] if line.startswith("| ")]
    assert [row[0].lstrip("| ") for row in rows] == [
        "plugin start-up to first response", "reset with 1,000 instances",
        "durable events/s (SQLite, WAL)", "/rt fan-out of one transition to 100 subscribers",
        "clock advance over 1,000 delayed events"]
    for row in rows:
        assert len(row) == 5 and all(cell.strip(" |") for cell in row), row
