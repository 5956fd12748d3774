"""Loading a YAML machine definition: parse (YAML 1.2), check the schema, then the meaning.

Every mistake becomes one line ``FILE:LINE: PATH: what is wrong; expected ...``.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from sb_emulator.engine import Implementations, Machine, MachineConfigError
from sb_emulator.engine.errors import did_you_mean
from sb_emulator.errors import DefinitionError
from sb_emulator.machines import deflimits, yamlcache
from sb_emulator.machines import yamlbuild as build
from sb_emulator.machines.configrepair import build_collecting
from sb_emulator.machines.definition import MachineDefinition
from sb_emulator.machines.locate import key_path, line_of, split_path
from sb_emulator.machines.tags import untag

if TYPE_CHECKING:
    import jsonschema


@cache
def definition_schema() -> dict[str, Any]:
    # package data sits beside the code; no importlib.resources (see openapi.loader)
    text = (Path(__file__).parents[1] / "schemas" / "definition.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _fast_validator() -> Any:
    """jsonschema-rs says "valid or not" quickly (loading definitions is on the start-up path
    of every test session); the pure-Python jsonschema, imported only after a "not", finds
    and explains the problems."""
    return jsonschema_rs.Draft202012Validator(definition_schema())


@cache
def _validator() -> jsonschema.Draft202012Validator:
    import jsonschema

    return jsonschema.Draft202012Validator(definition_schema())


def parse_yaml(text: str, source: str) -> Any:
    """Parse with ruamel.yaml in YAML 1.2 mode: ``on``, ``yes``, ``no``, ``off`` stay strings."""
    # imported here: a definition found in yamlcache needs no parser at all
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    from sb_emulator.machines.yamlguard import MAX_DEPTH, GuardedComposer, GuardedScanner

    yaml = YAML(typ="rt")
    yaml.version = (1, 2)
    # alias, nesting and tag limits (definitions are uploaded over the API: hostile text)
    yaml.Scanner = GuardedScanner
    yaml.Composer = GuardedComposer
    try:
        return yaml.load(io.StringIO(text))
    except RecursionError as err:  # the nesting limit should come first: never a 500
        raise DefinitionError([f"{source}: invalid YAML: nested too deeply for the parser; "
                               f"expected at most {MAX_DEPTH} levels"]) from err
    except MarkedYAMLError as err:
        mark = err.problem_mark
        line = mark.line + 1 if mark is not None else 0
        raise DefinitionError([f"{source}:{line}: invalid YAML: {err.problem}"]) from err
    except YAMLError as err:
        raise DefinitionError([f"{source}: invalid YAML: {err}"]) from err
    except TypeError as err:  # ruamel cannot hash a mapping or list used as a key
        line = _complex_key_line(yaml.compose(io.StringIO(text)))
        raise DefinitionError([f"{source}:{line}: invalid YAML: a mapping or list is used as "
                               f"a key; expected a plain key (a string)"]) from err


def _complex_key_line(node: Any) -> int:
    """1-based line of the first mapping key that is itself a mapping or list."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    if isinstance(node, MappingNode):
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                return int(key.start_mark.line) + 1
            found = _complex_key_line(value)
            if found:
                return found
    if isinstance(node, SequenceNode):
        for item in node.value:
            found = _complex_key_line(item)
            if found:
                return found
    return 0


def load_yaml_definition(text: str, source: str, default_name: str) -> MachineDefinition:
    deflimits.check_text(text, source)  # before parsing: its cost grows with the text
    cached = yamlcache.load(text)
    if cached is not None:
        try:
            return _load_document(cached, text, source, default_name)
        except DefinitionError as err:
            # only a real parse knows the lines the messages need: parse it below
            yamlcache.log.debug("cached %s failed to load (%s); parsing it", source, err)
    document = parse_yaml(text, source)
    definition = _load_document(document, text, source, default_name)
    yamlcache.store(text, document)
    return definition


def _load_document(document: Any, text: str, source: str, default_name: str
                   ) -> MachineDefinition:
    if not isinstance(document, dict):
        raise DefinitionError([f"{source}:1: a machine definition must be a YAML mapping with a "
                               f"'machine' key"])
    # before the schema check and the build, whose cost grows with the machine
    deflimits.check_document(document, lambda path, text: _message(document, source, path, text))
    schema_problems, unsound = _check_schema(document, source)
    return _build(document, text, source, default_name, schema_problems, unsound)


def _message(document: Any, source: str, path: str, text: str) -> str:
    line = line_of(document, split_path(path)) if path else 1
    where = f"{source}:{line}" if line else source
    return f"{where}: {path}: {text}" if path else f"{where}: {text}"


def _check_schema(document: Any, source: str) -> tuple[list[str], set[tuple[str, ...]]]:
    """Every schema problem, and where they are: ``()`` for the top level, ``(section,)``
    or ``(section, entry)`` (``("guards", "isReady")``) for the parts the meaning stage
    must then leave out (it checks the rest: every mistake in one pass)."""
    plain = json.loads(json.dumps(document, default=str))
    if _fast_validator().is_valid(plain):
        return [], set()
    problems = []
    unsound: set[tuple[str, ...]] = set()
    for error in sorted(_validator().iter_errors(plain), key=lambda e: list(map(str, e.path))):
        where = list(error.absolute_path)
        path = _json_path(where)
        problems.append(_message(document, source, path, _explain(error)))
        if where or error.validator != "required":  # a missing key spoils nothing else
            unsound.add(tuple(str(part) for part in where[:2]))
    # jsonschema reports each missing required key apart; _required names them all at once
    return list(dict.fromkeys(problems)), unsound


def _json_path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out = key_path(out, str(part)) if out else str(part)
    return out


_KINDS = {"object": "a mapping", "array": "a list", "string": "a string", "number": "a number",
          "integer": "a whole number", "boolean": "true or false", "null": "null"}


def _explain(error: jsonschema.ValidationError) -> str:
    """jsonschema's message, reworded as "what is wrong; expected what" with a hint."""
    explain = _EXPLAIN.get(str(error.validator))
    text = explain(error) if explain is not None else None
    return text if text is not None else str(error.message)


def _additional(error: jsonschema.ValidationError) -> str | None:
    allowed = sorted((error.schema.get("properties") or {}).keys())
    extras = [k for k in error.instance if k not in allowed] if isinstance(error.instance, dict) else []
    if not extras:
        return None
    return _with_hint(f"unknown key {_show(extras[0])}; expected one of {', '.join(allowed)}",
                      extras[0], allowed)


def _max_properties(error: jsonschema.ValidationError) -> str | None:
    if error.schema.get("maxProperties") != 1:
        return None
    kinds = ", ".join(sorted(error.schema.get("properties") or {}))
    return f"{_keys(error.instance)} in one entry; expected exactly one of {kinds}"


def _one_of(error: jsonschema.ValidationError) -> str | None:
    if not isinstance(error.instance, dict):
        return None
    choices = " or ".join(sorted(k for s in error.schema["oneOf"] for k in s.get("required", [])))
    return f"has {_keys(error.instance)}; expected exactly one of {choices}"


def _required(error: jsonschema.ValidationError) -> str:
    missing = [k for k in error.validator_value if k not in error.instance] or ["?"]
    which = "key" if len(missing) == 1 else "keys"
    required = ", ".join(error.validator_value)
    keys = "key" if len(error.validator_value) == 1 else "keys"
    return (f"missing {which} {', '.join(_show(k) for k in missing)}; "
            f"expected the {keys} {required}")


def _enum(error: jsonschema.ValidationError) -> str:
    choices = [_show(c) for c in error.validator_value]
    text = f"{_show(error.instance)} is not valid; expected one of {', '.join(choices)}"
    if isinstance(error.instance, str):
        return _with_hint(text, error.instance, [str(c) for c in error.validator_value])
    return text


def _type(error: jsonschema.ValidationError) -> str:
    value = error.validator_value
    wanted = [str(t) for t in value] if isinstance(value, list) else [str(value)]
    expected = " or ".join(_KINDS.get(t, t) for t in wanted)
    text = f"got {_show(error.instance)}; expected {expected}"
    if "string" in wanted and isinstance(error.instance, (int, float, bool)):
        text += f" (quote it: \"{_show(error.instance)}\")"
    return text


def _pattern(error: jsonschema.ValidationError) -> str:
    expected = error.schema.get("x-expected") or f"text matching {error.validator_value}"
    return f"{_show(error.instance)} is not valid; expected {expected}"


_EXPLAIN: dict[str, Callable[[jsonschema.ValidationError], str | None]] = {
    "additionalProperties": _additional, "maxProperties": _max_properties, "oneOf": _one_of,
    "required": _required, "enum": _enum, "type": _type, "pattern": _pattern,
}


def _with_hint(text: str, name: str, choices: list[str]) -> str:
    hint = did_you_mean(name, choices)
    return f"{text} ({hint})" if hint else text


def _show(value: Any) -> str:
    """A value as the user wrote it, JSON style: "text", true, null, 3."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def _keys(value: Any) -> str:
    return ", ".join(_show(k) for k in value) if isinstance(value, dict) else _show(value)


# Sections whose names the machine refers to: with one of them unsound as a whole, a
# reference to it would be a second message for one mistake.
_NAMED_SECTIONS = ("guards", "actions", "delays", "services")
_PLACEHOLDERS: dict[str, Any] = {
    "guards": lambda context, event, meta: False, "actions": lambda context, event: None,
    "delays": 0, "services": lambda context, event: None}


def _build(document: dict[str, Any], text: str, source: str, default_name: str,
           schema_problems: list[str] | None = None,
           unsound: set[tuple[str, ...]] | None = None) -> MachineDefinition:
    """The meaning stage, on the parts the schema found sound (all of them, usually)."""
    unsound = unsound or set()
    problems = build.Problems()
    plain = untag(document, problems.items)
    tag_problems = len(problems.items)  # where a tag was wrong stands tags.unusable_value
    sound = {key: _sound_part(plain, key, unsound) for key in plain}
    impl = Implementations(
        guards=build.build_guards(sound.get("guards") or {}, problems),
        actions=build.build_actions(sound.get("actions") or {}, problems),
        delays=build.build_delays(sound.get("delays") or {}, problems),
        services=build.build_services(sound.get("services") or {}, problems),
    )
    for section in _NAMED_SECTIONS:  # an entry the schema refused exists all the same
        for entry in (plain.get(section) or {}) if isinstance(plain.get(section), dict) else ():
            getattr(impl, section).setdefault(entry, _PLACEHOLDERS[section])
    name = _name(plain, default_name, problems) if ("name",) not in unsound else default_name
    check_machine = "machine" in plain and () not in unsound \
        and not any(part[0] == "machine" for part in unsound if part) \
        and not any((section,) in unsound for section in _NAMED_SECTIONS)
    machine = _machine(sound, impl, problems) if check_machine else None
    if tag_problems:  # a wrong tag is one mistake: nothing more about its value
        tagged = [path for path, _ in problems.items[:tag_problems]]
        problems.items[tag_problems:] = [
            (path, text) for path, text in problems.items[tag_problems:]
            if not any(path == t or path.startswith((f"{t}.", f"{t}[")) for t in tagged)]
        machine = None
    sections = _sections(sound, problems)
    if schema_problems or problems.items or machine is None:
        messages = [*(schema_problems or []),
                    *(_message(document, source, p, m) for p, m in problems.items)]
        raise DefinitionError(_in_file_order(list(dict.fromkeys(messages)), source))
    return MachineDefinition(
        name=name, version_label=str(plain.get("version") or "0.0.1"), machine=machine,
        services=impl.services, source=source, source_text=text, kind="yaml", **sections)


def _in_file_order(messages: list[str], source: str) -> list[str]:
    """Messages sorted by their line (stable: those of one line keep their order)."""
    prefix = f"{source}:"

    def line(message: str) -> int:
        digits = message[len(prefix):].split(":", 1)[0] if message.startswith(prefix) else ""
        return int(digits) if digits.isdigit() else 0

    return sorted(messages, key=line)


def _sound_part(plain: dict[str, Any], key: str, unsound: set[tuple[str, ...]]) -> Any:
    """A top-level section without the parts the schema refused (None when all of it)."""
    value = plain[key]
    if (key,) in unsound:
        return None
    if isinstance(value, dict) and key not in ("machine", "migration"):
        return {k: v for k, v in value.items() if (key, k) not in unsound}
    if key == "migration" and any(part[0] == "migration" for part in unsound if part):
        return None
    return value


def _sections(plain: dict[str, Any], problems: build.Problems) -> dict[str, Any]:
    """The MachineDefinition fields beside the machine: authorizers, HTTP API, indexes,
    migration."""
    migration = plain.get("migration") or {}
    upgrade_state, upgrade_context = build.build_migration(
        migration.get("upgradeState"), migration.get("upgradeContext"), problems,
        prefix="migration.")
    return {
        "allow_read": build.build_authorizer(plain.get("allowRead"), "allowRead", problems),
        "allow_write": build.build_authorizer(plain.get("allowWrite"), "allowWrite", problems),
        "http_api_mapper": build.build_http_api(plain.get("httpApi") or {}, problems),
        "indexes": build.build_indexes(plain.get("indexes") or {}, problems),
        "upgrade_state": upgrade_state,
        "upgrade_context": upgrade_context,
    }


def _name(plain: dict[str, Any], default_name: str, problems: build.Problems) -> str:
    """``name:`` (checked by the schema), else the file name, which must be a slug too."""
    if plain.get("name"):
        return str(plain["name"])
    if not _SLUG.fullmatch(default_name):
        problems.add("", f"the file name {_show(default_name)} is not a valid machine name; "
                         f"expected a name: key, or a file named with 1 to 128 letters, "
                         f"digits, \"-\" or \"_\"")
    return default_name


_SLUG = re.compile(r"[a-zA-Z0-9_-]{1,128}")


def _machine(plain: dict[str, Any], impl: Implementations, problems: build.Problems
             ) -> Machine | None:
    machine, errors = build_collecting(plain["machine"], impl)  # every mistake, not the first
    for err in errors:
        problems.add(f"machine.{err.path}" if err.path else "machine", _config_problem(err))
    if machine is not None:
        _check_upgrade_targets(machine, (plain.get("migration") or {}).get("upgradeState") or {},
                               problems)
    return machine


def _config_problem(err: MachineConfigError) -> str:
    """The engine's error without its path (we prefix ``machine.`` and locate the line)."""
    text = err.problem + (f"; expected {err.expected}" if err.expected else "")
    return text + (f" ({err.hint})" if err.hint else "")


def _check_upgrade_targets(machine: Machine, renames: dict[str, str], problems: build.Problems,
                           *, prefix: str = "migration.", whose: str = "this machine") -> None:
    """The new side of ``upgradeState`` must be a state of this version (the old side belongs
    to the previous version, which this file does not know)."""
    paths = {".".join(node.path) for node in machine.nodes if node.path}
    for old, new in renames.items():
        if new not in paths:
            hint = did_you_mean(new, paths)
            problems.add(key_path(f"{prefix}upgradeState", old),
                         f"unknown state {_show(new)}; expected the dotted path of a state of "
                         f"{whose}" + (f" ({hint})" if hint else ""))


def load_migration_text(text: str, source: str, target: Machine | None = None,
                        target_name: str = "the target version") -> tuple[Any, Any]:
    """An uploaded YAML migration (``upgradeState`` / ``upgradeContext`` at the top level):
    checked like a definition, returned as ``(upgrade_state, upgrade_context)``. With the
    ``target`` version's machine, the new side of every ``upgradeState`` entry must be one
    of its states (named ``target_name`` in messages)."""
    document = parse_yaml(text, source)
    if not isinstance(document, dict):
        raise DefinitionError([f"{source}:1: a migration must be a YAML mapping with "
                               f"upgradeState and/or upgradeContext"])
    plain = json.loads(json.dumps(document, default=str))
    import jsonschema

    validator = jsonschema.Draft202012Validator(definition_schema()["$defs"]["migration"])
    problems = [_message(document, source, _json_path(list(e.absolute_path)), _explain(e))
                for e in validator.iter_errors(plain)]
    if problems:
        raise DefinitionError(problems)
    collected = build.Problems()
    functions = build.build_migration(plain.get("upgradeState"), plain.get("upgradeContext"),
                                      collected)
    if target is not None:
        _check_upgrade_targets(target, plain.get("upgradeState") or {}, collected, prefix="",
                               whose=target_name)
    if collected.items:
        raise DefinitionError([_message(document, source, p, m) for p, m in collected.items])
    return functions
