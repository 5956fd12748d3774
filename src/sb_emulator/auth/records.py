"""The persistent records of the auth area: orgs, keys, identity providers, token providers.

Frozen dataclasses; the store persists them through ``to_json()`` / ``from_json()`` (camelCase,
JSON-only values: key material is base64url text, scopes a sorted list). ``from_upsert``
constructors validate the public API bodies of ``POST /idps`` and ``POST /token-providers``
(API.md §4.9) and raise :class:`~sb_emulator.errors.InvalidParameter` naming the field;
``public()`` gives the listing shapes (never a secret or a verification key).

``hidden`` marks the records created for anonymous sessions (API.md §2.8): emulator choice
(API.md §10 #18), list endpoints leave them out.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sb_emulator.auth.mapping import validate_mapping
from sb_emulator.clock import iso_from_ms
from sb_emulator.errors import InvalidParameter
from sb_emulator.ids import b64url, b64url_decode

# SPEC `SigningAlgorithm`.
SIGNING_ALGORITHMS = frozenset(
    {
        "HS256", "HS384", "HS512", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512",
        "ES256", "ES384", "ES512", "EdDSA",
    }
)
SERVICE_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,128}$")


@dataclass(frozen=True)
class Org:
    id: str
    name: str
    created_at_ms: int
    allow_anonymous_access: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "createdAtMs": self.created_at_ms,
            "allowAnonymousAccess": self.allow_anonymous_access,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Org:
        return cls(
            id=data["id"],
            name=data["name"],
            created_at_ms=int(data["createdAtMs"]),
            allow_anonymous_access=bool(data.get("allowAnonymousAccess", True)),
        )


@dataclass(frozen=True)
class ApiKey:
    """A State Backed key: ``id`` is the JWT ``kid``, ``secret`` the whole ``sbsec_...`` text."""

    id: str
    org_id: str
    name: str
    secret: str
    scopes: frozenset[str]
    created_at_ms: int
    hidden: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "orgId": self.org_id,
            "name": self.name,
            "secret": self.secret,
            "scopes": sorted(self.scopes),
            "createdAtMs": self.created_at_ms,
            "hidden": self.hidden,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ApiKey:
        return cls(
            id=data["id"],
            org_id=data["orgId"],
            name=data["name"],
            secret=data["secret"],
            scopes=frozenset(data["scopes"]),
            created_at_ms=int(data["createdAtMs"]),
            hidden=bool(data.get("hidden", False)),
        )

    def public(self) -> dict[str, Any]:
        """One entry of ``GET /keys`` (the secret is never listed)."""
        return {
            "id": self.id,
            "name": self.name,
            "scopes": sorted(self.scopes),
            "createdAt": iso_from_ms(self.created_at_ms),
        }


@dataclass(frozen=True)
class IdentityProvider:
    """A trusted token issuer of an org (API.md §2.7). Identity = the (``aud``, ``iss``) pair.

    ``key`` holds the raw verification key bytes (the API carries them base64url-encoded);
    exactly one of ``key`` and ``jwks_url`` is set.
    """

    org_id: str
    aud: str | None
    iss: str | None
    algs: tuple[str, ...]
    key: bytes | None
    jwks_url: str | None
    mapping: Mapping[str, Any]
    hidden: bool = False

    @property
    def identity(self) -> tuple[str | None, str | None]:
        return (self.aud, self.iss)

    def to_json(self) -> dict[str, Any]:
        return {
            "orgId": self.org_id,
            "aud": self.aud,
            "iss": self.iss,
            "algs": list(self.algs),
            "key": b64url(self.key) if self.key is not None else None,
            "jwksUrl": self.jwks_url,
            "mapping": dict(self.mapping),
            "hidden": self.hidden,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IdentityProvider:
        key = data.get("key")
        return cls(
            org_id=data["orgId"],
            aud=data.get("aud"),
            iss=data.get("iss"),
            algs=tuple(data["algs"]),
            key=b64url_decode(key) if key is not None else None,
            jwks_url=data.get("jwksUrl"),
            mapping=dict(data["mapping"]),
            hidden=bool(data.get("hidden", False)),
        )

    def public(self) -> dict[str, Any]:
        """One entry of ``GET /idps``: optional fields omitted when unset, never the key."""
        out: dict[str, Any] = {}
        for name, value in (("aud", self.aud), ("iss", self.iss)):
            if value is not None:
                out[name] = value
        out["algs"] = list(self.algs)
        if self.jwks_url is not None:
            out["jwksUrl"] = self.jwks_url
        out["mapping"] = dict(self.mapping)
        return out

    @classmethod
    def from_upsert(cls, org_id: str, body: Mapping[str, Any]) -> IdentityProvider:
        """Validate a ``POST /idps`` body (``UpsertIdentityProvider``)."""
        aud = _optional_str(body, "aud")
        iss = _optional_str(body, "iss")
        if aud is None and iss is None:
            raise InvalidParameter("aud", "an identity provider needs an aud, an iss, or both")
        key_text = _optional_str(body, "key")
        jwks_url = _optional_str(body, "jwksUrl")
        if (key_text is None) == (jwks_url is None):
            raise InvalidParameter("key", "give exactly one of key (base64url) and jwksUrl")
        if jwks_url is not None and not re.match(r"^https?://", jwks_url):
            raise InvalidParameter("jwksUrl", f"jwksUrl must be an absolute URL: {jwks_url!r}")
        return cls(
            org_id=org_id,
            aud=aud,
            iss=iss,
            algs=_algs(body.get("algs")),
            key=_decode_key(key_text) if key_text is not None else None,
            jwks_url=jwks_url,
            mapping=_mapping(body),
        )


@dataclass(frozen=True)
class TokenProvider:
    """Signs exchanged tokens for ``service`` with the key ``key_id`` (API.md §2.7)."""

    org_id: str
    service: str
    key_id: str
    mapping: Mapping[str, Any]
    hidden: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "orgId": self.org_id,
            "service": self.service,
            "keyId": self.key_id,
            "mapping": dict(self.mapping),
            "hidden": self.hidden,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TokenProvider:
        return cls(
            org_id=data["orgId"],
            service=data["service"],
            key_id=data["keyId"],
            mapping=dict(data["mapping"]),
            hidden=bool(data.get("hidden", False)),
        )

    def public(self) -> dict[str, Any]:
        """One entry of ``GET /token-providers``."""
        return {"service": self.service, "keyId": self.key_id, "mapping": dict(self.mapping)}

    @classmethod
    def from_upsert(cls, org_id: str, body: Mapping[str, Any]) -> TokenProvider:
        """Validate a ``POST /token-providers`` body (``UpsertTokenProvider``)."""
        service = _optional_str(body, "service")
        if service is None or not SERVICE_PATTERN.match(service):
            raise InvalidParameter("service", "service must match ^[a-zA-Z0-9_-]{1,128}$")
        key_id = _optional_str(body, "keyId")
        if key_id is None:
            raise InvalidParameter("keyId", "keyId (the key that signs the tokens) is required")
        return cls(org_id=org_id, service=service, key_id=key_id, mapping=_mapping(body))


def _optional_str(body: Mapping[str, Any], field: str) -> str | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidParameter(field, f"{field} must be a non-empty string")
    return value


def _mapping(body: Mapping[str, Any]) -> dict[str, Any]:
    mapping = body.get("mapping")
    validate_mapping(mapping, "mapping")
    assert isinstance(mapping, Mapping)  # validate_mapping raised otherwise
    return dict(mapping)


def _algs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidParameter("algs", "algs must be a non-empty array of signing algorithms")
    unknown = [alg for alg in value if alg not in SIGNING_ALGORITHMS]
    if unknown:
        raise InvalidParameter(
            "algs", f"unknown algorithm(s) {unknown}; allowed: {sorted(SIGNING_ALGORITHMS)}"
        )
    return tuple(value)


def _decode_key(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]+={0,2}", text):
        raise InvalidParameter("key", "key must be base64url-encoded (A-Z a-z 0-9 - _)")
    try:
        return b64url_decode(text.rstrip("="))
    except (binascii.Error, ValueError) as e:
        raise InvalidParameter("key", f"key is not valid base64url: {e}") from e
