"""JSON text on the request path, and compact JSON as ``JSON.stringify`` writes it.

Request bodies, JSON responses and the context size check go through ``orjson``: several
JSON passes run per request, and the standard library took ~2 µs each for a small body
(about a tenth of what the emulator adds to a small request). ``orjson`` also parses the way
the real, JavaScript, service does: ``NaN`` and ``Infinity`` are not JSON, and an integer
beyond 64 bits reads as a double, as ``JSON.parse`` gives. The rare value ``orjson`` cannot
write (an integer beyond 64 bits, which only Python machine code can make) is written by the
standard library instead, as before.

:func:`compact` stays on the standard library's encoder (one shared instance: ``json.dumps``
with options builds a new encoder per call): tokens are minted with it, byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_COMPACT_LENIENT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str)
_OPTIONS = orjson.OPT_NON_STR_KEYS  # {1: x} writes as {"1": x}, as json.dumps does


def compact(value: Any) -> str:
    """``value`` as compact JSON; a value JSON cannot hold raises ``TypeError``."""
    return _COMPACT.encode(value)


def encode(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON; a value JSON cannot hold raises ``TypeError``."""
    try:
        return orjson.dumps(value, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return compact(value).encode("utf-8")


def size(value: Any) -> int:
    """The bytes of ``value`` as compact UTF-8 JSON, with ``str()`` of what JSON cannot hold."""
    try:
        return len(orjson.dumps(value, default=str, option=_OPTIONS))
    except orjson.JSONEncodeError:
        return len(_COMPACT_LENIENT.encode(value).encode("utf-8"))


def decode(raw: bytes | bytearray | str) -> Any:
    """Parse JSON text; anything else raises ``ValueError`` (``orjson.JSONDecodeError``)."""
    return orjson.loads(raw)
