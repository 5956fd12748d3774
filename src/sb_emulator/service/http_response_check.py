"""What an HTTP API response mapper may answer: a status and headers HTTP can carry.

The mapper is machine code; its output goes onto the wire as the status line and header
lines. A status outside 100..599 makes an invalid status line, a header name with a space is
not a header, and a CR or LF inside a value would end the header early (response splitting).
Each check raises ``ValueError`` naming what was wrong; the caller answers 500
``machine-implementation-error`` with it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

MIN_STATUS, MAX_STATUS = 100, 599
# RFC 7230 §3.2.6 token characters
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_FORBIDDEN_IN_VALUE = re.compile(r"[\r\n\x00]")


def check_status(value: Any) -> int:
    """An integer 100..599 (a float with no fraction, or a string of digits, counts: the
    mapper may compute it); anything else raises ``ValueError``."""
    status: int | None = None
    if isinstance(value, bool):
        status = None
    elif isinstance(value, int):
        status = value
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e6:
        status = int(value)
    elif isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) <= 3:
        status = int(value.strip())
    if status is None or not MIN_STATUS <= status <= MAX_STATUS:
        raise ValueError(f"statusCode must be an integer from {MIN_STATUS} to {MAX_STATUS}, "
                         f"not {_short(value)}")
    return status


def check_headers(value: Any) -> dict[str, str]:
    """Header names that are RFC 7230 tokens, values without CR, LF or NUL (scalars are
    written as text, as JavaScript's ``String()`` would)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"headers must be an object of header names to values, not "
                         f"{type(value).__name__}")
    out: dict[str, str] = {}
    for name, raw in value.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ValueError(f"header name {_short(name)} is not a valid HTTP header name "
                             f"(RFC 7230 token characters only)")
        if isinstance(raw, Mapping | list | tuple) or raw is None:
            raise ValueError(f"header {name!r} must have a text value, not "
                             f"{type(raw).__name__}")
        text = _js_string(raw)
        if _FORBIDDEN_IN_VALUE.search(text):
            raise ValueError(f"the value of header {name!r} contains CR, LF or NUL: "
                             f"{_short(text)}")
        out[name] = text
    return out


def _js_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
