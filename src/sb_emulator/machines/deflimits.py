"""Caps on the size of a machine definition, checked before its heavy stages.

Parsing, checking and building a definition costs time and memory in proportion to its size
(a 100,000-state machine took 99 s and 1.3 GB); these caps refuse such a definition early,
naming the limit: the text before it is parsed, the states and transitions before the schema
check and the build. The numbers are in ``sb_emulator.budget``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sb_emulator.budget import (
    MAX_DEFINITION_CHARS,
    MAX_STATES,
    MAX_TRANSITIONS,
    DefinitionTooLarge,
    count,
)

# the keys of a state node whose values are transitions
_TRANSITION_KEYS = ("on", "always", "after")


def text_problem(text: str) -> str | None:
    """Why the definition's text is too long to parse, if it is."""
    if len(text) <= MAX_DEFINITION_CHARS:
        return None
    return (f"the definition is {count(len(text))} characters long, over the limit of "
            f"{count(MAX_DEFINITION_CHARS)}")


def size_problems(document: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(path, what is wrong) for each cap the parsed definition is over."""
    states, transitions = _count(document.get("machine"))
    problems = []
    if states > MAX_STATES:
        problems.append(("machine", f"{count(states)} states is over the limit of "
                                    f"{count(MAX_STATES)}; expected a smaller machine"))
    if transitions > MAX_TRANSITIONS:
        problems.append(("machine", f"{count(transitions)} transitions is over the limit of "
                                    f"{count(MAX_TRANSITIONS)}; expected a smaller machine"))
    return problems


def _count(root: Any) -> tuple[int, int]:
    """(states, transitions) of a machine config, its root not counted as a state; shapes
    the schema would refuse are skipped here and reported by it. Iterative: nesting depth
    costs no recursion."""
    states, transitions = -1, 0
    if not isinstance(root, Mapping):
        return 0, 0
    pending = [root]
    while pending:
        node = pending.pop()
        if not isinstance(node, Mapping):
            continue
        states += 1
        for key in _TRANSITION_KEYS:
            transitions += _transitions_in(node.get(key), per_key=key != "always")
        children = node.get("states")
        if isinstance(children, Mapping):
            pending.extend(children.values())
    return states, transitions


def _transitions_in(value: Any, *, per_key: bool) -> int:
    if per_key and isinstance(value, Mapping):
        return sum(len(v) if isinstance(v, list) else 1 for v in value.values())
    if isinstance(value, list):
        return len(value)
    return 0 if value is None else 1


def check_text(text: str, source: str) -> None:
    """Raise :class:`DefinitionTooLarge` for a text too long to parse."""
    problem = text_problem(text)
    if problem is not None:
        raise DefinitionTooLarge([f"{source}: {problem}"])


def check_document(document: Mapping[str, Any], message: Callable[[str, str], str]) -> None:
    """Raise :class:`DefinitionTooLarge` for a parsed definition over a cap; ``message(path,
    text)`` makes the loader's ``FILE:LINE: PATH: ...`` line."""
    problems = size_problems(document)
    if problems:
        raise DefinitionTooLarge([message(path, text) for path, text in problems])
