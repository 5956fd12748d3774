"""A definition file's own migration (YAML ``migration:``, Python ``upgrade_state`` /
``upgrade_context``) upgrades instances of the version that was current when it was loaded
(API.md §7.7), like an uploaded migration; loading the same files again adds nothing."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from sb_emulator.clock import ManualClock
from sb_emulator.errors import NoMigrationPath
from sb_emulator.machines import load_definition
from sb_emulator.service import Emulator
from sb_emulator.store.memory import MemoryStore
from tests.runtime.conftest import ORG, START_MS, USER, context_of

V1 = """\
name: ticket
version: "1"
machine:
  id: ticket
  initial: open
  context: {title: untitled}
  states:
    open: {on: {close: closed}}
    closed: {type: final}
allowRead: "true"
allowWrite: "true"
"""

V2_YAML = """\
name: ticket
version: "2"
machine:
  id: ticket
  initial: triage
  context: {title: untitled, priority: 0}
  states:
    triage: {on: {start: working}}
    working: {on: {close: closed}}
    closed: {type: final}
allowRead: "true"
allowWrite: "true"
migration:
  upgradeState:
    open: triage
  upgradeContext:
    priority: "3"
    title: context.title + " (v2)"
"""

V2_PYTHON = '''\
name = "ticket"
version = "2-py"
machine = {
    "id": "ticket", "initial": "triage", "context": {"title": "untitled", "priority": 0},
    "states": {"triage": {"on": {"start": "working"}}, "working": {"on": {"close": "closed"}},
               "closed": {"type": "final"}},
}


def allow_read(request):
    return True


def allow_write(request):
    return True


def upgrade_state(path, context):
    return ["triage"] if path == ["open"] else path


def upgrade_context(old_paths, new_paths, context):
    return {**context, "priority": len(context["title"]), "from": old_paths}
'''


async def _emulator(tmp_path: Path, *files: tuple[str, str]) -> tuple[Emulator, list[str]]:
    emu = Emulator(store=MemoryStore(), clock=ManualClock(START_MS))
    await emu.ensure_org(ORG, "definition migrations")
    versions = []
    for name, text in files:
        path = tmp_path / name
        path.write_text(dedent(text), "utf-8")
        versions.append(await emu.register_definition(ORG, load_definition(str(path))))
    await emu.start()
    return emu, versions


async def _upgraded(emu: Emulator, v1: str, v2: str) -> dict[str, object]:
    await emu.create_instance(ORG, "ticket", "t1", {"title": "Bug"}, v1, USER)
    await emu.set_desired_version(ORG, "ticket", "t1", v2)
    state = await emu.send_event(ORG, "ticket", "t1", "start", USER)
    admin = await emu.admin_state(ORG, "ticket", "t1")
    assert admin["machineVersion"]["id"] == v2
    return {"state": state["state"], "context": await context_of(emu, "ticket", "t1")}


async def test_a_yaml_definitions_migration_upgrades_the_previous_version(tmp_path: Path) -> None:
    emu, (v1, v2) = await _emulator(tmp_path, ("v1.yaml", V1), ("v2.yaml", V2_YAML))
    try:
        assert await _upgraded(emu, v1, v2) == {
            "state": "working", "context": {"title": "Bug (v2)", "priority": 3}}
    finally:
        await emu.close()


async def test_a_python_definitions_upgrade_functions_upgrade_the_previous_version(
        tmp_path: Path) -> None:
    emu, (v1, v2) = await _emulator(tmp_path, ("v1.yaml", V1), ("v2.py", V2_PYTHON))
    try:
        assert await _upgraded(emu, v1, v2) == {
            "state": "working",
            "context": {"title": "Bug", "priority": 3, "from": [["open"]]}}
    finally:
        await emu.close()


async def test_only_forward_and_only_once(tmp_path: Path) -> None:
    emu, (v1, v2) = await _emulator(tmp_path, ("v1.yaml", V1), ("v2.yaml", V2_YAML))
    try:
        # loading the same two files again (as at a restart) adds no second migration
        assert await emu.register_definition(ORG, load_definition(str(tmp_path / "v1.yaml"))) == v1
        assert await emu.register_definition(ORG, load_definition(str(tmp_path / "v2.yaml"))) == v2
        assert len(emu.docs["migrations"]) == 1
        await emu.create_instance(ORG, "ticket", "new", None, v2, USER)
        with pytest.raises(NoMigrationPath):
            await emu.set_desired_version(ORG, "ticket", "new", v1)
    finally:
        await emu.close()


async def test_a_first_version_with_a_migration_has_nothing_to_upgrade(tmp_path: Path) -> None:
    emu, _ = await _emulator(tmp_path, ("v2.yaml", V2_YAML))
    try:
        assert emu.docs["migrations"] == {}
    finally:
        await emu.close()
