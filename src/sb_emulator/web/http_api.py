"""The HTTP API feature: ``/http-api/{orgId}/machines/{machineSlug}/{httpApiSlug}`` (API.md §8).

Thin: turn the aiohttp request into the raw ``HttpApiRequest`` the machine's handler sees,
call ``Emulator.handle_http_api`` (which runs the handler, creates the instance if asked,
authorizes, delivers, settles and maps the response, with the §8.3 fallbacks), and send back
the mapped ``statusCode``/``headers``/``body``. No State Backed token: the handler
authenticates the raw request itself (the operation table says so for every method).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import CIMultiDict

from sb_emulator import jsontext
from sb_emulator.auth.operations import HTTP_API_OPERATIONS
from sb_emulator.errors import BadRequest
from sb_emulator.web.keys import EMULATOR
from sb_emulator.web.operation_routes import OperationRoutes

routes = OperationRoutes()


@routes.operation(*(op.operation_id for op in HTTP_API_OPERATIONS))
async def serve_http_api(request: web.Request) -> web.Response:
    raw_request = await build_http_api_request(request)
    status, headers, body = await request.app[EMULATOR].handle_http_api(
        request.match_info["orgId"],
        request.match_info["machineSlug"],
        request.match_info["httpApiSlug"],
        raw_request,
    )
    return mapped_response(status, headers, body)


async def build_http_api_request(request: web.Request) -> dict[str, Any]:
    """The ``HttpApiRequest`` (API.md §8.2): parsed body, lower-case headers, method, query."""
    return {
        "body": await _parsed_body(request),
        "headers": _lower_case_headers(request.headers),
        "method": request.method.upper(),
        # like Object.fromEntries(new URLSearchParams(...)): the last value of a key wins
        "query": {key: value for key, value in request.query.items()},
    }


def _lower_case_headers(headers: Mapping[str, str]) -> dict[str, str]:
    # Repeated headers are joined with ", " as fetch's Headers object does.
    out: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


async def _parsed_body(request: web.Request) -> Any:
    """JSON when the content type says JSON, form fields when urlencoded, else text.

    An absent body is None (JavaScript's ``undefined`` for the handler).
    """
    raw = await request.read()
    if not raw:
        return None
    mime = request.content_type.lower()
    if mime == "application/json" or mime.endswith("+json"):
        try:
            return jsontext.decode(raw)
        except ValueError as err:
            raise BadRequest(f"request body is not valid JSON: {err}") from err
    text = raw.decode(request.charset or "utf-8", errors="replace")
    if mime == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text, keep_blank_values=True))
    return text


def mapped_response(status: int, headers: Mapping[str, str], body: Any) -> web.Response:
    """The response mapper's output as an HTTP response; non-string bodies go out as JSON."""
    out_headers: CIMultiDict[str] = CIMultiDict(
        (str(name), str(value)) for name, value in headers.items()
    )
    if body is None:
        payload = b""
    elif isinstance(body, str):
        payload = body.encode("utf-8")
        out_headers.setdefault("content-type", "text/plain; charset=utf-8")
    elif isinstance(body, bytes | bytearray):
        payload = bytes(body)
        out_headers.setdefault("content-type", "application/octet-stream")
    else:
        payload = jsontext.encode(body)
        out_headers.setdefault("content-type", "application/json")
    # aiohttp computes these itself; a mapper's stale values would corrupt the response
    for computed in ("content-length", "transfer-encoding"):
        out_headers.popall(computed, None)
    return web.Response(status=status, headers=out_headers, body=payload)
