"""Org, key, identity-provider and token-provider records (frozen, JSON round-trippable)."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Org:
    id: str
    name: str
    created_at_ms: int
    allow_anonymous_access: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "createdAtMs": self.created_at_ms,
                "allowAnonymousAccess": self.allow_anonymous_access}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Org:
        return cls(d["id"], d["name"], d["createdAtMs"], d.get("allowAnonymousAccess", True))


@dataclass(frozen=True)
class ApiKey:
    id: str
    org_id: str
    name: str
    secret: str
    scopes: frozenset[str]
    created_at_ms: int
    hidden: bool = False  # the per-org anonymous-session key is not listed by GET /keys

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "orgId": self.org_id, "name": self.name, "secret": self.secret,
                "scopes": sorted(self.scopes), "createdAtMs": self.created_at_ms,
                "hidden": self.hidden}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> ApiKey:
        return cls(d["id"], d["orgId"], d["name"], d["secret"], frozenset(d["scopes"]),
                   d["createdAtMs"], d.get("hidden", False))


@dataclass(frozen=True)
class IdentityProvider:
    org_id: str
    aud: str | None
    iss: str | None
    algs: tuple[str, ...]
    key: bytes | None
    jwks_url: str | None
    mapping: dict[str, Any] = field(default_factory=dict)
    hidden: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"orgId": self.org_id, "aud": self.aud, "iss": self.iss, "algs": list(self.algs),
                "key": base64.b64encode(self.key).decode() if self.key is not None else None,
                "jwksUrl": self.jwks_url, "mapping": self.mapping, "hidden": self.hidden}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> IdentityProvider:
        key = base64.b64decode(d["key"]) if d.get("key") is not None else None
        return cls(d["orgId"], d.get("aud"), d.get("iss"), tuple(d["algs"]), key,
                   d.get("jwksUrl"), d.get("mapping") or {}, d.get("hidden", False))

    def public(self) -> dict[str, Any]:
        """As ``GET /idps`` lists it: never the key."""
        out: dict[str, Any] = {"algs": list(self.algs), "mapping": self.mapping}
        for name, value in (("aud", self.aud), ("iss", self.iss), ("jwksUrl", self.jwks_url)):
            if value is not None:
                out[name] = value
        return out


@dataclass(frozen=True)
class TokenProvider:
    org_id: str
    service: str
    key_id: str
    mapping: dict[str, Any] = field(default_factory=dict)
    hidden: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"orgId": self.org_id, "service": self.service, "keyId": self.key_id,
                "mapping": self.mapping, "hidden": self.hidden}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> TokenProvider:
        return cls(d["orgId"], d["service"], d["keyId"], d.get("mapping") or {},
                   d.get("hidden", False))

    def public(self) -> dict[str, Any]:
        return {"service": self.service, "keyId": self.key_id, "mapping": self.mapping}
