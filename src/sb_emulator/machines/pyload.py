"""Loading a Python machine definition: a module exporting ``machine``, ``allow_read``,
``allow_write`` and optionally ``guards``, ``actions``, ``services``, ``delays``,
``http_api_mapper``, ``indexes``, ``upgrade_state``, ``upgrade_context``, ``name``, ``version``.

Only ever from local files or importable modules named on the command line; never from the
network (uploaded versions must be YAML).
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import re
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, overload

from sb_emulator import watchdog
from sb_emulator.engine import Implementations, Machine
from sb_emulator.engine import actions as act
from sb_emulator.engine.errors import did_you_mean
from sb_emulator.engine.implementations import to_list
from sb_emulator.errors import DefinitionError
from sb_emulator.machines.configrepair import build_collecting
from sb_emulator.machines.definition import HttpApiEndpoint, MachineDefinition
from sb_emulator.machines.pylocate import line_of_path, module_bindings
from sb_emulator.machines.pyoutput import route_print


def import_definition_module(ref: str) -> ModuleType:
    path = Path(ref)
    if path.suffix == ".py" and path.exists():
        module_name = f"sb_emulator_definitions.{path.stem}_{abs(hash(str(path.resolve())))}"
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise DefinitionError([f"{ref}: cannot be imported as a Python module"])
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as err:
            sys.modules.pop(module_name, None)
            raise DefinitionError([_import_failure(ref, path, err)]) from err
        return module
    try:
        return importlib.import_module(ref)
    except ImportError as err:
        raise DefinitionError([f"{ref}: no such file or importable module ({err})"]) from err


def _import_failure(ref: str, path: Path, err: Exception) -> str:
    """``FILE:LINE: importing it failed: ...`` with the line in the definition file itself."""
    line = None
    if isinstance(err, SyntaxError) and err.filename and Path(err.filename).resolve() == path.resolve():
        line = err.lineno
    else:
        frames = [f for f in traceback.extract_tb(err.__traceback__)
                  if Path(f.filename).resolve() == path.resolve()]
        line = frames[-1].lineno if frames else None
    text = str(err)
    if isinstance(err, ImportError) and err.path:
        text = text.replace(f" ({err.path})", "")  # an absolute path helps nobody here
    where = f"{ref}:{line}" if line else ref
    return f"{where}: importing it failed: {type(err).__name__}: {text}{_import_hint(text)}"


_CANNOT_IMPORT = re.compile(r"cannot import name '(\w+)' from '([\w.]+)'")


def _import_hint(text: str) -> str:
    """Python 3.11 gives no "did you mean" for ``from module import typo``; we do."""
    found = _CANNOT_IMPORT.search(text)
    module = sys.modules.get(found[2]) if found else None
    if found is None or module is None:
        return ""
    hint = did_you_mean(found[1], [n for n in dir(module) if not n.startswith("_")])
    return f" ({hint})" if hint else ""


def load_python_definition(ref: str) -> MachineDefinition:
    module = import_definition_module(ref)
    route_print(module)  # its output becomes log entries of the call that prints (pyoutput)
    source = ref if Path(ref).exists() else (getattr(module, "__file__", None) or ref)
    problems: list[str] = []
    config = getattr(module, "machine", None)
    if not isinstance(config, Mapping):
        problems.append(f"{source}: machine: {_found(module, 'machine')}; expected the XState v4 "
                        f"config as a module-level dict named `machine`")
    name, version = _identity(module, source, problems)
    for required in ("allow_read", "allow_write"):
        _function(module, required, f"a function `{required}(request) -> bool`", source,
                  problems, required=True)
    for optional in ("upgrade_state", "upgrade_context"):
        _function(module, optional, f"a function `{_SIGNATURES[optional]}`", source, problems)
    services = _callables(module, "services", source, problems)
    impl = Implementations(
        guards=_callables(module, "guards", source, problems),
        actions=_mapping(module, "actions", source, problems),
        services=services,
        delays=_mapping(module, "delays", source, problems),
    )
    http_api = _http_api(module, source, problems)
    indexes = _callables(module, "indexes", source, problems)
    machine = None
    if isinstance(config, Mapping):
        # every mistake of the config, not only the first (configrepair)
        machine, errors = build_collecting(js_object_keys(config), impl)
        problems.extend(f"{source}: machine.{err}" for err in errors)
    inline = _inline_services(machine, services, source, problems) if machine else {}
    if problems or machine is None:
        raise DefinitionError(_with_lines(problems, source))
    # the engine's transitions (guards, actions, delays) are timed where the service runs
    # them; the functions it calls directly are timed here (see sb_emulator.watchdog)
    return MachineDefinition(
        name=name, version_label=version, machine=machine,
        allow_read=_watched(module.allow_read, source),
        allow_write=_watched(module.allow_write, source),
        services={k: _watched_service(act.adapt(v, 3), k, source)
                  for k, v in {**services, **inline}.items()},
        http_api_mapper={slug: HttpApiEndpoint(_watched(e.handler, source),
                                               _watched(e.response_mapper, source))
                         for slug, e in http_api.items()},
        indexes={k: _watched(v, source) for k, v in indexes.items()},
        upgrade_state=_watched(getattr(module, "upgrade_state", None), source),
        upgrade_context=_watched(getattr(module, "upgrade_context", None), source),
        source=source, kind="python",
    )


def _watched_service(fn: Callable[..., Any], name: str, source: str) -> Callable[..., Any]:
    """An async service whose every step runs under the wall-clock limit of machine code."""
    what = f"the Python service {name} of {source}"

    @functools.wraps(fn)
    async def watched(*args: Any) -> Any:  # a coroutine function still, as callers expect
        return await watchdog.WatchedCoroutine(what, fn(*args))

    return watched


@overload
def _watched(fn: None, source: str) -> None: ...
@overload
def _watched(fn: Callable[..., Any], source: str) -> Callable[..., Any]: ...
def _watched(fn: Callable[..., Any] | None, source: str) -> Callable[..., Any] | None:
    """``fn`` under the wall-clock limit of machine code. Async functions are left as they
    are: the time they hold the loop is spent in their own awaits."""
    if fn is None or inspect.iscoroutinefunction(fn):
        return fn
    what = f"the Python function {getattr(fn, '__qualname__', repr(fn))} of {source}"

    @functools.wraps(fn)
    def watched(*args: Any, **kwargs: Any) -> Any:
        return watchdog.call(what, fn, *args, **kwargs)

    return watched


def js_object_keys(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The config with number keys of ``after`` maps written as JavaScript writes them.

    ``{"after": {60000: "expired"}}`` is natural in Python, and in XState v4 (a JavaScript
    object's keys are strings: ``60000`` is the key ``"60000"``, a delay in ms). The engine
    reads keys as strings, so they become the text JavaScript gives them (``1.5`` stays
    ``"1.5"``, ``2.0`` becomes ``"2"``). A copy is made only where a key changes: the
    module's own dict is never modified."""
    changed: dict[str, Any] = {}
    after = config.get("after")
    if isinstance(after, Mapping) and not all(isinstance(k, str) for k in after):
        changed["after"] = {_js_key(k): v for k, v in after.items()}
    states = config.get("states")
    if isinstance(states, Mapping):
        converted = {k: js_object_keys(v) if isinstance(v, Mapping) else v
                     for k, v in states.items()}
        if any(converted[k] is not v for k, v in states.items()):
            changed["states"] = converted
    return {**config, **changed} if changed else config


def _js_key(key: Any) -> Any:
    if isinstance(key, bool) or not isinstance(key, (int, float)):
        return key  # a string already, or something the engine reports as it is
    if isinstance(key, float) and key.is_integer():
        return str(int(key))
    return str(key)


def _with_lines(problems: list[str], source: str) -> list[str]:
    """``FILE: machine.states.a.on.go[0].target: ...`` -> ``FILE:LINE: ...``, LINE being where
    that key sits in the literal assigned to ``machine`` (or where the module assigns or defines
    ``guards``, ``allow_read``...). The file is parsed, not run again."""
    try:
        tree = ast.parse(Path(source).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, ValueError):
        return problems
    bindings = module_bindings(tree)
    prefix = f"{source}: "
    out = []
    for problem in problems:
        if problem.startswith(prefix):
            rest = problem[len(prefix):]
            line = line_of_path(bindings, rest.split(": ", 1)[0])
            if line is not None:
                problem = f"{source}:{line}: {rest}"
        out.append(problem)
    return out


_SIGNATURES = {
    "upgrade_state": "upgrade_state(old_path, context) -> list[str]",
    "upgrade_context": "upgrade_context(old_paths, new_paths, context) -> dict",
}
_SLUG = re.compile(r"[a-zA-Z0-9_-]{1,128}")


def _identity(module: ModuleType, source: str, problems: list[str]) -> tuple[str, str]:
    """``name`` (default: the file name, ``_`` made ``-``) and ``version`` (default 0.0.1)."""
    name = getattr(module, "name", Path(source).stem.replace("_", "-"))
    if not isinstance(name, str) or not _SLUG.fullmatch(name):
        problems.append(f"{source}: name: {name!r} is not valid; expected 1 to 128 letters, "
                        f"digits, \"-\" or \"_\" (the machine slug)")
    version = getattr(module, "version", "0.0.1")
    if not isinstance(version, str):
        problems.append(f"{source}: version: got {version!r}; expected a string such as "
                        f"\"1.0.0\"")
    return str(name), str(version)


def _function(module: ModuleType, name: str, expected: str, source: str, problems: list[str],
              *, required: bool = False) -> None:
    value = getattr(module, name, None)
    if (value is None and required) or (value is not None and not callable(value)):
        problems.append(f"{source}: {name}: {_found(module, name)}; expected {expected}")


def _found(module: ModuleType, name: str) -> str:
    if not hasattr(module, name):
        return "missing"
    value = getattr(module, name)
    return f"got the {type(value).__name__} {_short(value)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _mapping(module: ModuleType, name: str, source: str, problems: list[str]) -> dict[str, Any]:
    value = getattr(module, name, None)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(f"{source}: {name}: {_found(module, name)}; expected a dict of names "
                        f"to implementations")
        return {}
    return dict(value)


_EXPECTED_CALLABLE = {
    "guards": "a function `(context, event) -> bool`",
    "services": "an async function `(context, event)`",
    "indexes": "a function `(context) -> str | list[str] | None`",
}


def _callables(module: ModuleType, name: str, source: str, problems: list[str]
               ) -> dict[str, Callable[..., Any]]:
    out = _mapping(module, name, source, problems)
    for key, value in out.items():
        if not callable(value):
            problems.append(f"{source}: {name}.{key}: got the {type(value).__name__} {_short(value)}; "
                            f"expected {_EXPECTED_CALLABLE[name]}")
    if name == "services":
        for key, value in out.items():
            if callable(value) and not inspect.iscoroutinefunction(value):
                problems.append(f"{source}: services.{key}: expected an async function "
                                f"`async def {key}(context, event)`")
    return out


def _inline_services(machine: Machine, named: Mapping[str, Any], source: str,
                     problems: list[str]) -> dict[str, Callable[..., Any]]:
    """Inline invoke sources (``"invoke": {"src": an_async_function}``), by the invoke id that
    names them (as XState does; see ``Machine.inline_services``): async functions only, like
    the ones in ``services``, and never under an id that already names another service."""
    out: dict[str, Callable[..., Any]] = {}
    where: dict[str, str] = {}
    for node in machine.nodes:
        for i, (raw, invoke) in enumerate(zip(to_list(node.config.get("invoke")), node.invokes,
                                              strict=True)):
            src = raw.get("src")
            if not callable(src):
                continue
            path = f"machine.{node._p(f'invoke[{i}]')}"
            if invoke.id in named:
                problems.append(f"{source}: {path}.id: the invoke id {invoke.id!r} of this inline "
                                f"service is also the name of services.{invoke.id}; expected "
                                f"another id (an inline src is named by its invoke id)")
            elif invoke.id in out and out[invoke.id] is not src:
                problems.append(f"{source}: {path}.id: the invoke id {invoke.id!r} already names "
                                f"the inline service of {where[invoke.id]}; expected unique "
                                f"invoke ids for inline services")
            elif not inspect.iscoroutinefunction(src):
                problems.append(f"{source}: {path}.src: {_callable_kind(src)} is not async; "
                                f"expected an async function "
                                f"`async def {_function_name(src, invoke.id)}(context, event)`")
            else:
                out[invoke.id] = src
                where[invoke.id] = path
    return out


def _callable_kind(src: Any) -> str:
    name = getattr(src, "__name__", None)
    if name == "<lambda>":
        return "a lambda"
    if inspect.isfunction(src) or inspect.isbuiltin(src) or inspect.ismethod(src):
        return f"the function {name}"
    return f"the {type(src).__name__} object"


def _function_name(src: Any, invoke_id: str) -> str:
    """The name to suggest for an async rewrite of ``src``."""
    name = getattr(src, "__name__", "")
    if name.isidentifier():
        return str(name)
    name = re.sub(r"\W+", "_", invoke_id).strip("_")
    return name if name.isidentifier() else "service"


def _http_api(module: ModuleType, source: str, problems: list[str]) -> dict[str, HttpApiEndpoint]:
    mapper = _mapping(module, "http_api_mapper", source, problems)
    out: dict[str, HttpApiEndpoint] = {}
    for slug, spec in mapper.items():
        handler = spec.get("handler") if isinstance(spec, Mapping) else None
        response_mapper = spec.get("response_mapper") if isinstance(spec, Mapping) else None
        if not callable(handler) or not callable(response_mapper):
            problems.append(f"{source}: http_api_mapper.{slug}: expected a dict with callables "
                            f"`handler` and `response_mapper`")
            continue
        out[slug] = HttpApiEndpoint(handler, response_mapper)
    return out
