"""The CEL behaviour YAML machines rely on (pins the library choice of machines/celexpr.py)."""

from __future__ import annotations

from typing import Any

import pytest

from sb_emulator.machines.celexpr import CelError, CelEvalError, CelExpr

VARIABLES: dict[str, Any] = {
    "context": {"count": 1, "total": 49.99, "items": ["a", "b"], "user": {"name": "Ann"},
                "nothing": None, "flag": True},
    "event": {"type": "go", "n": 7},
}
ALLOWED = ("context", "event")


def run(source: str) -> Any:
    return CelExpr(source, ALLOWED).evaluate(VARIABLES)


@pytest.mark.parametrize(("source", "expected"), [
    ('{"a": 1, "b": [1, 2.5, "x"], "c": null}', {"a": 1, "b": [1, 2.5, "x"], "c": None}),
    ("has(context.user.name)", True),
    ("has(context.missing)", False),
    ("size(context.items) + context.items.size()", 4),
    ('"hi " + context.user.name', "hi Ann"),
    ('context.user.name.startsWith("A") && context.user.name.contains("n")', True),
    ("context.nothing == null", True),
    ('context.items.map(i, i + "!")', ["a!", "b!"]),
    ('context.items.filter(i, i != "a")', ["b"]),
    ("context.items.exists(x, x == context.items[1])", True),
    ('"k" in {"k": 1}', True),
    ("event.n / 2", 3),                      # int division stays int
    ("double(event.n) / 2.0", 3.5),
    ("context.count == 1.0", True),          # heterogeneous numeric equality (CEL spec)
    ("context.total > 10", True),
    ("int(context.total)", 49),
    ("string(context.count)", "1"),
    ('timestamp("2024-01-02T03:04:05Z")', "2024-01-02T03:04:05Z"),
    ('duration("90s")', "90s"),
])
def test_expressions_evaluate_to_plain_json_values(source: str, expected: Any) -> None:
    result = run(source)
    assert result == expected
    assert type(result) is type(expected)  # int stays int, float stays float, dict is a dict


def test_mixing_int_and_double_is_an_error_as_the_spec_says() -> None:
    with pytest.raises(CelEvalError, match=r"context.total \* 2"):
        run("context.total * 2")
    assert run("context.total * 2.0") == pytest.approx(99.98)


def test_a_missing_key_names_the_key() -> None:
    with pytest.raises(CelEvalError, match='no key "missing"'):
        run("context.missing")


def test_macro_variables_are_not_unknown_variables() -> None:
    CelExpr("context.items.all(item, size(item) > 0)", ALLOWED)
    with pytest.raises(CelError, match='unknown variable "item"'):
        CelExpr('item + "x"', ALLOWED)


def test_unknown_variable_suggests_the_near_name() -> None:
    with pytest.raises(CelError) as raised:
        CelExpr("contxt.count > 1", ALLOWED)
    assert str(raised.value) == ('CEL expression "contxt.count > 1" uses unknown variable '
                                 '"contxt"; expected only context, event '
                                 '(did you mean "context"?)')


@pytest.mark.parametrize(("source", "message"), [
    ("context.count >", 'invalid CEL expression "context.count >": unexpected end of '
     "expression at column 16; expected a value, a variable or an operator to continue the "
     "expression"),
    ("{'type': 'go'", "invalid CEL expression \"{'type': 'go'\": unexpected end of expression "
     'at column 14; expected "}" or ","'),
    ("context.a ++ 1", 'invalid CEL expression "context.a ++ 1": unexpected "+" at column 12; '
     "expected a value, a variable or an operator to continue the expression"),
])
def test_syntax_errors_are_short(source: str, message: str) -> None:
    with pytest.raises(CelError) as raised:
        CelExpr(source, ALLOWED)
    assert str(raised.value) == message


class _Unconvertible:
    """cel cannot turn this into a CEL value: handing it over fails the evaluation."""


def test_only_the_variables_an_expression_names_are_handed_to_cel() -> None:
    expr = CelExpr("context.count + 1", ("context", "event"))
    assert expr.evaluate({"context": {"count": 1}, "event": _Unconvertible()}) == 2
    with pytest.raises(CelEvalError):
        CelExpr("event.type", ("context", "event")).evaluate({"event": _Unconvertible()})


@pytest.mark.parametrize(("source", "expected"), [("true", True), ("1 + 2", 3), ("'a' + 'b'", "ab")])
def test_constant_scalar_expressions_are_evaluated_once(source: str, expected: Any) -> None:
    assert CelExpr(source, ("context",)).evaluate({"context": _Unconvertible()}) == expected


def test_constant_expressions_that_fail_fail_when_used() -> None:
    expr = CelExpr("1 / 0", ())
    with pytest.raises(CelEvalError, match="failed"):
        expr.evaluate({})
    assert CelExpr("[1, 2]", ()).evaluate({}) == [1, 2]  # containers: a new one each time
