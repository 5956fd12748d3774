"""The CEL functions a YAML machine may call: those the CEL library provides.

cel compiles a call to any name (``foo(context.x)``) and only fails when it runs, so a typo
in a rarely taken guard or an authorizer would pass loading and fail closed at run time.
``program.functions()`` lists the functions an expression calls (operators included, under
names such as ``_+_`` or ``@in``); every named one must be in ``PROVIDED``, which
tests/machines/test_celfunctions.py checks against the library itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sb_emulator.engine.errors import did_you_mean

PROVIDED = frozenset({
    # conversions and type
    "bytes", "double", "duration", "dyn", "int", "string", "timestamp", "type", "uint",
    # strings, lists, maps
    "contains", "endsWith", "matches", "size", "startsWith",
    # timestamps and durations
    "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getFullYear", "getHours",
    "getMilliseconds", "getMinutes", "getMonth", "getSeconds",
})
# Macros (has, all, exists, exists_one, map, filter) are expanded by the parser and never
# appear among the functions; operators have names that are not identifiers.
_NAMED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def unknown_functions(called: Iterable[str]) -> list[str]:
    """The functions among ``called`` (``program.functions()``) that cel does not provide."""
    return sorted({name for name in called if _NAMED.fullmatch(name) and name not in PROVIDED})


def unknown_function_message(source_quoted: str, unknown: list[str]) -> str:
    hint = did_you_mean(unknown[0], PROVIDED)
    names = ", ".join(f'"{name}"' for name in unknown)
    return (f"CEL expression {source_quoted} calls unknown function {names}; expected a "
            f"function CEL provides: {', '.join(sorted(PROVIDED))}"
            + (f" ({hint})" if hint else ""))
