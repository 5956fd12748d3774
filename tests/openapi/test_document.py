"""The spec document: valid OpenAPI 3.0, complete (API.md §4.0), consistent with the
operation table (auth/operations.py), and our own text."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
import schemathesis
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.definitions import OPENAPI_30

from sb_emulator.auth.operations import OPERATIONS as OPERATION_TABLE
from sb_emulator.auth.operations import Credential
from sb_emulator.openapi import OpenApiSpec, packaged_spec_path
from tests.openapi.conftest import REPO, UPSTREAM

# API.md §4.0: (#, method, path, success status)
API_MD_OPERATIONS = [
    (1, "get", "/machines", 200),
    (2, "post", "/machines", 201),
    (3, "get", "/machines/{machineSlug}", 200),
    (4, "post", "/machines/{machineSlug}", 200),
    (5, "delete", "/machines/{machineSlug}", 204),
    (6, "get", "/machines/{machineSlug}/i", 200),
    (7, "get", "/machines/{machineSlug}/i/{instanceSlug}", 200),
    (8, "delete", "/machines/{machineSlug}/i/{instanceSlug}", 204),
    (9, "get", "/machines/{machineSlug}/indexes/{index}/query", 200),
    (10, "get", "/machines/{machineSlug}/i/{instanceSlug}/admin", 200),
    (11, "get", "/machines/{machineSlug}/i/{instanceSlug}/events", 200),
    (12, "post", "/machines/{machineSlug}/i/{instanceSlug}/events", 200),
    (13, "put", "/machines/{machineSlug}/i/{instanceSlug}/v", 201),
    (14, "put", "/machines/{machineSlug}/i/{instanceSlug}/status", 204),
    (15, "get", "/machines/{machineSlug}/v", 200),
    (16, "post", "/machines/{machineSlug}/v", 200),
    (17, "put", "/machines/{machineSlug}/v/{signedMachineVersionId}", 200),
    (18, "post", "/machines/{machineSlug}/migrations", 200),
    (19, "put", "/machines/{machineSlug}/migrations/{signedMachineVersionMigrationId}", 200),
    (20, "get", "/logs", 200),
    (21, "get", "/rt", 101),
    (22, "get", "/idps", 200),
    (23, "post", "/idps", 204),
    (24, "delete", "/idps", 204),
    (25, "get", "/token-providers", 200),
    (26, "post", "/token-providers", 204),
    (27, "delete", "/token-providers/{service}", 204),
    (28, "post", "/tokens", 200),
    (29, "get", "/orgs", 200),
    (30, "post", "/orgs", 200),
    (31, "get", "/keys", 200),
    (32, "post", "/keys", 200),
    (33, "delete", "/keys/{keyId}", 204),
    (34, "get", "/billing", 200),
]

CONTROL_ROUTES = [
    ("get", "/_emulator/health", 200),
    ("post", "/_emulator/reset", 204),
    ("get", "/_emulator/clock", 200),
    ("post", "/_emulator/clock/advance", 200),
    ("get", "/_emulator/export", 200),
    ("post", "/_emulator/import", 204),
    ("post", "/_emulator/uploads/{uploadId}", 204),
]


def _by_route(spec: OpenApiSpec) -> dict[tuple[str, str], Any]:
    return {(op.method, op.path): op for op in spec.operations}


def test_valid_against_the_openapi_30_meta_schema(spec: OpenApiSpec) -> None:
    validator = jsonschema.Draft4Validator(OPENAPI_30)
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(spec.document)]
    assert problems == []
    assert spec.document["openapi"] == "3.0.3"


def test_schemathesis_loads_every_operation() -> None:
    schema = schemathesis.openapi.from_path(str(packaged_spec_path()))
    results = list(schema.get_all_operations())
    failed = [r for r in results if not isinstance(r, Ok)]
    assert failed == []
    assert len(results) == 48  # 34 + 7 HTTP API methods + 7 emulator routes


@pytest.mark.parametrize(("number", "method", "path", "status"), API_MD_OPERATIONS)
def test_every_api_md_operation_with_its_success_code(
    spec: OpenApiSpec, number: int, method: str, path: str, status: int
) -> None:
    operation = _by_route(spec).get((method, path))
    assert operation is not None, f"#{number} {method.upper()} {path} is missing"
    assert operation.success_status == status


def test_no_content_where_the_client_ignores_bodies(spec: OpenApiSpec) -> None:
    # API.md §1.4: 201 and 204 carry no body; every other success is JSON.
    for op in spec.operations:
        success = op.responses.get(str(op.success_status)) or op.responses["default"]
        if op.success_status in (201, 204, 101):
            assert success.media_type is None, op.operation_id
        elif not op.path.startswith("/http-api/"):
            assert success.media_type == "application/json", op.operation_id


# The one route of the operation table that the document does not describe: itself.
DOCUMENT_ROUTE = "getOpenApiDocument"


def test_the_document_and_the_operation_table_have_the_same_operations(spec: OpenApiSpec) -> None:
    table = {entry.operation_id for entry in OPERATION_TABLE} - {DOCUMENT_ROUTE}
    assert {op.operation_id for op in spec.operations} == table


@pytest.mark.parametrize(
    "entry", [e for e in OPERATION_TABLE if e.operation_id != DOCUMENT_ROUTE],
    ids=lambda e: e.operation_id,
)
def test_scopes_and_routes_agree_with_the_operation_table(spec: OpenApiSpec, entry: Any) -> None:
    ours = spec.operation(entry.operation_id)
    assert (ours.method.upper(), ours.path) == (entry.method, entry.path)
    assert ours.required_scopes == entry.scopes
    assert ours.admin_only == entry.admin_only
    # the document's bearer security is the Authorization header: /rt's token is a query
    # parameter, and the HTTP API and emulator routes take none
    assert ours.authenticated == (entry.credential is Credential.BEARER_HEADER)


def test_every_operation_declares_its_scopes(spec: OpenApiSpec) -> None:
    for path, item in spec.document["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                assert isinstance(op.get("x-scopes"), list), f"{method} {path}"


@pytest.mark.parametrize(("method", "path", "status"), CONTROL_ROUTES)
def test_emulator_routes(spec: OpenApiSpec, method: str, path: str, status: int) -> None:
    operation = _by_route(spec)[(method, path)]
    assert operation.emulator_only
    assert not operation.authenticated
    assert operation.success_status == status


def test_only_emulator_routes_are_marked_emulator_only(spec: OpenApiSpec) -> None:
    marked = {op.path for op in spec.operations if op.emulator_only}
    assert marked == {path for _, path, _ in CONTROL_ROUTES}


def test_upload_endpoint_takes_a_multipart_form(spec: OpenApiSpec) -> None:
    upload = _by_route(spec)[("post", "/_emulator/uploads/{uploadId}")]
    assert upload.body_media_type == "multipart/form-data"
    assert {"400", "404", "413"} <= set(upload.responses)


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
def test_http_api_path_takes_any_method(spec: OpenApiSpec, method: str) -> None:
    match = spec.match(method, "/http-api/org_x/machines/order/place-order")
    assert match is not None
    assert match.operation.operation_id == f"httpApi{method.capitalize()}"
    assert match.path_params == {"orgId": "org_x", "machineSlug": "order", "httpApiSlug": "place-order"}
    assert not match.operation.authenticated
    # the mapper decides status and body: anything is documented
    assert match.operation.validate_response(418, b"teapot", "text/plain") == []


def test_authenticated_operations_document_their_failures(spec: OpenApiSpec) -> None:
    for op in spec.operations:
        if op.authenticated:
            # 400 also covers specify-org and malformed path parameters
            assert {"400", "401", "403"} <= set(op.responses), op.operation_id
        if op.body_media_type is not None and not op.path.startswith("/http-api/"):
            assert "413" in op.responses, op.operation_id
    for operation_id in ("createInstance", "sendEvent"):
        assert {"409", "500", "504"} <= set(spec.operation(operation_id).responses)


# responses whose code the upstream narrows to a list (see web/upstream_codes.py), and that list
NARROWED = {"Conflict": ("ConflictError", ["invalid-state"]),
            "UpstreamBadRequest": ("UpstreamBadRequestError", ["specify-org", "invalid-parameter"]),
            "UpgradeBadRequest": ("UpgradeBadRequestError",
                                  ["specify-org", "invalid-parameter", "no-migration-path"]),
            "UpstreamForbidden": ("ForbiddenError", ["missing-scope", "rejected-by-machine-authorizer",
                                                      "missing-user", "missing-org"])}


def test_error_bodies_share_one_schema(spec: OpenApiSpec) -> None:
    responses = spec.document["components"]["responses"]
    schemas = spec.document["components"]["schemas"]
    for name, response in responses.items():
        if name == "HttpApiResponse" or name in NARROWED:
            continue
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}, name
    error = schemas["Error"]
    assert set(error["properties"]) == {"error", "code", "parameter"}
    # the narrowed ones have the same fields (plus the finer `reason` of a 400), their code
    # narrowed to the ones the upstream allows
    for name, (schema_name, codes) in NARROWED.items():
        schema = responses[name]["content"]["application/json"]["schema"]
        assert schema == {"$ref": f"#/components/schemas/{schema_name}"}, name
        narrowed = schemas[schema_name]["properties"]
        assert set(narrowed) <= {*error["properties"], "reason"}, name
        assert narrowed["code"]["enum"] == codes, name


def test_documented_leniency(spec: OpenApiSpec) -> None:
    schemas = spec.document["components"]["schemas"]
    gzip = spec.document["components"]["parameters"]["Gzip"]
    assert gzip["allowEmptyValue"] is True
    assert schemas["CreateMigrationRequest"]["additionalProperties"] is True
    exchange = schemas["TokenExchangeRequest"]
    assert {"requested_token_type", "requested_token-type"} <= set(exchange["properties"])
    assert "requested_token_type" not in exchange["required"]
    # the official client sends no body to these two (API.md §1.2)
    paths = spec.document["paths"]
    assert paths["/machines/{machineSlug}/v"]["post"]["requestBody"]["required"] is False
    finalize = paths["/machines/{machineSlug}/migrations/{signedMachineVersionMigrationId}"]["put"]
    assert finalize["requestBody"]["required"] is False


def test_repository_link_is_the_packaged_file(spec: OpenApiSpec) -> None:
    link = REPO / "openapi" / "sb-emulator.openapi.yaml"
    assert link.is_symlink()
    assert link.resolve() == packaged_spec_path().resolve()
    assert link.read_text() == spec.text


def test_written_in_our_own_words(spec: OpenApiSpec) -> None:
    # Facts (names, patterns, codes) are shared with the upstream document; its prose is not.
    if not UPSTREAM.exists():
        pytest.skip(f"the upstream spec is not at {UPSTREAM}")
    ours = spec.text
    prose = {line.strip() for line in UPSTREAM.read_text().splitlines()
             if line.count(" ") - (len(line) - len(line.lstrip())) >= 5}  # 6 words or more
    shared = sorted(line for line in prose if line in ours)
    assert shared == []
