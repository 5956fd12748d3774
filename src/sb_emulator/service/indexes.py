"""Index values of an instance and index queries (API.md §7.8)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sb_emulator.errors import InvalidParameter
from sb_emulator.machines import MachineDefinition

if TYPE_CHECKING:
    from jsonpath_ng import JSONPath

OPS: dict[str, Callable[[str, str], bool]] = {
    "eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
}


@lru_cache(maxsize=256)
def compile_path(path: str) -> JSONPath:
    from jsonpath_ng.ext.parser import parse as parse_jsonpath  # loads on first use

    return parse_jsonpath(path if path.startswith("$") else f"$.{path}")


def index_values(definition: MachineDefinition, selectors: Mapping[str, str], context: Any
                 ) -> dict[str, list[str]]:
    """Each index's values for a context: the version's JSONPath selector when it has one,
    else the definition's own index expression. A string is one value, a list of strings one
    per element; anything else is not indexed."""
    out: dict[str, list[str]] = {}
    names = set(selectors) | set(definition.indexes)
    for name in names:
        if name in selectors:
            found = [m.value for m in compile_path(selectors[name]).find(context)]
            value: Any = found[0] if len(found) == 1 else (found or None)
        else:
            try:
                value = definition.indexes[name](context)
            except (KeyError, TypeError, ValueError, RuntimeError):
                value = None
        values = _strings(value)
        if values:
            out[name] = values
    return out


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def check_query(op: str | None, value: str | None, direction: str, limit: int | None) -> int:
    if (op is None) != (value is None):
        raise InvalidParameter("op" if op is None else "value", "op and value go together")
    if op is not None and op not in OPS:
        raise InvalidParameter("op", f"op must be one of {', '.join(OPS)}")
    if direction not in ("asc", "desc"):
        raise InvalidParameter("dir", "dir must be asc or desc")
    if limit is not None and not 1 <= limit <= 1000:
        raise InvalidParameter("limit", "limit must be between 1 and 1000")
    return limit or 100
