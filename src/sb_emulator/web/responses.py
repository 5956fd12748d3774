"""Small helpers to read request bodies and write State Backed responses."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sb_emulator import jsontext
from sb_emulator.errors import BadRequest, InvalidParameter
from sb_emulator.web.keys import BODY


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=jsontext.encode(body), status=status,
                        content_type="application/json", charset="utf-8")


def no_content() -> web.Response:
    """204: the client ignores the body (API.md §1.4)."""
    return web.Response(status=204)


def created() -> web.Response:
    """201: the client ignores the body (API.md §1.4)."""
    return web.Response(status=201)


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object; an empty body counts as ``{}`` (API.md §1.2).

    The OpenAPI validation middleware parses and validates the body first and leaves it in
    ``request["sb_body"]``; without it (e.g. routes outside the spec) parse here.
    """
    if BODY in request:
        body = request[BODY]
    else:
        raw = await request.read()
        if not raw.strip():
            return {}
        try:
            body = jsontext.decode(raw)
        except ValueError as err:
            raise BadRequest(f"request body is not valid JSON: {err}") from err
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidParameter("body", "request body must be a JSON object")
    return body


def query_flag(request: web.Request, name: str) -> bool:
    """A boolean query flag; a bare key (``?gzip``) means true (API.md §4.2 #16)."""
    if name not in request.query:
        return False
    return request.query[name].lower() not in ("false", "0", "no")


def optional_query(request: web.Request, name: str) -> str | None:
    value = request.query.get(name)
    return value if value else None


def required(body: dict[str, Any], name: str) -> Any:
    """A required body field, or 400 ``invalid-parameter`` naming it."""
    if body.get(name) is None:
        raise InvalidParameter(name, f"body.{name} is required")
    return body[name]
