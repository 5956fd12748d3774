"""Every failure leaves the server as State Backed's error body ``{error, code}``.

``ApiError``s carry their own status and code. aiohttp's own HTTP exceptions (unknown route,
wrong method, body too large) are re-shaped. On an operation whose error codes State
Backed's spec constrains, a finer code is rendered as one it allows (``upstream_codes``).
Anything else is a bug or a failure in user machine code: it becomes a 500 with code
``internal-error``, is logged, and is kept in ``SERVER_ERRORS`` so the pytest plugin can
re-raise it inside the test that caused it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from aiohttp.typedefs import Middleware
from aiohttp.web_protocol import RequestPayloadError

from sb_emulator.errors import ApiError
from sb_emulator.web.keys import SERVER_ERRORS
from sb_emulator.web.responses import json_response
from sb_emulator.web.upstream_codes import conform
from sb_emulator.web.validation import OPERATION

log = logging.getLogger("sb_emulator.web")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_HTTP_CODES = {
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
}


def error_middleware() -> Middleware:
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as err:
            if err.status >= 500:
                # machine code that failed (its cause carries the traceback): kept for the
                # test plugin, which fails the test that caused it
                request.app[SERVER_ERRORS].append(err)
            body = conform(request.get(OPERATION), err.status, err.body())
            return json_response(body, status=err.status)
        except RequestPayloadError as err:
            # the body could not be read as sent, e.g. `content-encoding: gzip` over a body
            # that is not gzip (aiohttp decodes it while the handler reads): the caller's fault
            detail = getattr(err.__cause__, "message", None) or str(err)
            message = f"the request body could not be read: {detail}"
            body = conform(request.get(OPERATION), 400,
                           {"error": message, "code": "invalid-body", "parameter": "body"})
            response = json_response(body, status=400)
            response.force_close()  # the rest of the body is unreadable: no keep-alive
            return response
        except web.HTTPException as err:
            if err.status < 400:
                raise
            code = _HTTP_CODES.get(err.status, "http-error")
            message = err.reason if err.status != 404 else f"no route for {request.path}"
            body = conform(request.get(OPERATION), err.status, {"error": message, "code": code})
            return json_response(body, status=err.status)
        except Exception as err:
            log.exception("unexpected error while serving %s %s", request.method, request.path)
            request.app[SERVER_ERRORS].append(err)
            body = {"error": f"internal error: {type(err).__name__}: {err}", "code": "internal-error"}
            return json_response(body, status=500)

    return middleware
