"""Shared fixtures for the auth tests: keys, an org, and a fixed 'now'."""

from __future__ import annotations

import pytest

from sb_emulator.auth.records import ApiKey, Org
from sb_emulator.auth.scopes import ALL_SCOPES, PRODUCTION

NOW_S = 1_800_000_000
ORG_ID = "org_uHvZHpF4STWvMg8BKVCUTg"


@pytest.fixture
def admin_key() -> ApiKey:
    return ApiKey(
        id="sbk_adminAdminAdminAdmin0", org_id=ORG_ID, name="admin",
        secret="sbsec_admin-secret-for-tests", scopes=ALL_SCOPES, created_at_ms=0,
    )


@pytest.fixture
def prod_key() -> ApiKey:
    return ApiKey(
        id="sbk_prodProdProdProdProd0", org_id=ORG_ID, name="production",
        secret="sbsec_production-secret", scopes=PRODUCTION, created_at_ms=0,
    )


@pytest.fixture
def org() -> Org:
    return Org(id=ORG_ID, name="Test org", created_at_ms=0)
