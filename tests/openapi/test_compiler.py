"""The compiler on small hand-made specs: OpenAPI 3.0 semantics, routing, and bad specs
failing at load time with a message that says where."""

from __future__ import annotations

import json
from typing import Any

import pytest

from sb_emulator.errors import InvalidParameter
from sb_emulator.openapi import OpenApiSpec, SpecError
from sb_emulator.openapi.loader import packaged_spec_text
from sb_emulator.openapi.routing import RouteTable
from sb_emulator.openapi.schemas import SchemaCompiler, ecma_regex


def _document(paths: dict[str, Any], schemas: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths,
            "components": {"schemas": schemas or {}}}


def _get(operation_id: str, schema: Any, params: list[Any] | None = None) -> dict[str, Any]:
    return {"get": {"operationId": operation_id, "parameters": params or [], "responses": {
        "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}}


def _spec(document: dict[str, Any]) -> OpenApiSpec:
    return OpenApiSpec(json.dumps(document), source="test.yaml")  # JSON is YAML


def _load_error(document: dict[str, Any]) -> str:
    with pytest.raises(SpecError) as raised:
        _spec(document)
    return str(raised.value)


def test_nullable_becomes_a_null_type() -> None:
    schema = {"type": "object", "properties": {
        "name": {"type": "string", "nullable": True},
        "kind": {"type": "string", "enum": ["a"], "nullable": True},
        "ref": {"allOf": [{"$ref": "#/components/schemas/Thing"}], "nullable": True},
        "plain": {"type": "string"}}}
    spec = _spec(_document({"/x": _get("x", schema)}, {"Thing": {"type": "integer"}}))
    check = spec.operation("x").validate_response
    assert check(200, {"name": None, "kind": None, "ref": None}) == []
    assert check(200, {"kind": "a", "ref": 3}) == []
    assert check(200, {"kind": "b"})
    assert check(200, {"plain": None})


def test_openapi_annotations_are_not_keywords_but_properties_may_use_their_names() -> None:
    schema = {"type": "object", "example": {"a": 1}, "x-note": "hi", "required": ["example"],
              "properties": {"example": {"type": "string", "readOnly": True}}}
    check = _spec(_document({"/x": _get("x", schema)})).operation("x").validate_response
    assert check(200, {"example": "kept"}) == []
    assert check(200, {"example": 1})


def test_recursive_schemas_stay_references() -> None:
    schemas = {"Tree": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Node"}},
               "Node": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/Tree"}]}}
    spec = _spec(_document({"/x": _get("x", {"$ref": "#/components/schemas/Node"})}, schemas))
    check = spec.operation("x").validate_response
    assert check(200, {"a": {"b": {"c": "leaf"}}}) == []
    assert check(200, {"a": {"b": {"c": 4}}})
    # deeper than the unrolled levels: checked through the shared registry
    deep: Any = "leaf"
    for level in range(12):
        deep = {f"s{level}": deep}
    assert check(200, deep) == []
    deep["s11"]["s10"]["s9"]["s8"]["s7"]["s6"]["s5"]["s4"]["s3"]["s2"]["s1"]["s0"] = 4
    assert check(200, deep)


@pytest.mark.parametrize(("schema_name", "instance"), [
    ("MachineSlug", "ok-name_1"), ("MachineSlug", "ok\n"), ("MachineSlug", "x" * 129),
    ("MachineSlug", ""), ("Timestamp", "2023-10-01T00:00:00.000Z"), ("Timestamp", "2023-10-01"),
    ("Timestamp", "2023-02-30T00:00:00Z"), ("Timestamp", "999-03-20T21:16:38.948Z"),
    ("Timestamp", "2023-10-01t10:00:00.5+01:00"), ("StateValue", {"a": {"b": "c"}}),
    ("StateValue", {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}), ("Event", {"type": 1}),
    ("Event", "go"), ("CreateKeyRequest", {"name": "k"}), ("KeyScope", "indexes.read"),
])
def test_fast_checker_and_explainer_agree(spec: OpenApiSpec, schema_name: str, instance: Any) -> None:
    compiler = SchemaCompiler(spec.document)
    compiled = compiler.validator({"$ref": f"#/components/schemas/{schema_name}"}, schema_name)
    assert compiled.checker.is_valid(instance) == (not any(compiled.iter_errors(instance)))


def test_ecma_dollar() -> None:
    assert ecma_regex("^a$").search("a")
    assert not ecma_regex("^a$").search("a\n")
    assert ecma_regex(r"^a\$$").search("a$")
    assert ecma_regex("^[$]$").search("$")


def test_path_parameters_are_decoded_and_literal_segments_win() -> None:
    table = RouteTable([("get", "/m/{a}/{b}", "generic"), ("get", "/m/{a}/v", "versions"),
                        ("get", "/m", "list"), ("post", "/m/{a}", "create")])
    assert table.match("GET", "/m/x/v") == ("versions", {"a": "x"})
    assert table.match("GET", "/m/x%20y/w?q=1") == ("generic", {"a": "x y", "b": "w"})
    assert table.match("HEAD", "/m") == ("list", {})
    assert table.match("GET", "/m/x") is None  # wrong method: the router answers 405
    assert table.match("GET", "/m//v") is None  # empty parameter
    assert table.match("GET", "/m/") is None


def test_query_and_path_parameters_in_a_small_spec() -> None:
    params = [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
              {"name": "flag", "in": "query", "schema": {"type": "boolean"}}]
    spec = _spec(_document({"/items/{id}": _get("item", {"type": "object"}, params)}))
    operation, path_params = spec.match("get", "/items/12")  # type: ignore[misc]
    operation.validate_request(path_params, {"flag": ""}, None)
    with pytest.raises(InvalidParameter) as raised:
        operation.validate_request({"id": "twelve"}, {}, None)
    assert raised.value.parameter == "id"


@pytest.mark.parametrize(("document", "expected"), [
    ({"openapi": "3.1.0", "paths": {"/x": _get("x", {})}}, "3.0.x"),
    (_document({}), "paths must be a non-empty mapping"),
    (_document({"/x": _get("x", {"$ref": "#/components/schemas/Nope"})}),
     "'#/components/schemas/Nope' points at nothing"),
    (_document({"/x": _get("same", {}), "/y": _get("same", {})}), "operationId 'same' is also used"),
    (_document({"/x/{id}": _get("x", {})}), "path parameter 'id' is not declared"),
    (_document({"/x": _get("x", {}, [{"name": "id", "in": "path", "required": True}])}),
     "path parameter 'id' is not in the path"),
    (_document({"/x/v{id}": _get("x", {}, [{"name": "id", "in": "path", "required": True}])}),
     "mixes text and a template"),
    (_document({"/x": _get("x", {"type": "strnig"})}), "GET /x -> 200: not a valid schema"),
    (_document({"/x": {"get": {"operationId": "x", "responses": {}}}}), "responses are missing"),
    (_document({"/x": {"get": {"operationId": "x", "responses": {"404": {"description": "no"}}}}}),
     "no success response is documented"),
])
def test_bad_specs_fail_at_load_time(document: dict[str, Any], expected: str) -> None:
    message = _load_error(document)
    assert message.startswith("test.yaml") or "GET /x" in message
    assert expected in message


def test_invalid_yaml_fails_at_load_time() -> None:
    with pytest.raises(SpecError, match="not valid YAML"):
        OpenApiSpec("paths: [unclosed", source="broken.yaml")


def test_indistinguishable_templates_fail_at_load_time() -> None:
    document = _document({"/a/{x}": _get("one", {}, [{"name": "x", "in": "path", "required": True}]),
                          "/a/{y}": _get("two", {}, [{"name": "y", "in": "path", "required": True}])})
    assert "indistinguishable" in _load_error(document)


def test_the_packaged_spec_is_compiled_once(spec: OpenApiSpec) -> None:
    assert OpenApiSpec.load() is spec


def test_the_packaged_spec_compiles_eagerly() -> None:
    # load() builds validators on first use; here every schema is checked against draft 4
    # and compiled now, so a broken schema in the packaged spec fails this test
    eager = OpenApiSpec(packaged_spec_text(), lazy=False)
    assert [op.operation_id for op in eager.operations] == [
        op.operation_id for op in OpenApiSpec.load().operations
    ]


def test_lazy_specs_report_bad_schemas_on_first_use() -> None:
    spec = OpenApiSpec(json.dumps(_document({"/x": _get("x", {"type": "strnig"})})),
                       source="test.yaml", lazy=True)
    with pytest.raises(SpecError, match="GET /x -> 200: not a valid schema"):
        spec.operation("x").validate_response(200, {})


def test_lazy_specs_compile_each_operation_when_it_is_first_needed() -> None:
    broken = {"get": {"operationId": "broken", "responses": {"404": {"description": "no"}}}}
    document = _document({"/x": _get("x", {"type": "integer"}), "/broken": broken})
    assert "GET /broken: no success response" in _load_error(document)  # eager: at load
    spec = OpenApiSpec(json.dumps(document), source="test.yaml", lazy=True)
    found = spec.match("GET", "/x")
    assert found is not None and found.operation.operation_id == "x"
    assert spec.operation_for("GET", "/x") is found.operation  # compiled once, then kept
    assert spec.operation_for("POST", "/x") is None
    with pytest.raises(SpecError, match="GET /broken: no success response"):
        spec.operation("broken")


def test_remembered_valid_values_do_not_let_invalid_ones_through(spec: OpenApiSpec) -> None:
    operation = spec.operation(spec.match("GET", "/machines/m/i/i1").operation.operation_id)  # type: ignore[union-attr]
    for _ in range(2):  # the second time from the remembered values
        operation.validate_request({"machineSlug": "m", "instanceSlug": "i1"}, {}, None)
    with pytest.raises(InvalidParameter) as raised:
        operation.validate_request({"machineSlug": "m", "instanceSlug": "bad slug"}, {}, None)
    assert raised.value.parameter == "instanceSlug"
