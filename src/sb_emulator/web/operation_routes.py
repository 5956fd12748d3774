"""Routes registered from the operation table (``auth/operations.py``), never written by hand.

A handler module only says which operation each handler serves
(``@routes.operation("listMachines")``); :meth:`RouteOperations.register` adds one route per
table entry, with the table's method and path, and remembers the entry of every route it
added. The auth middleware looks the request's matched route up there, so its check is one
dict hit on a route aiohttp (or ``route_index``) has already found. :meth:`RouteOperations.
check_complete` refuses an app holding a route added some other way, and ``register`` one
whose table names an operation no handler serves: a bad route table stops start-up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from aiohttp import web
from aiohttp.web_urldispatcher import AbstractRoute

from sb_emulator.auth.operations import OPERATIONS, Credential, OperationAuth, operation

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
H = TypeVar("H", bound=Handler)


class RouteTableError(RuntimeError):
    """The app's routes and the operation table disagree."""


class OperationRoutes:
    """The handlers of one module, by the operation ids they serve."""

    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}

    def operation(self, *operation_ids: str) -> Callable[[H], H]:
        """Bind the decorated handler to these operations (an unknown id fails at import)."""
        entries = [operation(operation_id) for operation_id in operation_ids]

        def bind(handler: H) -> H:
            for entry in entries:
                if entry.operation_id in self.handlers:
                    raise RouteTableError(f"{entry.operation_id} has two handlers")
                self.handlers[entry.operation_id] = handler
            return handler

        return bind


class RouteOperations:
    """The operation-table entry of every route the app registered from the table."""

    def __init__(self) -> None:
        self.by_route: dict[AbstractRoute, OperationAuth] = {}
        # the routes whose token the auth middleware checks (``Authorization`` header): its
        # whole per-request work is one look-up here
        self.header_checked: dict[AbstractRoute, OperationAuth] = {}

    def register(self, router: web.UrlDispatcher, *groups: OperationRoutes) -> None:
        """Add a route for every table entry, in table order, to the handler bound to it."""
        handlers = _merged(groups)
        missing = [op.operation_id for op in OPERATIONS if op.operation_id not in handlers]
        if missing:
            raise RouteTableError(f"no handler serves {', '.join(missing)}: bind one with "
                                  "@routes.operation(...) in the module of its API area")
        explicit_heads = {op.path for op in OPERATIONS if op.method == "HEAD"}
        for op in OPERATIONS:
            handler = handlers[op.operation_id]
            if op.method == "GET" and op.path not in explicit_heads:
                # what aiohttp's add_get does: HEAD is answered by the GET handler, under the
                # GET operation's rules
                self._add(router, "HEAD", op, handler)
            self._add(router, op.method, op, handler)

    def check_complete(self, router: web.UrlDispatcher) -> None:
        """Refuse routes that did not come from the table (their auth would be unknown)."""
        strays = [route for route in router.routes() if route not in self.by_route]
        if strays:
            named = ", ".join(f"{route.method} {_path_of(route)}" for route in strays)
            raise RouteTableError(f"routes without an entry in auth/operations.py: {named}")

    def _add(self, router: web.UrlDispatcher, method: str, op: OperationAuth,
             handler: Handler) -> None:
        route = router.add_route(method, op.path, handler)
        self.by_route[route] = op
        if op.credential is Credential.BEARER_HEADER:
            self.header_checked[route] = op


def _merged(groups: tuple[OperationRoutes, ...]) -> dict[str, Handler]:
    handlers: dict[str, Handler] = {}
    for group in groups:
        for operation_id, handler in group.handlers.items():
            if operation_id in handlers:
                raise RouteTableError(f"{operation_id} has two handlers")
            handlers[operation_id] = handler
    return handlers


def _path_of(route: AbstractRoute) -> str:
    resource = route.resource
    return resource.canonical if resource is not None else "?"
