"""The route index (web/route_index.py) finds the same route aiohttp would, 404s and 405s
included, for the whole app and for overlapping templates."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from sb_emulator.testing import emulator_config
from sb_emulator.web import create_app
from sb_emulator.web.route_index import TemplateIndex, index_routes


def _handler(name: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=name)

    handler.__name__ = name
    return handler


def _small_app(indexed: bool) -> web.Application:
    app = web.Application()
    app.router.add_get("/a/{x}", _handler("get-x"))
    app.router.add_post("/a/{y}", _handler("post-y"))
    app.router.add_get("/a/b", _handler("literal-b"))
    app.router.add_get("/t/{tail:.*}", _handler("tail"))
    app.router.add_delete("/a/{x}/c", _handler("delete-c"))
    if indexed:
        index_routes(app)
    return app


async def _resolve(app: web.Application, method: str, path: str) -> tuple[str, object]:
    match_info = await app.router.resolve(make_mocked_request(method, path, app=app))
    exception = match_info.http_exception
    if exception is not None:
        allowed = getattr(exception, "allowed_methods", None)
        return f"{exception.status}", sorted(allowed) if allowed else None
    return match_info.handler.__name__, dict(match_info)


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/a/b"), ("HEAD", "/a/b"), ("GET", "/a/z"), ("POST", "/a/z"), ("POST", "/a/b"),
    ("DELETE", "/a/z"), ("GET", "/t/x/y/z"), ("GET", "/nope"), ("GET", "/a"),
    ("DELETE", "/a/%7A/c"), ("GET", "/a/z/c"), ("GET", "/a/"), ("GET", "/"),
])
async def test_the_index_resolves_like_aiohttp(method: str, path: str) -> None:
    assert await _resolve(_small_app(True), method, path) == \
        await _resolve(_small_app(False), method, path)


async def test_every_route_of_the_app_resolves_to_itself() -> None:
    app = create_app(emulator_config())
    assert any(isinstance(r, TemplateIndex) for r in app.router.resources())
    checked = 0
    for route in app.router.routes():
        resource = route.resource
        if resource is None or route.method == "*":
            continue
        path = re.sub(r"\{[^}]*\}", "p1", resource.canonical)
        match_info = await app.router.resolve(make_mocked_request(route.method, path, app=app))
        assert match_info.http_exception is None, (route.method, path)
        assert match_info.route.resource is resource, (route.method, path)
        checked += 1
    assert checked > 40


async def test_a_remembered_path_gives_fresh_parameters_and_the_same_route() -> None:
    app = _small_app(True)
    first = await app.router.resolve(make_mocked_request("POST", "/a/z", app=app))
    first["y"] = "changed by a handler"
    again = await app.router.resolve(make_mocked_request("POST", "/a/z", app=app))
    assert again is not first
    assert dict(again) == {"y": "z"} and again.route is first.route
    # the same path with another method is resolved on its own
    assert (await _resolve(app, "GET", "/a/z")) == ("get-x", {"x": "z"})
    assert (await _resolve(app, "DELETE", "/a/z"))[0] == "405"
