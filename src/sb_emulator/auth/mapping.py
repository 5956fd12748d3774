"""Claim mappings of identity and token providers (API.md §2.7 "Mappings").

A mapping is a JSON object shaped like its output:

* a key ending in ``.$`` (``"sub.$": "$.sub"``) becomes the key without the suffix, and its
  value is a JSONPath evaluated against the input claims (jsonpath-ng's extended grammar);
  one match yields the value itself, several a list, none omits the key;
* any other key is copied literally, except that object values are mapped recursively.

Paths without a leading ``$`` (``"sub"``, as the client's own tests post) are read as
``$.sub``. The DOCS example that treats a plain key as a path contradicts the stated rule;
the rule wins (API.md §10 #11).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sb_emulator.errors import InvalidParameter

if TYPE_CHECKING:
    from jsonpath_ng import JSONPath

PATH_SUFFIX = ".$"


class MappingError(ValueError):
    """A mapping is malformed; ``where`` is the dotted location of the bad entry."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


def apply_mapping(mapping: Mapping[str, Any], claims: Mapping[str, Any]) -> dict[str, Any]:
    """Build the output claims described by ``mapping`` from ``claims``.

    Raises :class:`MappingError` for a ``.$`` entry that is not a JSONPath (mappings from the
    API are checked on upsert by :func:`validate_mapping`, so this means a hand-built one).
    """
    out: dict[str, Any] = {}
    for key, spec in mapping.items():
        if key.endswith(PATH_SUFFIX):
            matches = [match.value for match in _compile_spec(key, spec).find(claims)]
            if len(matches) == 1:
                out[key[: -len(PATH_SUFFIX)]] = matches[0]
            elif matches:
                out[key[: -len(PATH_SUFFIX)]] = matches
        elif isinstance(spec, Mapping):
            out[key] = apply_mapping(spec, claims)
        else:
            out[key] = spec
    return out


def validate_mapping(mapping: Any, parameter: str = "mapping") -> None:
    """Check a mapping from an API body; raise ``InvalidParameter(parameter, ...)`` if bad."""
    if not isinstance(mapping, Mapping):
        raise InvalidParameter(parameter, f"{parameter} must be a JSON object")
    try:
        _check(mapping, parameter)
    except MappingError as e:
        raise InvalidParameter(parameter, str(e)) from e


def _check(mapping: Mapping[str, Any], where: str) -> None:
    for key, spec in mapping.items():
        here = f"{where}.{key}"
        if key.endswith(PATH_SUFFIX):
            _compile_spec(here, spec)
        elif isinstance(spec, Mapping):
            _check(spec, here)


def _compile_spec(where: str, spec: Any) -> JSONPath:
    if not isinstance(spec, str) or not spec.strip():
        raise MappingError(where, f"a '.$' key needs a JSONPath string, got {spec!r}")
    from jsonpath_ng.exceptions import JSONPathError  # jsonpath-ng loads on first use

    try:
        return _compile(spec.strip())
    except (JSONPathError, ValueError) as e:
        raise MappingError(where, f"invalid JSONPath {spec!r}: {e}") from e


@lru_cache(maxsize=512)
def _compile(path: str) -> JSONPath:
    if not path.startswith("$"):
        path = "$." + path
    from jsonpath_ng.ext.parser import parse

    expression: JSONPath = parse(path)
    return expression
