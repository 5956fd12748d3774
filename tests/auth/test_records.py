"""Records: lossless JSON round trips, API validation of upserts, listing shapes."""

from __future__ import annotations

import base64
import json

import pytest

from sb_emulator.auth.anonymous import anonymous_setup
from sb_emulator.auth.records import ApiKey, IdentityProvider, Org, TokenProvider
from sb_emulator.errors import InvalidParameter
from tests.auth.conftest import ORG_ID


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_round_trips_through_json_text(admin_key: ApiKey, org: Org) -> None:
    key, idp, provider = anonymous_setup(ORG_ID, 1234)
    jwks_idp = IdentityProvider(ORG_ID, "aud", None, ("RS256",), None, "https://x/jwks", {})
    for record in (admin_key, org, key, idp, provider, jwks_idp):
        text = json.dumps(record.to_json())
        assert type(record).from_json(json.loads(text)) == record


def test_key_listing_never_shows_the_secret(admin_key: ApiKey) -> None:
    listed = admin_key.public()
    assert listed["id"] == admin_key.id and "secret" not in json.dumps(listed)
    assert listed["createdAt"] == "1970-01-01T00:00:00.000Z"
    assert listed["scopes"] == sorted(admin_key.scopes)


def test_idp_upsert_and_listing() -> None:
    secret = b"\xffbinary secret"
    body = {"iss": "https://idp/", "algs": ["HS256"], "key": _b64url(secret),
            "mapping": {"sub.$": "$.sub"}}
    idp = IdentityProvider.from_upsert(ORG_ID, body)
    assert idp.key == secret and idp.aud is None and idp.jwks_url is None
    assert idp.public() == {"iss": "https://idp/", "algs": ["HS256"],
                            "mapping": {"sub.$": "$.sub"}}
    jwks = IdentityProvider.from_upsert(
        ORG_ID, {"aud": "a", "algs": ["RS256", "ES256"], "jwksUrl": "https://i/jwks",
                 "mapping": {}},
    )
    assert jwks.public() == {"aud": "a", "algs": ["RS256", "ES256"],
                             "jwksUrl": "https://i/jwks", "mapping": {}}


@pytest.mark.parametrize(
    ("body", "parameter"),
    [
        ({"algs": ["HS256"], "key": "a2V5", "mapping": {}}, "aud"),
        ({"aud": "a", "algs": ["HS256"], "mapping": {}}, "key"),
        ({"aud": "a", "algs": ["HS256"], "key": "a2V5", "jwksUrl": "https://x", "mapping": {}},
         "key"),
        ({"aud": "a", "algs": ["HS256"], "key": "a2V5+/", "mapping": {}}, "key"),
        ({"aud": "a", "algs": [], "key": "a2V5", "mapping": {}}, "algs"),
        ({"aud": "a", "algs": ["HS1"], "key": "a2V5", "mapping": {}}, "algs"),
        ({"aud": "a", "algs": ["RS256"], "jwksUrl": "file:///etc/passwd", "mapping": {}},
         "jwksUrl"),
        ({"aud": "a", "algs": ["HS256"], "key": "a2V5"}, "mapping"),
        ({"aud": "a", "algs": ["HS256"], "key": "a2V5", "mapping": {"s.$": 1}}, "mapping"),
        ({"aud": 5, "algs": ["HS256"], "key": "a2V5", "mapping": {}}, "aud"),
    ],
)
def test_idp_upsert_errors_name_the_field(body: dict[str, object], parameter: str) -> None:
    with pytest.raises(InvalidParameter) as err:
        IdentityProvider.from_upsert(ORG_ID, body)
    assert err.value.parameter == parameter


def test_token_provider_upsert() -> None:
    tp = TokenProvider.from_upsert(ORG_ID, {"service": "my-app", "keyId": "sbk_x",
                                            "mapping": {"sub.$": "$.sub"}})
    assert tp.public() == {"service": "my-app", "keyId": "sbk_x", "mapping": {"sub.$": "$.sub"}}
    for body, parameter in [
        ({"service": "bad service", "keyId": "k", "mapping": {}}, "service"),
        ({"service": "ok", "mapping": {}}, "keyId"),
        ({"service": "ok", "keyId": "k", "mapping": "x"}, "mapping"),
    ]:
        with pytest.raises(InvalidParameter) as err:
            TokenProvider.from_upsert(ORG_ID, body)
        assert err.value.parameter == parameter
