"""``POST /tokens`` with HMAC identity providers, and every way an exchange can fail."""

from __future__ import annotations

import base64
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from sb_emulator.auth.exchange import ACCESS_TOKEN_TYPE, exchange_token
from sb_emulator.auth.jwks import JwksUnavailable
from sb_emulator.auth.records import ApiKey, IdentityProvider, Org, TokenProvider
from sb_emulator.auth.subject import InvalidSubjectToken
from sb_emulator.auth.tokens import quiet_key_length, verify_bearer
from sb_emulator.errors import InvalidParameter
from tests.auth.conftest import NOW_S, ORG_ID
from tests.auth.exchange_world import World, form

SECRET = b"idp-shared-secret"  # short on purpose: real Supabase-style secrets can be
ISS = "https://idp.example/"


def subject(claims: dict[str, Any], key: bytes = SECRET, alg: str = "HS256",
            headers: dict[str, Any] | None = None) -> str:
    with quiet_key_length():
        return jwt.encode(claims, key, algorithm=alg, headers=headers)


def hmac_idp(**changes: Any) -> IdentityProvider:
    fields: dict[str, Any] = {
        "org_id": ORG_ID, "aud": None, "iss": ISS, "algs": ("HS256",), "key": SECRET,
        "jwks_url": None, "mapping": {"sub.$": "$.sub", "email.$": "$.email", "src": "idp"},
    }
    fields.update(changes)
    return IdentityProvider(**fields)


@pytest.fixture
def world(org: Org, prod_key: ApiKey) -> World:
    provider = TokenProvider(ORG_ID, "my-app", prod_key.id,
                             {"sub.$": "$.sub", "contact": {"email.$": "$.email"}, "via.$": "src"})
    return World().add(org, prod_key, provider, hmac_idp())


async def test_hmac_exchange_issues_a_state_backed_token(world: World, prod_key: ApiKey) -> None:
    token = subject({"iss": ISS, "sub": "user-7", "email": "u@x", "exp": NOW_S + 7200})
    body = await world.exchange(token)
    assert set(body) == {"access_token", "issued_token_type", "token_type"}
    assert body["issued_token_type"] == ACCESS_TOKEN_TYPE and body["token_type"] == "Bearer"
    principal = verify_bearer(f"Bearer {body['access_token']}", world.find_key, NOW_S)
    assert principal.key_id == prod_key.id and principal.scopes == prod_key.scopes
    assert principal.auth_context == {"sub": "user-7", "contact": {"email": "u@x"}, "via": "idp"}
    header = jwt.get_unverified_header(body["access_token"])
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert header == {"alg": "HS256", "kid": prod_key.id}
    assert claims["aud"] == "https://api.statebacked.dev/"
    assert (claims["iat"], claims["exp"]) == (NOW_S, NOW_S + 3600)


async def test_issued_token_never_outlives_the_subject(world: World) -> None:
    body = await world.exchange(subject({"iss": ISS, "sub": "s", "exp": NOW_S + 60}))
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["exp"] == (
        NOW_S + 60
    )


async def test_subject_without_exp_gets_an_hour(world: World) -> None:
    body = await world.exchange(subject({"iss": ISS, "sub": "s"}))
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["exp"] == (
        NOW_S + 3600
    )


async def test_hyphen_spelling_and_absent_requested_token_type(world: World) -> None:
    token = subject({"iss": ISS, "sub": "s"})
    hyphen = form(token, "my-app")
    hyphen["requested_token-type"] = hyphen.pop("requested_token_type")
    missing = form(token, "my-app")
    del missing["requested_token_type"]
    for body in (hyphen, missing):
        result = await exchange_token(
            body, find_org=world.find_org, find_idps=world.find_idps,
            find_token_provider=world.find_token_provider, find_key=world.find_key,
            now_s=NOW_S,
        )
        assert result["token_type"] == "Bearer"


async def test_idp_chosen_by_aud_array_and_specificity(world: World, prod_key: ApiKey) -> None:
    other_secret = b"the-specific-idp-secret"
    world.add(hmac_idp(aud="api://mine", key=other_secret, mapping={"who": "specific"}))
    world.add(hmac_idp(aud="api://elsewhere", iss=None, mapping={"who": "elsewhere"}))
    token = subject({"iss": ISS, "aud": ["api://x", "api://mine"]}, key=other_secret)
    world.providers[(ORG_ID, "my-app")] = TokenProvider(ORG_ID, "my-app", prod_key.id,
                                                        {"who.$": "$.who"})
    body = await world.exchange(token)
    assert verify_bearer(body["access_token"], world.find_key, NOW_S).auth_context == {
        "who": "specific",
    }
    # the iss-only IdP still serves tokens signed with its own secret
    body = await world.exchange(subject({"iss": ISS, "aud": "api://mine"}))
    assert verify_bearer(body["access_token"], world.find_key, NOW_S).auth_context == {}


async def test_asymmetric_idp_with_a_pem_key(world: World, prod_key: ApiKey) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_b64 = base64.urlsafe_b64encode(pem).rstrip(b"=").decode()
    idp = IdentityProvider.from_upsert(ORG_ID, {"aud": "ec-aud", "algs": ["ES256"],
                                                "key": key_b64, "mapping": {"sub.$": "sub"}})
    world.add(idp, TokenProvider(ORG_ID, "ec", prod_key.id, {"sub.$": "sub"}))
    token = jwt.encode({"aud": "ec-aud", "sub": "ec-user"}, private, algorithm="ES256")
    body = await world.exchange(token, "ec")
    assert verify_bearer(body["access_token"], world.find_key, NOW_S).auth_context == {
        "sub": "ec-user",
    }
    with pytest.raises(InvalidSubjectToken, match="signature does not verify"):
        other = ec.generate_private_key(ec.SECP256R1())
        await world.exchange(jwt.encode({"aud": "ec-aud"}, other, algorithm="ES256"), "ec")


@pytest.mark.parametrize(
    ("changes", "parameter", "fragment"),
    [
        ({"grant_type": "password"}, "grant_type", "grant_type must be"),
        ({"grant_type": ""}, "grant_type", "grant_type must be"),
        ({"requested_token_type": "urn:x"}, "requested_token_type", "must be"),
        ({"audience": "https://api.statebacked.dev/"}, "audience", "audience must be"),
        ({"audience": "https://tokens.statebacked.dev/org_x"}, "audience", "audience must be"),
        ({"audience": "https://tokens.statebacked.dev/org_x/bad.service"}, "audience",
         "does not match"),
        ({"subject_token": ""}, "subject_token", "required"),
    ],
)
async def test_malformed_requests_are_400_naming_the_field(
    world: World, changes: dict[str, str], parameter: str, fragment: str
) -> None:
    body = {**form(subject({"iss": ISS}), "my-app"), **changes}
    with pytest.raises(InvalidParameter) as err:
        await exchange_token(
            body, find_org=world.find_org, find_idps=world.find_idps,
            find_token_provider=world.find_token_provider, find_key=world.find_key,
            now_s=NOW_S,
        )
    assert err.value.status == 400 and err.value.parameter == parameter
    assert fragment in err.value.message


async def test_missing_grant_type_field(world: World) -> None:
    body = form(subject({"iss": ISS}), "my-app")
    del body["grant_type"]
    with pytest.raises(InvalidParameter, match="grant_type"):
        await exchange_token(
            body, find_org=world.find_org, find_idps=world.find_idps,
            find_token_provider=world.find_token_provider, find_key=world.find_key,
            now_s=NOW_S,
        )


async def test_unknown_org_service_and_deleted_key_are_400(world: World, prod_key: ApiKey
                                                          ) -> None:
    token = subject({"iss": ISS})
    with pytest.raises(InvalidParameter, match="no org 'org_nope'"):
        await world.exchange(token, org_id="org_nope")
    with pytest.raises(InvalidParameter, match="no token provider for service 'other'"):
        await world.exchange(token, "other")
    del world.keys[prod_key.id]
    with pytest.raises(InvalidParameter, match="signs with key") as err:
        await world.exchange(token)
    assert err.value.parameter == "audience"


async def test_subject_that_is_not_a_jwt_is_400(world: World) -> None:
    with pytest.raises(InvalidParameter) as err:
        await world.exchange("definitely.not.ajwt")
    assert err.value.parameter == "subject_token"


@pytest.mark.parametrize(
    ("token", "fragment"),
    [
        (subject({"iss": "https://someone-else/"}), "no identity provider of org"),
        (subject({"iss": ISS}, key=b"wrong-secret"), "signature does not verify"),
        (subject({"iss": ISS}, alg="HS512"), "signed with 'HS512' but identity provider"),
        (subject({"iss": ISS, "exp": NOW_S - 11}), f"expired at {NOW_S - 11}"),
        (subject({"iss": ISS, "exp": "soon"}), "exp must be a finite number"),
        (subject({"iss": ISS, "nbf": NOW_S + 100}), f"not valid before {NOW_S + 100}"),
    ],
)
async def test_rejected_subject_tokens_are_403(world: World, token: str, fragment: str) -> None:
    with pytest.raises(InvalidSubjectToken) as err:
        await world.exchange(token)
    assert err.value.status == 403 and err.value.code == "invalid-subject-token"
    assert fragment in err.value.message


async def test_subject_expiry_has_leeway(world: World) -> None:
    body = await world.exchange(subject({"iss": ISS, "exp": NOW_S - 10}))
    assert body["token_type"] == "Bearer"


async def test_deleting_the_idp_stops_exchanges(world: World) -> None:
    token = subject({"iss": ISS})
    await world.exchange(token)
    world.idps.clear()
    with pytest.raises(InvalidSubjectToken, match="no identity provider"):
        await world.exchange(token)


async def test_bad_asymmetric_key_material_is_explained(world: World, prod_key: ApiKey) -> None:
    world.add(IdentityProvider(ORG_ID, "rs", None, ("RS256",), b"not a key", None, {}))
    world.add(TokenProvider(ORG_ID, "rs", prod_key.id, {}))
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidSubjectToken, match="not a usable RS256 public key"):
        await world.exchange(jwt.encode({"aud": "rs"}, private, algorithm="RS256"), "rs")


async def test_failing_injected_fetcher_is_502(world: World, prod_key: ApiKey) -> None:
    world.add(IdentityProvider(ORG_ID, "j", None, ("RS256",), None, "https://jwks.invalid/", {}))
    world.add(TokenProvider(ORG_ID, "j", prod_key.id, {}))

    async def broken(url: str) -> dict[str, Any]:
        raise OSError("connection refused")

    with quiet_key_length():
        token = jwt.encode({"aud": "j"}, "x" * 32, algorithm="HS256")
    with pytest.raises(InvalidSubjectToken, match="signed with 'HS256'"):
        await world.exchange(token, "j", fetch_jwks=broken)
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(JwksUnavailable) as err:
        await world.exchange(jwt.encode({"aud": "j"}, private, algorithm="RS256"), "j",
                             fetch_jwks=broken)
    assert err.value.status == 502 and "connection refused" in err.value.message


async def test_hmac_idp_configured_with_a_public_key_is_explained(
    world: World, prod_key: ApiKey
) -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    world.add(IdentityProvider(ORG_ID, "pem-as-hmac", None, ("HS256",), pem, None, {}))
    world.add(TokenProvider(ORG_ID, "pem", prod_key.id, {}))
    token = subject({"aud": "pem-as-hmac"}, key=b"some-other-secret-entirely")
    with pytest.raises(InvalidSubjectToken, match="cannot be verified"):
        await world.exchange(token, "pem")
