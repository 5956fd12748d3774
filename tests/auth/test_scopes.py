"""Scopes, presets and ``require_scope`` (the per-operation table: test_operations.py)."""

from __future__ import annotations

import pytest

from sb_emulator.auth.scopes import (
    ALL_SCOPES,
    CI,
    PRESETS,
    PRODUCTION,
    KeyScope,
    check_scopes,
    require_scope,
    scopes_for_new_key,
)
from sb_emulator.auth.tokens import Principal
from sb_emulator.errors import InvalidParameter, MissingScope

SPEC_KEY_SCOPES = {
    "events.write", "events.read", "state.read", "instances.read", "instances.write",
    "instances.admin", "machines.read", "machines.write", "machines.admin",
    "machine-versions.read", "machine-versions.write", "analytics.read", "org.read",
    "org.write", "org.keys.write", "org-members.write", "logs.read", "tokens.admin",
}


def principal(*scopes: str, admin: bool = False) -> Principal:
    return Principal("org_a", "sbk_k", frozenset(scopes), {}, is_admin=admin)


def test_every_spec_scope_plus_indexes_read() -> None:
    assert frozenset(SPEC_KEY_SCOPES | {"indexes.read"}) == ALL_SCOPES
    assert KeyScope.INDEXES_READ == "indexes.read"


def test_presets_as_documented() -> None:
    assert PRESETS["production"] == PRODUCTION == {
        "events.write", "state.read", "instances.write", "indexes.read",
    }
    assert PRESETS["ci"] == CI == {
        "machines.read", "machines.write", "machine-versions.read", "machine-versions.write",
    }


def test_require_scope_any_of() -> None:
    require_scope(principal("events.write"), "instances.write", "events.write")
    require_scope(principal(), )  # nothing needed
    require_scope(principal(admin=True), "tokens.admin")


def test_missing_scope_names_what_is_missing() -> None:
    with pytest.raises(MissingScope) as err:
        require_scope(principal("state.read"), "machines.admin")
    assert err.value.status == 403 and err.value.code == "missing-scope"
    assert "'machines.admin'" in err.value.message and "state.read" in err.value.message
    with pytest.raises(MissingScope) as either:
        require_scope(principal(), "indexes.read", "instances.read")
    assert "one of the scopes 'indexes.read' or 'instances.read'" in either.value.message
    assert "no scopes" in either.value.message


def test_scopes_for_new_key() -> None:
    assert scopes_for_new_key(None, "ci") == CI
    assert scopes_for_new_key(["logs.read"], "production") == {"logs.read"}  # scopes win
    with pytest.raises(InvalidParameter) as neither:
        scopes_for_new_key(None, None)
    assert neither.value.parameter == "scopes"
    with pytest.raises(InvalidParameter) as bad_use:
        scopes_for_new_key(None, "staging")
    assert bad_use.value.parameter == "use"


def test_unknown_scopes_are_named_with_hints() -> None:
    with pytest.raises(InvalidParameter) as err:
        check_scopes(["org-keys.write", "bogus"])
    assert "'org-keys.write' (did you mean 'org.keys.write'?)" in err.value.message
    assert "'bogus'" in err.value.message
    with pytest.raises(InvalidParameter):
        check_scopes("state.read")
