"""Every recorded trace in fixtures/conformance replays through our engine identically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conformance.conftest import KNOWN_FAILURES
from tests.conformance.harness import replay

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "conformance"
TRACES = sorted(CORPUS.glob("*.json"))


def test_corpus_is_large_enough() -> None:
    assert len(TRACES) >= 150


def _params() -> list[Any]:
    out = []
    for path in TRACES:
        reason = KNOWN_FAILURES.get(path.stem)
        marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
        out.append(pytest.param(path, id=path.stem, marks=marks))
    return out


@pytest.mark.parametrize("path", _params())
def test_trace_matches_xstate(path: Path) -> None:
    trace = json.loads(path.read_text())
    assert "expected" in trace, f"{path.name} has no goldens: run node tests/conformance/record.js"
    ours = replay(trace)
    for step, (got, want) in enumerate(zip(ours, trace["expected"], strict=True)):
        where = "initial state" if step == 0 else f"after step {step}: {trace['steps'][step - 1]}"
        assert got == want, f"{path.stem}, {where}"
