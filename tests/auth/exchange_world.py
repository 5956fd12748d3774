"""An in-memory stand-in for the store the service hands to ``exchange_token``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sb_emulator.auth.exchange import GRANT_TYPE, exchange_token
from sb_emulator.auth.records import ApiKey, IdentityProvider, Org, TokenProvider
from sb_emulator.auth.subject import FetchJwks
from tests.auth.conftest import NOW_S, ORG_ID


async def no_jwks(url: str) -> Mapping[str, Any]:
    raise AssertionError(f"unexpected JWKS fetch of {url}")


@dataclass
class World:
    orgs: dict[str, Org] = field(default_factory=dict)
    idps: list[IdentityProvider] = field(default_factory=list)
    providers: dict[tuple[str, str], TokenProvider] = field(default_factory=dict)
    keys: dict[str, ApiKey] = field(default_factory=dict)

    def add(self, *records: Org | IdentityProvider | TokenProvider | ApiKey) -> World:
        for record in records:
            if isinstance(record, Org):
                self.orgs[record.id] = record
            elif isinstance(record, IdentityProvider):
                self.idps.append(record)
            elif isinstance(record, TokenProvider):
                self.providers[(record.org_id, record.service)] = record
            else:
                self.keys[record.id] = record
        return self

    # Half the lookups are async, half plain: exchange_token accepts both.
    async def find_org(self, org_id: str) -> Org | None:
        return self.orgs.get(org_id)

    def find_idps(self, org_id: str) -> list[IdentityProvider]:
        return [idp for idp in self.idps if idp.org_id == org_id]

    async def find_token_provider(self, org_id: str, service: str) -> TokenProvider | None:
        return self.providers.get((org_id, service))

    def find_key(self, key_id: str) -> ApiKey | None:
        return self.keys.get(key_id)

    async def exchange(
        self,
        subject_token: str,
        service: str = "my-app",
        *,
        org_id: str = ORG_ID,
        fetch_jwks: FetchJwks = no_jwks,
        now_s: float = NOW_S,
        **extra: str,
    ) -> dict[str, str]:
        return await exchange_token(
            form(subject_token, service, org_id=org_id, **extra),
            find_org=self.find_org,
            find_idps=self.find_idps,
            find_token_provider=self.find_token_provider,
            find_key=self.find_key,
            fetch_jwks=fetch_jwks,
            now_s=now_s,
        )


def form(subject_token: str, service: str, *, org_id: str = ORG_ID, **extra: str
         ) -> dict[str, str]:
    """The form the client posts, in its field order."""
    return {
        "grant_type": GRANT_TYPE,
        "audience": f"https://tokens.statebacked.dev/{org_id}/{service}",
        "requested_token_type": "urn:ietf:params:oauth:token-type:access_token",
        "subject_token": subject_token,
        **extra,
    }
