"""Request (and, with ``--strict``, response) validation against our OpenAPI spec.

The validators are compiled once at start-up (``OpenApiSpec.load()``). A bad request gets a
400 ``invalid-parameter`` naming the parameter before any handler runs; the parsed JSON body
is left in ``request[BODY]`` so handlers never parse twice. Routes outside the spec pass
through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from sb_emulator.errors import BadRequest
from sb_emulator.openapi import OpenApiSpec
from sb_emulator.web.keys import BODY
from sb_emulator.web.responses import json_response

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
FORM = "application/x-www-form-urlencoded"


class ResponseValidationError(AssertionError):
    """A response that does not match the spec (only checked with ``--strict``)."""


def request_validation_middleware(*, spec: OpenApiSpec, strict_responses: bool,
                                  on_response_problem: Callable[[Exception], None]) -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        match = spec.match(request.method, request.path)
        if match is None or not match.operation.validates_requests:
            return await handler(request)
        operation = match.operation
        body = None
        if operation.json_body is not None:
            body = await _json_body(request)
            request[BODY] = body
        operation.validate_request(match.path_params, request.query, body)
        response = await handler(request)
        if strict_responses and isinstance(response, web.Response):
            problems = operation.validate_response(response.status, _response_json(response))
            if problems:
                error = ResponseValidationError("; ".join(problems))
                on_response_problem(error)
                return json_response({"error": str(error), "code": "response-validation-failed"},
                                     status=500)
        return response

    return middleware


async def _json_body(request: web.Request) -> Any:
    """The JSON body; an empty one counts as ``{}`` (the real client sends none on some POSTs)."""
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest(f"request body is not valid JSON: {err}", parameter="body") from err


def _response_json(response: web.Response) -> Any:
    if response.body is None or response.content_type != "application/json":
        return None
    try:
        return json.loads(bytes(response.body))  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None
