"""Claim mappings of identity and token providers (API.md §2.7), with jsonpath-ng."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jsonpath_ng import JSONPath
from jsonpath_ng import parse as parse_jsonpath
from jsonpath_ng.exceptions import JsonPathParserError

from sb_emulator.errors import InvalidParameter


@lru_cache(maxsize=512)
def compile_path(path: str) -> JSONPath:
    text = path if path.startswith("$") else f"$.{path}"
    try:
        return parse_jsonpath(text)
    except (JsonPathParserError, Exception) as err:
        raise InvalidParameter("mapping", f"invalid JSONPath {path!r}: {err}") from err


def check_mapping(mapping: Mapping[str, Any]) -> None:
    for key, value in mapping.items():
        if key.endswith(".$"):
            if not isinstance(value, str):
                raise InvalidParameter("mapping", f"mapping key {key!r} needs a JSONPath string")
            compile_path(value)
        elif isinstance(value, Mapping):
            check_mapping(value)


def apply_mapping(mapping: Mapping[str, Any], claims: Any) -> dict[str, Any]:
    """Keys ending in ``.$`` are JSONPath lookups (one match: the value; several: a list; none:
    the key is left out); other keys are copied, objects recursively."""
    out: dict[str, Any] = {}
    for key, value in mapping.items():
        if key.endswith(".$") and isinstance(value, str):
            matches = [m.value for m in compile_path(value).find(claims)]
            if len(matches) == 1:
                out[key[:-2]] = matches[0]
            elif matches:
                out[key[:-2]] = matches
        elif isinstance(value, Mapping):
            out[key] = apply_mapping(value, claims)
        else:
            out[key] = value
    return out
