"""Request validation: what real clients send passes; what is wrong is a 400 naming it."""

from __future__ import annotations

from typing import Any

import pytest

from sb_emulator.errors import InvalidParameter
from sb_emulator.openapi import OpenApiSpec

TOKEN_FORM = {
    "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
    "audience": "https://tokens.statebacked.dev/org_x/anonymous-statebacked-dev",
    "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
    "subject_token": "a.b.c",
}


def _check(spec: OpenApiSpec, method: str, path: str, query: dict[str, str] | None = None,
           body: Any = None) -> None:
    match = spec.match(method, path)
    assert match is not None, f"{method} {path} matches no operation"
    match.operation.validate_request(match.path_params, query or {}, body)


def _rejected(spec: OpenApiSpec, method: str, path: str, query: dict[str, str] | None = None,
              body: Any = None) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as raised:
        _check(spec, method, path, query, body)
    assert raised.value.code == "invalid-parameter"
    assert raised.value.status == 400
    return raised.value


# Bodies exactly as @statebacked/client, smply or the docs send them (API.md §4, §9).
@pytest.mark.parametrize(("method", "path", "query", "body"), [
    ("POST", "/machines", {}, {"indexes": ["owner"], "slug": "my-machine"}),
    ("POST", "/machines/m", {}, {"slug": "inst", "context": {"public": {"a": 1}}}),
    ("POST", "/machines/m", {}, {"context": {}, "machineVersionId": "ver_x", "slug": "i"}),
    ("POST", "/machines/m/i/i1/events", {}, {"event": "go"}),
    ("POST", "/machines/m/i/i1/events", {}, {"event": {"type": "Customer support: Reset", "x": 1}}),
    ("POST", "/machines/m/v", {"gzip": ""}, None),  # ?gzip, and no body at all
    ("POST", "/machines/m/v", {}, {}),
    ("PUT", "/machines/m/v/signed.id_1", {}, {"clientInfo": "1.0", "makeCurrent": True,
                                              "indexSelectors": {"owner": "$.owner"}}),
    ("POST", "/machines/m/migrations", {"gzip": ""},
     {"fromMachineVersionId": "ver_a", "toMachineVersionId": "ver_b",
      "gzippedCode": {"0": 31, "1": 139}}),
    ("PUT", "/machines/m/migrations/signed-id", {}, None),
    ("PUT", "/machines/m/i/i1/v", {}, {"targetMachineVersionId": "ver_b"}),
    ("PUT", "/machines/m/i/i1/status", {}, {"status": "paused"}),
    ("DELETE", "/machines/m", {}, {"dangerDataWillBeDeletedForever": True,
                                   "hmacSha256OfMachineNameWithMachineNameKey": "abc"}),
    ("GET", "/machines/m/indexes/owner/query", {"op": "eq", "value": "u1", "dir": "desc",
                                                "limit": "10", "cursor": "c"}, None),
    ("GET", "/logs", {"from": "2023-10-01T00:00:00.000Z", "machine": "m"}, None),
    ("POST", "/idps", {}, {"aud": "authenticated", "iss": "https://p.supabase.co/auth/v1",
                           "algs": ["HS256"], "key": "c2VjcmV0", "mapping": {"sub.$": "$.sub"}}),
    ("DELETE", "/idps", {}, {"iss": "https://d/"}),
    ("POST", "/token-providers", {}, {"keyId": "sbk_x", "service": "my-app",
                                      "mapping": {"sub.$": "$.sub"}}),
    ("POST", "/keys", {}, {"name": "k", "use": "production", "scopes": ["indexes.read"]}),
    ("POST", "/orgs", {}, {"name": "My org"}),
    ("POST", "/tokens", {}, TOKEN_FORM),
    ("POST", "/_emulator/clock/advance", {}, {"ms": 1500}),
    ("POST", "/_emulator/import", {}, {"format": "sb-emulator-state/1", "orgs": {}}),
])
def test_real_client_requests_pass(spec: OpenApiSpec, method: str, path: str,
                                   query: dict[str, str], body: Any) -> None:
    _check(spec, method, path, query, body)


def test_bad_slug_names_machine_slug(spec: OpenApiSpec) -> None:
    error = _rejected(spec, "GET", "/machines/bad%20name")
    assert error.parameter == "machineSlug"
    assert "'bad name'" in error.message


def test_a_final_newline_does_not_sneak_past_the_pattern(spec: OpenApiSpec) -> None:
    # ECMA-262's $ (OpenAPI's dialect) does not match before a trailing newline; Python's does.
    assert _rejected(spec, "GET", "/machines/m/i/abc%0A").parameter == "instanceSlug"


def test_slug_longer_than_128_is_rejected(spec: OpenApiSpec) -> None:
    _check(spec, "GET", "/machines/" + "a" * 128)
    assert _rejected(spec, "GET", "/machines/" + "a" * 129).parameter == "machineSlug"


def test_missing_event_is_named(spec: OpenApiSpec) -> None:
    error = _rejected(spec, "POST", "/machines/m/i/i1/events", body={})
    assert error.parameter == "event"
    assert error.message == "body.event is required"


def test_empty_body_counts_as_an_empty_object(spec: OpenApiSpec) -> None:
    # None (no body) is read as {}: fine where nothing is required, named where it is.
    _check(spec, "PUT", "/machines/m/v/x", body=None)
    assert _rejected(spec, "POST", "/machines/m/i/i1/events", body=None).parameter == "event"


@pytest.mark.parametrize(("body", "parameter", "message"), [
    ({"event": 5}, "event", "body.event must be an object with 'type' or a string, not a number"),
    ({"event": {}}, "event.type", "body.event.type is required"),
    ({"event": {"type": 3}}, "event.type", "body.event.type must be a string, not a number"),
    ([{"event": "x"}], "body", "body must be an object, not an array"),
])
def test_event_problems_point_inside_the_body(spec: OpenApiSpec, body: Any, parameter: str,
                                              message: str) -> None:
    error = _rejected(spec, "POST", "/machines/m/i/i1/events", body=body)
    assert (error.parameter, error.message) == (parameter, message)


@pytest.mark.parametrize(("method", "path", "body", "parameter"), [
    ("POST", "/machines", {"slug": "no spaces"}, "slug"),
    ("POST", "/machines", {"slug": "m", "indexes": ["ok", "not ok"]}, "indexes[1]"),
    ("POST", "/machines/m", {"slug": "i", "context": []}, "context"),
    ("PUT", "/machines/m/i/i1/status", {"status": "stopped"}, "status"),
    ("PUT", "/machines/m/v/x", {"indexSelectors": {"owner": 3}}, "indexSelectors.owner"),
    ("DELETE", "/machines/m", {"dangerDataWillBeDeletedForever": False,
                               "hmacSha256OfMachineNameWithMachineNameKey": "x"},
     "dangerDataWillBeDeletedForever"),
    ("DELETE", "/machines/m/i/i1", {"dangerDataWillBeDeletedForever": True},
     "hmacSha256OfMachineInstanceNameWithMachineNameKey"),
    ("POST", "/keys", {"name": "k", "scopes": ["org-keys.write"]}, "scopes[0]"),
    ("POST", "/token-providers", {"keyId": "k", "service": "a/b", "mapping": {}}, "service"),
])
def test_body_member_problems_are_named(spec: OpenApiSpec, method: str, path: str, body: Any,
                                        parameter: str) -> None:
    assert _rejected(spec, method, path, body=body).parameter == parameter


def test_one_of_several_members_needed(spec: OpenApiSpec) -> None:
    error = _rejected(spec, "POST", "/keys", body={"name": "k"})
    assert error.message == "body needs at least one of 'scopes', 'use'"
    error = _rejected(spec, "DELETE", "/idps", body={})
    assert error.message == "body needs at least one of 'aud', 'iss'"


def test_query_strings_are_coerced(spec: OpenApiSpec) -> None:
    for gzip in ("", "true", "TRUE", "1", "false", "0"):
        _check(spec, "POST", "/machines/m/v", {"gzip": gzip})
    assert _rejected(spec, "POST", "/machines/m/v", {"gzip": "maybe"}).parameter == "gzip"
    assert _rejected(spec, "GET", "/machines/m/indexes/x/query", {"limit": "lots"}).parameter == "limit"
    assert _rejected(spec, "GET", "/machines/m/indexes/x/query", {"limit": "1.5"}).parameter == "limit"
    assert _rejected(spec, "GET", "/machines/m/indexes/x/query", {"limit": "0"}).parameter == "limit"
    assert _rejected(spec, "GET", "/machines/m/indexes/x/query", {"op": "like"}).parameter == "op"


def test_required_query_parameter(spec: OpenApiSpec) -> None:
    error = _rejected(spec, "GET", "/logs")
    assert (error.parameter, error.message) == ("from", "query parameter 'from' is required")


@pytest.mark.parametrize("stamp", ["2023-10-01", "yesterday", "2023-02-30T00:00:00Z",
                                   "999-03-20T21:16:38.948Z"])
def test_timestamps_must_be_rfc3339(spec: OpenApiSpec, stamp: str) -> None:
    assert _rejected(spec, "GET", "/logs", {"from": stamp}).parameter == "from"


def test_token_exchange_form(spec: OpenApiSpec) -> None:
    hyphen = {**TOKEN_FORM}
    hyphen["requested_token-type"] = hyphen.pop("requested_token_type")
    _check(spec, "POST", "/tokens", body=hyphen)
    without = {k: v for k, v in TOKEN_FORM.items() if k != "requested_token_type"}
    _check(spec, "POST", "/tokens", body=without)
    wrong = {**TOKEN_FORM, "grant_type": "password"}
    assert _rejected(spec, "POST", "/tokens", body=wrong).parameter == "grant_type"
    missing = {k: v for k, v in TOKEN_FORM.items() if k != "subject_token"}
    assert _rejected(spec, "POST", "/tokens", body=missing).parameter == "subject_token"


def test_clock_advance_needs_a_non_negative_ms(spec: OpenApiSpec) -> None:
    assert _rejected(spec, "POST", "/_emulator/clock/advance", body={"ms": -1}).parameter == "ms"
    assert _rejected(spec, "POST", "/_emulator/clock/advance", body={}).parameter == "ms"


def test_operations_without_a_body_ignore_one(spec: OpenApiSpec) -> None:
    _check(spec, "DELETE", "/keys/sbk_x", body={"anything": True})
