"""The validation middleware in a small aiohttp app: stand-in handlers echo what reaches
them, behind the real error middleware."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient

from sb_emulator.openapi import OpenApiSpec, ResponseValidationError
from sb_emulator.web.errors import error_middleware
from sb_emulator.web.keys import BODY, SERVER_ERRORS
from sb_emulator.web.responses import json_body
from sb_emulator.web.validation import OPERATION, request_validation_middleware

ClientFactory = Callable[[web.Application], Awaitable[TestClient[Any, Any]]]
STATE = {"ts": 1, "state": "idle", "tags": [], "done": False}


async def _echo(request: web.Request) -> web.Response:
    """What the handler sees: the matched operation and the parsed body."""
    return web.json_response({
        "operation": request[OPERATION].operation_id,
        "body": request.get(BODY),
        "read_again": await json_body(request) if BODY in request else None,
    })


async def _state(request: web.Request) -> web.Response:
    return web.json_response(STATE)


async def _bad_state(request: web.Request) -> web.Response:
    return web.json_response({"state": "idle"})


async def _tokens(request: web.Request) -> web.Response:
    form = await request.post()  # the handler can still read the form itself
    return web.json_response({"access_token": str(form["subject_token"]),
                              "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                              "token_type": "Bearer"})


async def _upload(request: web.Request) -> web.Response:
    parts = []
    async for part in await request.multipart():
        parts.append(part.name)  # type: ignore[union-attr]
    assert BODY not in request
    return web.Response(status=204, headers={"x-parts": ",".join(p or "" for p in parts)})


def _app(spec: OpenApiSpec, on_problem: Callable[[ResponseValidationError], None],
         strict: bool) -> web.Application:
    app = web.Application(middlewares=[
        error_middleware(),
        request_validation_middleware(spec=spec, strict_responses=strict,
                                      on_response_problem=on_problem),
    ])
    app[SERVER_ERRORS] = []
    app.router.add_post("/machines/{machineSlug}/i/{instanceSlug}/events", _echo)
    app.router.add_post("/machines/{machineSlug}/v", _echo)
    app.router.add_get("/machines/{machineSlug}", _echo)
    app.router.add_get("/machines/{machineSlug}/i/{instanceSlug}", _state)
    app.router.add_get("/machines/{machineSlug}/i/{instanceSlug}/admin", _bad_state)
    app.router.add_post("/tokens", _tokens)
    app.router.add_post("/_emulator/uploads/{uploadId}", _upload)
    app.router.add_get("/not/in/the/spec", _state)
    return app


@pytest.fixture
def problems() -> list[ResponseValidationError]:
    return []


@pytest.fixture
async def client(aiohttp_client: ClientFactory, spec: OpenApiSpec,
                 problems: list[ResponseValidationError]) -> TestClient[Any, Any]:
    return await aiohttp_client(_app(spec, problems.append, strict=True))


@pytest.fixture
async def echo(aiohttp_client: ClientFactory, spec: OpenApiSpec) -> TestClient[Any, Any]:
    """Not strict: the echoing handlers do not answer in the documented shapes."""
    return await aiohttp_client(_app(spec, [].append, strict=False))


async def test_bad_slug_is_a_400_naming_machine_slug(client: TestClient[Any, Any]) -> None:
    res = await client.get("/machines/bad%20slug")
    assert res.status == 400
    body = await res.json()
    assert body["code"] == "invalid-parameter"
    assert body["parameter"] == "machineSlug"


async def test_missing_event_is_a_400_naming_it(client: TestClient[Any, Any]) -> None:
    res = await client.post("/machines/m/i/i1/events", json={"evnt": "go"})
    assert res.status == 400
    assert (await res.json())["parameter"] == "event"


async def test_parsed_body_and_operation_reach_the_handler(echo: TestClient[Any, Any]) -> None:
    res = await echo.post("/machines/m/i/i1/events", json={"event": {"type": "go"}})
    assert res.status == 200
    assert await res.json() == {"operation": "sendEvent", "body": {"event": {"type": "go"}},
                                "read_again": {"event": {"type": "go"}}}


async def test_empty_json_body_and_bare_gzip_flag(echo: TestClient[Any, Any]) -> None:
    # exactly what @statebacked/client sends to reserve a gzipped version
    res = await echo.post("/machines/m/v?gzip", headers={"content-type": "application/json"})
    assert res.status == 200
    assert (await res.json())["body"] == {}


async def test_malformed_json_is_a_400(client: TestClient[Any, Any]) -> None:
    res = await client.post("/machines/m/i/i1/events", data=b"{nope",
                            headers={"content-type": "application/json"})
    assert res.status == 400
    assert (await res.json())["parameter"] == "body"


@pytest.mark.parametrize("text", [b'{"event": NaN}', b'{"event": Infinity}', b'{"event": 1e400}'])
async def test_what_json_parse_refuses_is_a_400(client: TestClient[Any, Any], text: bytes) -> None:
    # the real service parses with JSON.parse: NaN and Infinity are not JSON
    res = await client.post("/machines/m/i/i1/events", data=text,
                            headers={"content-type": "application/json"})
    assert res.status == 400
    assert (await res.json())["parameter"] == "body"


async def test_token_exchange_form_is_validated_and_still_readable(
    client: TestClient[Any, Any]
) -> None:
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
            "audience": "https://tokens.statebacked.dev/org_x/svc", "subject_token": "jwt"}
    res = await client.post("/tokens", data=form)
    assert res.status == 200
    assert (await res.json())["access_token"] == "jwt"
    res = await client.post("/tokens", data={**form, "grant_type": "password"})
    assert res.status == 400
    assert (await res.json())["parameter"] == "grant_type"


async def test_unreadable_form_is_a_400_not_a_crash(client: TestClient[Any, Any]) -> None:
    res = await client.post("/tokens", data=b"grant_type=x",
                            headers={"content-type": "multipart/form-data"})
    assert res.status == 400


async def test_multipart_uploads_are_left_to_their_handler(client: TestClient[Any, Any]) -> None:
    form = FormData()
    form.add_field("key", "abc")
    form.add_field("file", b"export default 1", filename="m.js",
                   content_type="application/javascript")
    res = await client.post("/_emulator/uploads/u1", data=form)
    assert res.status == 204
    assert res.headers["x-parts"] == "key,file"


async def test_unknown_paths_pass_through(client: TestClient[Any, Any]) -> None:
    assert (await client.get("/not/in/the/spec")).status == 200
    assert (await client.get("/nowhere")).status == 404


async def test_strict_mode_turns_a_wrong_answer_into_a_500(
    client: TestClient[Any, Any], problems: list[ResponseValidationError]
) -> None:
    assert (await client.get("/machines/m/i/i1")).status == 200
    assert problems == []
    res = await client.get("/machines/m/i/i1/admin")
    assert res.status == 500
    assert (await res.json())["code"] == "response-validation-failed"
    assert len(problems) == 1
    assert problems[0].operation_id == "getInstanceAdmin"
    assert any("'context' is a required property" in p for p in problems[0].problems)


async def test_without_strict_mode_answers_are_not_checked(
    aiohttp_client: ClientFactory, spec: OpenApiSpec
) -> None:
    problems: list[ResponseValidationError] = []
    client = await aiohttp_client(_app(spec, problems.append, strict=False))
    assert (await client.get("/machines/m/i/i1/admin")).status == 200
    assert problems == []


async def test_a_raising_callback_takes_over(aiohttp_client: ClientFactory, spec: OpenApiSpec) -> None:
    def fail(error: ResponseValidationError) -> None:
        raise error

    app = _app(spec, fail, strict=True)
    client = await aiohttp_client(app)
    res = await client.get("/machines/m/i/i1/admin")
    assert res.status == 500
    assert (await res.json())["code"] == "internal-error"
    assert [type(e) for e in app[SERVER_ERRORS]] == [ResponseValidationError]


async def test_routes_under_other_templates_still_find_their_operation(
        aiohttp_client: ClientFactory, spec: OpenApiSpec) -> None:
    # the operation is looked up by the aiohttp route's template; a route written with other
    # parameter names falls back to the spec's own route table, with the spec's names
    app = web.Application(middlewares=[error_middleware(), request_validation_middleware(
        spec=spec, strict_responses=False, on_response_problem=[].append)])
    app[SERVER_ERRORS] = []

    async def seen(request: web.Request) -> web.Response:
        return web.json_response({"op": request[OPERATION].operation_id,
                                  "body": request[BODY]})

    app.router.add_post("/machines/{m}/i/{i}/events", seen)
    client = await aiohttp_client(app)
    res = await client.post("/machines/m1/i/i1/events", json={"event": "go"})
    expected = spec.match("POST", "/machines/a/i/b/events")
    assert expected is not None
    assert await res.json() == {"op": expected.operation.operation_id, "body": {"event": "go"}}
    res = await client.post("/machines/bad%20slug/i/i1/events", json={"event": "go"})
    assert res.status == 400
    assert (await res.json())["parameter"] == "machineSlug"


def test_every_operation_is_served_under_its_spec_template(spec: OpenApiSpec) -> None:
    # the fast look-up (validation.py) relies on the app's routes using the spec's templates
    from sb_emulator.testing import emulator_config
    from sb_emulator.web import create_app

    app = create_app(emulator_config())
    routes = {(route.method, route.resource.canonical) for route in app.router.routes()
              if route.resource is not None}
    missing = [(op.method, op.path) for op in spec.operations
               if (op.method.upper(), op.path) not in routes]
    assert missing == []


async def test_a_json_null_body_is_a_400_and_an_empty_one_reads_as_an_object(
        echo: TestClient[Any, Any]) -> None:
    res = await echo.post("/machines/m1/v", data=b"null", headers={"content-type": "application/json"})
    assert res.status == 400
    assert await res.json() == {"error": "request body must be a JSON object, not null",
                                "code": "invalid-parameter", "parameter": "body"}
    res = await echo.post("/machines/m1/v", data=b"", headers={"content-type": "application/json"})
    assert res.status == 200
