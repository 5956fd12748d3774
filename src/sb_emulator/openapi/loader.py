"""Reading the spec: YAML text -> a checked OpenAPI 3.0 document.

Two stages, each failing with a :class:`SpecError` that says where the problem is: parse the
YAML, then check the structure the compiler relies on (version, unique operationIds, path
templates whose parameters are declared, responses, resolvable ``$ref``\\ s). The schemas
themselves are checked when they are compiled (``schemas.py``).
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import orjson

SPEC_FILE = "sb-emulator.openapi.yaml"
PREBUILT_FILE = "sb-emulator.openapi.json"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_SEGMENT = re.compile(r"\{([^{}/]+)\}")
_log = logging.getLogger(__name__)


class SpecError(ValueError):
    """The OpenAPI document is unusable; raised at load time, never while serving."""


@cache
def packaged_spec_text() -> str:
    """The text of the spec shipped inside this package (read once per process)."""
    return packaged_spec_path().read_text("utf-8")


@cache
def packaged_spec_path() -> Path:
    """Where the packaged spec lives on disk (for tools that want a file name).

    Beside this module, as package data always is in an installed package; found without
    ``importlib.resources``, whose import alone took 1.5 ms of every start-up.
    """
    return Path(__file__).with_name(SPEC_FILE)


def packaged_document() -> dict[str, Any]:
    """The packaged spec, parsed and checked.

    Parsing the YAML costs about 35 ms on every start-up (so on every test session), so the
    package ships the checked document pre-built as JSON beside the YAML
    (``sb-emulator.openapi.json``, made by ``python -m sb_emulator.openapi.prebuild``), which
    reads in well under a millisecond. It is trusted only when it was built from this very
    text (its ``sourceSha256``); a missing, damaged or stale one means parsing the YAML.
    Nothing is ever written into the package.
    """
    text = packaged_spec_text()
    prebuilt = read_prebuilt(packaged_spec_path().with_name(PREBUILT_FILE), spec_digest(text))
    return prebuilt if prebuilt is not None else parse_document(text)


def spec_digest(text: str) -> str:
    """What a pre-built document records about the YAML it was built from."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_prebuilt(path: Path, digest: str) -> dict[str, Any] | None:
    """The document pre-built from the YAML whose :func:`spec_digest` is ``digest``, or None."""
    try:
        prebuilt = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as err:
        _log.warning("%s is unreadable (%s): parsing the YAML spec instead", path, err)
        return None
    document = prebuilt.get("document") if isinstance(prebuilt, dict) else None
    if not isinstance(document, dict) or prebuilt.get("sourceSha256") != digest:
        _log.warning("%s was not built from this %s: parsing the YAML instead "
                     "(python -m sb_emulator.openapi.prebuild rebuilds it)", path, SPEC_FILE)
        return None
    return document


def parse_document(text: str, source: str = SPEC_FILE) -> dict[str, Any]:
    """Parse and structurally check an OpenAPI 3.0 document."""
    from ruamel.yaml import YAML  # not when the pre-built document is used (packaged_document)
    from ruamel.yaml.error import YAMLError

    try:
        # the C loader (ruamel.yaml.clib) parses the spec 4-5x faster: it is on the start-up
        # path of every test session
        document = YAML(typ="safe", pure=False).load(text)
    except YAMLError as err:
        raise SpecError(f"{source}: not valid YAML: {err}") from err
    if not isinstance(document, dict):
        raise SpecError(f"{source}: the document must be a mapping")
    problems = list(_structure_problems(document))
    if problems:
        raise SpecError(f"{source}: " + "; ".join(problems))
    return document


def resolve_pointer(document: Mapping[str, Any], ref: str) -> Any:
    """The node a local ``#/a/b`` reference points at (JSON Pointer escapes honoured)."""
    if not ref.startswith("#/"):
        raise SpecError(f"only local references are supported, not {ref!r}")
    node: Any = document
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, Mapping) or part not in node:
            raise SpecError(f"$ref {ref!r} points at nothing")
        node = node[part]
    return node


def deref(document: Mapping[str, Any], node: Any) -> Any:
    """Follow ``$ref`` until a real object (parameters, responses, request bodies)."""
    seen: set[str] = set()
    while isinstance(node, Mapping) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            raise SpecError(f"$ref cycle through {ref!r}")
        seen.add(ref)
        node = resolve_pointer(document, ref)
    return node


def iter_operations(document: Mapping[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """``(path, method, operation)`` for every operation, in document order."""
    for path, item in (document.get("paths") or {}).items():
        for method in HTTP_METHODS:
            if isinstance(item, Mapping) and method in item:
                yield path, method, item[method]


def template_names(path: str) -> list[str]:
    return _TEMPLATE_SEGMENT.findall(path)


def _structure_problems(document: Mapping[str, Any]) -> Iterator[str]:
    version = str(document.get("openapi", ""))
    if not version.startswith("3.0."):
        yield f"openapi must be a 3.0.x version, got {version!r}"
    paths = document.get("paths")
    if not isinstance(paths, Mapping) or not paths:
        yield "paths must be a non-empty mapping"
        return
    yield from _reference_problems(document, document, "#")
    seen_ids: dict[str, str] = {}
    for path, method, operation in iter_operations(document):
        where = f"{method.upper()} {path}"
        op_id = operation.get("operationId")
        if not isinstance(op_id, str) or not op_id:
            yield f"{where}: operationId is missing"
        elif op_id in seen_ids:
            yield f"{where}: operationId {op_id!r} is also used by {seen_ids[op_id]}"
        else:
            seen_ids[op_id] = where
        if not isinstance(operation.get("responses"), Mapping) or not operation["responses"]:
            yield f"{where}: responses are missing"
        yield from _path_parameter_problems(document, path, method, where)


def _path_parameter_problems(document: Mapping[str, Any], path: str, method: str,
                             where: str) -> Iterator[str]:
    if not path.startswith("/"):
        yield f"{where}: paths must start with '/'"
    for segment in path.split("/")[1:]:
        if ("{" in segment or "}" in segment) and not _TEMPLATE_SEGMENT.fullmatch(segment):
            yield f"{where}: segment {segment!r} mixes text and a template"
    item = document["paths"][path]
    try:
        declared = {
            p.get("name") for p in (deref(document, p) for p in
                                    [*item.get("parameters", []),
                                     *item[method].get("parameters", [])])
            if p.get("in") == "path"
        }
    except SpecError:
        return  # reported by the reference check
    wanted = set(template_names(path))
    for name in sorted(wanted - declared):
        yield f"{where}: path parameter {name!r} is not declared"
    for name in sorted(declared - wanted):
        yield f"{where}: path parameter {name!r} is not in the path"


def _reference_problems(document: Mapping[str, Any], node: Any, where: str) -> Iterator[str]:
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        if isinstance(ref, str):
            try:
                resolve_pointer(document, ref)
            except SpecError as err:
                yield f"{where}: {err}"
        for key, value in node.items():
            yield from _reference_problems(document, value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _reference_problems(document, value, f"{where}/{index}")
