"""Turning the sections of a YAML definition into engine implementations and callables.

Every expression is compiled here, once, with the variables it may use; a mistake is recorded
as a problem with its path (``guards.isReady``) so the loader can report them all at once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import jwt as pyjwt

from sb_emulator.engine import actions as act
from sb_emulator.machines.celexpr import (
    CelError,
    CelEvalError,
    CelExpr,
    CelGroup,
    compile_value,
    evaluate_value,
    quote,
)
from sb_emulator.machines.definition import HttpApiEndpoint, ServiceMeta

GUARD_VARS = ("context", "event", "state")
ACTION_VARS = ("context", "event")
SERVICE_VARS = ("context", "event", "data")
AUTH_VARS = ("machineInstanceName", "authContext", "context", "state", "event", "type")
HANDLER_VARS = ("request", "jwt")
MAPPER_VARS = ("state", "context", "result")


class ServiceRejected(Exception):
    """A YAML service that rejects; ``data`` becomes the ``error.platform`` event's data."""

    def __init__(self, data: Any) -> None:
        super().__init__(str(data))
        self.data = data


class HttpApiHandlerError(Exception):
    """An HTTP API handler refused the request (API.md §8.3: nothing is created or sent)."""


class Problems:
    """Collects (path, message) pairs while building."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, path: str, message: str) -> None:
        self.items.append((path, message))

    def compile(self, path: str, value: Any, allowed: tuple[str, ...]) -> Any:
        try:
            return compile_value(value, allowed)
        except CelError as err:
            self.add(path, str(err))
            return None


def build_guards(section: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, source in section.items():
        expr = problems.compile(f"guards.{name}", source, GUARD_VARS)
        if isinstance(expr, CelExpr):
            out[name] = _guard(expr)
        else:
            # reported already (or a literal the schema refused): the guard exists, so the
            # machine's references to it are no second mistake (one mistake, one message)
            out[name] = _unusable_guard
    return out


def _unusable_guard(context: Any, event: Any, meta: Any) -> bool:
    raise CelEvalError("this guard did not compile")  # never runs: the definition is refused


def _guard(expr: CelExpr) -> Callable[..., bool]:
    def guard(context: Any, event: Any, meta: Any) -> bool:
        result = expr.evaluate({"context": context, "event": event, "state": meta.state})
        if not isinstance(result, bool):  # "false" or 0 must not pass silently as truthy
            raise CelEvalError(f"guard {quote(expr.source)} gave {result!r}; expected true or "
                               f"false")
        return result

    return guard


def build_actions(section: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    return {name: _action(spec, f"actions.{name}", problems) for name, spec in section.items()}


def _action(spec: Mapping[str, Any], path: str, problems: Problems) -> Any:
    (kind, value), = spec.items()
    if kind == "assign":
        exprs = {k: problems.compile(f"{path}.assign.{k}", v, ACTION_VARS) for k, v in value.items()}
        return act.assign(_assigner(exprs))
    if kind == "log":
        expr = problems.compile(f"{path}.log", value, ACTION_VARS)
        return act.log(_ctx_event(expr))
    if kind == "raise":
        return act.raise_(value)
    if kind == "send":
        return act.send(value["event"], to=value.get("to"), delay=value.get("delay"), id=value.get("id"))
    if kind == "sendParent":
        return act.send_parent(value)
    if kind == "cancel":
        return act.cancel(value)
    if kind == "choose":
        return act.choose([{**({"cond": c["cond"]} if "cond" in c else {}), "actions": c["actions"]}
                           for c in value])
    problems.add(path, f"unknown action kind {kind!r}")
    return None


def _assigner(exprs: Mapping[str, Any]) -> Any:
    """The assignment of a YAML ``assign``: per key while at most one key is an expression,
    else one function evaluating all the expressions in a single call into cel (CelGroup).
    Every key sees the same context and event either way, as in XState v4's assign."""
    keys = [k for k, e in exprs.items() if isinstance(e, CelExpr)]
    if len(keys) < 2:
        return {k: _ctx_event(e) for k, e in exprs.items()}
    try:
        group = CelGroup([exprs[k] for k in keys])
    except CelError:  # cannot happen for expressions that compile alone; per key is still right
        return {k: _ctx_event(e) for k, e in exprs.items()}
    literals = {k: e for k, e in exprs.items() if not isinstance(e, CelExpr)}
    order = tuple(exprs)  # the partial keeps the document's key order (new keys land so)

    def assignment(context: Any, event: Any, meta: Any) -> dict[str, Any]:
        computed = dict(zip(keys, group.evaluate({"context": context, "event": event}), strict=True))
        if not literals:
            return computed
        return {k: computed[k] if k in computed else literals[k] for k in order}

    return assignment


def _ctx_event(expr: Any) -> Any:
    if not isinstance(expr, CelExpr):
        return expr

    def evaluate(context: Any, event: Any) -> Any:
        return expr.evaluate({"context": context, "event": event})

    return evaluate


def build_delays(section: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, source in section.items():
        expr = problems.compile(f"delays.{name}", source, ACTION_VARS)
        out[name] = _ctx_event(expr) if isinstance(expr, CelExpr) else expr
    return out


def build_services(section: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in section.items():
        path = f"services.{name}"
        outcome = "resolve" if "resolve" in spec else "reject"
        expr = problems.compile(f"{path}.{outcome}", spec[outcome], SERVICE_VARS)
        delay = problems.compile(f"{path}.delay", spec.get("delay", 0), ACTION_VARS)
        out[name] = _service(outcome == "resolve", expr, delay)
    return out


def _service(resolves: bool, expr: Any, delay: Any) -> Callable[..., Any]:
    async def service(context: Any, event: Any, meta: ServiceMeta) -> Any:
        wait = evaluate_value(delay, {"context": context, "event": event})
        if wait:
            await meta.sleep_ms(int(wait))
        value = evaluate_value(expr, {"context": context, "event": event, "data": meta.data})
        if not resolves:
            raise ServiceRejected(value)
        return value

    return service


def build_authorizer(source: Any, path: str, problems: Problems) -> Callable[[dict[str, Any]], Any]:
    """A CEL expression or a literal boolean; the service allows only an exact ``true``."""
    expr = problems.compile(path, source, AUTH_VARS)
    if not isinstance(expr, CelExpr) or expr.is_constant:
        # ``true``, literal or as CEL (most test machines): one answer, whatever the request
        verdict = evaluate_value(expr, {})

        def constant_authorizer(request: dict[str, Any]) -> Any:
            return verdict

        return constant_authorizer

    def authorizer(request: dict[str, Any]) -> Any:
        variables = {name: request.get(name) for name in AUTH_VARS}
        return evaluate_value(expr, variables)

    return authorizer


def build_indexes(section: Mapping[str, Any], problems: Problems) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, source in section.items():
        expr = problems.compile(f"indexes.{name}", source, ("context",))
        if isinstance(expr, CelExpr):
            out[name] = _index(expr)
    return out


def _index(expr: CelExpr) -> Callable[[Any], Any]:
    def index(context: Any) -> Any:
        # like the real service's JSONPath selectors: a value that is not there is no entry
        try:
            return expr.evaluate({"context": context})
        except CelEvalError:
            return None

    return index


def build_http_api(section: Mapping[str, Any], problems: Problems) -> dict[str, HttpApiEndpoint]:
    out: dict[str, HttpApiEndpoint] = {}
    for slug, spec in section.items():
        path = f"httpApi.{slug}"
        require = {problems.compile(f"{path}.require", cond, HANDLER_VARS): message
                   for cond, message in (spec.get("require") or {}).items()}
        handler = {k: problems.compile(f"{path}.handler.{k}", v, HANDLER_VARS)
                   for k, v in spec["handler"].items()}
        mapper = {k: problems.compile(f"{path}.responseMapper.{k}", v, MAPPER_VARS)
                  for k, v in spec["responseMapper"].items()}
        secret = _JwtSecret(spec.get("jwtSecret"), spec.get("jwtSecretEnv"))
        if not secret.configured:
            _forbid_jwt(path, [*require, *handler.values()], problems)
        out[slug] = HttpApiEndpoint(_http_handler(require, handler, secret), _http_mapper(mapper))
    return out


def _forbid_jwt(path: str, exprs: list[Any], problems: Problems) -> None:
    """``jwt`` only means something when the endpoint says how to verify the token."""
    for expr in exprs:
        if isinstance(expr, CelExpr) and "jwt" in expr.free_variables():
            problems.add(path, f"CEL expression {quote(expr.source)} uses jwt but the endpoint "
                               f"has no jwtSecret; expected jwtSecret (or jwtSecretEnv) beside "
                               f"handler to verify the bearer token")
            return


class _JwtSecret:
    """The HS256 secret of an endpoint: literal, or read from the environment per request
    (so a test can set the variable after loading)."""

    def __init__(self, literal: str | None, env: str | None) -> None:
        self.literal, self.env = literal, env
        self.configured = literal is not None or env is not None

    def value(self) -> str:
        if self.literal is not None:
            return self.literal
        found = os.environ.get(self.env) if self.env is not None else None
        if not found:
            raise HttpApiHandlerError(f"the JWT secret variable {self.env} is not set")
        return found


def _http_handler(require: Mapping[Any, str], handler: Mapping[str, Any], secret: _JwtSecret
                  ) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def run(request: dict[str, Any]) -> dict[str, Any]:
        variables = {"request": request, "jwt": _verified_jwt(request, secret)}
        for cond, message in require.items():
            if evaluate_value(cond, variables) is not True:
                raise HttpApiHandlerError(message)
        return {k: evaluate_value(v, variables) for k, v in handler.items()}

    return run


def _verified_jwt(request: Mapping[str, Any], secret: _JwtSecret) -> Any:
    """Claims of the request's bearer token, verified with the endpoint's secret (HS256)."""
    if not secret.configured:
        return None
    key = secret.value()
    header = (request.get("headers") or {}).get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HttpApiHandlerError("missing bearer token")
    try:
        return pyjwt.decode(token, key, algorithms=["HS256"], options={"verify_aud": False})
    except pyjwt.PyJWTError as err:
        raise HttpApiHandlerError(f"invalid token: {err}") from err


def _http_mapper(mapper: Mapping[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def run(data: dict[str, Any]) -> dict[str, Any]:
        variables = {name: data.get(name) for name in MAPPER_VARS}
        out = {k: evaluate_value(v, variables) for k, v in mapper.items()}
        out.setdefault("statusCode", 200)
        out.setdefault("headers", {})
        return out

    return run


def build_migration(section_state: Mapping[str, str] | None, section_context: Mapping[str, Any] | None,
                    problems: Problems, *, prefix: str = "") -> tuple[Any, Any]:
    """``upgradeState`` (old dotted path -> new) and ``upgradeContext`` (key -> CEL over the
    old context) as the two functions of API.md §7.7. ``prefix`` is where the section sits in
    the document (``migration.`` in a definition, nothing in an uploaded migration)."""
    upgrade_state = None
    if section_state is not None:
        renames = {old: new.split(".") for old, new in section_state.items()}

        def upgrade_state(old_path: list[str], context: Any) -> list[str]:
            return list(renames.get(".".join(old_path), old_path))

    upgrade_context = None
    if section_context is not None:
        exprs = {k: problems.compile(f"{prefix}upgradeContext.{k}", v, ("context",))
                 for k, v in section_context.items()}

        def upgrade_context(old_paths: Any, new_paths: Any, context: Any) -> Any:
            return {**context, **{k: evaluate_value(e, {"context": context}) for k, e in exprs.items()}}

    return upgrade_state, upgrade_context
