"""Random machines through xstate@4's interpreter and through our engine: the effects must
match one for one (user actions with their context and event, service starts with their data,
stops, events children receive, logs, timers scheduled and cancelled), in all three modes
(legacy, preserveActionOrder, predictableActionArguments), with clock advances, promise
services reporting back, history states, ``in`` guards and machine completion."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.engine.effects_gen import random_machine, random_steps, replay

HERE = Path(__file__).parent
XSTATE = HERE.parent / "conformance" / "node_modules" / "xstate"
SEEDS = range(300)


@pytest.fixture(scope="module")
def recorded() -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not XSTATE.is_dir():
        pytest.skip("xstate is not installed: run `npm ci` in tests/conformance")
    traces = [{"machine": random_machine(seed), "steps": random_steps(seed, 12)} for seed in SEEDS]
    out = subprocess.run([node, str(HERE / "effects_record.js"), str(XSTATE)], input=json.dumps(traces),
                         capture_output=True, text=True, check=True, timeout=300)
    results: list[dict[str, Any]] = json.loads(out.stdout)
    return results


def _normalized(records: list[Any]) -> list[Any]:
    """Trailing cancels (a completing machine clearing its timers) compared as a set: after a
    timer fires and its send id is scheduled again, xstate clears in the id's first-scheduled
    position, the engine in its latest (a known, harmless difference)."""
    end = len(records)
    while end and records[end - 1][0] == "cancel":
        end -= 1
    return records[:end] + sorted(records[end:])


@pytest.mark.parametrize("seed", SEEDS)
def test_effects_match_xstate(recorded: list[dict[str, Any]], seed: int) -> None:
    theirs = recorded[seed]
    if "Unable to send event to child" in theirs.get("error", ""):
        # legacy mode skips the start of a service whose state is left in the same step, but
        # still runs its entry actions: xstate throws on the send to the missing child
        pytest.skip("xstate throws on a send to a child it never started")
    assert "error" not in theirs, f"xstate failed on seed {seed}: {theirs.get('error')}"
    machine, steps = random_machine(seed), random_steps(seed, 12)
    for step, (ours, want) in enumerate(zip(replay(machine, steps), theirs["steps"], strict=True)):
        where = "start" if step == 0 else f"step {step} ({steps[step - 1]})"
        assert _normalized(ours) == _normalized(want), f"seed {seed}, {where}"
