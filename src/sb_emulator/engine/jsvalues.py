"""JavaScript value semantics the engine must reproduce (object key order, truthiness)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_MAX_INDEX = 2**32 - 2


def _is_array_index(key: str) -> bool:
    return key.isdigit() and (key == "0" or not key.startswith("0")) and int(key) <= _MAX_INDEX


def js_keys(obj: Mapping[str, Any]) -> list[str]:
    """``Object.keys`` order: integer-like keys ascending first, then insertion order.

    XState iterates states, ``on`` and ``after`` maps in this order, so ``after: {"1000": ..,
    "500": ..}`` is handled 500 first, exactly as in JavaScript.
    """
    keys = list(obj)
    for key in keys:
        if key[:1].isdigit():
            break
    else:  # the usual case, on the hot path: no integer-like key
        return keys
    indexes = [k for k in keys if _is_array_index(k)]
    if not indexes:
        return keys
    indexes.sort(key=int)
    return indexes + [k for k in keys if not _is_array_index(k)]


def js_truthy(value: Any) -> bool:
    """JavaScript truthiness for JSON-like values ({} and [] are truthy)."""
    if value is None or value is False:
        return False
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value != 0
    if isinstance(value, str):
        return value != ""
    return True
