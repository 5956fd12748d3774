"""Org header and ``x-statebacked-act`` impersonation rules (API.md §2.4, §2.6)."""

from __future__ import annotations

import pytest

from sb_emulator.auth.orgs import apply_act_header, resolve_org
from sb_emulator.auth.tokens import Principal
from sb_emulator.errors import InvalidParameter, MissingOrg, MissingScope

CALLER = Principal("org_a", "sbk_k", frozenset({"state.read"}), {"sub": "me"})
KEY_ADMIN = Principal("org_a", "sbk_w", frozenset({"org.keys.write"}), {"sub": "w"})
ADMIN = Principal("org_a", "sbk_admin", frozenset(), {}, is_admin=True)


@pytest.mark.parametrize("header", [None, "", "  ", "org_a", " org_a "])
def test_own_or_absent_org_header(header: str | None) -> None:
    assert resolve_org(CALLER, header) is CALLER


def test_other_org_is_missing_org() -> None:
    with pytest.raises(MissingOrg) as err:
        resolve_org(CALLER, "org_b")
    assert err.value.status == 403 and err.value.code == "missing-org"
    assert "'org_b'" in err.value.message and "'org_a'" in err.value.message


@pytest.mark.parametrize("who", [KEY_ADMIN, ADMIN])
def test_act_header_replaces_auth_context(who: Principal) -> None:
    acting = apply_act_header(who, '{"sub": "impersonated", "role": "x"}')
    assert acting.auth_context == {"sub": "impersonated", "role": "x"}
    assert (acting.org_id, acting.scopes, acting.is_admin) == (who.org_id, who.scopes,
                                                               who.is_admin)


def test_act_header_needs_permission() -> None:
    with pytest.raises(MissingScope) as err:
        apply_act_header(CALLER, '{"sub": "x"}')
    assert "x-statebacked-act" in err.value.message and "org.keys.write" in err.value.message


@pytest.mark.parametrize(("value", "fragment"), [("{nope", "not valid JSON"),
                                                 ('["a"]', "must be a JSON object")])
def test_bad_act_header_is_400(value: str, fragment: str) -> None:
    with pytest.raises(InvalidParameter) as err:
        apply_act_header(ADMIN, value)
    assert err.value.status == 400 and err.value.parameter == "x-statebacked-act"
    assert fragment in err.value.message
