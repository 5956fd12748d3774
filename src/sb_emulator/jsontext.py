"""Compact JSON text, as ``JSON.stringify`` writes it (no spaces, non-ASCII kept as is).

One shared encoder each: ``json.dumps`` with any option builds a new ``JSONEncoder`` per call,
which cost about as much as encoding a small State, and these run several times per request.
"""

from __future__ import annotations

import json
from typing import Any

_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_COMPACT_LENIENT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)


def compact(value: Any) -> str:
    """``value`` as compact JSON; a value JSON cannot hold raises ``TypeError``."""
    return _COMPACT.encode(value)


def compact_lenient(value: Any) -> str:
    """Like :func:`compact`, with ``str()`` of whatever JSON cannot hold (for measuring)."""
    return _COMPACT_LENIENT.encode(value)
