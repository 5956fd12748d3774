"""Request (and, in strict mode, response) validation against our OpenAPI spec.

The spec is compiled once (``OpenApiSpec.load()``); this middleware only looks requests up
in it. For a request the spec knows:

* the operation goes to ``request[OPERATION]``;
* the body is parsed the way the operation declares it (JSON, or the form of ``/tokens``;
  multipart uploads and free-form HTTP API bodies are left to their handlers) and left in
  ``request[BODY]``, so handlers never parse twice. An empty JSON body reads as ``{}``
  (API.md §1.2: the official client sends none on some POSTs and PUTs);
* path, query and body are checked, and the first faulty one fails the request with a 400
  ``invalid-parameter`` that names it, before the handler runs;
* with ``strict_responses``, the JSON answer is checked too. Problems go to
  ``on_response_problem`` (the app keeps them for the pytest plugin to re-raise) and the
  client gets a 500 ``response-validation-failed`` instead of the faulty answer. A callback
  that raises takes over (its exception propagates to the error middleware).

The operation is found from the route aiohttp already matched (a dict look-up by method and
path template: routing twice cost a fifth of a small request), falling back to the spec's own
route table for a route registered under another template.

Requests the spec does not know pass through untouched: the router 404s or 405s them.
Place it inside the error middleware (which turns ``InvalidParameter`` into the 400) and
after authentication (so a missing token is a 401 before any 400).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware

from sb_emulator import jsontext
from sb_emulator.errors import BadRequest, InvalidParameter
from sb_emulator.openapi import OpenApiSpec, Operation, ResponseValidationError
from sb_emulator.web.keys import BODY
from sb_emulator.web.responses import json_response

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ProblemCallback = Callable[[ResponseValidationError], None]

# The operation the request was matched to (the parsed body lives under keys.BODY).
OPERATION: web.RequestKey[Operation] = web.RequestKey("sb_operation", Operation)

__all__ = ["OPERATION", "ResponseValidationError", "request_validation_middleware"]


def request_validation_middleware(
    *, spec: OpenApiSpec, strict_responses: bool, on_response_problem: ProblemCallback
) -> Middleware:
    def find(request: web.Request) -> tuple[Operation, dict[str, str]] | None:
        match_info = request.match_info
        resource = match_info.route.resource
        if resource is not None and match_info.http_exception is None:
            method = request.method
            operation = spec.operation_for(method, resource.canonical)
            if operation is None and method == "HEAD":
                operation = spec.operation_for("GET", resource.canonical)
            if operation is not None:
                return operation, dict(match_info)
        return spec.match(request.method, request.raw_path)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        match = find(request)
        if match is None:
            return await handler(request)
        operation, path_params = match
        request[OPERATION] = operation
        if operation.validates_requests:
            body = await _parsed_body(request, operation)
            if body is None and operation.takes_json_body:
                # an empty body reads as {} (see above); a JSON null is a body, and not an object
                raise InvalidParameter("body", "request body must be a JSON object, not null")
            if body is not None:
                request[BODY] = body
            operation.validate_request(path_params, request.query, body)
        response = await handler(request)
        if strict_responses and request.method != "HEAD":
            return _checked(response, operation, on_response_problem)
        return response

    return middleware


async def _parsed_body(request: web.Request, operation: Operation) -> Any | None:
    if operation.takes_json_body:
        return await _json_body(request)
    if operation.takes_form_body:
        return await _form_body(request)
    return None


async def _form_body(request: web.Request) -> dict[str, str]:
    # request.post() caches the fields, so the handler's own post() gets them again; a body
    # it cannot parse (a multipart type without a boundary...) must not reach the handler.
    try:
        form = await request.post()
    except ValueError as err:
        raise BadRequest(f"request body is not a readable form: {err}", parameter="body") from err
    return {key: str(value) for key, value in form.items()}


async def _json_body(request: web.Request) -> Any:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        return jsontext.decode(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise BadRequest(f"request body is not valid JSON: {err}", parameter="body") from err


def _checked(response: web.StreamResponse, operation: Operation,
             on_problem: ProblemCallback) -> web.StreamResponse:
    # WebSocket upgrades and streamed answers have no body to look at.
    if not isinstance(response, web.Response) or response.prepared:
        return response
    body, content_type = _response_json(response)
    problems = operation.validate_response(response.status, body, content_type)
    if not problems:
        return response
    error = ResponseValidationError(operation.operation_id, response.status, problems)
    on_problem(error)
    return json_response({"error": str(error), "code": "response-validation-failed"}, status=500)


_NO_BODY: tuple[Any, str | None] = (None, None)


def _response_json(response: web.Response) -> tuple[Any, str | None]:
    """The answer's parsed JSON and content type; no body -> (None, None)."""
    raw = response.body
    if raw is None or not isinstance(raw, bytes | bytearray) or not raw:
        return _NO_BODY
    content_type = response.content_type
    if content_type != "application/json":
        return raw, content_type
    try:
        return jsontext.decode(raw), content_type
    except ValueError:
        return raw.decode("utf-8", "replace"), content_type
