"""Key scopes, the ``use`` presets, and checking that a caller holds them (API.md §2.2).

Which scopes each operation needs is in the operation table, ``auth/operations.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sb_emulator.errors import InvalidParameter, MissingScope

if TYPE_CHECKING:
    from sb_emulator.auth.tokens import Principal


class KeyScope(StrEnum):
    """SPEC ``KeyScope`` plus ``indexes.read`` (used by SPEC HEAD and DOCS, not in the enum)."""

    EVENTS_WRITE = "events.write"
    EVENTS_READ = "events.read"
    STATE_READ = "state.read"
    INSTANCES_READ = "instances.read"
    INSTANCES_WRITE = "instances.write"
    INSTANCES_ADMIN = "instances.admin"
    INDEXES_READ = "indexes.read"
    MACHINES_READ = "machines.read"
    MACHINES_WRITE = "machines.write"
    MACHINES_ADMIN = "machines.admin"
    MACHINE_VERSIONS_READ = "machine-versions.read"
    MACHINE_VERSIONS_WRITE = "machine-versions.write"
    ANALYTICS_READ = "analytics.read"
    ORG_READ = "org.read"
    ORG_WRITE = "org.write"
    ORG_KEYS_WRITE = "org.keys.write"
    ORG_MEMBERS_WRITE = "org-members.write"
    LOGS_READ = "logs.read"
    TOKENS_ADMIN = "tokens.admin"


ALL_SCOPES: frozenset[str] = frozenset(scope.value for scope in KeyScope)

# DOCS keys: the two `use` shorthands of `POST /keys`.
PRODUCTION: frozenset[str] = frozenset(
    {"events.write", "state.read", "instances.write", "indexes.read"}
)
CI: frozenset[str] = frozenset(
    {"machines.read", "machines.write", "machine-versions.read", "machine-versions.write"}
)
PRESETS: Mapping[str, frozenset[str]] = {"production": PRODUCTION, "ci": CI}

# Names people write that are not scopes, with the scope they meant (DOCS vs SPEC spelling).
_MISSPELLINGS = {"org-keys.write": "org.keys.write"}


def require_scope(principal: Principal, *any_of: str) -> None:
    """Raise 403 ``missing-scope`` unless ``principal`` holds one of ``any_of``.

    No scopes given means none is needed. Admins (keys holding every scope) always pass.
    """
    if not any_of or principal.is_admin or principal.scopes.intersection(any_of):
        return
    wanted = " or ".join(repr(scope) for scope in any_of)
    held = ", ".join(sorted(principal.scopes)) or "no scopes"
    noun = "the scope" if len(any_of) == 1 else "one of the scopes"
    raise MissingScope(
        f"this operation needs {noun} {wanted}; key {principal.key_id} has: {held}"
    )


def require_scopes_held(principal: Principal, scopes: frozenset[str], granted_by: str) -> None:
    """Raise 403 ``missing-scope`` unless ``principal`` holds every one of ``scopes``.

    Guards the two ways a key could hand on more than it has: creating a key, and pointing a
    token provider at a signing key (its exchanged tokens carry that key's scopes). Without
    it a ``tokens.admin``-only key could mint admin tokens through the exchange.
    """
    missing = scopes - principal.scopes
    if principal.is_admin or not missing:
        return
    held = ", ".join(sorted(principal.scopes)) or "no scopes"
    raise MissingScope(
        f"{granted_by} would grant scope(s) {', '.join(sorted(missing))} that key "
        f"{principal.key_id} does not hold (it has: {held}); a key can only hand on its own scopes"
    )


def scopes_for_new_key(scopes: Any, use: Any) -> frozenset[str]:
    """The scopes of a key created by ``POST /keys`` (``scopes`` wins over ``use``)."""
    if scopes is not None:
        return check_scopes(scopes)
    if use is None:
        raise InvalidParameter("scopes", "give either scopes (a list) or use (production|ci)")
    if not isinstance(use, str) or use not in PRESETS:
        raise InvalidParameter("use", f"use must be one of {sorted(PRESETS)}, got {use!r}")
    return PRESETS[use]


def check_scopes(scopes: Any, parameter: str = "scopes") -> frozenset[str]:
    """Validate a list of scope names; unknown names are a 400 naming ``parameter``."""
    if not isinstance(scopes, list | tuple | set | frozenset) or not all(
        isinstance(scope, str) for scope in scopes
    ):
        raise InvalidParameter(parameter, f"{parameter} must be an array of scope names")
    unknown = sorted(set(scopes) - ALL_SCOPES)
    if unknown:
        raise InvalidParameter(parameter, _unknown_scopes_message(unknown))
    return frozenset(scopes)


def _unknown_scopes_message(unknown: Iterable[str]) -> str:
    parts = []
    for name in unknown:
        hint = _MISSPELLINGS.get(name)
        parts.append(f"{name!r} (did you mean {hint!r}?)" if hint else repr(name))
    return f"unknown scope(s) {', '.join(parts)}; valid scopes: {', '.join(sorted(ALL_SCOPES))}"
