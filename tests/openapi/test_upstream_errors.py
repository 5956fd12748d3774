"""Error bodies against the upstream State Backed spec (kept beside the repository).

Where the upstream spec documents a schema for an operation's error status (its ``BadRequest``,
``Forbidden`` and ``Conflict`` responses), the body the emulator sends for that operation and
status must validate against it. Two checks: every error class of ``sb_emulator.errors`` whose
status the upstream documents carries a code the upstream allows for that status, and the API
is driven through each error path of every documented operation + status. On the seven
operations whose 400 the upstream documents, every 400 is ``invalid-parameter`` naming its
``parameter``, the emulator's finer code in ``reason`` (``web/upstream_codes.py``), and our
spec narrows the codes exactly where the upstream does. Skipped when the upstream file is not
there.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from collections.abc import Awaitable, Callable
from typing import Any

import jsonschema
import pytest
from aiohttp.test_utils import TestClient

from sb_emulator import errors
from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.ids import hmac_confirmation
from sb_emulator.openapi import OpenApiSpec
from sb_emulator.web import create_app
from tests.openapi.conftest import REPO, UPSTREAM, read_upstream, resolve_ref
from tests.web.helpers import bearer
from tests.web.test_rest_versions import V1, V2, _version

COUNTER_MACHINES = REPO / "tests" / "web" / "machines"
METHODS = ("get", "put", "post", "delete", "patch")

# Codes the upstream's schema enum leaves out although the upstream itself asks for them:
# its `PUT /machines/{m}/i/{i}/v` description says "A 400 with code "no-migration-path" will
# be returned", and the official client maps that code to NoMigrationPathError.
UPSTREAM_TEXT_CODES = {("put", "/machines/{machineSlug}/i/{instanceSlug}/v", "400"):
                       {"no-migration-path"}}
# Base classes that only exist to be subclassed: never raised themselves (checked below).
ABSTRACT = {errors.Forbidden}


@pytest.fixture(scope="module")
def upstream() -> dict[str, Any]:
    document = read_upstream()
    if document is None:
        pytest.skip(f"the upstream spec is not at {UPSTREAM}: nothing to compare with")
    return document


def _error_schemas(document: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """``(method, path template, status) -> JSON schema`` of every documented error body."""
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for path, item in document["paths"].items():
        for method in METHODS:
            for status, response in (item.get(method) or {}).get("responses", {}).items():
                if str(status)[0] not in "45":
                    continue
                content = resolve_ref(response, document).get("content") or {}
                schema = (content.get("application/json") or {}).get("schema")
                if schema is not None:
                    out[(method, path, str(status))] = resolve_ref(schema, document)
    return out


def _template(method: str, path: str, document: dict[str, Any]) -> str:
    """The upstream path template a concrete request path falls under."""
    for template, item in document["paths"].items():
        pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
        if method in item and re.fullmatch(pattern, path):
            return str(template)
    raise AssertionError(f"{method.upper()} {path} is not an upstream operation")


def _upstream_problems(document: dict[str, Any], method: str, path: str, status: int,
                       body: Any) -> list[str]:
    """Why ``body`` does not validate against the upstream's schema (empty: it does, or the
    upstream documents no schema for this operation and status)."""
    template = _template(method, path.split("?")[0], document)
    schema = _error_schemas(document).get((method, template, str(status)))
    if schema is None:
        return []
    allowed_extra = UPSTREAM_TEXT_CODES.get((method, template, str(status)), set())
    if isinstance(body, dict) and body.get("code") in allowed_extra:
        body = {k: v for k, v in body.items() if k != "code"}
    validator = jsonschema.Draft4Validator(schema)
    return [f"{method.upper()} {template} {status}: {err.message}"
            for err in validator.iter_errors(body)]


# -- every error class -----------------------------------------------------------------------


def _error_classes() -> list[type[errors.ApiError]]:
    return [cls for _, cls in inspect.getmembers(errors, inspect.isclass)
            if issubclass(cls, errors.ApiError) and cls not in ABSTRACT]


def test_every_error_class_carries_a_code_the_upstream_allows_for_its_status(
        upstream: dict[str, Any]) -> None:
    allowed: dict[str, set[str | None]] = {}
    for (method, template, status), schema in _error_schemas(upstream).items():
        codes = (schema.get("properties") or {}).get("code", {}).get("enum")
        if codes is not None:
            allowed.setdefault(status, {None}).update(
                codes, UPSTREAM_TEXT_CODES.get((method, template, status), set()))
    checked = [cls for cls in _error_classes() if str(cls.status) in allowed]
    assert errors.Conflict in checked and errors.BadRequest in checked
    wrong = {cls.__name__: cls.default_code for cls in checked
             if cls.default_code not in allowed[str(cls.status)]}
    assert wrong == {}


def test_the_abstract_error_classes_are_never_raised_themselves() -> None:
    names = "|".join(cls.__name__ for cls in ABSTRACT)
    raised = re.compile(rf"(?<![\w.(])(?:errors\.)?(?:{names})\(")
    sources = (REPO / "src" / "sb_emulator").rglob("*.py")
    offenders = [f"{path.relative_to(REPO)}:{number}"
                 for path in sources if path.name != "errors.py"
                 for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                 if raised.search(line) and not line.lstrip().startswith("class ")]
    assert offenders == []


# -- every documented error path, driven through the API ----------------------------------


@pytest.fixture
def config() -> EmulatorConfig:
    return EmulatorConfig(port=0, machines=(str(COUNTER_MACHINES),), clock="manual",
                          settle_timeout_s=5.0, strict=True)


@pytest.fixture
async def api(aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]],
              config: EmulatorConfig) -> TestClient[Any, Any]:
    return await aiohttp_client(create_app(config))


def _token(config: EmulatorConfig, sub: str = "admin", *, key: tuple[str, str] | None = None
           ) -> dict[str, str]:
    if key is not None:
        config = dataclasses.replace(config, key_id=key[0], key_secret=key[1])
    return bearer(mint_token(config, sub))


async def _scopeless_key(api: TestClient[Any, Any], admin: dict[str, str]) -> tuple[str, str]:
    """A key whose only scope is one no documented operation below needs."""
    res = await api.post("/keys", json={"name": "narrow", "scopes": ["analytics.read"]},
                         headers=admin)
    assert res.status == 200, await res.text()
    body = await res.json()
    return body["id"], body["key"]


async def test_every_documented_error_path_answers_a_body_the_upstream_allows(
        api: TestClient[Any, Any], config: EmulatorConfig, upstream: dict[str, Any]) -> None:
    admin = _token(config)
    narrow = _token(config, key=await _scopeless_key(api, admin))
    stranger, nobody = _token(config, "bob"), _token(config, "nobody")
    other_org = {**admin, "x-statebacked-org-id": "org_someone-else"}
    bad_hmac = {"dangerDataWillBeDeletedForever": True,
                "hmacSha256OfMachineNameWithMachineNameKey": "no",
                "hmacSha256OfMachineInstanceNameWithMachineNameKey": "no"}
    assert (await api.post("/machines/counter", json={"slug": "i1"}, headers=admin)).status == 200
    assert (await api.post("/machines", json={"slug": "flow"}, headers=admin)).status == 201
    v1 = await _version(api, admin, V1)
    v2 = await _version(api, admin, V2, make_current=False)
    assert (await api.post("/machines/flow", json={"slug": "f1"}, headers=admin)).status == 200

    # (method, path, headers, JSON body, expected status)
    scenarios: list[tuple[str, str, dict[str, str], Any, int]] = [
        ("post", "/machines", admin, {"slug": "not a slug!"}, 400),
        ("post", "/machines", narrow, {"slug": "fine"}, 403),
        ("get", "/machines/counter", narrow, None, 403),
        ("post", "/machines/counter", admin, {"slug": "i1"}, 409),
        ("post", "/machines/counter", stranger, {"slug": "i2", "context": {"owner": "eve"}}, 403),
        ("post", "/machines/counter", narrow, {"slug": "i3"}, 403),
        ("delete", "/machines/counter", admin, {"dangerDataWillBeDeletedForever": False}, 400),
        ("delete", "/machines/counter", narrow, bad_hmac, 403),
        ("get", "/machines/counter/i/i1", nobody, None, 403),
        ("delete", "/machines/counter/i/i1", admin, bad_hmac, 400),
        ("delete", "/machines/counter/i/i1", narrow, bad_hmac, 403),
        ("get", "/machines/counter/indexes/owner/query", narrow, None, 403),
        ("get", "/machines/counter/i/i1/admin", narrow, None, 403),
        ("post", "/machines/counter/i/i1/events", stranger, {"event": "inc"}, 403),
        ("put", "/machines/flow/i/f1/v", admin, {"targetMachineVersionId": 7}, 400),
        ("put", "/machines/counter/i/i1/v", narrow, {"targetMachineVersionId": v2}, 403),
        ("put", "/machines/counter/i/i1/status", admin, {"status": "sleepy"}, 400),
        ("put", "/machines/counter/i/i1/status", narrow, {"status": "paused"}, 403),
        ("post", "/machines/counter/v", admin, ["not", "an", "object"], 400),
        ("post", "/machines/counter/v", narrow, {}, 403),
        ("post", "/machines/flow/migrations", admin,
         {"fromMachineVersionId": "ver_nope", "toMachineVersionId": v2}, 400),
        ("post", "/machines/flow/migrations", narrow,
         {"fromMachineVersionId": v1, "toMachineVersionId": v2}, 403),
        # the auth layer's own refusals: another org named, impersonation without the right
        ("post", "/machines", other_org, {"slug": "fine"}, 403),
        ("put", "/machines/counter/i/i1/status", other_org, {"status": "paused"}, 403),
        ("post", "/machines/counter/i/i1/events", {**narrow, "x-statebacked-act": "{}"},
         {"event": "inc"}, 403),
        ("delete", "/machines/counter/i/i1", {**admin, "x-statebacked-act": "[]"}, bad_hmac, 400),
    ]
    # a second version with no migration to it: the upstream's own words ask for this code
    no_path = await api.put("/machines/flow/i/f1/v", json={"targetMachineVersionId": v2},
                            headers=admin)
    assert (no_path.status, (await no_path.json())["code"]) == (400, "no-migration-path")

    problems: list[str] = []
    for method, path, headers, body, expected in scenarios:
        res = await api.request(method, path, headers=headers,
                                **({"json": body} if body is not None else {}))
        answer = await res.json()
        assert res.status == expected, (method, path, answer)
        assert _error_schemas(upstream).get(
            (method, _template(method, path, upstream), str(expected))) is not None, (method, path)
        problems += _upstream_problems(upstream, method, path, res.status, answer)
    # the machine that still has instances, once everything else has been checked on it
    res = await api.delete("/machines/counter", json={
        "dangerDataWillBeDeletedForever": True,
        "hmacSha256OfMachineNameWithMachineNameKey": hmac_confirmation("counter", "counter")}, headers=admin)
    assert res.status == 409
    problems += _upstream_problems(upstream, "delete", "/machines/counter", 409, await res.json())
    assert problems == []


# -- the 400s of the seven operations whose 400 the upstream constrains -----------------------

# (method, path) of the operations whose 400 body the upstream documents, as driven below
CONSTRAINED_400 = [
    ("post", "/machines"),
    ("delete", "/machines/counter"),
    ("delete", "/machines/counter/i/i1"),
    ("put", "/machines/counter/i/i1/v"),
    ("put", "/machines/counter/i/i1/status"),
    ("post", "/machines/counter/v"),
    ("post", "/machines/counter/migrations"),
]


def test_the_driven_operations_are_exactly_those_with_a_documented_400(
        upstream: dict[str, Any]) -> None:
    documented = {(method, template) for (method, template, status) in _error_schemas(upstream)
                  if status == "400"}
    assert {(m, _template(m, p, upstream)) for m, p in CONSTRAINED_400} == documented


def test_our_spec_narrows_the_codes_exactly_where_the_upstream_does(
        upstream: dict[str, Any], spec: OpenApiSpec) -> None:
    """One source of truth: the error middleware reads the allowed codes from our spec, so
    our spec must carry the upstream's enums on the same operations and statuses."""
    ours: dict[tuple[str, str, str], Any] = {}
    for operation in spec.operations:
        for status in ("400", "403", "409"):
            response = operation.responses.get(status)
            if response is not None and response.validator is not None:
                code = response.validator.translated.get("properties", {}).get("code", {})
                ours[(operation.method, operation.path, status)] = code.get("enum")
    mismatched = {}
    for (method, template, status), schema in _error_schemas(upstream).items():
        enum = (schema.get("properties") or {}).get("code", {}).get("enum")
        if enum is None:
            continue
        expected = {*enum, *UPSTREAM_TEXT_CODES.get((method, template, status), set())}
        got = ours.get((method, template, status))
        if got is None or set(got) != expected:
            mismatched[f"{method.upper()} {template} {status}"] = (got, sorted(expected))
    assert mismatched == {}
    # nowhere else is a 400 narrowed: the emulator's finer codes stay there
    narrowed_400 = {(m, p) for (m, p, s), enum in ours.items() if s == "400" and enum}
    assert narrowed_400 == {(m, _template(m, p, upstream)) for m, p in CONSTRAINED_400}


async def _setup_counter(api: TestClient[Any, Any], admin: dict[str, str]) -> None:
    assert (await api.post("/machines/counter", json={"slug": "i1"}, headers=admin)).status == 200


@pytest.mark.parametrize(("method", "path"), CONSTRAINED_400,
                         ids=[f"{m}-{p}" for m, p in CONSTRAINED_400])
@pytest.mark.parametrize(("extra_headers", "data", "parameter", "reason"), [
    # content-encoding: gzip over a body that is not gzip: unreadable as sent
    pytest.param({"content-encoding": "gzip"}, b'{"slug": "x"}', "body", "invalid-body",
                 id="gzip-over-plain"),
    pytest.param({}, b'{"slug": ', "body", None, id="not-json"),
    pytest.param({}, b"[" * 2000 + b"]" * 2000, "body", None, id="past-the-parser-depth"),
    pytest.param({}, b"null", "body", None, id="json-null"),
    pytest.param({}, b"[1, 2]", "body", None, id="not-an-object"),
])
async def test_every_400_of_a_constrained_operation_is_invalid_parameter_with_its_reason(
        api: TestClient[Any, Any], config: EmulatorConfig, upstream: dict[str, Any],
        method: str, path: str, extra_headers: dict[str, str], data: bytes,
        parameter: str, reason: str | None) -> None:
    admin = _token(config)
    await _setup_counter(api, admin)
    res = await api.request(method, path, data=data, headers={**admin, **extra_headers})
    answer = await res.json()
    assert res.status == 400, answer
    assert _upstream_problems(upstream, method, path, 400, answer) == []
    assert answer["code"] == "invalid-parameter"
    assert answer["parameter"] == parameter
    assert answer.get("reason") == reason
    # nothing was done: the instance and the machine are still there, nothing new exists
    listed = await (await api.get("/machines", headers=admin)).json()
    assert [m["slug"] for m in listed["machines"]] == ["counter"]
    assert (await api.get("/machines/counter/i/i1", headers=admin)).status == 200


async def test_the_schema_paths_of_the_constrained_operations_name_their_parameter(
        api: TestClient[Any, Any], config: EmulatorConfig, upstream: dict[str, Any]) -> None:
    admin = _token(config)
    await _setup_counter(api, admin)
    cases: list[tuple[str, str, Any, str]] = [
        ("post", "/machines", {"slug": "not a slug!"}, "slug"),
        ("post", "/machines", {}, "slug"),
        ("post", "/machines/counter/v?gzip=perhaps", {}, "gzip"),
        ("put", "/machines/counter/i/i1/status", {"status": "sleepy"}, "status"),
        ("put", "/machines/counter/i/i1/v", {}, "targetMachineVersionId"),
        ("delete", "/machines/counter", {"dangerDataWillBeDeletedForever": False},
         "hmacSha256OfMachineNameWithMachineNameKey"),
        ("delete", "/machines/counter/i/i1", {
            "dangerDataWillBeDeletedForever": True,
            "hmacSha256OfMachineNameWithMachineNameKey": "no",
            "hmacSha256OfMachineInstanceNameWithMachineNameKey": "no"},
         "hmacSha256OfMachineInstanceNameWithMachineNameKey"),
        ("post", "/machines/counter/migrations", {"fromMachineVersionId": "ver_a"},
         "toMachineVersionId"),
        ("post", "/machines/counter/migrations",
         {"fromMachineVersionId": "ver_a", "toMachineVersionId": "ver_b", "gzippedCode": "x"},
         "gzippedCode"),
    ]
    for method, path, body, parameter in cases:
        res = await api.request(method, path, json=body, headers=admin)
        answer = await res.json()
        assert res.status == 400, (method, path, answer)
        assert _upstream_problems(upstream, method, path.split("?")[0], 400, answer) == []
        assert (answer["code"], answer["parameter"], "reason" in answer) == (
            "invalid-parameter", parameter, False), (method, path, answer)


async def test_elsewhere_the_finer_400_codes_stay(
        api: TestClient[Any, Any], config: EmulatorConfig) -> None:
    admin = _token(config)
    # creating an instance: the upstream documents no 400 there
    res = await api.post("/machines/counter", data=b'{"slug": "i9"}',
                         headers={**admin, "content-encoding": "gzip"})
    answer = await res.json()
    assert (res.status, answer["code"], "reason" in answer) == (400, "invalid-body", False)
    # finalising a reserved version whose code never came: the emulator's own code
    reserved = await (await api.post("/machines/counter/v", headers=admin)).json()
    res = await api.put(f"/machines/counter/v/{reserved['machineVersionId']}", json={},
                        headers=admin)
    answer = await res.json()
    assert (res.status, answer["code"], "reason" in answer) == (400, "missing-code", False)
