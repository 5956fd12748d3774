"""Loading a YAML machine definition: parse (YAML 1.2), check the schema, then the meaning.

Every mistake becomes one line ``FILE:LINE: PATH: what is wrong; expected ...``.
"""

from __future__ import annotations

import io
import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from sb_emulator.engine import Implementations, Machine, MachineConfigError
from sb_emulator.engine.errors import did_you_mean
from sb_emulator.errors import DefinitionError
from sb_emulator.machines import yamlbuild as build
from sb_emulator.machines.definition import MachineDefinition
from sb_emulator.machines.locate import line_of, split_path


@cache
def definition_schema() -> dict[str, Any]:
    text = resources.files("sb_emulator.schemas").joinpath("definition.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(definition_schema())


def parse_yaml(text: str, source: str) -> Any:
    """Parse with ruamel.yaml in YAML 1.2 mode: ``on``, ``yes``, ``no``, ``off`` stay strings."""
    yaml = YAML(typ="rt")
    yaml.version = (1, 2)
    try:
        return yaml.load(io.StringIO(text))
    except MarkedYAMLError as err:
        mark = err.problem_mark
        line = mark.line + 1 if mark is not None else 0
        raise DefinitionError([f"{source}:{line}: invalid YAML: {err.problem}"]) from err


def load_yaml_definition(text: str, source: str, default_name: str) -> MachineDefinition:
    document = parse_yaml(text, source)
    if not isinstance(document, dict):
        raise DefinitionError([f"{source}:1: a machine definition must be a YAML mapping with a "
                               f"'machine' key"])
    _check_schema(document, source)
    return _build(document, text, source, default_name)


def _message(document: Any, source: str, path: str, text: str) -> str:
    line = line_of(document, split_path(path)) if path else 1
    where = f"{source}:{line}" if line else source
    return f"{where}: {path}: {text}" if path else f"{where}: {text}"


def _check_schema(document: Any, source: str) -> None:
    problems = []
    plain = json.loads(json.dumps(document, default=str))
    for error in sorted(_validator().iter_errors(plain), key=lambda e: list(map(str, e.path))):
        path = _json_path(list(error.absolute_path))
        problems.append(_message(document, source, path, _explain(error)))
    if problems:
        raise DefinitionError(problems)


def _json_path(parts: list[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _explain(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        allowed = sorted((error.schema.get("properties") or {}).keys())
        extras = [k for k in error.instance if k not in allowed] if isinstance(error.instance, dict) else []
        if extras:
            hint = did_you_mean(extras[0], allowed)
            return (f"unknown key {extras[0]!r}; expected one of {', '.join(allowed)}"
                    + (f" ({hint})" if hint else ""))
    if error.validator == "maxProperties" and error.schema.get("maxProperties") == 1:
        kinds = ", ".join(sorted(error.schema.get("properties") or {}))
        return f"{_keys(error.instance)} in one entry; expected exactly one of {kinds}"
    if error.validator == "oneOf" and isinstance(error.instance, dict):
        choices = " or ".join(sorted(k for s in error.schema["oneOf"] for k in s.get("required", [])))
        return f"has {_keys(error.instance)}; expected exactly one of {choices}"
    if error.validator == "required":
        return f"{error.message}; expected the key to be present"
    if error.validator == "enum" and isinstance(error.instance, str):
        choices = [str(c) for c in error.validator_value]
        hint = did_you_mean(error.instance, choices)
        return (f"{error.instance!r} is not valid; expected one of {', '.join(choices)}"
                + (f" ({hint})" if hint else ""))
    if error.validator in ("type", "enum", "pattern"):
        return f"{error.message}"
    return str(error.message)


def _keys(value: Any) -> str:
    return ", ".join(repr(k) for k in value) if isinstance(value, dict) else repr(value)


def _build(document: dict[str, Any], text: str, source: str, default_name: str
           ) -> MachineDefinition:
    problems = build.Problems()
    plain = json.loads(json.dumps(document))
    impl = Implementations(
        guards=build.build_guards(plain.get("guards") or {}, problems),
        actions=build.build_actions(plain.get("actions") or {}, problems),
        delays=build.build_delays(plain.get("delays") or {}, problems),
        services=build.build_services(plain.get("services") or {}, problems),
    )
    allow_read = build.build_authorizer(plain.get("allowRead"), "allowRead", problems)
    allow_write = build.build_authorizer(plain.get("allowWrite"), "allowWrite", problems)
    indexes = build.build_indexes(plain.get("indexes") or {}, problems)
    http_api = build.build_http_api(plain.get("httpApi") or {}, problems)
    upgrade_state, upgrade_context = build.build_migration(
        plain.get("upgradeState"), plain.get("upgradeContext"), problems)
    machine = None
    try:
        machine = Machine(plain["machine"], impl)
    except MachineConfigError as err:
        problems.add(f"machine.{err.path}" if err.path else "machine", str(err)[len(err.path) + 2:]
                     if err.path else str(err))
    if problems.items or machine is None:
        raise DefinitionError([_message(document, source, p, m) for p, m in problems.items])
    return MachineDefinition(
        name=str(plain.get("name") or default_name),
        version_label=str(plain.get("version") or "0.0.1"),
        machine=machine,
        allow_read=allow_read,
        allow_write=allow_write,
        services=impl.services,
        http_api_mapper=http_api,
        indexes=indexes,
        upgrade_state=upgrade_state,
        upgrade_context=upgrade_context,
        source=source,
        source_text=text,
        kind="yaml",
    )
