"""The JWT time claims ``exp``, ``iat`` and ``nbf`` (NumericDate), read strictly.

Python's ``json`` reads ``1e400`` as ``inf``, accepts ``NaN`` and ``Infinity`` and keeps a
400-digit integer exact; ``JSON.parse`` (the real service) reads the first two as non-finite
and the rest not as numbers at all. A time claim is therefore accepted only as a number that
is a finite double: anything else is the caller's malformed token, never an
``OverflowError`` further down (issue 16: ``"exp": -1e400`` was a 500).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

TIME_CLAIMS = ("exp", "iat", "nbf")
_SHOWN_CHARS = 40


class InvalidNumericDate(ValueError):
    """A time claim that is present but not a finite number; ``str()`` says which and why."""


def numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    """The claim ``name`` as a finite float; ``None`` when absent (a JSON ``null`` is invalid)."""
    if name not in claims:
        return None
    value = claims[name]
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            as_float = float(value)
        except OverflowError:  # an integer beyond any double
            as_float = math.inf
        if math.isfinite(as_float):
            return as_float
    raise InvalidNumericDate(
        f"{name} must be a finite number (seconds since the epoch), got {_shown(value)}"
    )


def numeric_dates(claims: Mapping[str, Any]) -> dict[str, float | None]:
    """Every time claim of ``claims``, each checked by :func:`numeric_date`."""
    return {name: numeric_date(claims, name) for name in TIME_CLAIMS}


def _shown(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        digits = len(str(abs(value)))  # ints that json.loads accepts stay under the str limit
        if digits > _SHOWN_CHARS:
            return f"an integer of {digits} digits"
    text = repr(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 3] + "..."
