"""Our OpenAPI spec: loads, compiles, covers every operation, validates requests and
responses, and stays compatible with the upstream State Backed spec."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import schemathesis
from ruamel.yaml import YAML

from sb_emulator.errors import InvalidParameter
from sb_emulator.openapi import OpenApiSpec

REPO = Path(__file__).resolve().parents[2]
UPSTREAM = REPO.parent / "shared" / "reference" / "statebacked.openapi.v3.yaml"

# API.md §4.0: method, path, success status
OPERATIONS = [
    ("get", "/machines", 200), ("post", "/machines", 201), ("get", "/machines/{machineSlug}", 200),
    ("post", "/machines/{machineSlug}", 200), ("delete", "/machines/{machineSlug}", 204),
    ("get", "/machines/{machineSlug}/i", 200),
    ("get", "/machines/{machineSlug}/i/{instanceSlug}", 200),
    ("delete", "/machines/{machineSlug}/i/{instanceSlug}", 204),
    ("get", "/machines/{machineSlug}/indexes/{index}/query", 200),
    ("get", "/machines/{machineSlug}/i/{instanceSlug}/admin", 200),
    ("get", "/machines/{machineSlug}/i/{instanceSlug}/events", 200),
    ("post", "/machines/{machineSlug}/i/{instanceSlug}/events", 200),
    ("put", "/machines/{machineSlug}/i/{instanceSlug}/v", 201),
    ("put", "/machines/{machineSlug}/i/{instanceSlug}/status", 204),
    ("get", "/machines/{machineSlug}/v", 200), ("post", "/machines/{machineSlug}/v", 200),
    ("put", "/machines/{machineSlug}/v/{signedMachineVersionId}", 200),
    ("post", "/machines/{machineSlug}/migrations", 200),
    ("put", "/machines/{machineSlug}/migrations/{signedMachineVersionMigrationId}", 200),
    ("get", "/logs", 200), ("get", "/rt", 101), ("get", "/idps", 200), ("post", "/idps", 204),
    ("delete", "/idps", 204), ("get", "/token-providers", 200), ("post", "/token-providers", 204),
    ("delete", "/token-providers/{service}", 204), ("post", "/tokens", 200),
    ("get", "/orgs", 200), ("post", "/orgs", 200), ("get", "/keys", 200), ("post", "/keys", 200),
    ("delete", "/keys/{keyId}", 204), ("get", "/billing", 200),
]


@pytest.fixture(scope="module")
def spec() -> OpenApiSpec:
    return OpenApiSpec.load()


def test_every_operation_with_its_success_code(spec: OpenApiSpec) -> None:
    assert len(OPERATIONS) == 34
    found = {(op.method, op.path): op for op in spec.operations}
    for method, path, status in OPERATIONS:
        assert (method, path) in found, f"{method.upper()} {path} is missing"
        assert found[(method, path)].success_status == status, (method, path)


def test_schemathesis_loads_the_spec(spec: OpenApiSpec) -> None:
    schema = schemathesis.openapi.from_dict(spec.document)
    assert len(list(schema.get_all_operations())) >= 34


def test_the_repository_link_is_the_packaged_file(spec: OpenApiSpec) -> None:
    assert (REPO / "openapi" / "sb-emulator.openapi.yaml").read_text() == spec.text


def test_bad_path_parameter_names_it(spec: OpenApiSpec) -> None:
    match = spec.match("GET", "/machines/bad%20name")
    assert match is not None
    with pytest.raises(InvalidParameter) as raised:
        match.operation.validate_request({"machineSlug": "bad name"}, {}, None)
    assert raised.value.parameter == "machineSlug"


def test_missing_body_field_names_it(spec: OpenApiSpec) -> None:
    match = spec.match("POST", "/machines/m/i/i/events")
    assert match is not None
    with pytest.raises(InvalidParameter) as raised:
        match.operation.validate_request(match.path_params, {}, {})
    assert raised.value.parameter == "event"
    match.operation.validate_request(match.path_params, {}, {"event": "go"})
    match.operation.validate_request(match.path_params, {}, {"event": {"type": "go", "x": 1}})


def test_bare_gzip_flag_and_query_coercion(spec: OpenApiSpec) -> None:
    version = spec.match("POST", "/machines/m/v")
    assert version is not None
    version.operation.validate_request(version.path_params, {"gzip": ""}, {})
    query = spec.match("GET", "/machines/m/indexes/idx/query")
    assert query is not None
    query.operation.validate_request(query.path_params, {"limit": "10", "dir": "desc"}, None)
    with pytest.raises(InvalidParameter) as raised:
        query.operation.validate_request(query.path_params, {"limit": "lots"}, None)
    assert raised.value.parameter == "limit"


def test_response_validation_catches_a_wrong_shape(spec: OpenApiSpec) -> None:
    match = spec.match("GET", "/machines/m/i/i")
    assert match is not None
    good = {"ts": 1, "state": "idle", "tags": [], "done": False}
    assert match.operation.validate_response(200, good) == []
    assert match.operation.validate_response(200, {"state": "idle"})
    assert match.operation.validate_response(418, None)


def _load_upstream() -> dict[str, Any]:
    if not UPSTREAM.exists():
        pytest.skip(f"the upstream spec is not here ({UPSTREAM}); nothing to compare with")
    document: dict[str, Any] = YAML(typ="safe").load(UPSTREAM.read_text())
    return document


def _resolve(node: Any, document: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _success_body(op: dict[str, Any], document: dict[str, Any]) -> tuple[str, Any]:
    for code, response in (op.get("responses") or {}).items():
        if str(code).startswith(("1", "2")):
            response = _resolve(response, document)
            schema = ((response.get("content") or {}).get("application/json") or {}).get("schema")
            return str(code), _resolve(schema, document)
    return "", None


def _compatible(theirs: Any, ours: Any, upstream: dict[str, Any], mine: dict[str, Any],
                where: str) -> list[str]:
    theirs, ours = _resolve(theirs, upstream), _resolve(ours, mine)
    if not isinstance(theirs, dict) or not isinstance(ours, dict):
        return []
    problems = []
    for name in theirs.get("required", []):
        if name not in (ours.get("properties") or {}):
            problems.append(f"{where}: required property {name!r} missing from ours")
            continue
        their_prop = _resolve(theirs["properties"].get(name), upstream) or {}
        our_prop = _resolve(ours["properties"][name], mine) or {}
        if "type" in their_prop and "type" in our_prop and their_prop["type"] != our_prop["type"]:
            problems.append(f"{where}.{name}: type {our_prop['type']} != {their_prop['type']}")
        problems += _compatible(their_prop, our_prop, upstream, mine, f"{where}.{name}")
    if theirs.get("type") == "array":
        problems += _compatible(theirs.get("items"), ours.get("items"), upstream, mine, f"{where}[]")
    return problems


def test_compatible_with_the_upstream_spec(spec: OpenApiSpec) -> None:
    upstream = _load_upstream()
    problems = []
    for path, item in upstream["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "delete"):
                continue
            ours = spec.document["paths"].get(path, {}).get(method)
            if ours is None:
                problems.append(f"{method.upper()} {path}: missing from our spec")
                continue
            their_code, their_body = _success_body(op, upstream)
            our_code, our_body = _success_body(ours, spec.document)
            if their_code and their_code != our_code:
                problems.append(f"{method.upper()} {path}: success {our_code} != {their_code}")
            problems += _compatible(their_body, our_body, upstream, spec.document,
                                    f"{method.upper()} {path}")
    assert problems == []
