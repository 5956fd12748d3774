"""Random machines and event sequences: our engine against live xstate, step by step."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conformance.conftest import LiveXState
from tests.conformance.harness import replay
from tests.conformance.machine_gen import random_machine, random_steps

pytestmark = pytest.mark.xdist_group("xstate-differential")


@settings(max_examples=300, deadline=None, derandomize=False,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**31), length=st.integers(1, 12))
def test_random_machines_match_xstate(live_xstate: LiveXState, seed: int, length: int) -> None:
    trace: dict[str, Any] = {"machine": random_machine(seed), "steps": random_steps(seed, length)}
    theirs = live_xstate.run(trace)
    if "error" in theirs:
        # xstate itself fails (an eventless loop overflowing its stack): so must we.
        with pytest.raises(RecursionError):
            replay(trace)
        return
    assert replay(trace) == theirs["expected"], trace
