"""jsonschema errors -> the ``parameter`` and message of a 400 ``invalid-parameter``.

State Backed names the faulty input in ``parameter``. For a body that is a dotted path into
the JSON (``event``, ``indexSelectors.owner``, ``scopes[1]``), ``body`` for the body as a
whole. A missing member is named itself, not its parent. For ``oneOf``/``anyOf`` failures
the branch whose type fits the value explains the problem; when none fits, the message lists
what would have been accepted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sb_emulator.openapi.schemas import CompiledSchema

if TYPE_CHECKING:
    from jsonschema import ValidationError

_ALTERNATIVES = ("oneOf", "anyOf")
_ARTICLES = {"object": "an object", "array": "an array", "integer": "an integer"}


def first_problem(validator: CompiledSchema, instance: Any) -> ValidationError | None:
    """The most telling error of ``instance`` against ``validator``, or None when valid."""
    if validator.is_valid(instance):  # the fast path: most requests are fine
        return None
    from jsonschema.exceptions import relevance  # imported on the first failure only

    errors = list(validator.iter_errors(instance))
    if not errors:
        return None
    return _focus(max(errors, key=relevance))


def body_parameter(error: ValidationError) -> str:
    """Where in the body the problem is, as State Backed's ``parameter``."""
    parts: list[str | int] = list(error.absolute_path)
    missing = _missing_member(error)
    if missing is not None:
        parts.append(missing)
    return dotted(parts) or "body"


def describe(error: ValidationError) -> str:
    """A sentence about the problem (without saying where it is)."""
    missing = _missing_member(error)
    if missing is not None:
        return "is required"
    if error.validator in _ALTERNATIVES:
        return _alternatives_message(error)
    if error.validator == "enum":
        allowed = ", ".join(repr(v) for v in error.validator_value)
        return f"must be one of {allowed}, not {error.instance!r}"
    if error.validator == "type":
        return f"must be {_kind(error.validator_value)}, not {_json_kind(error.instance)}"
    return str(error.message)


def dotted(parts: Sequence[str | int]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _focus(error: ValidationError) -> ValidationError:
    # Drill into the alternative whose type fits the value: {"event": {}} should say that
    # event.type is required, not that {} is neither an object-with-type nor a string.
    while error.validator in _ALTERNATIVES and error.context:
        fitting = [e for e in error.context if not _branch_type_mismatch(e)]
        if not fitting or _only_required(error.context):
            return error
        from jsonschema.exceptions import best_match

        picked = best_match(fitting)
        if picked is None:
            return error
        error = picked
    return error


def _branch_type_mismatch(error: ValidationError) -> bool:
    return error.validator == "type" and len(error.relative_schema_path) == 2


def _only_required(errors: Iterable[ValidationError]) -> bool:
    return all(e.validator == "required" and not e.relative_path for e in errors)


def _missing_member(error: ValidationError) -> str | None:
    if error.validator != "required" or not isinstance(error.instance, Mapping):
        return None
    for name in error.validator_value:
        if name not in error.instance:
            return str(name)
    return None


def _alternatives_message(error: ValidationError) -> str:
    branches = error.validator_value
    if _only_required(error.context):
        names = [repr(n) for branch in branches for n in branch.get("required", [])]
        return f"needs at least one of {', '.join(names)}"
    options = " or ".join(_describe_schema(branch) for branch in branches)
    return f"must be {options}, not {_json_kind(error.instance)}"


def _describe_schema(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if kind is None:
        return "a value matching one of the alternatives"
    text = _kind(kind)
    required = schema.get("required")
    if kind == "object" and required:
        text += " with " + ", ".join(repr(r) for r in required)
    return text


def _kind(kind: Any) -> str:
    if isinstance(kind, list):
        return " or ".join(_kind(k) for k in kind)
    return _ARTICLES.get(str(kind), f"a {kind}")


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
