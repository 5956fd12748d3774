"""Machine definitions from YAML (CEL expressions) and Python files (docs/CONTRACTS.md §2)."""

from __future__ import annotations

import re
from pathlib import Path

from sb_emulator.errors import DefinitionError
from sb_emulator.machines.definition import HttpApiEndpoint, MachineDefinition, ServiceMeta
from sb_emulator.machines.yamlbuild import HttpApiHandlerError, ServiceRejected
from sb_emulator.machines.yamlload import load_migration_text, load_yaml_definition

YAML_SUFFIXES = (".yaml", ".yml")

__all__ = [
    "DefinitionError",
    "HttpApiEndpoint",
    "HttpApiHandlerError",
    "MachineDefinition",
    "ServiceMeta",
    "ServiceRejected",
    "load_definition",
    "load_definition_text",
    "load_migration_text",
    "load_path",
    "looks_like_yaml_definition",
]


def load_definition(ref: str) -> MachineDefinition:
    """One definition from a YAML file, a Python file, or an importable ``package.module``."""
    path = Path(ref)
    if path.suffix in YAML_SUFFIXES:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            raise DefinitionError([f"{ref}: cannot be read: {err.strerror}"]) from err
        return load_yaml_definition(text, str(path), path.stem)
    # Python loading (ast, importlib) only when a Python definition is asked for
    from sb_emulator.machines.pyload import load_python_definition

    return load_python_definition(ref)


def load_definition_text(text: str, source_name: str) -> MachineDefinition:
    """A YAML definition uploaded over the API (never Python: we do not run network code)."""
    return load_yaml_definition(text, source_name, Path(source_name).stem)


def load_path(ref: str) -> list[MachineDefinition]:
    """Every definition in a file or a folder (YAML and ``.py`` files in natural name order,
    ``ticket-v2`` before ``ticket-v10``; ``_*`` skipped).

    Several files may hold versions of one machine (the same name, different versions):
    they are returned in file name order, so the last one becomes the current version and
    each one's migration starts from the one before. All problems of all files are
    reported together.
    """
    path = Path(ref)
    if not path.is_dir():
        return [load_definition(ref)]
    files = sorted((p for p in path.iterdir()
                    if p.is_file() and (p.suffix in YAML_SUFFIXES or p.suffix == ".py")
                    and not p.name.startswith(("_", "."))), key=_natural_order)
    definitions: list[MachineDefinition] = []
    problems: list[str] = []
    for file in files:
        try:
            definitions.append(load_definition(str(file)))
        except DefinitionError as err:
            problems.extend(err.problems)
    versions: dict[tuple[str, str], str] = {}
    for d in definitions:
        first = versions.setdefault((d.name, d.version_label), d.source)
        if first != d.source:
            problems.append(f"{d.source}: version: version {d.version_label!r} of machine "
                            f"{d.name!r} is already defined by {first}; expected a different "
                            f"version (each file of a folder holding one machine is one of "
                            f"its versions)")
    if problems:
        raise DefinitionError(problems)
    return definitions


def _natural_order(path: Path) -> list[tuple[int, int | str]]:
    """``ticket-v2.yaml`` before ``ticket-v10.yaml``: runs of digits compare as numbers."""
    return [(0, int(part)) if part.isdigit() else (1, part)
            for part in re.split(r"(\d+)", path.name) if part]


_JS_STARTS = ("import", "export", "const", "let", "var", "function", "async", "class", "//",
              "/*", "(", "!", "\"use strict", "'use strict")


def looks_like_yaml_definition(blob: bytes) -> bool:
    """True when an uploaded bundle is one of our YAML definitions (the client labels every
    upload ``application/javascript``, so the content decides).

    A YAML definition is a mapping: its first meaningful line is ``key:`` at column 0. An ES
    module bundle starts with a statement (``import``, ``export``, ``var``...).
    """
    try:
        text = blob.decode("utf-8")
    except UnicodeDecodeError:
        return False
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped in ("---", "%YAML 1.2"):
            continue
        if line[0].isspace() or stripped.startswith(_JS_STARTS):
            return False
        key, colon, _ = stripped.partition(":")
        return bool(colon) and re.fullmatch(r"[A-Za-z_][\w-]*|\"[^\"]*\"|'[^']*'", key) is not None
    return False
