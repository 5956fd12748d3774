"""Machine and instance names (API.md §1.3): the rule the REST API's path and body patterns
enforce (``MachineSlug`` / ``MachineInstanceSlug`` in the OpenAPI spec), for names that do
not come through a validated request, such as those an HTTP API handler returns."""

from __future__ import annotations

import re

NAME_PATTERN = "^[a-zA-Z0-9_-]{1,128}$"
# fullmatch: ``$`` alone would also accept a name ending in a newline
_NAME = re.compile(r"[a-zA-Z0-9_-]{1,128}")


def is_valid_name(name: object) -> bool:
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


def describe_bad_name(name: object) -> str:
    """What is wrong with ``name``, short enough for an error message (a name may be huge)."""
    if not isinstance(name, str):
        return f"a {type(name).__name__}, not a string"
    shown = repr(name) if len(name) <= 140 else f"{name[:40]!r}... ({len(name)} characters)"
    return f"{shown} does not match {NAME_PATTERN}"
