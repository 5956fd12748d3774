"""Org identification and impersonation headers (API.md §2.4, §2.6)."""

from __future__ import annotations

import json

from sb_emulator.auth.tokens import Principal
from sb_emulator.errors import InvalidParameter, MissingOrg, MissingScope


def resolve_org(principal: Principal, org_header: str | None) -> Principal:
    """A key token acts in its key's org; naming another org is 403 ``missing-org``."""
    if org_header and org_header != principal.org_id:
        raise MissingOrg(f"this token's key belongs to org {principal.org_id}, "
                         f"not to {org_header} named in x-statebacked-org-id")
    return principal


def apply_act_header(principal: Principal, header_value: str) -> Principal:
    """``x-statebacked-act``: admins (or keys with ``org.keys.write``) choose the authContext."""
    if not (principal.is_admin or "org.keys.write" in principal.scopes):
        raise MissingScope("x-statebacked-act needs an admin key or the 'org.keys.write' scope")
    try:
        auth_context = json.loads(header_value)
    except ValueError as err:
        raise InvalidParameter("x-statebacked-act", f"x-statebacked-act is not JSON: {err}") from err
    if not isinstance(auth_context, dict):
        raise InvalidParameter("x-statebacked-act", "x-statebacked-act must be a JSON object")
    return principal.with_auth_context(auth_context)
