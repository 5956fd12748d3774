"""Expressions are handed only the fields they select (cel converts whatever it is handed)."""

from __future__ import annotations

from typing import Any

import pytest

from sb_emulator.machines.celexpr import CelEvalError, CelExpr, CelGroup
from sb_emulator.machines.celfields import fields_read, narrowed

VARS = ("context", "event")


@pytest.mark.parametrize(("source", "expected"), [
    ("context.count > 3", {"context": ("count",)}),
    ('has(context.user.name) && event.type == "go"', {"context": ("user",), "event": ("type",)}),
    ("context.items.map(i, i.n) + [context.count]", {"context": ("items", "count")}),
    ('"context.secret" + event.note // context.other', {"event": ("note",)}),
    ("event.context.x", {"event": ("context",)}),    # a field called context is not the variable
    ("size(context) + context.count", {}),          # context on its own: all of it
    ('context["count"]', {}),
    ("context.all(k, k != '')", {}),                 # a macro on the map itself
    ("context.count.size()", {"context": ("count",)}),  # a method on a field: the field
])
def test_fields_read(source: str, expected: dict[str, tuple[str, ...]]) -> None:
    assert fields_read(source, VARS) == expected


def test_narrowed_keeps_missing_fields_missing_and_other_values_whole() -> None:
    variables: dict[str, Any] = {"context": {"a": 1, "b": 2}, "event": "not a map"}
    fields = {"context": ("a", "z"), "event": ("type",)}
    assert narrowed(variables, ("context", "event"), fields) == {
        "context": {"a": 1}, "event": "not a map"}


def test_expressions_see_the_same_values_and_errors_through_the_narrowing() -> None:
    context = {"count": 4, "user": {"name": "Ann"}, "todos": [{"t": "x"}] * 50}
    variables = {"context": context, "event": {"type": "go"}}
    assert CelExpr("context.count > 3 && has(context.user.name)", VARS).evaluate(variables)
    assert CelExpr("has(context.missing)", VARS).evaluate(variables) is False
    with pytest.raises(CelEvalError, match='no key "missing"'):
        CelExpr("context.missing + 1", VARS).evaluate(variables)
    assert CelExpr("size(context.todos)", VARS).evaluate(variables) == 50
    group = CelGroup([CelExpr("context.count + 1", VARS), CelExpr('event.type + "!"', VARS)])
    assert group.evaluate(variables) == [5, "go!"]


def test_only_the_selected_fields_are_converted() -> None:
    expr = CelExpr("context.count > 3", VARS)
    big = {"count": 4, **{f"k{i}": i for i in range(100)}}
    handed = narrowed({"context": big}, ("context",), fields_read(expr.source, VARS))
    assert handed == {"context": {"count": 4}}
