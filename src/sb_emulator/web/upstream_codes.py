"""Error codes on the operations whose error bodies State Backed's own spec constrains.

State Backed documents a ``code`` enum for the 400s of seven operations (``specify-org`` or
``invalid-parameter``; the version upgrade also names ``no-migration-path``) and for the 403s
of its machine operations (``missing-scope``, ``rejected-by-machine-authorizer``,
``missing-user``, ``missing-org``). Our spec carries those enums on the same responses, so it
is the one table of which operation allows which codes: nothing here lists operations.

The emulator raises finer 400 codes (``code-too-large``, ``invalid-body``...) wherever it
knows more. On an operation whose 400 is constrained, :func:`conform` renders such an error
as ``invalid-parameter``, keeps the finer code in ``reason`` and names the faulty
``parameter``; a client written against State Backed's spec then reads a code it knows, and a
person still sees what went wrong. Elsewhere bodies pass through untouched.

Only the error path runs this (the error middleware); the look-up is cached per operation.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from sb_emulator.openapi import Operation

log = logging.getLogger("sb_emulator.web")

# The code a finer code falls back to, per status; a status without one (403) has no code that
# could stand for another, so every 403 raise site must use an allowed code (the upstream
# error tests check the error classes).
_FALLBACK_CODE = {400: "invalid-parameter"}

# The parameter a finer code is about, for raise sites that do not name one.
_REASON_PARAMETER = {
    "invalid-body": "body",
    "too-deeply-nested": "body",
    "code-too-large": "code",
    "unsupported-code": "code",
    "missing-code": "code",
    "invalid-code": "code",
    "invalid-definition": "code",
    "definition-too-large": "code",
    "context-too-large": "context",
    "no-version": "machineSlug",
}
_DEFAULT_PARAMETER = "body"


@lru_cache(maxsize=512)
def allowed_codes(operation: Operation, status: int) -> frozenset[str] | None:
    """The codes our spec allows on ``operation``'s ``status`` response, or None when it
    leaves the code free (or documents no such status)."""
    response = operation.responses.get(str(status))
    if response is None or response.validator is None:
        return None
    schema = response.validator.translated
    code = (schema.get("properties") or {}).get("code") if isinstance(schema, dict) else None
    enum = code.get("enum") if isinstance(code, dict) else None
    return frozenset(enum) if enum else None


def conform(operation: Operation | None, status: int, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as ``operation`` may answer it with ``status`` (see the module docstring)."""
    if operation is None:
        return body
    allowed = allowed_codes(operation, status)
    code = body.get("code")
    if allowed is None or code in allowed:
        return body
    fallback = _FALLBACK_CODE.get(status)
    if fallback is None or fallback not in allowed:
        # a raise site with a code the spec does not allow and nothing to map it to: a bug
        # the upstream error tests are there to catch; the body goes out as raised
        log.warning("%s %s answered %s with code %r, which its spec does not allow",
                    operation.method.upper(), operation.path, status, code)
        return body
    out = dict(body)
    out["code"] = fallback
    if not out.get("parameter"):
        out["parameter"] = _REASON_PARAMETER.get(str(code), _DEFAULT_PARAMETER)
    if code is not None:
        out["reason"] = code
    return out
