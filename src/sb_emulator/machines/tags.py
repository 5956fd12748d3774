"""``!cel`` values inside the verbatim XState config.

``machine:`` is XState's config as data, so its values are literals, exactly as XState treats
them. Where XState also accepts a function of ``(context, event)`` (a final state's ``data``,
an invoke's ``data``, the values of an inline ``xstate.assign``, the ``event`` of
``xstate.send`` / ``xstate.raise`` and of the ``send`` / ``raise`` action specs), YAML marks an
expression with the ``!cel`` tag::

    fulfilled:
      type: final
      data: !cel '{"orderId": context.orderId, "total": context.total}'

The tag keeps expressions visibly apart from literal strings, and ruamel.yaml keeps tags in
round-trip mode, so no string is ever guessed to be code.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sb_emulator.machines.celexpr import CelError, CelExpr

CEL_TAG = "!cel"
TAG_VARS = ("context", "event")
# Only these top-level sections are data XState reads: elsewhere expressions are CEL already.
TAGGABLE_SECTIONS = ("machine", "actions")

Problem = tuple[str, str]


def untag(document: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """The parsed document as plain JSON-like values, ``!cel`` scalars made into callables."""
    return {str(k): _plain(v, str(k), problems, str(k) in TAGGABLE_SECTIONS)
            for k, v in document.items()}


def _plain(node: Any, path: str, problems: list[Problem], taggable: bool) -> Any:
    if _is_explicit_str(node):
        return str(node.value)
    tag = _tag(node)
    if tag is not None:
        return _tagged(node, tag, path, problems, taggable)
    if isinstance(node, dict):
        return {str(k): _plain(v, f"{path}.{k}", problems, taggable) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v, f"{path}[{i}]", problems, taggable) for i, v in enumerate(node)]
    return plain_scalar(node)


def plain_scalar(node: Any) -> Any:
    """ruamel's scalar subclasses (ScalarFloat, ScalarInt...) as the plain built-in types."""
    for kind in (bool, int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


_STR_TAG = "tag:yaml.org,2002:str"


def _is_explicit_str(node: Any) -> bool:
    """``!!str 3``: ruamel keeps it as a TaggedScalar (other core tags become values)."""
    tag = getattr(node, "tag", None)
    return getattr(tag, "value", tag) == _STR_TAG and isinstance(getattr(node, "value", None), str)


def _tag(node: Any) -> str | None:
    tag = getattr(node, "tag", None)
    value = getattr(tag, "value", tag)
    return value if isinstance(value, str) and value.startswith("!") else None


def _tagged(node: Any, tag: str, path: str, problems: list[Problem], taggable: bool) -> Any:
    if tag != CEL_TAG:
        problems.append((path, f"unknown tag {tag}; expected {CEL_TAG} or no tag"))
        return unusable_value
    if not taggable:
        problems.append((path, f"{CEL_TAG} is not needed here; expected a plain string (this "
                               f"value is a CEL expression already)"))
        return unusable_value
    if isinstance(node, (dict, list)):  # ruamel's tagged CommentedMap / CommentedSeq
        problems.append((path, f"{CEL_TAG} tags a mapping or list; expected a CEL expression "
                               f"string such as !cel '{{\"total\": context.total}}'"))
        return unusable_value
    try:
        return cel_function(CelExpr(str(node.value), TAG_VARS))
    except CelError as err:
        problems.append((path, str(err)))
        return unusable_value


def unusable_value(context: Any, event: Any, *_meta: Any) -> None:
    """Stands where a tag was wrong (reported already), so the rest can still be checked:
    XState accepts a function wherever ``!cel`` may stand. Never runs: the file is refused."""
    return None


def cel_function(expr: CelExpr) -> Callable[..., Any]:
    """A callable XState can call as ``(context, event)`` or ``(context, event, meta)``."""
    def evaluate(context: Any, event: Any, *_meta: Any) -> Any:
        return expr.evaluate({"context": context, "event": event})

    evaluate.__qualname__ = f"cel({expr.source})"
    return evaluate
