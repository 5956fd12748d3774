"""Route handlers, one module per API area, each bound to its operations in the table
(``auth/operations.py``). ``all_routes()`` gathers the modules' bindings."""

from __future__ import annotations

from sb_emulator.web.operation_routes import OperationRoutes
from sb_emulator.web.routes import control, instances, machines, orgs, tokens, versions


def all_routes() -> list[OperationRoutes]:
    return [module.routes for module in (machines, versions, instances, orgs, tokens, control)]
