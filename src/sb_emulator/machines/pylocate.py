"""Where in a Python definition file a config path is, so every message can name the line.

The file is parsed with :mod:`ast`, never run again. A path such as
``machine.states.a.on.go[0].target`` starts at the module-level assignment of ``machine`` and
walks its literal: dict keys (``{"a": ...}`` and ``dict(a=...)``), list and tuple items, through
names bound at module level (``"states": {"a": STATE_A}``) and ``**`` spreads. The line is that
of the deepest key or item reached, or of the assignment (or ``def``) when the value is not a
literal the path can enter (a call, a comprehension).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from sb_emulator.machines.locate import split_path

MAX_NAME_HOPS = 16  # ``A = B``, ``B = {...}``: enough for real files, never a loop


@dataclass(frozen=True)
class Binding:
    line: int
    value: ast.expr | None  # None for a ``def`` / ``class``


def module_bindings(tree: ast.Module) -> dict[str, Binding]:
    """Module-level names, bound by ``=``, ``: T =`` or ``def``; the last binding wins, as
    when the module runs."""
    out: dict[str, Binding] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = Binding(node.lineno, node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out[node.target.id] = Binding(node.lineno, node.value)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out[node.name] = Binding(node.lineno, None)
    return out


def line_of_path(bindings: dict[str, Binding], path: str) -> int | None:
    """1-based line of ``path`` (``name.key[0].key``...), None when ``name`` is not bound."""
    parts = split_path(path)
    if not parts or not isinstance(parts[0], str) or parts[0] not in bindings:
        return None
    binding = bindings[parts[0]]
    node, line = binding.value, binding.line
    i = 1
    while node is not None and i < len(parts):
        node = _resolve(node, bindings)
        part = parts[i]
        if isinstance(part, int):
            items = _items(node)
            if items is not None and part < len(items):
                node, line, i = items[part], items[part].lineno, i + 1
            elif items is None and part == 0:
                i += 1  # one object (or a shorthand string) where the engine says [0]
            else:
                break
        else:
            found = _key(node, parts, i, bindings)
            if found is None:
                break
            node, line, used = found
            i += used
    return line


def _resolve(node: ast.expr, bindings: dict[str, Binding]) -> ast.expr:
    for _ in range(MAX_NAME_HOPS):
        if not isinstance(node, ast.Name) or node.id not in bindings:
            return node
        value = bindings[node.id].value
        if value is None:
            return node
        node = value
    return node


def _items(node: ast.expr) -> list[ast.expr] | None:
    if isinstance(node, (ast.List, ast.Tuple)) and \
            not any(isinstance(e, ast.Starred) for e in node.elts):
        return node.elts
    return None


def _entries(node: ast.expr) -> tuple[list[tuple[str, int, ast.expr]], list[ast.expr]] | None:
    """``(key, line, value)`` of a dict literal or ``dict(...)`` call, and its ``**`` spreads
    (latest first: a later spread overrides an earlier one)."""
    if isinstance(node, ast.Dict):
        keys = [(k.value, k.lineno, v) for k, v in zip(node.keys, node.values, strict=True)
                if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        spreads = [v for k, v in zip(node.keys, node.values, strict=True) if k is None]
        return keys, spreads[::-1]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        keys = [(kw.arg, kw.lineno, kw.value) for kw in node.keywords if kw.arg is not None]
        spreads = [kw.value for kw in node.keywords if kw.arg is None]
        spreads += [a for a in node.args if isinstance(a, (ast.Dict, ast.Name))]
        return keys, spreads[::-1]
    return None


def _key(node: ast.expr, parts: list[str | int], start: int, bindings: dict[str, Binding],
         depth: int = 0) -> tuple[ast.expr, int, int] | None:
    """The value, the key's line and how many path parts the key used, for the key at
    ``parts[start]``; an engine path splits a key holding dots (``on.done.invoke.x``), so the
    following parts are tried joined too (the longest key that exists wins)."""
    entries = _entries(node)
    if entries is None or depth > MAX_NAME_HOPS:
        return None
    keys, spreads = entries
    last = {key: (value, line) for key, line, value in keys}  # a repeated key: the last wins
    joined: list[str] = []
    best: tuple[ast.expr, int, int] | None = None
    for used, part in enumerate(parts[start:], 1):
        if not isinstance(part, str):
            break
        joined.append(part)
        if ".".join(joined) in last:
            value, line = last[".".join(joined)]
            best = (value, line, used)
    if best is not None:
        return best
    for spread in spreads:
        found = _key(_resolve(spread, bindings), parts, start, bindings, depth + 1)
        if found is not None:
            return found
    return None
