"""Which org a request acts in, and impersonation through ``x-statebacked-act``.

API.md §2.4: a key-signed token names its org through its key; a ``x-statebacked-org-id``
header naming another org is refused with 403 ``missing-org`` (emulator choice).
API.md §2.6: ``x-statebacked-act`` replaces the authContext, but only for admins or holders of
``org.keys.write`` (anyone who could mint such a token anyway); others get 403
``missing-scope``.
"""

from __future__ import annotations

import json

from sb_emulator.auth.tokens import Principal
from sb_emulator.errors import InvalidParameter, MissingOrg, MissingScope

ORG_HEADER = "x-statebacked-org-id"
ACT_HEADER = "x-statebacked-act"
IMPERSONATION_SCOPE = "org.keys.write"


def resolve_org(principal: Principal, org_header: str | None) -> Principal:
    """Check the optional org header against the token's org; return the principal."""
    named = (org_header or "").strip()
    if not named or named == principal.org_id:
        return principal
    raise MissingOrg(
        f"{ORG_HEADER} names org {named!r} but the token's key {principal.key_id} belongs to "
        f"org {principal.org_id!r}; a key can only act in its own org"
    )


def apply_act_header(principal: Principal, header_value: str) -> Principal:
    """Return ``principal`` acting with the authContext given in ``x-statebacked-act``."""
    if not (principal.is_admin or IMPERSONATION_SCOPE in principal.scopes):
        raise MissingScope(
            f"{ACT_HEADER} (impersonation) needs an admin key or the scope "
            f"{IMPERSONATION_SCOPE!r}; key {principal.key_id} has neither"
        )
    try:
        auth_context = json.loads(header_value)
    except json.JSONDecodeError as e:
        raise InvalidParameter(ACT_HEADER, f"{ACT_HEADER} is not valid JSON: {e}") from e
    if not isinstance(auth_context, dict):
        raise InvalidParameter(
            ACT_HEADER, f"{ACT_HEADER} must be a JSON object, got {json.dumps(auth_context)}"
        )
    return principal.with_auth_context(auth_context)
