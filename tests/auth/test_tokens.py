"""Bearer tokens: the exact bytes ``signToken`` mints, verification, and one 401 per failure."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable

import jwt
import pytest

from sb_emulator.auth.records import ApiKey
from sb_emulator.auth.tokens import (
    API_AUDIENCE,
    LEEWAY_S,
    Principal,
    sign_token,
    verify_bearer,
)
from sb_emulator.errors import Unauthenticated
from tests.auth.conftest import NOW_S, ORG_ID


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(token: str) -> tuple[bytes, bytes]:
    header, payload, _ = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return base64.urlsafe_b64decode(pad(header)), base64.urlsafe_b64decode(pad(payload))


def lookup(*keys: ApiKey) -> Callable[[str], ApiKey | None]:
    return {key.id: key for key in keys}.get


def test_sign_token_matches_sign_token_wire_format(admin_key: ApiKey) -> None:
    token = sign_token(admin_key, {"sub": "user-1", "email": "é@x"}, expires_in_s=60, now_s=NOW_S)
    header, payload = _segments(token)
    assert header == f'{{"alg":"HS256","kid":"{admin_key.id}"}}'.encode()
    expected = (
        '{"act":{"sub":"user-1","email":"é@x"},"aud":"https://api.statebacked.dev/",'
        f'"exp":{NOW_S + 60},"iss":"https://{admin_key.id}.client.statebacked.dev/",'
        f'"iat":{NOW_S}}}'
    )
    assert payload == expected.encode("utf-8")
    signing_input = token.rsplit(".", 1)[0].encode()
    digest = hmac.new(admin_key.secret.encode(), signing_input, hashlib.sha256).digest()
    assert token.rsplit(".", 1)[1] == _b64(digest)


def test_sign_token_options(admin_key: ApiKey) -> None:
    token = sign_token(
        admin_key, {"role": "x"}, expires_at_s=NOW_S + 5, expires_in_s=999, issuer="me",
        sub="top", now_s=NOW_S,
    )
    claims = json.loads(_segments(token)[1])
    assert claims == {
        "act": {"role": "x"}, "aud": API_AUDIENCE, "exp": NOW_S + 5, "iss": "me",
        "iat": NOW_S, "sub": "top",
    }


def test_round_trip_gives_principal(admin_key: ApiKey, prod_key: ApiKey) -> None:
    token = sign_token(prod_key, {"sub": "alice", "role": "member"}, now_s=NOW_S)
    principal = verify_bearer(f"Bearer {token}", lookup(admin_key, prod_key), NOW_S)
    assert principal == Principal(
        org_id=ORG_ID, key_id=prod_key.id, scopes=prod_key.scopes,
        auth_context={"sub": "alice", "role": "member"}, is_admin=False,
    )
    admin = verify_bearer(f"bearer {sign_token(admin_key, {}, now_s=NOW_S)}",
                          lookup(admin_key), NOW_S)
    assert admin.is_admin


def test_bare_token_is_accepted_as_the_websocket_sends_it(prod_key: ApiKey) -> None:
    token = sign_token(prod_key, {"sub": "a"}, now_s=NOW_S)
    assert verify_bearer(token, lookup(prod_key), NOW_S).auth_context == {"sub": "a"}


def test_top_level_sub_is_the_fallback(prod_key: ApiKey) -> None:
    fallback = sign_token(prod_key, {"role": "r"}, sub="legacy", now_s=NOW_S)
    assert verify_bearer(fallback, lookup(prod_key), NOW_S).auth_context == {
        "role": "r", "sub": "legacy",
    }
    act_wins = sign_token(prod_key, {"sub": "act"}, sub="legacy", now_s=NOW_S)
    assert verify_bearer(act_wins, lookup(prod_key), NOW_S).auth_context == {"sub": "act"}


def test_pyjwt_token_without_aud_or_act_verifies(prod_key: ApiKey) -> None:
    token = jwt.encode({"sub": "s", "exp": NOW_S + 1}, prod_key.secret.encode(),
                       algorithm="HS256", headers={"kid": prod_key.id})
    assert verify_bearer(token, lookup(prod_key), NOW_S).auth_context == {"sub": "s"}


def test_exp_leeway(prod_key: ApiKey) -> None:
    token = sign_token(prod_key, {}, expires_at_s=NOW_S, now_s=NOW_S - 100)
    verify_bearer(token, lookup(prod_key), NOW_S + LEEWAY_S)
    with pytest.raises(Unauthenticated) as err:
        verify_bearer(token, lookup(prod_key), NOW_S + LEEWAY_S + 1)
    assert err.value.code == "token-expired"
    assert f"expired at {NOW_S}" in err.value.message


def _forged(key: ApiKey, header: dict[str, object], claims: dict[str, object]) -> str:
    """A token signed by ``key`` with ``claims`` as given (an ``exp`` unless they set one)."""
    return _signed_raw(key, header, json.dumps({"exp": NOW_S + 60, **claims}).encode())


def _signed_raw(key: ApiKey, header: dict[str, object], payload: bytes) -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(payload)
    sig = hmac.new(key.secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(sig)}"


def _failure_cases(key: ApiKey) -> dict[str, tuple[str | None, str, str]]:
    good = sign_token(key, {"sub": "x"}, now_s=NOW_S)
    stranger = ApiKey("sbk_unknownUnknownUnkno0", ORG_ID, "n", "sbsec_zz", frozenset(), 0)
    other_secret = ApiKey(key.id, ORG_ID, "n", "sbsec_other", frozenset(), 0)
    return {
        "missing": (None, "missing-token", "missing authorization header"),
        "blank": ("  ", "missing-token", "missing authorization header"),
        "bearer-only": ("Bearer ", "missing-token", "no token after 'Bearer'"),
        "basic": ("Basic dXNlcjpwYXNz", "not-bearer", "'Basic' scheme"),
        "garbage": ("Bearer not-a-jwt", "malformed-token", "not a compact JWT"),
        "bad-payload": (
            "Bearer " + _signed_raw(key, {"alg": "HS256", "kid": key.id}, b"not json"),
            "malformed-token", "malformed bearer token",
        ),
        "alg-none": (
            "Bearer " + jwt.encode({"a": 1}, None, algorithm="none", headers={"kid": key.id}),
            "malformed-token", "State Backed tokens are HS256",
        ),
        "no-kid": (
            "Bearer " + _forged(key, {"alg": "HS256"}, {"act": {}}), "malformed-token",
            "no 'kid' header",
        ),
        "unknown-kid": (
            "Bearer " + sign_token(stranger, {}, now_s=NOW_S), "unknown-key",
            "unknown key id 'sbk_unknownUnknownUnkno0'",
        ),
        "wrong-signature": (
            "Bearer " + sign_token(other_secret, {}, now_s=NOW_S), "invalid-signature",
            f"does not verify with key {key.id}",
        ),
        "tampered": (
            "Bearer " + good[:-2] + ("AA" if not good.endswith("AA") else "BB"),
            "invalid-signature", "signature does not verify",
        ),
        "expired": (
            "Bearer " + sign_token(key, {}, expires_in_s=10, now_s=NOW_S - 3600),
            "token-expired", "expired at",
        ),
        "other-aud": (
            "Bearer " + _forged(key, {"alg": "HS256", "kid": key.id}, {"aud": "https://x/"}),
            "invalid-audience", "audience 'https://x/'",
        ),
        "act-not-object": (
            "Bearer " + _forged(key, {"alg": "HS256", "kid": key.id}, {"act": "s"}),
            "malformed-token", "'act' must be an object",
        ),
        "future-nbf": (
            "Bearer " + _forged(key, {"alg": "HS256", "kid": key.id}, {"nbf": NOW_S + 100}),
            "token-not-yet-valid", "not valid before",
        ),
        "no-exp": (
            "Bearer " + _signed_raw(key, {"alg": "HS256", "kid": key.id}, b'{"act":{}}'),
            "missing-exp", "no 'exp' claim",
        ),
        "infinite-exp": (
            "Bearer " + _signed_raw(key, {"alg": "HS256", "kid": key.id}, b'{"exp":-1e400}'),
            "malformed-token", "exp must be a finite number",
        ),
    }


@pytest.mark.parametrize(
    "case",
    ["missing", "blank", "bearer-only", "basic", "garbage", "bad-payload", "alg-none", "no-kid",
     "unknown-kid", "wrong-signature", "tampered", "expired", "other-aud", "act-not-object",
     "future-nbf", "no-exp", "infinite-exp"],
)
def test_each_failure_has_its_own_401(prod_key: ApiKey, case: str) -> None:
    header, code, fragment = _failure_cases(prod_key)[case]
    with pytest.raises(Unauthenticated) as err:
        verify_bearer(header, lookup(prod_key), NOW_S)
    assert err.value.status == 401
    assert err.value.code == code
    assert fragment in err.value.message


def test_every_failure_kind_has_a_code(prod_key: ApiKey) -> None:
    codes = {code for _, code, _ in _failure_cases(prod_key).values()}
    assert codes == {
        "missing-token", "not-bearer", "malformed-token", "unknown-key", "invalid-signature",
        "token-expired", "invalid-audience", "token-not-yet-valid", "missing-exp",
    }


def test_short_secrets_verify_without_warnings() -> None:
    # filterwarnings=error: PyJWT's short-key advice must not escape.
    key = ApiKey("sbk_s", ORG_ID, "short", "sbsec_", frozenset(), 0)
    verify_bearer(sign_token(key, {}, now_s=NOW_S), lookup(key), NOW_S)
