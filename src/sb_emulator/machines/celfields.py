"""Which fields of its variables a CEL expression reads, so that only those are handed over.

cel converts every value it is handed into its own types, at about 0.7 µs per string and per
map key: a guard ``context.count > 3`` over a context holding a list of fifty todos paid
~60 µs converting todos it never looks at, on every evaluation. When every use of a variable
in the source is a plain field selection (``context.count``, ``has(context.user.name)``), the
expression is handed a map of just those fields; a missing field stays missing, so ``has()``
and "no such key" errors come out as before. Any other use of the variable (``context`` on
its own, ``context[key]``, a macro such as ``context.all(...)``) hands over all of it.

Read from the source's tokens (``celtokens``): string literals and comments do not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sb_emulator.machines.celtokens import Token, tokens

Fields = dict[str, tuple[str, ...]]  # variable -> the fields read (variables read whole: absent)

def fields_read(source: str, variables: Iterable[str]) -> Fields:
    """For each of ``variables`` used only through field selections: the fields selected."""
    found_tokens = tokens(source)
    wanted = set(variables)
    found: dict[str, list[str]] = {}
    whole: set[str] = set()
    for i, (kind, text) in enumerate(found_tokens):
        if kind != "ident" or text not in wanted:
            continue
        if i > 0 and found_tokens[i - 1][1] == ".":
            continue  # a field that happens to share the name (event.context)
        selected = _selected_field(found_tokens, i)
        if selected is None:
            whole.add(text)
        else:
            found.setdefault(text, []).append(selected)
    return {name: tuple(dict.fromkeys(fields)) for name, fields in found.items()
            if name not in whole}


def _selected_field(tokens: list[Token], at: int) -> str | None:
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
