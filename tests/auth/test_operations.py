"""The operation table (auth/operations.py): every route, its method, path and authorisation."""

from __future__ import annotations

import pytest

from sb_emulator.auth.operations import (
    API_OPERATIONS,
    HTTP_API_OPERATIONS,
    OPERATIONS,
    OPERATIONS_BY_KEY,
    Credential,
    operation,
)
from sb_emulator.auth.scopes import ALL_SCOPES


def test_api_table_covers_all_34_operations_with_unique_keys() -> None:
    assert len(API_OPERATIONS) == 34
    assert len({op.operation_id for op in OPERATIONS}) == len(OPERATIONS)
    assert len({(op.method, op.path) for op in OPERATIONS}) == len(OPERATIONS)
    for op in OPERATIONS:
        assert set(op.scopes) <= ALL_SCOPES


@pytest.mark.parametrize(
    ("key", "scopes"),
    [
        ("sendEvent", ("instances.write", "events.write")),
        (("POST", "/machines/{machineSlug}/i/{instanceSlug}/events"),
         ("instances.write", "events.write")),
        ("queryIndex", ("indexes.read", "instances.read")),
        (("GET", "/machines/{machineSlug}/i/{instanceSlug}"), ("state.read",)),
        (("GET", "/keys"), ("tokens.admin",)),
        ("createKey", ("org.keys.write",)),
        ("getBilling", ("org.write",)),
        ("subscribe", ("state.read",)),
        ("exchangeToken", ()),
    ],
)
def test_operation_scopes(key: str | tuple[str, str], scopes: tuple[str, ...]) -> None:
    assert OPERATIONS_BY_KEY[key].scopes == scopes


def test_unauthenticated_and_admin_only_operations() -> None:
    assert not OPERATIONS_BY_KEY["exchangeToken"].authenticated
    assert OPERATIONS_BY_KEY[("POST", "/orgs")].admin_only
    assert [op.operation_id for op in API_OPERATIONS if not op.authenticated] == ["exchangeToken"]
    assert [op.operation_id for op in OPERATIONS if op.admin_only] == ["createOrg"]


def test_who_checks_the_token() -> None:
    by_credential = {
        credential: {op.operation_id for op in OPERATIONS if op.credential is credential}
        for credential in Credential
    }
    assert by_credential[Credential.QUERY_TOKEN] == {"subscribe"}
    # every other State Backed operation but the token exchange is checked by the middleware
    assert by_credential[Credential.BEARER_HEADER] == {
        op.operation_id for op in API_OPERATIONS
    } - {"subscribe", "exchangeToken"}
    # nothing without a token asks for a scope: there would be no one to check it
    assert all(not op.scopes for op in OPERATIONS if op.credential is Credential.NONE)


def test_the_http_api_has_every_method_head_included() -> None:
    assert sorted(op.method for op in HTTP_API_OPERATIONS) == [
        "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT",
    ]
    assert {op.path for op in HTTP_API_OPERATIONS} == {
        "/http-api/{orgId}/machines/{machineSlug}/{httpApiSlug}"
    }


def test_an_unknown_operation_id_is_named() -> None:
    assert operation("getLogs").path == "/logs"
    with pytest.raises(LookupError, match="'getLog'"):
        operation("getLog")
