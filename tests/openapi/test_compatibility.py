"""Compatibility with the upstream State Backed spec (kept beside the repository).

Every operation (path + method) of the upstream document exists in ours with the same
success code, and every property the upstream marks required in a success body is in ours,
also required, with the same type, recursively through objects and arrays. Skipped when the
upstream file is not there.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sb_emulator.openapi import OpenApiSpec
from tests.openapi.conftest import UPSTREAM, read_upstream, resolve_ref

METHODS = ("get", "put", "post", "delete", "patch")


def _upstream() -> dict[str, Any]:
    document = read_upstream()
    if document is None:
        pytest.skip(f"the upstream spec is not at {UPSTREAM}: nothing to compare with")
    return document


def _upstream_operations() -> list[tuple[str, str]]:
    document = read_upstream()
    if document is None:
        return []
    return [(method, path) for path, item in document["paths"].items()
            for method in METHODS if method in item]


def _success(op: dict[str, Any], document: dict[str, Any]) -> tuple[str, Any]:
    """The first 1xx/2xx status of an operation and its JSON schema (None: no body)."""
    for code in sorted(str(c) for c in op.get("responses", {})):
        if code[0] in "12":
            response = resolve_ref(op["responses"][code], document)
            content = response.get("content") or {}
            schema = (content.get("application/json") or {}).get("schema")
            return code, resolve_ref(schema, document)
    return "", None


def _type(schema: Any) -> Any:
    return schema.get("type") if isinstance(schema, dict) else None


def _differences(theirs: Any, ours: Any, upstream: dict[str, Any], mine: dict[str, Any],
                 where: str) -> Iterator[str]:
    theirs, ours = resolve_ref(theirs, upstream), resolve_ref(ours, mine)
    if not isinstance(theirs, dict):
        return
    if not isinstance(ours, dict):
        yield f"{where}: we document no schema"
        return
    if _type(theirs) and _type(ours) != _type(theirs):
        yield f"{where}: type {_type(ours)!r}, upstream {_type(theirs)!r}"
    their_props = theirs.get("properties") or {}
    our_props = ours.get("properties") or {}
    for name in theirs.get("required", []):
        if name not in our_props:
            yield f"{where}.{name}: required upstream, absent from ours"
            continue
        if name not in ours.get("required", []):
            yield f"{where}.{name}: required upstream, optional in ours"
        if name in their_props:  # upstream sometimes requires a member it never declares
            yield from _differences(their_props[name], our_props[name], upstream, mine,
                                    f"{where}.{name}")
    if _type(theirs) == "array":
        yield from _differences(theirs.get("items"), ours.get("items"), upstream, mine,
                                f"{where}[]")


@pytest.mark.parametrize(("method", "path"), _upstream_operations() or [("get", "/machines")])
def test_upstream_operation_is_ours_with_a_compatible_answer(
    spec: OpenApiSpec, method: str, path: str
) -> None:
    upstream = _upstream()
    theirs = upstream["paths"][path][method]
    ours = spec.document["paths"].get(path, {}).get(method)
    assert ours is not None, f"{method.upper()} {path} is missing from our spec"
    their_code, their_body = _success(theirs, upstream)
    our_code, our_body = _success(ours, spec.document)
    if their_code:  # upstream documents no response at all for the /rt upgrade
        assert our_code == their_code
    assert (our_body is None) == (their_body is None)
    assert list(_differences(their_body, our_body, upstream, spec.document, "body")) == []


def test_upstream_parameters_are_ours(spec: OpenApiSpec) -> None:
    upstream = _upstream()
    missing = []
    for method, path in _upstream_operations():
        item = upstream["paths"][path]
        theirs = {(p["name"], p["in"]) for p in
                  (resolve_ref(p, upstream) for p in [*item.get("parameters", []),
                                                   *item[method].get("parameters", [])])}
        match = spec.match(method, path)
        assert match is not None, path
        ours = {(p.name, p.location) for p in match.operation.parameters}
        missing += [f"{method.upper()} {path}: {name} ({where})" for name, where in theirs - ours]
    assert missing == []


def test_the_comparison_notices_a_difference(spec: OpenApiSpec) -> None:
    # The check above must be able to fail: a required member missing, or retyped.
    upstream = _upstream()
    their_state = upstream["components"]["schemas"]["State"]
    ours = {"type": "object", "required": ["state"], "properties": {"state": {}, "ts": {"type": "string"}}}
    found = list(_differences(their_state, ours, upstream, spec.document, "State"))
    assert "State.tags: required upstream, absent from ours" in found
    assert "State.ts: required upstream, optional in ours" in found
    assert "State.ts: type 'string', upstream 'number'" in found
