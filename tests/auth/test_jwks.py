"""JWKS identity providers served by pytest-httpserver, and the default fetcher's cache."""

from __future__ import annotations

import functools
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from pytest_httpserver import HTTPServer

from sb_emulator.auth.jwks import JwksCache, JwksUnavailable, fetch_jwks_urllib
from sb_emulator.auth.records import ApiKey, IdentityProvider, Org, TokenProvider
from sb_emulator.auth.subject import InvalidSubjectToken
from sb_emulator.auth.tokens import verify_bearer
from tests.auth.conftest import NOW_S, ORG_ID
from tests.auth.exchange_world import World

AUTH0_AUD = "https://tenant.example/api/v2/"
AUTH0_ISS = "https://tenant.example/"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def jwk(public: Any, kid: str, alg: str) -> dict[str, Any]:
    algorithm = RSAAlgorithm if alg.startswith(("RS", "PS")) else ECAlgorithm
    entry: dict[str, Any] = json.loads(algorithm.to_jwk(public))
    return {**entry, "kid": kid, "alg": alg, "use": "sig"}


@pytest.fixture
def fetch() -> Any:
    return functools.partial(fetch_jwks_urllib, cache=JwksCache())


@pytest.fixture
def world(
    httpserver: HTTPServer, rsa_key: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey,
    org: Org, prod_key: ApiKey,
) -> World:
    decoy = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    httpserver.expect_request("/.well-known/jwks.json").respond_with_json({"keys": [
        jwk(decoy.public_key(), "decoy", "RS256"),
        jwk(rsa_key.public_key(), "rsa-1", "RS256"),
        jwk(ec_key.public_key(), "ec-1", "ES256"),
        {"kty": "weird", "kid": "ignored"},
    ]})
    idp = IdentityProvider.from_upsert(ORG_ID, {
        "aud": AUTH0_AUD, "iss": AUTH0_ISS, "algs": ["RS256", "ES256"],
        "jwksUrl": httpserver.url_for("/.well-known/jwks.json"),
        "mapping": {"sub.$": "$.sub", "roles.$": "$['https://x/roles']"},
    })
    provider = TokenProvider(ORG_ID, "web", prod_key.id, {"sub.$": "$.sub", "roles.$": "roles"})
    return World().add(org, prod_key, idp, provider)


def claims(**extra: Any) -> dict[str, Any]:
    return {"aud": [AUTH0_AUD, "https://tenant.example/userinfo"], "iss": AUTH0_ISS,
            "sub": "auth0|123", "https://x/roles": ["admin", "dev"], "exp": NOW_S + 600,
            **extra}


async def test_rs256_token_verified_through_the_served_jwks(
    world: World, rsa_key: rsa.RSAPrivateKey, fetch: Any
) -> None:
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "rsa-1"})
    body = await world.exchange(token, "web", fetch_jwks=fetch)
    principal = verify_bearer(body["access_token"], world.find_key, NOW_S)
    assert principal.auth_context == {"sub": "auth0|123", "roles": ["admin", "dev"]}


async def test_es256_and_token_without_kid(
    world: World, ec_key: ec.EllipticCurvePrivateKey, rsa_key: rsa.RSAPrivateKey, fetch: Any
) -> None:
    es = jwt.encode(claims(), ec_key, algorithm="ES256", headers={"kid": "ec-1"})
    assert (await world.exchange(es, "web", fetch_jwks=fetch))["token_type"] == "Bearer"
    # no kid: every RS256 key is tried (the decoy first)
    no_kid = jwt.encode(claims(), rsa_key, algorithm="RS256")
    assert (await world.exchange(no_kid, "web", fetch_jwks=fetch))["token_type"] == "Bearer"


async def test_unknown_kid_lists_the_served_kids(
    world: World, rsa_key: rsa.RSAPrivateKey, fetch: Any
) -> None:
    token = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "rotated"})
    with pytest.raises(InvalidSubjectToken) as err:
        await world.exchange(token, "web", fetch_jwks=fetch)
    assert "kid 'rotated'" in err.value.message and "'rsa-1'" in err.value.message


async def test_wrong_key_and_expired(world: World, rsa_key: rsa.RSAPrivateKey, fetch: Any
                                     ) -> None:
    wrong = jwt.encode(claims(), rsa_key, algorithm="RS256", headers={"kid": "decoy"})
    with pytest.raises(InvalidSubjectToken, match="signature does not verify"):
        await world.exchange(wrong, "web", fetch_jwks=fetch)
    expired = jwt.encode(claims(exp=NOW_S - 60), rsa_key, algorithm="RS256",
                         headers={"kid": "rsa-1"})
    with pytest.raises(InvalidSubjectToken, match="expired"):
        await world.exchange(expired, "web", fetch_jwks=fetch)


async def test_cache_serves_repeat_fetches(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/c").respond_with_json({"keys": []})
    cache = JwksCache()
    url = httpserver.url_for("/c")
    assert await fetch_jwks_urllib(url, cache=cache) == {"keys": []}
    await fetch_jwks_urllib(url, cache=cache)
    assert len(httpserver.log) == 1
    cache.clear()
    await fetch_jwks_urllib(url, cache=cache)
    assert len(httpserver.log) == 2
    expired = JwksCache(ttl_s=-1)
    await fetch_jwks_urllib(url, cache=expired)
    await fetch_jwks_urllib(url, cache=expired)
    assert len(httpserver.log) == 4


def test_cache_is_bounded() -> None:
    cache = JwksCache(size=2)
    for name in ("a", "b", "c"):
        cache.put(name, {"keys": [name]})
    assert cache.get("a") is None and cache.get("c") == {"keys": ["c"]}


@pytest.mark.parametrize(
    ("respond", "fragment"),
    [
        (lambda s: s.respond_with_data("oops", status=500), "could not fetch"),
        (lambda s: s.respond_with_data("<html>", content_type="text/html"), "is not JSON"),
        (lambda s: s.respond_with_json({"nokeys": 1}), "is not a JWKS"),
    ],
)
async def test_fetch_failures_are_502(httpserver: HTTPServer, respond: Any, fragment: str
                                      ) -> None:
    respond(httpserver.expect_request("/bad"))
    with pytest.raises(JwksUnavailable) as err:
        await fetch_jwks_urllib(httpserver.url_for("/bad"), cache=JwksCache())
    assert err.value.status == 502 and fragment in err.value.message


async def test_non_http_url_is_refused() -> None:
    with pytest.raises(JwksUnavailable, match="not an http"):
        await fetch_jwks_urllib("file:///etc/passwd", cache=JwksCache())
