"""The CEL functions YAML machines may call are exactly those the library provides."""

from __future__ import annotations

import pytest

from sb_emulator.machines.celexpr import CelError, CelExpr
from sb_emulator.machines.celfunctions import PROVIDED
from sb_emulator.machines.celimport import cel


def _undefined(name: str, source: str) -> bool:
    try:
        cel.compile(source).execute({})
    except Exception as err:  # any failure but "undefined" means "provided"
        return f"'{name}'" in str(err) and "Undefined" in str(err)
    return False


TS = 'timestamp("2020-01-01T00:00:00Z")'
# a well-formed call of each (cel says "undefined" for a call it has no overload for, too)
CALLS = {
    "bytes": 'bytes("a")', "double": "double(1)", "duration": 'duration("1s")', "dyn": "dyn(1)",
    "int": "int(1.5)", "string": "string(1)", "timestamp": TS, "type": "type(1)",
    "uint": "uint(1)", "contains": '"ab".contains("a")', "endsWith": '"ab".endsWith("b")',
    "matches": '"ab".matches("a")', "size": "size([1])", "startsWith": '"ab".startsWith("a")',
    **{name: f"{TS}.{name}()" for name in (
        "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getFullYear", "getHours",
        "getMilliseconds", "getMinutes", "getMonth", "getSeconds")},
}


def test_every_listed_function_has_a_sample_call() -> None:
    assert set(CALLS) == PROVIDED


@pytest.mark.parametrize("name", sorted(PROVIDED))
def test_every_listed_function_is_provided_by_the_library(name: str) -> None:
    assert not _undefined(name, CALLS[name])
    CelExpr(CALLS[name], ())


@pytest.mark.parametrize("name", ["foo", "bool", "lowerAscii", "split", "max"])
def test_names_the_library_lacks_are_refused_at_load(name: str) -> None:
    assert _undefined(name, f"{name}(1)") and _undefined(name, f"'x'.{name}(1)")
    with pytest.raises(CelError, match=f'calls unknown function "{name}"'):
        CelExpr(f"{name}(context.x)", ("context",))
    with pytest.raises(CelError, match=f'calls unknown function "{name}"'):
        CelExpr(f"context.x.{name}(1)", ("context",))


def test_operators_macros_and_provided_functions_compile() -> None:
    source = ('size(context.items) > 0 && context.items.all(i, i.startsWith("a")) && '
              'has(context.x) && "a" in context.items && int(context.n) % 2 == 0 ? '
              'context.items.map(i, i + "!")[0] : string(timestamp("2020-01-01T00:00:00Z"))')
    CelExpr(source, ("context",))


def test_a_typo_gets_a_hint() -> None:
    with pytest.raises(CelError, match='did you mean "startsWith"'):
        CelExpr('context.name.startWith("a")', ("context",))
