"""A stable key order for the maps CEL expressions return.

cel keeps maps in Rust hash maps, whose order is seeded per process: the same expression gave
``{"b": 1, "a": 2}`` in one run and ``{"a": 2, "b": 1}`` in the next, and so did a map that
only passed through (``context.todos + [...]``). The values were right, but JSON bodies, State
snapshots and anything comparing JSON text changed from run to run. A result map therefore
takes, in this order of preference, the key order of:

1. the map literal in the expression's source that has exactly its keys (``{"id": ..,
   "text": ..}`` comes out as written);
2. a map with exactly its keys among the values the expression was handed (a map passed
   through keeps the order it came in with);
3. otherwise its keys sorted (computed keys), which is at least the same in every run.

Only literals whose keys are all string literals are read (from the source's tokens,
``celtokens``), and each key is decoded by cel itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from sb_emulator.machines.celimport import cel
from sb_emulator.machines.celtokens import tokens

KeyOrders = dict[frozenset[str], tuple[str, ...]]

def literal_key_orders(source: str) -> KeyOrders:
    """Key set -> key order of each map literal (of two keys or more) in ``source``."""
    orders: KeyOrders = {}
    if "{" not in source:
        return orders
    for keys in _map_literals(source):
        if len(keys) > 1:
            orders.setdefault(frozenset(keys), tuple(keys))
    return orders


class _Frame:
    """An open bracket while scanning; for ``{``, the string keys read so far."""

    __slots__ = ("bracket", "keys", "pending", "state")

    def __init__(self, bracket: str) -> None:
        self.bracket = bracket
        self.keys: list[str] | None = [] if bracket == "{" else None
        self.state = "key"  # key -> after-key (a string key read) -> value -> key ...
        self.pending: str | None = None


def _map_literals(source: str) -> Iterator[list[str]]:
    stack: list[_Frame] = []
    for kind, text in tokens(source):
        top = stack[-1] if stack else None
        if kind == "char" and text in "{[(":
            if top is not None:
                _not_a_plain_key(top)
            stack.append(_Frame(text))
            continue
        if kind == "char" and text in "}])":
            if stack:
                closed = stack.pop()
                if closed.bracket == "{" and closed.keys is not None and closed.state != "after-key":
                    yield closed.keys
            continue
        if top is None or top.bracket != "{":
            continue
        _advance(top, kind, text)


def _advance(frame: _Frame, kind: str, text: str) -> None:
    """One token at the level of an open ``{``."""
    if frame.state == "key":
        if kind == "string" and frame.keys is not None:
            frame.pending, frame.state = _decode(text), "after-key"
            if frame.pending is None:
                frame.keys = None
        else:
            _not_a_plain_key(frame)  # a computed key, or a message literal's field name
            if text == ":":
                frame.state = "value"
    elif frame.state == "after-key":
        if text == ":" and frame.keys is not None and frame.pending is not None:
            frame.keys.append(frame.pending)
            frame.state = "value"
        else:
            frame.keys, frame.state = None, "value" if text == ":" else "key-expression"
    elif frame.state == "key-expression":
        if text == ":":
            frame.state = "value"
    elif text == ",":  # in a value: a comma at this level starts the next entry
        frame.state = "key"


def _not_a_plain_key(frame: _Frame) -> None:
    if frame.bracket == "{" and frame.state in ("key", "after-key"):
        frame.keys = None
        frame.state = "key-expression"


def _decode(literal: str) -> str | None:
    try:
        value = cel.compile(literal).execute({})
    except (ValueError, RuntimeError, TypeError):
        return None
    return value if isinstance(value, str) else None


class InputOrders:
    """Key orders of the maps among an expression's inputs, gathered on first need."""

    __slots__ = ("_orders", "_variables")

    def __init__(self, variables: Mapping[str, Any]) -> None:
        self._variables = variables
        self._orders: KeyOrders | None = None

    def get(self, keys: frozenset[str]) -> tuple[str, ...] | None:
        if self._orders is None:
            self._orders = {}
            pending: list[Any] = list(self._variables.values())
            for item in pending:  # grows as it goes: breadth first, so the first map seen wins
                if isinstance(item, dict):
                    if len(item) > 1:
                        self._orders.setdefault(frozenset(map(str, item)),
                                                tuple(map(str, item)))
                    pending.extend(item.values())
                elif isinstance(item, list | tuple):
                    pending.extend(item)
        return self._orders.get(keys)


def ordered(value: dict[str, Any], literals: KeyOrders, inputs: InputOrders | None
            ) -> dict[str, Any]:
    """``value`` with its keys in the stable order described in the module docstring."""
    if len(value) < 2:
        return value
    keys = frozenset(value)
    order = literals.get(keys)
    if order is None and inputs is not None:
        order = inputs.get(keys)
    if order is None:
        order = tuple(sorted(value))
    return {key: value[key] for key in order}
