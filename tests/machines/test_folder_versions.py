"""A folder may hold several versions of one machine, as the machines README says (issue 15):
they are registered in natural file name order, the last one current, each one's migration
from the one before; the same version twice is a clear error; start-up never shows a
traceback for a definition mistake."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from sb_emulator.cli import mint_token
from sb_emulator.config import EmulatorConfig
from sb_emulator.errors import DefinitionError
from sb_emulator.machines import load_path
from sb_emulator.web import create_app

VERSION = """\
name: ticket
version: "{version}"
machine:
  id: ticket
  initial: {initial}
  states:
    {initial}: {{on: {{go: done}}}}
    done: {{}}
{migration}allowRead: true
allowWrite: true
"""


def _write(folder: Path, file: str, version: str, initial: str, migration: str = "") -> None:
    (folder / file).write_text(VERSION.format(version=version, initial=initial,
                                              migration=migration))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    _write(tmp_path, "ticket-v1.yaml", "1", "waiting")
    _write(tmp_path, "ticket-v10.yaml", "10", "open",
           "migration:\n  upgradeState: {pending: open}\n")
    _write(tmp_path, "ticket-v2.yaml", "2", "pending",
           "migration:\n  upgradeState: {waiting: pending}\n")
    return tmp_path


def test_versions_load_in_natural_file_name_order(folder: Path) -> None:
    assert [d.version_label for d in load_path(str(folder))] == ["1", "2", "10"]


def test_the_same_version_twice_is_a_clear_error(folder: Path) -> None:
    _write(folder, "ticket-v3.yaml", "2", "again")
    with pytest.raises(DefinitionError) as raised:
        load_path(str(folder))
    assert raised.value.problems == [
        f"{folder / 'ticket-v3.yaml'}: version: version '2' of machine 'ticket' is already "
        f"defined by {folder / 'ticket-v2.yaml'}; expected a different version (each file of "
        f"a folder holding one machine is one of its versions)"]


async def test_the_last_version_is_current_and_migrations_chain(
        folder: Path, aiohttp_client: Callable[..., Awaitable[TestClient[Any, Any]]]) -> None:
    config = EmulatorConfig(port=0, machines=(str(folder),), clock="manual")
    api = await aiohttp_client(create_app(config))
    headers = {"authorization": f"Bearer {mint_token(config, 'admin', json.dumps({}))}"}
    versions = (await (await api.get("/machines/ticket/v", headers=headers)).json())["versions"]
    assert [v["clientInfo"] for v in versions] == ["1", "2", "10"]
    machine = (await (await api.get("/machines/ticket", headers=headers)).json())["machine"]
    assert machine["currentVersion"]["clientInfo"] == "10"
    created = await api.post("/machines/ticket", json={"slug": "t"}, headers=headers)
    assert (await created.json())["state"] == "open"


def test_serve_reports_definition_mistakes_without_a_traceback(folder: Path) -> None:
    _write(folder, "ticket-v3.yaml", "2", "again")
    command = str(Path(sys.executable).parent / "sb-emulator")
    done = subprocess.run([command, "--port", "0", "--machines", str(folder)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr, done.stderr
    assert "version '2' of machine 'ticket' is already defined" in done.stderr
