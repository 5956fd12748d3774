"""Loading entry points: folders, modules, uploads, the validate command, YAML vs JavaScript."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sb_emulator.errors import DefinitionError
from sb_emulator.machines import (
    load_definition,
    load_definition_text,
    load_path,
    looks_like_yaml_definition,
)
from sb_emulator.machines.validate import main as validate

TOGGLE = """name: {name}
machine:
  id: t
  initial: a
  states:
    a: {{on: {{flip: b}}}}
    b: {{on: {{flip: a}}}}
allowRead: "true"
allowWrite: "true"
"""


@pytest.mark.parametrize("blob", [
    b"name: order\nmachine: {}\n",
    b"# a comment first\n---\nmachine:\n  id: m\n",
    b"%YAML 1.2\n---\n\"machine\": {}\n",
    TOGGLE.format(name="t").encode(),
])
def test_yaml_definitions_are_recognised(blob: bytes) -> None:
    assert looks_like_yaml_definition(blob) is True


@pytest.mark.parametrize("blob", [
    b'import{createMachine as e}from"npm:xstate";var o=e({id:"x"});export{o as default};',
    b"export const allowRead = () => true;\n",
    b"var __defProp = Object.defineProperty;\n",
    b'"use strict";\nmodule.exports = {};\n',
    b"// bundled\nimport x from 'y';\n",
    b"/* license */\n",
    b"(()=>{})();\n",
    b"\xff\xfe not utf-8",
    b"",
    b"   indented: yaml-ish\n",
])
def test_javascript_and_other_blobs_are_not_yaml(blob: bytes) -> None:
    assert looks_like_yaml_definition(blob) is False


def test_uploaded_text_is_named_after_the_upload(tmp_path: Path) -> None:
    d = load_definition_text(TOGGLE.format(name="x").replace("name: x\n", ""), "uploads/ver_123.yaml")
    assert (d.name, d.version_label, d.kind, d.source) == ("ver_123", "0.0.1", "yaml",
                                                            "uploads/ver_123.yaml")
    assert d.source_text is not None and "flip" in d.source_text


def test_folder_reports_every_problem_and_duplicate_names(tmp_path: Path) -> None:
    (tmp_path / "one.yaml").write_text(TOGGLE.format(name="same"))
    (tmp_path / "two.yml").write_text(TOGGLE.format(name="same"))
    (tmp_path / "three.yaml").write_text(TOGGLE.format(name="other").replace("flip: b", "flip: c"))
    (tmp_path / "_skipped.yaml").write_text("not: [valid")
    (tmp_path / "notes.txt").write_text("ignored")
    with pytest.raises(DefinitionError) as raised:
        load_path(str(tmp_path))
    problems = raised.value.problems
    assert len(problems) == 2
    assert problems[0].startswith(f"{tmp_path / 'three.yaml'}:6: machine.states.a.on.flip[0]")
    assert problems[1] == (f"{tmp_path / 'two.yml'}: version: version '0.0.1' of machine "
                           f"'same' is already defined by {tmp_path / 'one.yaml'}; expected a "
                           f"different version (each file of a folder holding one machine is "
                           f"one of its versions)")


def test_python_definition_from_an_importable_module(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "mydefs"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "light_switch.py").write_text(
        "machine = {'id': 'l', 'initial': 'off', 'states': {'off': {}}}\n"
        "def allow_read(request):\n    return True\n"
        "allow_write = allow_read\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    d = load_definition("mydefs.light_switch")
    # the default name is the module's file name, with "_" made "-" as slugs usually are
    assert (d.name, d.version_label, d.kind) == ("light-switch", "0.0.1", "python")
    assert d.source.endswith("light_switch.py")
    sys.modules.pop("mydefs.light_switch", None)
    sys.modules.pop("mydefs", None)


def test_missing_module_and_unreadable_file() -> None:
    with pytest.raises(DefinitionError, match="no_such_module: no such file or importable"):
        load_definition("no_such_module")
    with pytest.raises(DefinitionError, match=r"nowhere\.yaml: cannot be read"):
        load_definition("nowhere.yaml")


def test_validate_prints_a_summary_per_machine(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    source = tmp_path / "toggle.yaml"
    source.write_text(TOGGLE.format(name="toggle"))
    assert validate([str(source)]) == 0
    assert capsys.readouterr().out == f"ok  toggle 0.0.1: 2 states, 1 event (flip) [{source}]\n"


def test_a_file_name_that_is_no_slug_needs_a_name_key() -> None:
    with pytest.raises(DefinitionError) as raised:
        load_definition_text(TOGGLE.format(name="x").replace("name: x\n", ""), "my machine.yaml")
    assert str(raised.value) == (
        'my machine.yaml:1: the file name "my machine" is not a valid machine name; expected a '
        'name: key, or a file named with 1 to 128 letters, digits, "-" or "_"')
