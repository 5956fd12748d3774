"""Where in a YAML file a config path is, so every message can name the line.

ruamel.yaml's round-trip loader keeps the line of every key and item; we walk the parsed
document along a path such as ``machine.states.pending.on.place[0].target`` and report the
line of the deepest node we reach.
"""

from __future__ import annotations

import re
from typing import Any

# [0] an index, ["a.b"] a key holding dots, .key or key a plain key
_TOKEN = re.compile(r"\[(\d+)\]|\[\"([^\"]*)\"\]|\.?([^.\[\]]+)")


def split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for index, quoted, key in _TOKEN.findall(path):
        parts.append(int(index) if index else (quoted or key))
    return parts


def key_path(prefix: str, key: str) -> str:
    """``prefix.key``, or ``prefix["key"]`` when the key itself holds a dot."""
    return f'{prefix}["{key}"]' if "." in key or "[" in key else f"{prefix}.{key}"


def line_of(document: Any, path: list[str | int]) -> int | None:
    """1-based line of the deepest node along ``path`` (None when unknown)."""
    node = document
    line: int | None = _own_line(node)
    i = 0
    while i < len(path):
        part = path[i]
        lc = getattr(node, "lc", None)
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            line = lc.item(part)[0] + 1 if lc is not None else line
            node, i = node[part], i + 1
        elif isinstance(node, dict) and isinstance(part, int):
            i += 1  # a transition written as one object where the path says [0]
        elif isinstance(node, dict):
            key, used = _dotted_key(node, path, i)
            if key is None:
                break
            line = lc.key(key)[0] + 1 if lc is not None else line
            node, i = node[key], i + used
        else:
            break
    return line


def _dotted_key(node: dict[Any, Any], path: list[str | int], start: int) -> tuple[Any, int]:
    """The key at ``path[start]``; an engine path may split a key holding dots
    (``on.done.invoke.x``), so also try joining the following parts."""
    parts: list[str] = []
    for used, part in enumerate(path[start:], 1):
        if not isinstance(part, str):
            break
        parts.append(part)
        if ".".join(parts) in node:
            return ".".join(parts), used
    return None, 0


def _own_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else None
