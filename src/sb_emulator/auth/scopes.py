"""Key scopes, the ``use`` presets, and which scope each operation needs (API.md §2.2, §4.0).

The per-operation table is data (:data:`OPERATIONS`), looked up by our operationId or by
``(METHOD, path template)`` through :data:`OPERATION_SCOPES`. Where the sources disagree the
table accepts either reading: sending an event takes ``instances.write`` (SPEC) or
``events.write`` (DOCS), an index query ``indexes.read`` (SPEC HEAD) or ``instances.read``
(the client's vendored spec) — API.md §10 #4 and #5.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True)
class OperationAuth:
    """How one REST operation is authorised.

    ``scopes``: any one suffices (empty: no scope declared). ``authenticated=False``: the
    operation takes no bearer token at all. ``admin_only``: it needs an admin session
    (API.md §2.5: the emulator's stand-in for a signed-in user).
    """

    operation_id: str
    method: str
    path: str
    scopes: tuple[str, ...]
    authenticated: bool = True
    admin_only: bool = False


def _op(op_id: str, method: str, path: str, *scopes: str, **flags: bool) -> OperationAuth:
    return OperationAuth(op_id, method, path, scopes, **flags)


_M = "/machines/{machineSlug}"
_I = _M + "/i/{instanceSlug}"

# API.md §4.0, in its order (#1 .. #34).
OPERATIONS: tuple[OperationAuth, ...] = (
    _op("listMachines", "GET", "/machines", "machines.read"),
    _op("createMachine", "POST", "/machines", "machines.write"),
    _op("getMachine", "GET", _M, "machines.read"),
    _op("createInstance", "POST", _M, "instances.write"),
    _op("deleteMachine", "DELETE", _M, "machines.admin"),
    _op("listInstances", "GET", _M + "/i", "instances.read"),
    _op("getInstance", "GET", _I, "state.read"),
    _op("deleteInstance", "DELETE", _I, "instances.admin"),
    _op("queryIndex", "GET", _M + "/indexes/{index}/query", "indexes.read", "instances.read"),
    _op("getInstanceAdmin", "GET", _I + "/admin", "instances.admin"),
    _op("listTransitions", "GET", _I + "/events", "instances.admin"),
    _op("sendEvent", "POST", _I + "/events", "instances.write", "events.write"),
    _op("updateDesiredVersion", "PUT", _I + "/v", "instances.write"),
    _op("setInstanceStatus", "PUT", _I + "/status", "instances.admin"),
    _op("listVersions", "GET", _M + "/v", "machine-versions.read"),
    _op("createVersion", "POST", _M + "/v", "machine-versions.write"),
    _op("finalizeVersion", "PUT", _M + "/v/{signedMachineVersionId}", "machine-versions.write"),
    _op("createMigration", "POST", _M + "/migrations", "machine-versions.write"),
    _op(
        "finalizeMigration", "PUT", _M + "/migrations/{signedMachineVersionMigrationId}",
        "machine-versions.write",
    ),
    _op("getLogs", "GET", "/logs", "logs.read"),
    # SPEC declares no scope for /rt; the emulator checks state.read per subscription.
    _op("subscribe", "GET", "/rt", "state.read"),
    _op("listIdps", "GET", "/idps", "tokens.admin"),
    _op("upsertIdp", "POST", "/idps", "tokens.admin"),
    _op("deleteIdp", "DELETE", "/idps", "tokens.admin"),
    _op("listTokenProviders", "GET", "/token-providers", "tokens.admin"),
    _op("upsertTokenProvider", "POST", "/token-providers", "tokens.admin"),
    _op("deleteTokenProvider", "DELETE", "/token-providers/{service}", "tokens.admin"),
    _op("exchangeToken", "POST", "/tokens", authenticated=False),
    _op("listOrgs", "GET", "/orgs", "org.read"),
    _op("createOrg", "POST", "/orgs", admin_only=True),
    _op("listKeys", "GET", "/keys", "tokens.admin"),  # sic, SPEC (API.md §10 #7)
    _op("createKey", "POST", "/keys", "org.keys.write"),
    _op("deleteKey", "DELETE", "/keys/{keyId}", "org.keys.write"),
    _op("getBilling", "GET", "/billing", "org.write"),
)

OPERATIONS_BY_KEY: Mapping[str | tuple[str, str], OperationAuth] = {
    **{op.operation_id: op for op in OPERATIONS},
    **{(op.method, op.path): op for op in OPERATIONS},
}
OPERATION_SCOPES: Mapping[str | tuple[str, str], tuple[str, ...]] = {
    key: op.scopes for key, op in OPERATIONS_BY_KEY.items()
}


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
