"""Our OpenAPI spec of the emulated API, compiled once into per-operation validators.

``OpenApiSpec.load()`` reads ``sb-emulator.openapi.yaml`` (shipped in this package; the
repository's ``openapi/`` links to it), inlines every ``$ref``, translates OpenAPI 3.0's
``nullable`` and compiles jsonschema validators for path parameters, query parameters, JSON
bodies and responses. A spec that does not compile stops start-up. No aiohttp here: the web
layer's middleware (``web/validation.py``) calls these validators.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import jsonschema_rs
from ruamel.yaml import YAML

from sb_emulator.errors import InvalidParameter

SPEC_FILE = "sb-emulator.openapi.yaml"
METHODS = ("get", "post", "put", "delete", "patch")


class SpecError(ValueError):
    """The bundled spec is broken (raised at start-up, never per request)."""


@dataclass(frozen=True)
class Parameter:
    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    validator: jsonschema.protocols.Validator = field(compare=False)
    fast: Any = field(default=None, compare=False)  # jsonschema_rs: the per-request check


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    parameters: tuple[Parameter, ...]
    json_body: jsonschema.protocols.Validator | None
    fast_body: Any
    body_required: bool
    responses: Mapping[str, jsonschema.protocols.Validator | None]
    required_scopes: tuple[str, ...]
    success_status: int
    emulator_only: bool
    validates_requests: bool = True

    def validate_request(self, path_params: Mapping[str, str], query: Mapping[str, str],
                         body: Any) -> None:
        """Raise ``InvalidParameter`` naming the first parameter that is wrong."""
        for param in self.parameters:
            source = path_params if param.location == "path" else query
            if param.location not in ("path", "query"):
                continue
            if param.name not in source:
                if param.required:
                    raise InvalidParameter(param.name, f"the {param.location} parameter "
                                                       f"{param.name!r} is required")
                continue
            value = _coerce(source[param.name], param.schema)
            if param.fast.is_valid(value):  # the fast path; explain only failures
                continue
            error = jsonschema.exceptions.best_match(param.validator.iter_errors(value))
            if error is not None:
                raise InvalidParameter(param.name, f"{param.location} parameter {param.name!r}: "
                                                   f"{error.message}")
        if self.json_body is not None and body is not None and not self.fast_body.is_valid(body):
            error = jsonschema.exceptions.best_match(self.json_body.iter_errors(body))
            if error is not None:
                raise InvalidParameter(_body_parameter(error), f"request body: {_where(error)}"
                                                               f"{error.message}")

    def validate_response(self, status: int, body: Any) -> list[str]:
        """Problems with a response: an undocumented status, or a body off its schema."""
        key = str(status)
        if key not in self.responses and "default" not in self.responses:
            return [f"{self.method.upper()} {self.path}: status {status} is not documented"]
        validator = self.responses.get(key, self.responses.get("default"))
        if validator is None or body is None:
            return []
        return [f"{self.method.upper()} {self.path} {status}: {_where(e)}{e.message}"
                for e in validator.iter_errors(body)]


@dataclass(frozen=True)
class Match:
    operation: Operation
    path_params: dict[str, str]


class OpenApiSpec:
    def __init__(self, text: str) -> None:
        self.text = text
        self.document: dict[str, Any] = YAML(typ="safe").load(text)
        self.operations: list[Operation] = []
        self._routes: list[tuple[re.Pattern[str], str, Operation]] = []
        try:
            self._compile()
        except (KeyError, TypeError, jsonschema.exceptions.SchemaError) as err:
            raise SpecError(f"the bundled OpenAPI spec does not compile: {err}") from err

    @classmethod
    @cache
    def load(cls) -> OpenApiSpec:
        return cls(resources.files("sb_emulator.openapi").joinpath(SPEC_FILE).read_text())

    def match(self, method: str, path: str) -> Match | None:
        lowered = method.lower()
        for pattern, route_method, operation in self._routes:
            if route_method == lowered:
                found = pattern.fullmatch(path)
                if found:
                    return Match(operation, found.groupdict())
        return None

    def _compile(self) -> None:
        inlined = _inline(self.document, self.document)
        for path, item in inlined["paths"].items():
            shared = item.get("parameters", [])
            for method in METHODS:
                if method in item:
                    operation = _operation(path, method, item[method], shared)
                    self.operations.append(operation)
                    self._routes.append((_path_regex(path), method, operation))
        # literal segments win over templated ones (/machines/x/v before /machines/x/{id})
        self._routes.sort(key=lambda r: r[0].pattern.count("(?P<"))


def _operation(path: str, method: str, op: dict[str, Any], shared: list[dict[str, Any]]
               ) -> Operation:
    params = {(p["name"], p["in"]): p for p in [*shared, *op.get("parameters", [])]}
    parameters = tuple(
        Parameter(p["name"], p["in"], bool(p.get("required")), _schema(p.get("schema", {})),
                  _validator(p.get("schema", {})), _fast(p.get("schema", {})))
        for p in params.values())
    content = (op.get("requestBody") or {}).get("content") or {}
    json_schema = (content.get("application/json") or {}).get("schema")
    responses = {code: _validator(((r.get("content") or {}).get("application/json") or {})
                                  .get("schema")) for code, r in op["responses"].items()}
    successes = sorted(int(c) for c in op["responses"] if c.isdigit() and c.startswith(("1", "2")))
    return Operation(
        operation_id=op["operationId"], method=method, path=path, parameters=parameters,
        json_body=_validator(json_schema) if json_schema is not None else None,
        fast_body=_fast(json_schema) if json_schema is not None else None,
        body_required=bool((op.get("requestBody") or {}).get("required")),
        responses=responses, required_scopes=tuple(op.get("x-scopes", [])),
        success_status=successes[0] if successes else 200,
        emulator_only=bool(op.get("x-emulator-only")),
        validates_requests=not op.get("x-no-request-validation"),
    )


def _fast(schema: Any) -> Any:
    """The Rust validator (jsonschema-rs) answers valid/invalid per request in well under a
    microsecond; the pure-Python one only runs to explain a failure."""
    return jsonschema_rs.Draft4Validator(_schema(schema))


def _validator(schema: Any) -> jsonschema.protocols.Validator | None:
    if schema is None:
        return None
    translated = _schema(schema)
    jsonschema.Draft4Validator.check_schema(translated)
    return jsonschema.Draft4Validator(translated, format_checker=None)


def _schema(schema: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema draft 4 (``nullable``; drop OpenAPI-only keys)."""
    if isinstance(schema, list):
        return [_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _schema(v) for k, v in schema.items()
           if k not in ("nullable", "example", "examples", "xml", "externalDocs", "deprecated",
                        "readOnly", "writeOnly", "discriminator") and not k.startswith("x-")}
    if schema.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def _inline(node: Any, document: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(n, document) for n in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part]
        return _inline(copy.deepcopy(target), document)
    return {k: _inline(v, document) for k, v in node.items()}


def _path_regex(path: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", path)
    pattern = "".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p) for p in parts)
    return re.compile(pattern)


def _coerce(raw: str, schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "boolean":
        lowered = raw.lower()
        return True if lowered in ("", "true", "1") else False if lowered in ("false", "0") else raw
    if kind in ("integer", "number"):
        try:
            return int(raw) if kind == "integer" else float(raw)
        except ValueError:
            return raw
    return raw


def _where(error: jsonschema.ValidationError) -> str:
    path = ".".join(str(p) for p in error.absolute_path)
    return f"{path}: " if path else ""


def _body_parameter(error: jsonschema.ValidationError) -> str:
    if error.validator == "required" and not error.absolute_path:
        missing = re.search(r"'([^']+)' is a required property", error.message)
        if missing:
            return missing.group(1)
    if error.absolute_path:
        return str(error.absolute_path[0])
    return "body"
