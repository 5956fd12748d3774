"""Maps returned by CEL expressions keep a stable key order (cel's own maps have none: the
order changed from one evaluation to the next, even in one process)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sb_emulator.machines.celexpr import CelExpr, CelGroup
from sb_emulator.machines.celorder import literal_key_orders

ALLOWED = ("context", "event")
REPEATS = 30  # cel's order is random per map: 30 evaluations all in order is no accident


def orders_of(source: str, variables: dict[str, Any] | None = None) -> set[str]:
    expr = CelExpr(source, ALLOWED)
    return {json.dumps(expr.evaluate(variables or {})) for _ in range(REPEATS)}


def test_a_map_literal_keeps_the_order_it_is_written_in() -> None:
    assert orders_of('{"b": 1, "a": 2, "d": {"y": [1], "x": 2}, "c": 3}') == {
        '{"b": 1, "a": 2, "d": {"y": [1], "x": 2}, "c": 3}'}


def test_a_map_passed_through_keeps_the_order_it_came_in_with() -> None:
    context = {"todos": [{"id": 1, "text": "a", "done": False}], "meta": {"z": 1, "m": 2}}
    assert orders_of('context.todos + [{"text": event.text, "id": 2}]',
                     {"context": context, "event": {"text": "b"}}) == {
        '[{"id": 1, "text": "a", "done": false}, {"text": "b", "id": 2}]'}
    assert orders_of("context.meta", {"context": context}) == {'{"z": 1, "m": 2}'}


def test_a_literal_with_the_same_keys_as_an_input_map_decides_their_order() -> None:
    context = {"todos": [{"id": 1, "text": "a"}]}
    assert orders_of('context.todos + [{"text": event.text, "id": 2}]',
                     {"context": context, "event": {"text": "b"}}) == {
        '[{"text": "a", "id": 1}, {"text": "b", "id": 2}]'}


def test_computed_keys_come_out_sorted() -> None:
    assert orders_of('{context.k1: 1, context.k2: 2, "m": 3}',
                     {"context": {"k1": "q", "k2": "b"}}) == {'{"b": 2, "m": 3, "q": 1}'}


def test_the_members_of_a_group_keep_their_own_orders() -> None:
    group = CelGroup([CelExpr('{"n": context.n, "label": "x"}', ALLOWED),
                      CelExpr('{"label": "y", "n": 1}', ALLOWED)])
    results = {json.dumps(group.evaluate({"context": {"n": 5}})) for _ in range(REPEATS)}
    assert results == {'[{"n": 5, "label": "x"}, {"label": "y", "n": 1}]'}


@pytest.mark.parametrize(("source", "expected"), [
    ('{"a": 1, "b": {"c": 2, "d": 3}}', [("a", "b"), ("c", "d")]),
    ("{'single': 1, r\"raw\\d\": 2, '''tri''': 3}", [("single", "raw\\d", "tri")]),
    ('{"a": f(x, {"p": 1, "q": 2}), "b": x ? 1 : 2}', [("a", "b"), ("p", "q")]),
    ('{"a" + "b": 1, "c": 2}', []),            # a computed key: the literal is not read
    ('Msg{a: 1, b: 2}', []),                   # a message literal has field names, not keys
    ('[{"x": 1, "y": 2}] // {"no": 1, "t": 2}', [("x", "y")]),  # comments are skipped
    ('"{\\"s\\": 1, \\"t\\": 2}"', []),        # braces inside a string are text
])
def test_which_literals_are_read(source: str, expected: list[tuple[str, ...]]) -> None:
    assert sorted(literal_key_orders(source).values()) == sorted(expected)
