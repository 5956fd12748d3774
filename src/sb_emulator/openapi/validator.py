"""The spec compiled into one checker per operation.

``OpenApiSpec.load()`` parses the packaged spec and compiles each operation once: its path
and query parameters, its request body and its responses become ready jsonschema validators
(see ``schemas.py``), and its path template joins a route table. Per request, the web layer
calls ``spec.match(method, path)`` and then ``operation.validate_request(...)``, which raises
:class:`~sb_emulator.errors.InvalidParameter` naming the faulty parameter, and in strict mode
``operation.validate_response(...)``, which lists what is wrong with a response.

No aiohttp here: ``sb_emulator.web.validation`` is the middleware around it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from sb_emulator.errors import InvalidParameter
from sb_emulator.openapi.explain import body_parameter, describe, dotted, first_problem
from sb_emulator.openapi.loader import (
    SPEC_FILE,
    SpecError,
    deref,
    iter_operations,
    packaged_document,
    packaged_spec_text,
    parse_document,
)
from sb_emulator.openapi.routing import RouteTable
from sb_emulator.openapi.schemas import CompiledSchema, SchemaCompiler

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
_TRUE = frozenset({"", "true", "1", "yes"})  # "" is the bare key: ?gzip
_FALSE = frozenset({"false", "0", "no"})
_MAX_RESPONSE_PROBLEMS = 10
_LOCATIONS = ("path", "query", "header", "cookie")
_PASSED_LIMIT = 4096  # valid raw values remembered per parameter


class ResponseValidationError(AssertionError):
    """A response that breaks the spec (checked only in strict mode). An AssertionError, so
    the pytest plugin re-raising it inside a test reads as a failed expectation."""

    def __init__(self, operation_id: str, status: int, problems: list[str]) -> None:
        self.operation_id = operation_id
        self.status = status
        self.problems = problems
        super().__init__(f"{operation_id} answered {status} against the spec: "
                         + "; ".join(problems))


@dataclass(frozen=True, eq=False)
class Parameter:
    name: str
    location: str  # "path", "query" or "header"
    required: bool
    kind: str | None  # the schema's type, for coercing query strings
    validator: CompiledSchema = field(repr=False)
    # raw values already found valid: the same slugs come back request after request
    passed: set[str] = field(default_factory=set, repr=False)


@dataclass(frozen=True, eq=False)
class ResponseSpec:
    media_type: str | None  # None: the response has no body
    validator: CompiledSchema | None = field(repr=False)  # None: any body (or no schema)


@dataclass(frozen=True, eq=False)
class Operation:
    operation_id: str
    method: str  # lower case, as in the document
    path: str  # the template, e.g. /machines/{machineSlug}
    parameters: tuple[Parameter, ...] = field(repr=False)
    body_media_type: str | None  # application/json, form, multipart, */* or None
    body_validator: CompiledSchema | None = field(repr=False)
    responses: Mapping[str, ResponseSpec] = field(repr=False)
    success_status: int
    required_scopes: tuple[str, ...]  # any one suffices (x-scopes)
    authenticated: bool
    admin_only: bool
    emulator_only: bool
    validates_requests: bool
    extensions: Mapping[str, Any] = field(default_factory=dict, repr=False)

    def schemas(self) -> Iterator[CompiledSchema]:
        """Every schema validator of the operation."""
        yield from (param.validator for param in self.parameters)
        if self.body_validator is not None:
            yield self.body_validator
        yield from (r.validator for r in self.responses.values() if r.validator is not None)

    @property
    def takes_json_body(self) -> bool:
        return self.body_media_type == JSON

    @property
    def takes_form_body(self) -> bool:
        return self.body_media_type == FORM

    def validate_request(self, path_params: Mapping[str, str], query: Mapping[str, str],
                         body: Any | None) -> None:
        """Raise ``InvalidParameter`` for the first faulty parameter or body member.

        ``body`` is the parsed JSON (or form fields); None counts as an empty body, which a
        JSON operation reads as ``{}``.
        """
        for param in self.parameters:  # headers and cookies are the auth layer's business
            if param.location == "path":
                self._check_parameter(param, path_params)
            elif param.location == "query":
                self._check_parameter(param, query)
        if self.body_validator is not None:
            _check_body(self.body_validator, {} if body is None else body)

    def validate_response(self, status: int, body: Any | None,
                          content_type: str | None = JSON) -> list[str]:
        """What is wrong with a response (empty when nothing): an undocumented status, a
        body where none is documented or the reverse, or a body off its schema."""
        spec = self._response_for(status)
        where = f"{self.method.upper()} {self.path} -> {status}"
        if spec is None:
            documented = ", ".join(sorted(self.responses))
            return [f"{where}: status {status} is not documented (documented: {documented})"]
        if spec.media_type is None:
            return [] if body is None else [f"{where}: documented without a body, got one"]
        if spec.media_type != JSON or spec.validator is None:
            return []
        if content_type is not None and content_type.split(";")[0].strip() != JSON:
            return [f"{where}: content type {content_type!r} instead of {JSON!r}"]
        if body is None:
            return [f"{where}: a JSON body is documented, got none"]
        if spec.validator.is_valid(body):
            return []
        errors = sorted(spec.validator.iter_errors(body), key=lambda e: list(map(str, e.path)))
        return [f"{where}: {dotted(list(e.absolute_path)) or 'body'}: {e.message}"
                for e in errors[:_MAX_RESPONSE_PROBLEMS]]

    def _response_for(self, status: int) -> ResponseSpec | None:
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in self.responses:
                return self.responses[key]
        return None

    def _check_parameter(self, param: Parameter, source: Mapping[str, str]) -> None:
        raw = source.get(param.name)
        if raw is None:
            if param.required:
                raise InvalidParameter(param.name, f"{param.location} parameter "
                                                   f"{param.name!r} is required")
            return
        if raw in param.passed:
            return
        error = first_problem(param.validator, coerce(raw, param.kind))
        if error is not None:
            raise InvalidParameter(param.name, f"{param.location} parameter {param.name!r} "
                                               f"{describe(error)}")
        if len(param.passed) >= _PASSED_LIMIT:
            param.passed.clear()
        param.passed.add(raw)


def _check_body(validator: CompiledSchema, body: Any) -> None:
    try:
        error = first_problem(validator, body)
    except RecursionError:
        # explaining a failure walks the body recursively (and jsonschema before 4.2x writes
        # repr(instance) into its messages): a body nested thousands of levels deep would
        # overflow the stack there, so it is refused as such
        raise InvalidParameter("body", "body is nested too deeply to be checked") from None
    if error is not None:
        parameter = body_parameter(error)
        where = "body" if parameter == "body" else f"body.{parameter}"
        raise InvalidParameter(parameter, f"{where} {describe(error)}")


_INTEGER = re.compile(r"[+-]?\d+")


def coerce(raw: str, kind: str | None) -> Any:
    """A query string value as the schema's type wants it; left as is when it does not
    convert, so the schema check reports it."""
    if kind == "boolean":
        lowered = raw.lower()
        return True if lowered in _TRUE else False if lowered in _FALSE else raw
    if kind in ("integer", "number"):
        if _INTEGER.fullmatch(raw.strip()):
            return int(raw)
        if kind == "number":
            try:
                value = float(raw)
            except ValueError:
                return raw
            return value if math.isfinite(value) else raw
    return raw


class Match(NamedTuple):
    operation: Operation
    path_params: dict[str, str]


class OpenApiSpec:
    """The whole spec, parsed and compiled; build it once (``load()`` caches).

    ``lazy=False`` (the default) compiles every operation and builds every schema validator
    now, so that a bad spec fails here. ``lazy=True`` compiles an operation when a request
    first needs it, and each validator on first use (see ``schemas.py``): that is how the
    packaged spec, which the tests compile eagerly, is served. A test session touches a
    handful of the operations, and compiling all of them was a tenth of start-up.
    """

    def __init__(self, text: str, source: str = SPEC_FILE, *, lazy: bool = False,
                 document: dict[str, Any] | None = None) -> None:
        self.text = text
        self.source = source
        self.document: dict[str, Any] = (
            document if document is not None else parse_document(text, source)
        )
        self._compiler: SchemaCompiler | None = None
        self._documented: dict[tuple[str, str], Mapping[str, Any]] = {
            (method, path): op for path, method, op in iter_operations(self.document)
        }
        self._compiled: dict[tuple[str, str], Operation] = {}
        self._id_to_route = {op["operationId"]: route for route, op in self._documented.items()}
        self._routes = RouteTable((method, path, (method, path))
                                  for method, path in self._documented)
        if not lazy:
            for operation in self.operations:
                for schema in operation.schemas():
                    schema.compile()

    @classmethod
    @cache
    def load(cls) -> OpenApiSpec:
        """The spec shipped with sb-emulator (parsed once per process, from a cache of the
        parsed document when there is one; operations and validators built on first use)."""
        return cls(packaged_spec_text(), lazy=True, document=packaged_document())

    @classmethod
    def from_path(cls, path: str | Path) -> OpenApiSpec:
        return cls(Path(path).read_text("utf-8"), source=str(path))

    @property
    def operations(self) -> tuple[Operation, ...]:
        """Every operation, in document order (compiling those not compiled yet)."""
        return tuple(self._operation_at(route) for route in self._documented)

    def match(self, method: str, path: str) -> Match | None:
        """The operation serving ``method path`` and its decoded path parameters."""
        found = self._routes.match(method, path)
        return None if found is None else Match(self._operation_at(found[0]), found[1])

    def operation(self, operation_id: str) -> Operation:
        return self._operation_at(self._id_to_route[operation_id])

    def operation_for(self, method: str, path_template: str) -> Operation | None:
        """The operation documented under exactly this method (any case) and path template."""
        route = (method.lower(), path_template)
        operation = self._compiled.get(route)  # the per-request path: one look-up
        if operation is not None or route not in self._documented:
            return operation
        return self._operation_at(route)

    def _operation_at(self, route: tuple[str, str]) -> Operation:
        operation = self._compiled.get(route)
        if operation is None:
            if self._compiler is None:
                self._compiler = SchemaCompiler(self.document)
            method, path = route
            operation = _compile_operation(self.document, self._compiler, path, method,
                                           self._documented[route])
            self._compiled[route] = operation
        return operation


def _compile_operation(document: Mapping[str, Any], compiler: SchemaCompiler, path: str,
                       method: str, op: Mapping[str, Any]) -> Operation:
    where = f"{method.upper()} {path}"
    item = document["paths"][path]
    body = deref(document, op.get("requestBody")) or {}
    media_type, body_validator = _body(compiler, body.get("content") or {}, where)
    responses = {
        str(code): _response(compiler, deref(document, response), f"{where} -> {code}")
        for code, response in op["responses"].items()
    }
    security = op.get("security", document.get("security", []))
    return Operation(
        operation_id=op["operationId"], method=method, path=path,
        parameters=_parameters(document, compiler, item, op, where),
        body_media_type=media_type, body_validator=body_validator, responses=responses,
        success_status=_success_status(responses, where),
        required_scopes=tuple(op.get("x-scopes", ())),
        authenticated=bool(security), admin_only=bool(op.get("x-admin-only")),
        emulator_only=bool(op.get("x-emulator-only")),
        validates_requests=not op.get("x-no-request-validation"),
        extensions={k: v for k, v in op.items() if k.startswith("x-")},
    )


def _parameters(document: Mapping[str, Any], compiler: SchemaCompiler,
                item: Mapping[str, Any], op: Mapping[str, Any], where: str
                ) -> tuple[Parameter, ...]:
    merged: dict[tuple[str, str], Mapping[str, Any]] = {}
    for raw in [*item.get("parameters", []), *op.get("parameters", [])]:
        param = deref(document, raw)
        if not isinstance(param.get("name"), str) or param.get("in") not in _LOCATIONS:
            raise SpecError(f"{where}: a parameter needs a name and a location, got {param!r}")
        merged[(param["name"], param["in"])] = param  # operation level overrides path level
    out = []
    for (name, location), param in merged.items():
        schema = param.get("schema") or {}
        translated = compiler.translate(schema, f"{where} parameter {name}")
        kind = translated.get("type") if isinstance(translated.get("type"), str) else None
        out.append(Parameter(name, location, bool(param.get("required")), kind,
                             compiler.validator(schema, f"{where} parameter {name}")))
    return tuple(out)


def _body(compiler: SchemaCompiler, content: Mapping[str, Any], where: str
          ) -> tuple[str | None, CompiledSchema | None]:
    if not content:
        return None, None
    media_type = JSON if JSON in content else next(iter(content))
    schema = (content[media_type] or {}).get("schema")
    if media_type not in (JSON, FORM) or schema is None:
        return media_type, None  # multipart and free-form bodies are the handler's business
    return media_type, compiler.validator(schema, f"{where} request body")


def _response(compiler: SchemaCompiler, response: Mapping[str, Any], where: str
              ) -> ResponseSpec:
    content = response.get("content") or {}
    if not content:
        return ResponseSpec(None, None)
    media_type = JSON if JSON in content else next(iter(content))
    schema = (content[media_type] or {}).get("schema")
    if media_type != JSON or schema is None:
        return ResponseSpec(media_type, None)
    return ResponseSpec(media_type, compiler.validator(schema, where))


def _success_status(responses: Mapping[str, ResponseSpec], where: str) -> int:
    codes = sorted(int(c) for c in responses if c.isdigit() and c[0] in "12")
    if codes:
        return codes[0]
    if "default" in responses:
        return 200
    raise SpecError(f"{where}: no success response is documented")
