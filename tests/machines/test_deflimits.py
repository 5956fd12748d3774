"""The caps on a definition's size (deflimits), read from the parsed document."""

from __future__ import annotations

from typing import Any

from sb_emulator import budget
from sb_emulator.machines.deflimits import _count, size_problems, text_problem


def chain(states: int, transitions_each: int = 1) -> dict[str, Any]:
    return {"initial": "s0", "states": {
        f"s{i}": {"on": {f"e{j}": f"s{(i + 1) % states}" for j in range(transitions_each)}}
        for i in range(states)}}


def test_every_kind_of_transition_and_nested_state_counts() -> None:
    machine = {"initial": "a", "states": {
        "a": {"on": {"go": "b", "back": [{"target": "a", "cond": "x"}, "b"]},
              "always": [{"target": "b"}], "after": {"100": "b"}},
        "b": {"initial": "c", "states": {"c": {}, "d": {"on": {"go": "c"}}}}}}
    assert _count(machine) == (4, 6)  # the root is not a state; a list holds one per entry


def test_a_machine_at_the_caps_passes_and_one_over_is_named() -> None:
    assert size_problems({"machine": chain(budget.MAX_STATES)}) == []
    assert size_problems({"machine": chain(budget.MAX_STATES + 1)}) == [
        ("machine", f"{budget.MAX_STATES + 1:,} states is over the limit of "
                    f"{budget.MAX_STATES:,}; expected a smaller machine")]
    per_state = budget.MAX_TRANSITIONS // 1000 + 1
    assert size_problems({"machine": chain(1000, per_state)}) == [
        ("machine", f"{1000 * per_state:,} transitions is over the limit of "
                    f"{budget.MAX_TRANSITIONS:,}; expected a smaller machine")]


def test_shapes_the_schema_refuses_are_left_to_it() -> None:
    assert size_problems({"machine": "not a machine"}) == []
    assert size_problems({"machine": {"states": ["a", "b"]}}) == []


def test_text_over_the_cap_is_named() -> None:
    assert text_problem("x" * budget.MAX_DEFINITION_CHARS) is None
    problem = text_problem("x" * (budget.MAX_DEFINITION_CHARS + 1))
    assert problem == (f"the definition is {budget.MAX_DEFINITION_CHARS + 1:,} characters long, "
                       f"over the limit of {budget.MAX_DEFINITION_CHARS:,}")
