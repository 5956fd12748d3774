"""OpenAPI 3.0 Schema Objects turned into ready-to-run jsonschema validators.

OpenAPI 3.0 schemas are JSON Schema draft 4 plus a few words of their own. This module
translates them once, at load time:

* ``nullable: true`` becomes a ``"null"`` type (or an ``anyOf`` with ``{"type": "null"}``
  when the schema has no ``type``), and ``null`` joins any ``enum``;
* OpenAPI-only annotations (``example``, ``discriminator``, ``readOnly``, ``x-...``) go;
* ``$ref``\\ s to ``#/components/schemas/...`` are inlined; schemas that reach themselves
  (``StateValue``) are inlined a few levels deep, then refer into one shared registry;
* ``pattern`` follows ECMA-262 as OpenAPI says: ``$`` matches only at the very end of the
  string, not before a final newline as in Python;
* ``format: date-time`` is checked (RFC 3339), other formats are annotations.

Each schema gets two validators: jsonschema-rs answers "valid or not" in about a microsecond
on every request; the pure-Python jsonschema validator runs only after a "not", to explain
the failure (and has the last word: what it cannot fault passes).

Both are built on first use, and jsonschema itself is imported only when a failure needs
explaining: start-up time is paid by every test session, and most of a session's requests are
valid and touch a handful of operations. ``CompiledSchema.compile()`` builds everything at
once and checks the schema against draft 4 (``OpenApiSpec(..., lazy=False)`` does it for
every schema; the tests do it for the packaged spec).

Only the standard library, jsonschema and referencing: no aiohttp, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from sb_emulator.openapi.loader import SpecError

if TYPE_CHECKING:
    from jsonschema import FormatChecker, ValidationError
    from jsonschema.protocols import Validator

REGISTRY_URI = "urn:sb-emulator:openapi"
SCHEMA_REF_PREFIX = "#/components/schemas/"
RECURSION_UNROLL = 4  # levels of a self-reaching schema inlined before a $ref

# Keywords whose value is one schema, a list of schemas, or a map of name -> schema. Every
# other keyword's value is data (enum members, defaults...) and is copied untouched.
_ONE_SCHEMA = ("items", "additionalProperties", "not", "additionalItems")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_OPENAPI_ONLY = frozenset(
    {"nullable", "example", "examples", "discriminator", "readOnly", "writeOnly", "xml",
     "externalDocs", "deprecated"}
)

_DATE_TIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})"
)


class CompiledSchema:
    """One schema: a fast yes/no check and, for failures, the errors (each built on first
    use, see the module docstring)."""

    __slots__ = ("_checker", "_compiler", "_explainer", "_schema", "_translated", "_where")

    def __init__(self, compiler: SchemaCompiler, schema: Any, where: str) -> None:
        self._compiler = compiler
        self._schema = schema
        self._where = where
        self._translated: Any = None
        self._checker: Any = None  # a jsonschema_rs validator
        self._explainer: Validator | None = None

    @property
    def translated(self) -> Any:
        """The schema in JSON Schema draft 4 terms."""
        if self._translated is None:
            self._translated = self._compiler.translate(self._schema, self._where)
        return self._translated

    @property
    def checker(self) -> Any:
        if self._checker is None:
            self._checker = self._compiler.fast_checker(self.translated, self._where)
        return self._checker

    @property
    def explainer(self) -> Validator:
        if self._explainer is None:
            self._explainer = self._compiler.explainer(self.translated)
        return self._explainer

    def compile(self) -> None:
        """Build both validators now, checking the schema first: a :class:`SpecError` says
        where a schema draft 4 rejects is."""
        import jsonschema

        try:
            jsonschema.Draft4Validator.check_schema(self.translated)
        except jsonschema.SchemaError as err:
            raise SpecError(f"{self._where}: not a valid schema: {err}") from err
        _ = self.checker, self.explainer

    def is_valid(self, instance: Any) -> bool:
        return bool(self.checker.is_valid(instance)) or not any(self.iter_errors(instance))

    def iter_errors(self, instance: Any) -> Iterator[ValidationError]:
        yield from self.explainer.iter_errors(instance)


class SchemaCompiler:
    """Translates the schemas of one OpenAPI document and builds validators for them."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self._components: Mapping[str, Any] = (
            (document.get("components") or {}).get("schemas") or {}
        )
        self._recursive = _self_reaching(self._components)
        self._inlined: dict[str, Any] = {}
        shared = {
            name: self._translate(self._components[name], f"components.schemas.{name}", ())
            for name in sorted(self._recursive)
        }
        self._shared_contents = {"components": {"schemas": shared}}
        self._rs_registry: Any = None
        self._registry: Any = None  # a referencing.Registry, for the explainers

    def validator(self, schema: Any, where: str) -> CompiledSchema:
        """A validator for ``schema``, built on first use."""
        return CompiledSchema(self, schema, where)

    def fast_checker(self, translated: Any, where: str) -> Any:
        """A jsonschema-rs validator for a translated schema."""
        if self._rs_registry is None:
            self._rs_registry = jsonschema_rs.Registry([(REGISTRY_URI, self._shared_contents)],
                                                       draft=jsonschema_rs.Draft4)
        try:
            return jsonschema_rs.Draft4Validator(
                translated, registry=self._rs_registry, validate_formats=True,
                formats={"date-time": _is_date_time_quietly},
            )
        except (jsonschema_rs.ValidationError, ValueError) as err:
            raise SpecError(f"{where}: not a valid schema: {err}") from err

    def explainer(self, translated: Any) -> Validator:
        """A pure-Python jsonschema validator for a translated schema (explains failures)."""
        validator_class, formats = _jsonschema_kit()
        if self._registry is None:
            from referencing import Registry
            from referencing.jsonschema import DRAFT4

            self._registry = Registry().with_resource(
                REGISTRY_URI, DRAFT4.create_resource(self._shared_contents)
            )
        explainer: Validator = validator_class(translated, registry=self._registry,
                                               format_checker=formats)
        return explainer

    def translate(self, schema: Any, where: str) -> Any:
        """One schema in JSON Schema draft 4 terms, ``where`` naming it in errors."""
        return self._translate(schema, where, ())

    def _translate(self, node: Any, where: str, inlining: tuple[str, ...]) -> Any:
        if not isinstance(node, Mapping):
            raise SpecError(f"{where}: a schema must be an object, got {node!r}")
        if "$ref" in node:
            return self._reference(node["$ref"], where, inlining)
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in _OPENAPI_ONLY or key.startswith("x-"):
                continue
            out[key] = self._translate_keyword(key, value, f"{where}.{key}", inlining)
        return _nullable(out) if node.get("nullable") is True else out

    def _translate_keyword(self, key: str, value: Any, where: str,
                           inlining: tuple[str, ...]) -> Any:
        if key in _ONE_SCHEMA and not isinstance(value, bool):
            return self._translate(value, where, inlining)
        if key in _SCHEMA_LISTS:
            if not isinstance(value, list):
                raise SpecError(f"{where}: must be a list of schemas")
            return [self._translate(v, f"{where}[{i}]", inlining) for i, v in enumerate(value)]
        if key in _SCHEMA_MAPS:
            if not isinstance(value, Mapping):
                raise SpecError(f"{where}: must map names to schemas")
            return {k: self._translate(v, f"{where}.{k}", inlining) for k, v in value.items()}
        return value

    def _reference(self, ref: Any, where: str, inlining: tuple[str, ...]) -> Any:
        if not isinstance(ref, str) or not ref.startswith(SCHEMA_REF_PREFIX):
            raise SpecError(f"{where}: schemas may only refer to {SCHEMA_REF_PREFIX}..., "
                            f"not {ref!r}")
        name = ref[len(SCHEMA_REF_PREFIX):]
        if name not in self._components:
            raise SpecError(f"{where}: $ref {ref!r} names no schema")
        if name in self._recursive:
            # Unrolled a few levels (a registry look-up per level is slow), then referenced.
            if inlining.count(name) >= RECURSION_UNROLL:
                return {"$ref": f"{REGISTRY_URI}{ref}"}
            return self._translate(self._components[name], f"components.schemas.{name}",
                                   (*inlining, name))
        if name in inlining:  # cannot happen for non-recursive names; guards the invariant
            raise SpecError(f"{where}: $ref cycle through {name!r}")
        if name not in self._inlined:
            self._inlined[name] = self._translate(
                self._components[name], f"components.schemas.{name}", (*inlining, name)
            )
        return self._inlined[name]


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        out = {**schema, "type": [kind, "null"]}
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [schema, {"type": "null"}]}


def _schema_refs(node: Any) -> set[str]:
    """Names of the component schemas ``node`` refers to, at any depth."""
    # A loop over dicts and lists, not a recursive generator over Mappings: parsed documents
    # hold only dicts, and this walk covers every component schema at start-up.
    found: set[str] = set()
    pending = [node]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_REF_PREFIX):
                found.add(ref[len(SCHEMA_REF_PREFIX):])
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _self_reaching(components: Mapping[str, Any]) -> frozenset[str]:
    """Component schemas that can reach themselves through ``$ref``\\ s (they cannot be
    inlined)."""
    edges = {name: _schema_refs(schema) for name, schema in components.items()}
    found = set()
    for start in edges:
        seen: set[str] = set()
        stack = list(edges[start])
        while stack:
            name = stack.pop()
            if name == start:
                found.add(start)
                break
            if name not in seen and name in edges:
                seen.add(name)
                stack.extend(edges[name])
    return frozenset(found)


@lru_cache(maxsize=256)
def ecma_regex(pattern: str) -> re.Pattern[str]:
    """``pattern`` with ECMA-262's ``$`` (end of input only) instead of Python's (end of
    input, or before a final newline). Other constructs are shared by both dialects as far
    as this spec uses them."""
    out: list[str] = []
    in_class = escaped = False
    for char in pattern:
        if escaped:
            out.append(char)
            escaped = False
        elif char == "\\":
            out.append(char)
            escaped = True
        elif char == "[":
            in_class = True
            out.append(char)
        elif char == "]":
            in_class = False
            out.append(char)
        elif char == "$" and not in_class:
            out.append(r"\Z")
        else:
            out.append(char)
    return re.compile("".join(out))


def _pattern(validator: Validator, pattern: str, instance: Any, schema: Any
             ) -> Iterator[ValidationError]:
    from jsonschema import ValidationError

    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME.fullmatch(value):
        return False
    datetime.fromisoformat(value.upper().replace("Z", "+00:00"))  # ValueError: 2023-02-30
    return True


def _is_date_time_quietly(value: object) -> bool:
    try:
        return _is_date_time(value)
    except ValueError:
        return False


@cache
def _jsonschema_kit() -> tuple[Any, FormatChecker]:
    """Draft 4 with ECMA patterns, and a format checker knowing only date-time (imported on
    the first explanation: see the module docstring)."""
    import jsonschema

    validator_class = jsonschema.validators.extend(jsonschema.Draft4Validator,
                                                   {"pattern": _pattern})
    formats = jsonschema.FormatChecker(formats=())
    formats.checks("date-time", raises=ValueError)(_is_date_time)
    return validator_class, formats
