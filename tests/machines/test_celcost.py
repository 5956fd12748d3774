"""The cost estimate of CEL evaluations (celcost) and its use by CelExpr and CelGroup."""

from __future__ import annotations

import re

import pytest

from sb_emulator import budget
from sb_emulator.machines.celcost import cost_model
from sb_emulator.machines.celexpr import CelError, CelExpr, CelGroup


def test_expressions_without_macros_have_no_model() -> None:
    assert cost_model('context.count > 3 && event.type == "go"') is None
    assert cost_model('"l.map(x, x)" == event.text') is None  # a macro's name inside a string


def test_nesting_is_read_from_the_arguments_and_chains_are_siblings() -> None:
    nested = cost_model("l.map(a, l.filter(b, b.all(c, c > a)))")
    chained = cost_model("l.map(a, a).filter(b, b > 1).exists(c, c == 2)")
    assert nested is not None and nested.depth == 3
    assert chained is not None and chained.depth == 1 and len(chained.macros) == 3


def test_estimate_grows_with_the_data_and_the_nesting() -> None:
    one = cost_model("l.exists(x, x == 3)")
    building = cost_model("l.map(x, x)")
    two = cost_model("l.exists(a, l.exists(b, a == b))")
    assert one is not None and building is not None and two is not None
    small, large = {"l": list(range(10))}, {"l": list(range(1000))}
    assert one.estimate(small) < one.estimate(large)
    assert one.estimate(large) < building.estimate(large)  # a built list is copied per step
    assert two.estimate(large) >= 1000 * 1000


def test_over_budget_evaluation_is_refused_naming_expression_and_limit() -> None:
    expr = CelExpr("l.map(a, l.map(b, a + b)).size() > 0", ["l"])
    assert expr.evaluate({"l": [1, 2, 3]}) is True
    with pytest.raises(budget.BudgetExceeded) as refused:
        expr.evaluate({"l": list(range(2000))})
    assert "l.map(a, l.map(b, a + b))" in str(refused.value)
    assert f"over the limit of {budget.MAX_CEL_COST:,}" in str(refused.value)
    assert refused.value.code == "machine-implementation-error"


def test_a_constant_expression_over_budget_fails_at_each_use_not_at_load() -> None:
    items = ", ".join(str(i) for i in range(300))
    expr = CelExpr(f"[{items}].map(a, [{items}].map(b, a)).size()", [])
    assert not expr.is_constant
    with pytest.raises(budget.BudgetExceeded):
        expr.evaluate({})


def test_limits_checked_at_compile_time() -> None:
    with pytest.raises(CelError, match=f"over the limit of {budget.MAX_MACRO_DEPTH}"):
        CelExpr("l.map(a, l.map(b, l.map(c, l.map(d, l.map(e, 1)))))", ["l"])
    with pytest.raises(CelError, match="characters long, over the limit of 10,000"):
        CelExpr(" || ".join(["l.size() > 1"] * 1000), ["l"])


def test_group_over_budget_names_the_member() -> None:
    cheap, costly = CelExpr("l.size()", ["l"]), CelExpr("l.map(a, l.map(b, a))", ["l"])
    group = CelGroup([cheap, costly])
    assert group.evaluate({"l": [1, 2]}) == [2, [[1, 1], [2, 2]]]
    with pytest.raises(budget.BudgetExceeded, match=re.escape("l.map(a, l.map(b, a))")):
        group.evaluate({"l": list(range(2000))})

