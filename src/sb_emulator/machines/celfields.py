"""Which fields of its variables a CEL expression reads, so that only those are handed over.

cel converts every value it is handed into its own types, at about 0.7 µs per string and per
map key: a guard ``context.count > 3`` over a context holding a list of fifty todos paid
~60 µs converting todos it never looks at, on every evaluation. When every use of a variable
in the source is a plain field selection (``context.count``, ``has(context.user.name)``), the
expression is handed a map of just those fields; a missing field stays missing, so ``has()``
and "no such key" errors come out as before. Any other use of the variable (``context`` on
its own, ``context[key]``, a macro such as ``context.all(...)``) hands over all of it.

The source has compiled already, so it is well formed; string literals and comments are
skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

Fields = dict[str, tuple[str, ...]]  # variable -> the fields read (variables read whole: absent)

_TOKEN = re.compile(
    r"""(?P<string>[rRbB]{0,2}(?:'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))"""
    r"|(?P<comment>//[^\n]*)"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<space>\s+)"
    r"|(?P<other>.)",
    re.S,
)


def fields_read(source: str, variables: Iterable[str]) -> Fields:
    """For each of ``variables`` used only through field selections: the fields selected."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(source)
              if m.lastgroup not in ("space", "comment")]
    wanted = set(variables)
    found: dict[str, list[str]] = {}
    whole: set[str] = set()
    for i, (kind, text) in enumerate(tokens):
        if kind != "ident" or text not in wanted:
            continue
        if i > 0 and tokens[i - 1][1] == ".":
            continue  # a field that happens to share the name (event.context)
        selected = _selected_field(tokens, i)
        if selected is None:
            whole.add(text)
        else:
            found.setdefault(text, []).append(selected)
    return {name: tuple(dict.fromkeys(fields)) for name, fields in found.items()
            if name not in whole}


def _selected_field(tokens: list[tuple[str | None, str]], at: int) -> str | None:
    """``var.field`` not followed by a call: the field; anything else: None."""
    if at + 2 >= len(tokens):
        return None
    dot, field = tokens[at + 1], tokens[at + 2]
    if dot[1] != "." or field[0] != "ident":
        return None
    if at + 3 < len(tokens) and tokens[at + 3][1] == "(":
        return None  # a macro or method on the variable itself: context.all(...)
    return field[1]


def narrowed(variables: Mapping[str, Any], names: Iterable[str], fields: Fields
             ) -> dict[str, Any]:
    """The variables to hand over: those named, each cut down to its fields when it can be."""
    out: dict[str, Any] = {}
    for name in names:
        if name not in variables:
            continue
        value = variables[name]
        keep = fields.get(name)
        if keep is not None and isinstance(value, dict):
            value = {field: value[field] for field in keep if field in value}
        out[name] = value
    return out
