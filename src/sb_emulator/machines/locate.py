"""Where in a YAML file a config path is, so every message can name the line.

ruamel.yaml's round-trip loader keeps the line of every key and item; we walk the parsed
document along a path such as ``machine.states.pending.on.place[0].target`` and report the
line of the deepest node we reach.
"""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for index, key in _TOKEN.findall(path):
        parts.append(int(index) if index else key)
    return parts


def line_of(document: Any, path: list[str | int]) -> int | None:
    """1-based line of the deepest node along ``path`` (None when unknown)."""
    node = document
    line: int | None = _own_line(node)
    for part in path:
        lc = getattr(node, "lc", None)
        try:
            if isinstance(part, int) and isinstance(node, list):
                if lc is not None and part < len(node):
                    line = lc.item(part)[0] + 1
                node = node[part]
            elif isinstance(node, dict) and part in node:
                if lc is not None:
                    line = lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, dict) and isinstance(part, int):
                # a transition written as one object where the path says [0]
                continue
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return line


def _own_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else None
