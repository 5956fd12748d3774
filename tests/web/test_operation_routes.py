"""One source of truth for routes and scopes: the app's routes are exactly the operation
table's (auth/operations.py), every route enforces its entry, and no handler declares a scope
anywhere else."""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

import sb_emulator.web
from sb_emulator.auth.operations import OPERATIONS, Credential, OperationAuth
from sb_emulator.auth.scopes import ALL_SCOPES
from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.testing import emulator_config
from sb_emulator.web import create_app
from sb_emulator.web.http_api import routes as http_api_routes
from sb_emulator.web.operation_routes import OperationRoutes, RouteOperations, RouteTableError
from sb_emulator.web.routes import all_routes
from sb_emulator.web.rt_route import routes as realtime_routes
from tests.web.helpers import bearer

Api = TestClient[Any, Any]
WEB = Path(sb_emulator.web.__file__).parent


def _table_routes() -> set[tuple[str, str]]:
    """(method, path) of every route the table asks for, GET's implied HEAD included."""
    explicit_heads = {op.path for op in OPERATIONS if op.method == "HEAD"}
    routes = {(op.method, op.path) for op in OPERATIONS}
    return routes | {("HEAD", op.path) for op in OPERATIONS
                     if op.method == "GET" and op.path not in explicit_heads}


def _all_groups() -> list[OperationRoutes]:
    spec = OperationRoutes()
    spec.operation("getOpenApiDocument")(_handler)
    return [*all_routes(), http_api_routes, realtime_routes, spec]


async def _handler(request: web.Request) -> web.Response:
    return web.Response()


def test_the_apps_routes_are_exactly_the_tables() -> None:
    app = create_app(emulator_config())
    served = {
        (route.method, route.resource.canonical)
        for route in app.router.routes() if route.resource is not None
    }
    assert served == _table_routes()


def test_a_route_added_beside_the_table_stops_start_up() -> None:
    app = web.Application()
    operations = RouteOperations()
    operations.register(app.router, *_all_groups())
    operations.check_complete(app.router)  # the table alone is complete
    app.router.add_get("/_emulator/extra", _handler)
    with pytest.raises(RouteTableError, match="GET /_emulator/extra"):
        operations.check_complete(app.router)


def test_a_table_entry_without_a_handler_stops_start_up() -> None:
    without_control = [group for group in _all_groups() if "emulatorReset" not in group.handlers]
    with pytest.raises(RouteTableError, match="no handler serves emulatorHealth, emulatorReset"):
        RouteOperations().register(web.Application().router, *without_control)


def test_binding_an_unknown_or_taken_operation_fails() -> None:
    routes = OperationRoutes()
    with pytest.raises(LookupError, match="'listMachine'"):
        routes.operation("listMachine")
    routes.operation("listMachines")(_handler)
    with pytest.raises(RouteTableError, match="listMachines has two handlers"):
        routes.operation("listMachines")(_handler)
    twice = OperationRoutes()
    twice.operation("listMachines")(_handler)
    with pytest.raises(RouteTableError, match="listMachines has two handlers"):
        RouteOperations().register(web.Application().router, *_all_groups(), twice)


def _scope_declarations(source: str) -> list[str]:
    """Scope names written as string literals, and any use of the KeyScope enum."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in ALL_SCOPES:
            found.append(f"line {node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Name | ast.alias) and "KeyScope" in ast.unparse(node):
            found.append(f"line {node.lineno}: KeyScope")
    return found


def test_the_declaration_scanner_sees_a_handler_scope() -> None:
    assert _scope_declarations('@requires("state.read")\nasync def h(r): ...') == [
        "line 1: 'state.read'"
    ]
    assert _scope_declarations("require_scope(p, KeyScope.LOGS_READ)") == ["line 1: KeyScope"]


def test_no_handler_declares_scopes_outside_the_table() -> None:
    declared = {
        str(path.relative_to(WEB)): found
        for path in sorted(WEB.rglob("*.py"))
        if (found := _scope_declarations(path.read_text(encoding="utf-8")))
    }
    assert declared == {}


# -- every route enforces its own entry, through the real app (tests/web/conftest.py) ---------


async def _token_without_scopes(api: Api, config: EmulatorConfig) -> str:
    admin = mint_token(config, "admin")
    created = await api.post("/keys", json={"name": "no-scopes", "scopes": []},
                             headers=bearer(admin))
    assert created.status == 200, await created.text()
    key = await created.json()
    return mint_token(replace(config, key_id=key["id"], key_secret=key["key"]), "u")


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "x1", path)


def _checked_by_middleware() -> list[tuple[str, OperationAuth]]:
    gets = [("HEAD", op) for op in OPERATIONS
            if op.method == "GET" and op.credential is Credential.BEARER_HEADER]
    return [(op.method, op) for op in OPERATIONS
            if op.credential is Credential.BEARER_HEADER] + gets


async def test_every_token_route_asks_for_its_entrys_scopes(api: Api, config: EmulatorConfig) -> None:
    token = await _token_without_scopes(api, config)
    wrong = []
    for method, op in _checked_by_middleware():
        path = _concrete(op.path)
        anonymous = await api.request(method, path)
        scopeless = await api.request(method, path, headers={"authorization": f"Bearer {token}"})
        expected_code = "missing-user" if op.admin_only else "missing-scope"
        body = {} if method == "HEAD" else await scopeless.json()
        if anonymous.status != 401 or scopeless.status != 403:
            wrong.append(f"{method} {op.path}: {anonymous.status}, {scopeless.status}")
        elif method != "HEAD" and (
            body["code"] != expected_code
            or not all(repr(scope) in body["error"] for scope in op.scopes)
        ):
            wrong.append(f"{method} {op.path}: {body}")
    assert wrong == []


async def test_routes_with_their_own_credential_are_not_asked_for_a_token(api: Api) -> None:
    wrong = []
    for op in OPERATIONS:
        if op.credential is not Credential.BEARER_HEADER:
            response = await api.request(op.method, _concrete(op.path))
            if response.status in (401, 403):
                wrong.append(f"{op.method} {op.path}: {response.status} {await response.text()}")
    assert wrong == []
