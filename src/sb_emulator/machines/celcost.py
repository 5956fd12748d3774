"""What a CEL evaluation may cost, estimated before it runs.

cel (Rust) holds the GIL for a whole evaluation and offers no cost limit, so a runaway
expression cannot be stopped or moved off the event loop: it has to be refused before it
starts. Only macros (``map``, ``filter``, ``all``...) make an expression's cost grow faster
than the data it is handed, so:

* at compile time, the macros are read from the source's tokens into a tree (a macro inside
  another one's arguments is its child, one chained after another its sibling), and a
  nesting deeper than ``MAX_MACRO_DEPTH`` is refused;
* before each evaluation of an expression that has macros, its cost is estimated from the
  values handed over: with ``n`` the longest list or map among them (or the most elements a
  list literal in the source can have) and ``w`` their total size (every list item, map key
  and scalar), a macro costs ``n * (1 + its children)``, plus ``n * w`` for the macros that
  build a list (``map``, ``filter``...), because cel copies the list built so far, deeply,
  at every step (measured: ``l.map(x, x)`` over 1,000 maps of 20 keys takes 4.4 s, over
  1,000 integers 50 ms). An estimate over ``MAX_CEL_COST`` is refused.

Expressions without macros (most guards) cost nothing here: their cost is linear in what
they are handed, which the request size limits already bound.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from sb_emulator.budget import MAX_MACRO_DEPTH, count
from sb_emulator.machines.celtokens import Token, tokens

# the macros and comprehension functions cel-rust knows; those that build a collection pay
# for copying it at every step
_BUILDING = frozenset({"map", "filter", "transformList", "transformMap", "transformMapEntry",
                       "sortBy"})
_TESTING = frozenset({"all", "exists", "exists_one", "existsOne"})
_OPEN, _CLOSE = frozenset("([{"), frozenset(")]}")


@dataclass(frozen=True, slots=True)
class Macro:
    name: str
    children: tuple[Macro, ...]

    @property
    def builds(self) -> bool:
        return self.name in _BUILDING

    @property
    def depth(self) -> int:
        return 1 + max((c.depth for c in self.children), default=0)


@dataclass(frozen=True, slots=True)
class CostModel:
    """The macros of one expression and the most elements a literal in it can hold."""

    macros: tuple[Macro, ...]
    literal_elements: int

    @property
    def depth(self) -> int:
        return max((m.depth for m in self.macros), default=0)

    def estimate(self, variables: Mapping[str, Any]) -> int:
        longest, total = _sizes(variables.values())
        return self._cost(longest, total)

    def over(self, variables: Mapping[str, Any], limit: int) -> int | None:
        """The estimate when it is over ``limit``, else None. Walking the values costs
        ~0.1 µs per item, so a cheap upper bound is tried first: their JSON text has at least
        one character per item, and the cost only grows with ``n`` and ``w``."""
        try:
            bound = len(orjson.dumps(list(variables.values())))
        except TypeError:  # not JSON (a value from Python code): walk them
            bound = None
        if bound is not None and self._cost(bound, bound) <= limit:
            return None
        estimate = self.estimate(variables)
        return estimate if estimate > limit else None

    def _cost(self, longest: int, total: int) -> int:
        n = max(longest, self.literal_elements, 1)
        w = max(total, self.literal_elements, 1)
        return sum(_cost(m, n, w) for m in self.macros)


def cost_model(source: str) -> CostModel | None:
    """The model of ``source``, or None when it has no macro (nothing to estimate)."""
    found = tokens(source)
    macros = _macros(found, 0, len(found))
    if not macros:
        return None
    commas = sum(1 for _, text in found if text == ",")
    return CostModel(macros, commas + 1)


def depth_problem(model: CostModel | None) -> str | None:
    """Why the expression is refused at compile time, if it is."""
    if model is None or model.depth <= MAX_MACRO_DEPTH:
        return None
    return (f"nests {model.depth} macros (map, filter, all...) in one another, over the limit "
            f"of {MAX_MACRO_DEPTH}")


def over_budget_message(source: str, estimate: int, limit: int) -> str:
    shown = source if len(source) <= 80 else source[:77] + "..."
    return (f"CEL expression {shown!r} would cost about {count(estimate)} steps on these values, "
            f"over the limit of {count(limit)} per evaluation (its macros iterate too much "
            f"data, or are nested too deeply)")


def _macros(found: list[Token], start: int, end: int) -> tuple[Macro, ...]:
    """The macros among ``found[start:end]``: each ``.name(`` with its arguments' macros."""
    out: list[Macro] = []
    i = start
    while i < end:
        kind, text = found[i]
        if kind == "ident" and (text in _BUILDING or text in _TESTING) and i > start \
                and found[i - 1][1] == "." and i + 1 < end and found[i + 1][1] == "(":
            close = _matching(found, i + 1, end)
            out.append(Macro(text, _macros(found, i + 2, close)))
            i = close + 1
            continue
        i += 1
    return tuple(out)


def _matching(found: list[Token], at: int, end: int) -> int:
    """The index of the bracket closing the one at ``at`` (or ``end`` if none)."""
    level = 0
    for i in range(at, end):
        text = found[i][1]
        if found[i][0] != "char":
            continue
        if text in _OPEN:
            level += 1
        elif text in _CLOSE:
            level -= 1
            if level == 0:
                return i
    return end


def _cost(macro: Macro, n: int, w: int) -> int:
    inner = sum(_cost(c, n, w) for c in macro.children)
    return n * (1 + inner) + (n * w if macro.builds else 0)


def _sizes(values: Iterable[Any]) -> tuple[int, int]:
    """(the longest list or map, the number of items, keys and scalars in all) of ``values``."""
    longest = total = 0
    stack = list(values)
    while stack:
        value = stack.pop()
        total += 1
        if isinstance(value, dict):
            longest = max(longest, len(value))
            total += len(value)
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            longest = max(longest, len(value))
            stack.extend(value)
    return longest, total
