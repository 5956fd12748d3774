"""Every mistake of a machine config in one pass, though the engine stops at the first.

``Machine(config, impl)`` raises one ``MachineConfigError``. To report them all, the loaders
build the machine, and on an error neutralise the part it names in a copy of the config
(the transition's target or guard, the action, the invoke, the state's ``initial``...) with
something harmless, then build again, until the machine builds or nothing more can be
neutralised. A neutralised part never causes a message of its own: only the first build's
config is the user's, and every message names a path of it (parts are replaced in place,
never removed from lists, so later indexes stay right).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sb_emulator.engine import Implementations, Machine, MachineConfigError
from sb_emulator.machines.locate import split_path

# Enough for any real file; a bound so that a pathological config cannot loop for long.
MAX_ROUNDS = 100
_ACTION_LISTS = ("actions", "entry", "exit", "onEntry", "onExit")
_STATE_KEYS = ("type", "history", "states", "id")


def build_collecting(config: Any, impl: Implementations
                     ) -> tuple[Machine | None, list[MachineConfigError]]:
    """The machine (None when the config has a mistake) and every mistake found."""
    errors: list[MachineConfigError] = []
    working = config
    for _ in range(MAX_ROUNDS):
        try:
            machine = Machine(working, impl)
        except MachineConfigError as err:
            if any(e.path == err.path and e.problem == err.problem for e in errors):
                return None, errors  # neutralising did not help: stop here
            errors.append(err)
            if working is config:
                working = _copy_structure(config)  # the caller's config is never modified
            if not isinstance(working, dict) or not neutralise(working, err.path):
                return None, errors
            continue
        return (None if errors else machine), errors
    return None, errors


def _copy_structure(value: Any) -> Any:
    """A copy of the dicts and lists (what ``neutralise`` changes); every other value is
    shared, as a Python config may hold objects that cannot be copied (locks, modules)."""
    if isinstance(value, Mapping):
        return {k: _copy_structure(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_structure(v) for v in value]
    return value


def _noop_action(context: Any, event: Any) -> None:
    return None


async def _noop_service(context: Any, event: Any) -> None:
    return None


def neutralise(config: dict[str, Any], path: str) -> bool:
    """Replace the part of ``config`` that the engine's error ``path`` names with a harmless
    one; False when the path names nothing this knows how to replace."""
    parts = split_path(path)
    if not parts:
        return False
    last = parts[-1]
    action_at = _last_action_list(parts)
    if action_at is not None:
        return _replace(config, parts[:action_at + 2], lambda _old: _noop_action)
    if last in ("cond", "in"):
        return _pop(config, parts[:-1], str(last))
    if last == "target":
        return _replace(config, parts[:-1],
                        lambda old: {k: v for k, v in old.items() if k != "target"}
                        if isinstance(old, Mapping) else {})
    invoke_at = _index_after(parts, "invoke")
    if invoke_at is not None:
        return _replace(config, parts[:invoke_at + 2],
                        lambda old: {**(old if isinstance(old, Mapping) else {}),
                                     "src": _noop_service})
    if last == "initial":
        return _fix_initial(config, parts[:-1])
    if len(parts) >= 2 and parts[-2] == "after":
        return _pop(config, parts[:-2], "after", str(last))
    if last in _STATE_KEYS:
        return _pop(config, parts[:-1], str(last))
    if isinstance(last, int) or (len(parts) >= 2 and parts[-2] == "on"):
        return _replace(config, parts, lambda _old: {})  # a transition that is not one
    if len(parts) >= 2 and parts[-2] == "states":
        return _replace(config, parts, lambda _old: {})  # a state that is not one
    return False


def _last_action_list(parts: list[str | int]) -> int | None:
    """Index of the last ``actions`` / ``entry``... key followed by an item index."""
    for i in range(len(parts) - 2, -1, -1):
        if (parts[i] in _ACTION_LISTS and isinstance(parts[i + 1], int)
                and (i == 0 or parts[i - 1] not in ("states", "on"))):
            return i
    return None


def _index_after(parts: list[str | int], key: str) -> int | None:
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] == key and isinstance(parts[i + 1], int):
            return i
    return None


def _locate(config: dict[str, Any], parts: list[str | int]) -> tuple[Any, Any] | None:
    """(container, key) of the node at ``parts``. The engine writes a lone transition or
    action as item ``[0]`` of a list; a key holding dots may be split over several parts."""
    container: Any = None
    key: Any = None
    node: Any = config
    i = 0
    while i < len(parts):
        part = parts[i]
        if isinstance(part, int):
            if isinstance(node, list) and part < len(node):
                container, key, node = node, part, node[part]
            elif part != 0 or container is None:
                return None  # ``[0]`` of a lone item: the item itself
            i += 1
            continue
        if not isinstance(node, dict):
            return None
        found, used = _dotted_key(node, parts, i)
        if found is None:
            return None
        container, key, node = node, found, node[found]
        i += used
    return (container, key) if container is not None else None


def _dotted_key(node: dict[str, Any], parts: list[str | int], start: int) -> tuple[Any, int]:
    joined: list[str] = []
    for used, part in enumerate(parts[start:], 1):
        if not isinstance(part, str):
            break
        joined.append(part)
        if ".".join(joined) in node:
            return ".".join(joined), used
    return None, 0


def _replace(config: dict[str, Any], parts: list[str | int], make: Any) -> bool:
    found = _locate(config, parts)
    if found is None:
        return False
    container, key = found
    container[key] = make(container[key])
    return True


def _node(config: dict[str, Any], parts: list[str | int]) -> Any:
    if not parts:
        return config
    found = _locate(config, parts)
    return found[0][found[1]] if found is not None else None


def _pop(config: dict[str, Any], parts: list[str | int], *keys: str) -> bool:
    node = _node(config, parts)
    for key in keys[:-1]:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict) or keys[-1] not in node:
        return False
    del node[keys[-1]]
    return True


def _fix_initial(config: dict[str, Any], parts: list[str | int]) -> bool:
    """A compound state gets its first child as initial; any other state loses ``initial``."""
    state = _node(config, parts)
    if not isinstance(state, dict):
        return False
    children = state.get("states")
    first = next(iter(children), None) if isinstance(children, dict) else None
    if first is not None and state.get("type") in (None, "compound") and \
            state.get("initial") != first:
        state["initial"] = first
        return True
    return state.pop("initial", None) is not None or False
