"""Orgs, keys, identity and token providers, the token exchange, and billing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sb_emulator import ids
from sb_emulator.auth import anonymous
from sb_emulator.auth.records import ApiKey, IdentityProvider, Org, TokenProvider
from sb_emulator.auth.scopes import scopes_for_new_key
from sb_emulator.clock import RealClock, iso_from_ms
from sb_emulator.errors import InvalidParameter, NotFound
from sb_emulator.service.core import EmulatorCore, with_cursor

FREE_LIMITS = {"monthlyEventsLimit": 1000, "monthlyReadsLimit": 10000}


class Admin:
    """Orgs, keys, identity and token providers, the token exchange, billing."""

    def __init__(self, core: EmulatorCore) -> None:
        self.core = core

    # -- orgs -------------------------------------------------------------------------------

    async def ensure_org(self, org_id: str, name: str, allow_anonymous_access: bool = True
                         ) -> Org:
        existing = self.core.org(org_id)
        if existing is not None:
            return existing
        return self._create_org(org_id, name, allow_anonymous_access)

    def _create_org(self, org_id: str, name: str, allow_anonymous: bool) -> Org:
        org = Org(org_id, name, self.core.clock.now_ms(), allow_anonymous)
        changes = [self.core.put("orgs", org.id, org.to_json())]
        if allow_anonymous:
            key, idp, provider = anonymous.anonymous_setup(org.id, self.core.clock.now_ms())
            changes += [self.core.put("keys", key.id, key.to_json()),
                        self.core.put("idps", _idp_key(idp), idp.to_json()),
                        self.core.put("token_providers", f"{org.id}|{provider.service}",
                                 provider.to_json())]
        self.core.persist(changes)
        return org

    async def create_org(self, name: str, allow_anonymous_access: bool = True) -> dict[str, Any]:
        org = self._create_org(ids.org_id(), name, allow_anonymous_access)
        return {"id": org.id}

    async def list_orgs(self, org_id: str, cursor: str | None) -> dict[str, Any]:
        # A key belongs to one org: that is the org its token can see (API.md §2.2).
        orgs = [Org.from_json(d) for d in self.core.docs["orgs"].values() if d["id"] == org_id]
        items = [{"id": o.id, "name": o.name, "role": "admin",
                  "createdAt": iso_from_ms(o.created_at_ms), "limits": dict(FREE_LIMITS)}
                 for o in orgs]
        page, nxt = self.core.page(items, cursor)
        return with_cursor({"orgs": page}, nxt)

    async def billing(self, org_id: str) -> dict[str, Any]:
        return {"url": f"https://billing.sb-emulator.invalid/{org_id}"}

    # -- keys -------------------------------------------------------------------------------

    async def add_key(self, org_id: str, name: str, scopes: Iterable[str], *,
                      key_id: str | None = None, secret: str | None = None) -> ApiKey:
        key = ApiKey(key_id or ids.key_id(), org_id, name, secret or ids.key_secret(),
                     frozenset(scopes), self.core.clock.now_ms())
        self.core.persist([self.core.put("keys", key.id, key.to_json())])
        return key

    def find_key(self, key_id: str) -> ApiKey | None:
        return self.core.key_record(key_id)

    async def create_key(self, org_id: str, name: str, scopes: list[str] | None = None,
                         use: str | None = None) -> dict[str, Any]:
        key = await self.add_key(org_id, name, scopes_for_new_key(scopes, use))
        return {"id": key.id, "key": key.secret}

    async def list_keys(self, org_id: str, cursor: str | None) -> dict[str, Any]:
        keys = [ApiKey.from_json(d) for d in self.core.docs["keys"].values()
                if d["orgId"] == org_id and not d.get("hidden")]
        items = [k.public() for k in keys]
        page, nxt = self.core.page(items, cursor)
        return with_cursor({"keys": page}, nxt)

    async def delete_key(self, org_id: str, key_id: str) -> None:
        doc = self.core.docs["keys"].get(key_id)
        if doc is None or doc["orgId"] != org_id:
            raise NotFound(f"key {key_id!r} does not exist")
        self.core.persist([self.core.delete("keys", key_id)])

    # -- identity and token providers -----------------------------------------------------------

    async def upsert_idp(self, org_id: str, body: Mapping[str, Any]) -> None:
        idp = IdentityProvider.from_upsert(org_id, body)
        self.core.persist([self.core.put("idps", _idp_key(idp), idp.to_json())])

    async def list_idps(self, org_id: str, cursor: str | None) -> dict[str, Any]:
        items = [i.public() for i in self.core.idps_of(org_id) if not i.hidden]
        page, nxt = self.core.page(items, cursor)
        return with_cursor({"idps": page}, nxt)

    async def delete_idp(self, org_id: str, body: Mapping[str, Any]) -> None:
        aud, iss = body.get("aud") or None, body.get("iss") or None
        if not aud and not iss:
            raise InvalidParameter("aud", "name the identity provider by aud, iss or both")
        key = f"{org_id}|{aud}|{iss}"
        if key not in self.core.docs["idps"]:
            raise NotFound("no identity provider with that aud/iss")
        self.core.persist([self.core.delete("idps", key)])

    async def upsert_token_provider(self, org_id: str, body: Mapping[str, Any]) -> None:
        provider = TokenProvider.from_upsert(org_id, body)
        key = self.core.key_record(provider.key_id)
        if key is None or key.org_id != org_id:
            raise InvalidParameter("keyId", f"key {provider.key_id!r} does not exist in this org")
        self.core.persist([self.core.put("token_providers", f"{org_id}|{provider.service}",
                               provider.to_json())])

    async def list_token_providers(self, org_id: str, cursor: str | None) -> dict[str, Any]:
        items = [TokenProvider.from_json(d).public() for d in self.core.docs["token_providers"].values()
                 if d["orgId"] == org_id and not d.get("hidden")]
        page, nxt = self.core.page(items, cursor)
        return with_cursor({"tokenProviders": page}, nxt)

    async def delete_token_provider(self, org_id: str, service: str) -> None:
        key = f"{org_id}|{service}"
        if key not in self.core.docs["token_providers"]:
            raise NotFound(f"no token provider {service!r}")
        self.core.persist([self.core.delete("token_providers", key)])

    async def exchange_token(self, form: Mapping[str, str]) -> dict[str, str]:
        # token exchange (JSONPath mappings, JWKS over HTTP) is imported when first used
        from sb_emulator.auth.exchange import exchange_token
        from sb_emulator.auth.jwks import fetch_jwks_urllib

        return await exchange_token(
            form, find_org=self.core.org, find_idps=self.core.idps_of,
            find_token_provider=self.core.token_provider, find_key=self.core.key_record,
            # tokens live in wall-clock time, whatever the emulator's clock says
            fetch_jwks=fetch_jwks_urllib, now_s=RealClock().now_ms() / 1000,
        )


def _idp_key(idp: IdentityProvider) -> str:
    return f"{idp.org_id}|{idp.aud}|{idp.iss}"
