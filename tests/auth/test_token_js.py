"""Cross-check against the real ``@statebacked/token`` 0.2.0: ``sign_token`` mints the same
bytes, and the real library's tokens verify. Skipped unless ``npm ci`` ran in tests/auth/js."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jwt
import pytest

from sb_emulator.auth.records import ApiKey
from sb_emulator.auth.tokens import sign_token, verify_bearer
from tests.auth.conftest import ORG_ID

JS = Path(__file__).parent / "js"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (JS / "node_modules" / "@statebacked" / "token").is_dir(),
    reason="needs node and `npm ci` in tests/auth/js",
)

KEY = ApiKey("sbk_nXzdtCxESemgtxS5JX-LrA", ORG_ID, "k", "sbsec_Zm9vYmFyLWJhei1xdXV4", frozenset(),
             0)


def real_sign(act: dict[str, Any], expires_at: int, issuer: str | None = None) -> str:
    request = {"keyId": KEY.id, "secret": KEY.secret, "act": act, "expiresAt": expires_at,
               "issuer": issuer}
    assert NODE is not None
    done = subprocess.run([NODE, "sign.mjs"], cwd=JS, input=json.dumps(request), text=True,
                          capture_output=True, timeout=60, check=True)
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("act", "issuer"),
    [
        ({"sub": "user-1"}, None),
        ({"sub": "ü-ñ", "roles": ["a", "b"], "org": {"id": 7, "ok": True, "none": None}},
         "https://my-app.example/"),
        ({}, "cli"),
    ],
)
def test_sign_token_is_byte_identical(act: dict[str, Any], issuer: str | None) -> None:
    expires_at = 1_900_000_000
    real = real_sign(act, expires_at, issuer)
    iat = jwt.decode(real, options={"verify_signature": False})["iat"]
    ours = sign_token(KEY, act, expires_at_s=expires_at, issuer=issuer, now_s=iat)
    assert ours == real


def test_real_tokens_verify() -> None:
    real = real_sign({"sub": "alice", "email": "a@x"}, 1_900_000_000)
    iat = jwt.decode(real, options={"verify_signature": False})["iat"]
    principal = verify_bearer(f"Bearer {real}", {KEY.id: KEY}.get, iat)
    assert principal.auth_context == {"sub": "alice", "email": "a@x"}
