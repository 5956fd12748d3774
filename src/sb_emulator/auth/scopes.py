"""Key scopes and presets (API.md §2.2)."""

from __future__ import annotations

from sb_emulator.auth.tokens import Principal
from sb_emulator.errors import MissingScope

ALL_SCOPES: frozenset[str] = frozenset({
    "events.write", "events.read", "state.read", "instances.read", "instances.write",
    "instances.admin", "machines.read", "machines.write", "machines.admin",
    "machine-versions.read", "machine-versions.write", "analytics.read", "org.read",
    "org.write", "org.keys.write", "org-members.write", "logs.read", "tokens.admin",
    "indexes.read",
})

PRESETS: dict[str, frozenset[str]] = {
    "production": frozenset({"events.write", "state.read", "instances.write", "indexes.read"}),
    "ci": frozenset({"machines.read", "machines.write", "machine-versions.read",
                     "machine-versions.write"}),
}


def require_scope(principal: Principal, *any_of: str) -> None:
    """Raise 403 ``missing-scope`` unless the principal's key has one of ``any_of``."""
    if not any_of or principal.is_admin or any(s in principal.scopes for s in any_of):
        return
    needed = " or ".join(f"'{s}'" for s in any_of)
    raise MissingScope(f"the key {principal.key_id} lacks the scope {needed} this operation needs")
