"""Response validation (strict mode): conforming answers pass, wrong shapes are listed."""

from __future__ import annotations

from typing import Any

import pytest

from sb_emulator.openapi import OpenApiSpec, Operation

VERSION = {"id": "ver_x", "createdAt": "2023-10-01T00:00:00.000Z", "clientInfo": ""}
STATE = {"ts": 1700000000000, "state": {"parent": {"a": "idle", "b": "busy"}},
         "publicContext": {"owner": "u1"}, "tags": ["t"], "done": False}


def _op(spec: OpenApiSpec, operation_id: str) -> Operation:
    return spec.operation(operation_id)


@pytest.mark.parametrize(("operation_id", "status", "body"), [
    ("getInstance", 200, STATE),
    ("getInstance", 200, {"ts": 1.5, "state": "idle", "tags": [], "done": True}),
    ("getInstance", 404, {"error": "no such instance", "code": "not-found"}),
    ("createMachine", 201, None),
    ("deleteInstance", 204, None),
    ("getMachine", 200, {"machine": {"createdAt": VERSION["createdAt"], "indexes": []}}),
    ("listMachines", 200, {"machines": [{"slug": "m", "createdAt": VERSION["createdAt"],
                                         "currentVersion": VERSION}], "cursor": "next"}),
    ("getInstanceAdmin", 200, {"state": "idle", "context": {"secret": 1}, "status": "running",
                               "tags": [], "done": False, "machineVersion": VERSION,
                               "createdAt": VERSION["createdAt"]}),
    ("listTransitions", 200, {"transitions": [{"createdAt": VERSION["createdAt"],
                                               "state": "idle", "event": "statebacked.upgrade"}]}),
    ("finalizeMigration", 200, {"machineVersionMigrationId": "mig", "machineVersionId": "mig"}),
    ("exchangeToken", 200, {"access_token": "a.b.c", "token_type": "Bearer",
                            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token"}),
    ("getLogs", 200, {"maxTimestamp": "2023-10-01T00:00:00.001Z", "logs": []}),
    ("emulatorHealth", 200, {"ok": True, "version": "0.1.0", "orgId": "org_x", "clock": "manual"}),
    ("emulatorGetClock", 200, {"now": 5, "manual": True}),
])
def test_conforming_answers_pass(spec: OpenApiSpec, operation_id: str, status: int,
                                 body: Any) -> None:
    assert _op(spec, operation_id).validate_response(status, body) == []


def test_a_wrong_shape_is_caught(spec: OpenApiSpec) -> None:
    problems = _op(spec, "getInstance").validate_response(200, {"state": "idle", "tags": "t"})
    assert len(problems) == 3
    assert any("'ts' is a required property" in p for p in problems)
    assert any("tags: 't' is not of type 'array'" in p for p in problems)


def test_nested_state_values_are_checked_all_the_way_down(spec: OpenApiSpec) -> None:
    bad = {**STATE, "state": {"parent": {"a": {"deeper": 7}}}}
    assert _op(spec, "getInstance").validate_response(200, bad)


def test_dates_must_be_iso(spec: OpenApiSpec) -> None:
    stale = {"machines": [{"slug": "m", "createdAt": "1 Oct 2023"}]}
    problems = _op(spec, "listMachines").validate_response(200, stale)
    assert problems == ["GET /machines -> 200: machines[0].createdAt: '1 Oct 2023' is not a 'date-time'"]


def test_undocumented_status(spec: OpenApiSpec) -> None:
    problems = _op(spec, "getBilling").validate_response(404, {"error": "x", "code": "not-found"})
    assert problems and "status 404 is not documented" in problems[0]


def test_body_where_none_is_documented_and_the_reverse(spec: OpenApiSpec) -> None:
    assert _op(spec, "createMachine").validate_response(201, {"slug": "m"})
    assert _op(spec, "getInstance").validate_response(200, None)


def test_content_type_must_be_json_where_json_is_documented(spec: OpenApiSpec) -> None:
    problems = _op(spec, "getBilling").validate_response(200, b"<html>", "text/html")
    assert problems and "text/html" in problems[0]


def test_error_bodies_must_have_the_error_shape(spec: OpenApiSpec) -> None:
    assert _op(spec, "getInstance").validate_response(403, {"error": 1, "code": "x"})
    assert _op(spec, "getInstance").validate_response(403, ["not", "an", "object"])
