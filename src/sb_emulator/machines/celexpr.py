"""CEL expressions for YAML machines, behind one small module so the library can be swapped.

Library choice: ``common-expression-language`` (module ``cel``, Rust bindings of cel-rust)
over ``cel-python`` (module ``celpy``, pure Python). Measured on this machine for a typical
guard (``context.count > 0 && event.type == "go" && size(context.items) == 2``):

* speed: compile+eval 48 µs against 1,040 µs; eval of a compiled program 18 µs against
  415 µs (celpy must also wrap every input in its own types with ``json_to_cel``);
* conformance, on the cases YAML machines lean on (maps, lists, ``has()``, string functions,
  macros, int/double): both agree on maps, lists, ``has()``, ``startsWith``/``contains``,
  ``map``/``filter``/``exists``, integer division. They differ on numbers, and ``cel`` is the
  one that follows the CEL spec: ``1 == 1.0`` is true (heterogeneous numeric equality, where
  celpy raises "no matching overload") and ``49.99 * 2`` is an error in both spec and ``cel``
  while celpy silently coerces it. ``cel`` returns plain Python values (dict, list, int,
  float, str, bool, None), celpy its own wrapper types;
* ``cel`` reports parse errors with line and column, and lists the variables an expression
  references, which lets us reject unknown names at load time.

tests/machines/test_cel.py pins the behaviour we rely on, so a swap is checked.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sb_emulator.budget import MAX_CEL_COST, MAX_EXPRESSION_CHARS, BudgetExceeded, count
from sb_emulator.engine.errors import did_you_mean
from sb_emulator.machines.celcost import CostModel, cost_model, depth_problem, over_budget_message
from sb_emulator.machines.celfields import fields_read, narrowed
from sb_emulator.machines.celfunctions import unknown_function_message, unknown_functions
from sb_emulator.machines.celimport import cel
from sb_emulator.machines.celorder import InputOrders, KeyOrders, literal_key_orders, ordered


class CelError(ValueError):
    """An expression that does not compile, or uses a name it may not."""


class CelEvalError(RuntimeError):
    """An expression failed while evaluating (missing key, type mismatch...)."""


_NOT_CONSTANT = object()
# what cel raises for an expression that fails while evaluating
_EVAL_ERRORS = (KeyError, RuntimeError, ValueError, TypeError, ArithmeticError)
_SCALARS = (bool, int, float, str, type(None))


class CelExpr:
    """A compiled CEL expression: compile once at load time, evaluate many times.

    Handing a value to cel converts it to Rust values, which costs as much as running the
    program for a sizeable context: so only the variables the expression names are handed
    over, cut down to the fields it selects when it only selects fields (``celfields``), and
    an expression naming none whose value is a scalar (an authorizer's ``true``) is
    evaluated once, here.
    """

    __slots__ = ("_constant", "_fields", "_names", "cost", "key_orders", "program", "source")

    def __init__(self, source: str, allowed: Iterable[str]) -> None:
        self.source = source
        if len(source) > MAX_EXPRESSION_CHARS:
            raise CelError(f"CEL expression {_shortened(source)} is {count(len(source))} "
                           f"characters long, over the limit of {count(MAX_EXPRESSION_CHARS)}")
        try:
            self.program = cel.compile(source)
        except ValueError as err:
            raise CelError(describe_syntax_error(source, str(err))) from err
        self.cost = cost_model(source)  # see celcost: None when there is nothing to estimate
        too_deep = depth_problem(self.cost)
        if too_deep is not None:
            raise CelError(f"CEL expression {_shortened(source)} {too_deep}")
        used = self.program.variables()
        _check_variables(source, used, set(allowed))
        unknown = unknown_functions(self.program.functions())  # cel fails them only at run time
        if unknown:
            raise CelError(unknown_function_message(quote(source), unknown))
        self._names = tuple(sorted(set(used)))
        self._fields = fields_read(source, self._names)  # see celfields: less to convert
        self.key_orders = literal_key_orders(source)  # see celorder: cel's maps have none
        self._constant: Any = _NOT_CONSTANT
        if not used:
            try:
                value = self._run({})
            except (CelEvalError, BudgetExceeded):  # fails every time: report it where used
                value = _NOT_CONSTANT
            if isinstance(value, _SCALARS):
                self._constant = value

    @property
    def is_constant(self) -> bool:
        """True when the expression names no variable and its value, a scalar, is known."""
        return self._constant is not _NOT_CONSTANT

    @property
    def names(self) -> tuple[str, ...]:
        """The variables the expression names (those it is handed)."""
        return self._names

    def free_variables(self) -> set[str]:
        return set(self.program.variables()) - _bound_names(self.source)

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        if self._constant is not _NOT_CONSTANT:
            return self._constant
        return self._run(narrowed(variables, self._names, self._fields))

    def _run(self, variables: dict[str, Any]) -> Any:
        if self.cost is not None:
            check_cost(self.source, self.cost, variables)
        try:
            return to_plain(self.program.execute(variables), self.key_orders, variables)
        except _EVAL_ERRORS as err:
            raise CelEvalError(f"CEL expression {quote(self.source)} failed: "
                               f"{_eval_reason(err)}") from err

    def __repr__(self) -> str:
        return f"CelExpr({self.source!r})"


class CelGroup:
    """Several compiled expressions evaluated with one call into cel, as one list literal.

    Each call into cel costs ~5 µs however small the expression, plus converting the
    variables it is handed: a YAML ``assign`` of n keys would pay that n times per event,
    though XState v4 computes every key of an assign object from the same context and event.
    On an evaluation error the members are evaluated one by one, in order, so the error
    names the expression (and so the key) that failed, exactly as separate calls would.
    """

    __slots__ = ("_cost", "_fields", "_names", "members", "program")

    def __init__(self, members: Sequence[CelExpr]) -> None:
        self.members = tuple(members)
        # each member on lines of its own: a trailing ``// comment`` then ends at its newline
        source = "[" + ",".join(f"(\n{m.source}\n)" for m in self.members) + "]"
        try:
            self.program = cel.compile(source)
        except ValueError as err:  # each member compiled alone, so this should not happen
            raise CelError(describe_syntax_error(source, str(err))) from err
        self._names = tuple(sorted({name for m in self.members for name in m.names}))
        self._fields = fields_read(source, self._names)
        self._cost = cost_model(source)

    def evaluate(self, variables: Mapping[str, Any]) -> list[Any]:
        handed = narrowed(variables, self._names, self._fields)
        if self._cost is not None:
            try:
                check_cost(self.program.source, self._cost, handed)
            except BudgetExceeded:  # name the member that is over, as separate calls would
                return [m.evaluate(variables) for m in self.members]
        try:
            values = self.program.execute(handed)
        except _EVAL_ERRORS:
            return [m.evaluate(variables) for m in self.members]
        return [to_plain(v, m.key_orders, handed) for m, v in zip(self.members, values, strict=True)]


def check_cost(source: str, model: CostModel, variables: Mapping[str, Any]) -> None:
    """Refuse an evaluation estimated over ``MAX_CEL_COST`` (see celcost)."""
    estimate = model.over(variables, MAX_CEL_COST)
    if estimate is not None:
        raise BudgetExceeded(over_budget_message(source, estimate, MAX_CEL_COST))


def _shortened(source: str) -> str:
    return quote(source if len(source) <= 60 else source[:57] + "...")


def quote(text: str) -> str:
    """Double quotes unless the text holds some (CEL map literals usually do)."""
    return f'"{text}"' if '"' not in text else f"'{text}'"


# Variables bound by macros (``items.map(i, ...)``, ``m.all(k, v, ...)``) are not free
# variables, though cel lists them among ``variables()``.
_MACRO_BINDING = re.compile(
    r"\.\s*(?:all|exists|exists_one|existsOne|map|filter|transformList|transformMap"
    r"|transformMapEntry|sortBy)\s*\(\s*([A-Za-z_]\w*)\s*,(?:\s*([A-Za-z_]\w*)\s*,)?")
_STRING_LITERAL = re.compile(r"'''.*?'''|\"\"\".*?\"\"\"|'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"",
                             re.S)


def _bound_names(source: str) -> set[str]:
    code = _STRING_LITERAL.sub('""', source)
    return {name for match in _MACRO_BINDING.finditer(code) for name in match.groups() if name}


def _check_variables(source: str, used: Iterable[str], allowed: set[str]) -> None:
    unknown = sorted(set(used) - allowed - _bound_names(source))
    if not unknown:
        return
    hint = did_you_mean(unknown[0], allowed)
    raise CelError(f"CEL expression {quote(source)} uses unknown variable "
                   f"{', '.join(quote(u) for u in unknown)}; expected only "
                   f"{', '.join(sorted(allowed))}" + (f" ({hint})" if hint else ""))


_SYNTAX = re.compile(r"<input>:(\d+):(\d+): Syntax error: (.*)")
_REWRITES = (
    (re.compile(r"^(?:mismatched|extraneous) input '<EOF>'"), "unexpected end of expression"),
    (re.compile(r"^(?:mismatched|extraneous) input '(.*?)'"), r'unexpected "\1"'),
    (re.compile(r"^token recognition error at: '(.*)'"), r'cannot read "\1" (an unclosed string?)'),
)


def describe_syntax_error(source: str, library_message: str) -> str:
    """cel's ANTLR message (with its 15-token "expecting {...}" set) made short and actionable."""
    found = _SYNTAX.search(library_message)
    if found is None:
        return f"invalid CEL expression {quote(source)}: {library_message.splitlines()[0]}"
    line, column, detail = int(found[1]), found[2], found[3]
    detail, _, expecting = detail.partition(" expecting ")
    for pattern, replacement in _REWRITES:
        detail = pattern.sub(replacement, detail)
    where = f"line {line} column {column}" if line > 1 else f"column {column}"
    return (f"invalid CEL expression {quote(source)}: {detail} at {where}"
            f"; expected {_expected_tokens(expecting)}")


_TOKEN = re.compile(r"'([^']+)'|([A-Z_]+)")


def _expected_tokens(expecting: str) -> str:
    if not expecting or "IDENTIFIER" in expecting:
        return "a value, a variable or an operator to continue the expression"
    tokens = [quoted or bare for quoted, bare in _TOKEN.findall(expecting)]
    return " or ".join(f'"{t}"' if len(t) == 1 else t for t in tokens) or "valid CEL"


def _eval_reason(err: Exception) -> str:
    if isinstance(err, KeyError):
        return f"no key {quote(str(err.args[0]) if err.args else '?')} in the map"
    return str(err).split(". ", 1)[0]


def to_plain(value: Any, key_orders: KeyOrders | None = None,
             variables: Mapping[str, Any] | None = None) -> Any:
    """CEL results as JSON-ready Python values: int stays int and double stays float; the
    types JSON lacks become strings (timestamps RFC 3339, durations "90s", bytes base64).
    Maps get a stable key order (``celorder``): that of the literal in the expression with
    the same keys (``key_orders``), else of such a map among ``variables``, else sorted."""
    if type(value) in _PLAIN:
        return value
    inputs = InputOrders(variables) if variables is not None else None
    return _plain(value, key_orders or {}, inputs)


# Exact types, looked up in a set: this runs for every value of every result (per event).
_PLAIN = frozenset({bool, int, float, str, type(None)})


def _plain(value: Any, key_orders: KeyOrders, inputs: InputOrders | None) -> Any:
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is dict:
        out = {k if type(k) is str else str(k):
               v if type(v) in _PLAIN else _plain(v, key_orders, inputs)
               for k, v in value.items()}
        return out if len(out) < 2 else ordered(out, key_orders, inputs)
    if kind is list or kind is tuple:
        return [v if type(v) in _PLAIN else _plain(v, key_orders, inputs) for v in value]
    if isinstance(value, _SCALARS):  # subclasses of the plain types
        return value
    if isinstance(value, dict):
        return _plain(dict(value), key_orders, inputs)
    if isinstance(value, (list, tuple)):
        return _plain(list(value), key_orders, inputs)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        return f"{int(seconds) if seconds.is_integer() else seconds}s"
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def compile_value(value: Any, allowed: Iterable[str]) -> Any:
    """A YAML value that is an expression when it is a string, a literal otherwise."""
    return CelExpr(value, allowed) if isinstance(value, str) else value


def evaluate_value(value: Any, variables: Mapping[str, Any]) -> Any:
    return value.evaluate(variables) if isinstance(value, CelExpr) else value
