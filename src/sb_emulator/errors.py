"""One error hierarchy for the whole emulator.

Every error that can reach an API caller is an :class:`ApiError` subclass carrying the HTTP
status and the machine-readable ``code`` of State Backed's error body ``{error, code}``
(API.md §1.5). The web layer turns any ``ApiError`` into that body; nothing else in the
project needs to know about HTTP.

Standard library only (layer 1).
"""

from __future__ import annotations

from typing import Any, ClassVar


class EmulatorError(Exception):
    """Base of every error raised on purpose by sb-emulator."""


class ApiError(EmulatorError):
    """An error with a place in State Backed's wire contract."""

    status: ClassVar[int] = 500
    default_code: ClassVar[str | None] = None

    def __init__(
        self, message: str, *, code: str | None = None, parameter: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else self.default_code
        self.parameter = parameter

    def body(self) -> dict[str, Any]:
        """The JSON body State Backed sends for this error."""
        out: dict[str, Any] = {"error": self.message}
        if self.code is not None:
            out["code"] = self.code
        if self.parameter is not None:
            out["parameter"] = self.parameter
        return out


class BadRequest(ApiError):
    status = 400
    default_code = "invalid-parameter"


class InvalidParameter(BadRequest):
    """A request parameter is malformed; ``parameter`` names it."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message, code="invalid-parameter", parameter=parameter)


class SpecifyOrg(BadRequest):
    default_code = "specify-org"


class NoMigrationPath(BadRequest):
    default_code = "no-migration-path"


class Unauthenticated(ApiError):
    """Missing, malformed, unverifiable or expired bearer token (emulator choice: 401)."""

    status = 401
    default_code = "unauthenticated"


class Forbidden(ApiError):
    status = 403
    default_code = "forbidden"


class MissingScope(Forbidden):
    default_code = "missing-scope"


class MissingOrg(Forbidden):
    default_code = "missing-org"


class MissingUser(Forbidden):
    default_code = "missing-user"


class RejectedByMachineAuthorizer(Forbidden):
    default_code = "rejected-by-machine-authorizer"


class NotFound(ApiError):
    status = 404
    default_code = "not-found"


class Conflict(ApiError):
    """A clash with what exists: a name already taken, a paused instance, a machine that still
    has instances. State Backed's spec allows a single code for any 409, ``invalid-state``
    (its ``Conflict`` response), so every conflict carries it; the message says which."""

    status = 409
    default_code = "invalid-state"


class InvalidState(Conflict):
    default_code = "invalid-state"


class PayloadTooLarge(ApiError):
    status = 413
    default_code = "payload-too-large"


class SettleTimeout(ApiError):
    """No transition succeeded before the settle timeout (API.md §10 #16: emulator choice)."""

    status = 504
    default_code = "settle-timeout"


class MachineImplementationError(ApiError):
    """User machine code (guard, action, service, authorizer...) raised unexpectedly."""

    status = 500
    default_code = "machine-implementation-error"


class DefinitionError(EmulatorError):
    """A machine definition file is wrong. Raised by the loaders in ``sb_emulator.machines``.

    ``problems`` holds one human-readable line per mistake; ``str(err)`` joins them.
    """

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
