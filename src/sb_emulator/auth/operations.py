"""Every route the emulator serves and who may call it: the one table routes and auth read.

Each entry names an operation (our OpenAPI operationId), its method and path template, and
how a caller is authorised. ``web/`` registers its routes from this table (a handler only
says which operation it serves) and the auth middleware looks up the matched route's entry,
so a path, a scope or an exemption from authentication is written here and nowhere else.
Tests hold the table to the app's routes and to the OpenAPI document (``x-scopes``).

Where the sources disagree the table accepts either reading: sending an event takes
``instances.write`` (SPEC) or ``events.write`` (DOCS), an index query ``indexes.read``
(SPEC HEAD) or ``instances.read`` (the client's vendored spec) — API.md §10 #4 and #5.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum


class Credential(Enum):
    """Where an operation's State Backed token comes from, and so who checks it."""

    # ``Authorization: Bearer``: the auth middleware verifies the token, the org, the admin
    # session and the scopes before the handler runs.
    BEARER_HEADER = "bearer-header"
    # ``/rt?token=``: the socket checks the token and the scopes for each subscription, since
    # the real client never retries a connection refused before it opened (API.md §5.4).
    QUERY_TOKEN = "query-token"
    # No State Backed token: the route is public, or carries its own credential (said where).
    NONE = "none"


@dataclass(frozen=True)
class OperationAuth:
    """One route and how it is authorised.

    ``scopes``: any one suffices (empty: none is needed). ``admin_only``: it needs an admin
    session (API.md §2.5: the emulator's stand-in for a signed-in user).
    """

    operation_id: str
    method: str
    path: str
    scopes: tuple[str, ...]
    credential: Credential = Credential.BEARER_HEADER
    admin_only: bool = False

    @property
    def authenticated(self) -> bool:
        """Whether the operation takes a State Backed token at all."""
        return self.credential is not Credential.NONE


def _op(op_id: str, method: str, path: str, *scopes: str, admin_only: bool = False) -> OperationAuth:
    return OperationAuth(op_id, method, path, scopes, admin_only=admin_only)


def _no_token(op_id: str, method: str, path: str) -> OperationAuth:
    return OperationAuth(op_id, method, path, (), Credential.NONE)


_M = "/machines/{machineSlug}"
_I = _M + "/i/{instanceSlug}"
_HTTP_API = "/http-api/{orgId}/machines/{machineSlug}/{httpApiSlug}"
CONTROL_PREFIX = "/_emulator"
# Stands in for the hosted service's S3 upload URL (API.md §4.2.1): handed out by step 1 of
# the version and migration create flows, with the upload id appended.
UPLOAD_PATH = CONTROL_PREFIX + "/uploads"

# State Backed's REST API: API.md §4.0, in its order (#1 .. #34).
API_OPERATIONS: tuple[OperationAuth, ...] = (
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
    OperationAuth("subscribe", "GET", "/rt", ("state.read",), Credential.QUERY_TOKEN),
    _op("listIdps", "GET", "/idps", "tokens.admin"),
    _op("upsertIdp", "POST", "/idps", "tokens.admin"),
    _op("deleteIdp", "DELETE", "/idps", "tokens.admin"),
    _op("listTokenProviders", "GET", "/token-providers", "tokens.admin"),
    _op("upsertTokenProvider", "POST", "/token-providers", "tokens.admin"),
    _op("deleteTokenProvider", "DELETE", "/token-providers/{service}", "tokens.admin"),
    # the subject token in the form is the credential
    _no_token("exchangeToken", "POST", "/tokens"),
    _op("listOrgs", "GET", "/orgs", "org.read"),
    _op("createOrg", "POST", "/orgs", admin_only=True),
    _op("listKeys", "GET", "/keys", "tokens.admin"),  # sic, SPEC (API.md §10 #7)
    _op("createKey", "POST", "/keys", "org.keys.write"),
    _op("deleteKey", "DELETE", "/keys/{keyId}", "org.keys.write"),
    _op("getBilling", "GET", "/billing", "org.write"),
)

# The HTTP API feature (API.md §8): the machine's own handler authenticates the raw request
# (a JWT it verifies itself, or nothing), so no State Backed token is asked for. Every method
# has an entry, HEAD included (elsewhere aiohttp answers HEAD through the GET route).
HTTP_API_OPERATIONS: tuple[OperationAuth, ...] = tuple(
    _no_token(f"httpApi{method.title()}", method, _HTTP_API)
    for method in ("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH")
)

# Routes of the emulator itself, absent from the hosted service.
EMULATOR_OPERATIONS: tuple[OperationAuth, ...] = (
    # the upload id in the path, handed out at step 1, is the capability
    _no_token("uploadCode", "POST", UPLOAD_PATH + "/{uploadId}"),
    # the control API: unauthenticated, for local programs only (web/control_guard.py keeps
    # other web pages and foreign Host names out)
    _no_token("emulatorHealth", "GET", CONTROL_PREFIX + "/health"),
    _no_token("emulatorReset", "POST", CONTROL_PREFIX + "/reset"),
    _no_token("emulatorGetClock", "GET", CONTROL_PREFIX + "/clock"),
    _no_token("emulatorAdvanceClock", "POST", CONTROL_PREFIX + "/clock/advance"),
    _no_token("emulatorExport", "GET", CONTROL_PREFIX + "/export"),
    _no_token("emulatorImport", "POST", CONTROL_PREFIX + "/import"),
    # our OpenAPI document, public like any published API description
    _no_token("getOpenApiDocument", "GET", "/openapi.yaml"),
)

OPERATIONS: tuple[OperationAuth, ...] = (
    API_OPERATIONS + HTTP_API_OPERATIONS + EMULATOR_OPERATIONS
)

OPERATIONS_BY_KEY: Mapping[str | tuple[str, str], OperationAuth] = {
    **{op.operation_id: op for op in OPERATIONS},
    **{(op.method, op.path): op for op in OPERATIONS},
}


def operation(operation_id: str) -> OperationAuth:
    """The table's entry for ``operation_id``; an unknown id is a ``LookupError`` naming it."""
    found = OPERATIONS_BY_KEY.get(operation_id)
    if found is None:
        raise LookupError(f"no operation {operation_id!r} in auth/operations.py's table")
    return found
