"""Versions and migrations (API.md §7.7), through the catalog's upload flow with YAML text."""

from __future__ import annotations

from typing import Any

import pytest

from sb_emulator.errors import ApiError, NoMigrationPath
from sb_emulator.service import Emulator
from tests.runtime.conftest import ORG, USER, all_transitions, context_of
from tests.runtime.uploads import UPLOADS, upload_migration, upload_version


async def version_of(emu: Emulator, name: str) -> str:
    return str((await emu.admin_state(ORG, "doc", name))["machineVersion"]["id"])


async def created(emu: Emulator, name: str = "d") -> str:
    """An instance on version 1 in `draft` after two edits; returns version 1's id."""
    await emu.create_instance(ORG, "doc", name, {"title": "Plan"}, None, USER)
    for _ in range(2):
        await emu.send_event(ORG, "doc", name, "edit", USER)
    return await version_of(emu, name)


async def test_without_a_migration_there_is_no_path(emu: Emulator) -> None:
    v1 = await created(emu)
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    with pytest.raises(NoMigrationPath) as err:
        await emu.set_desired_version(ORG, "doc", "d", v2)
    assert (err.value.status, err.value.code) == (400, "no-migration-path")
    admin = await emu.admin_state(ORG, "doc", "d")
    assert "desiredMachineVersion" not in admin
    assert admin["machineVersion"]["id"] == v1


async def test_migrations_are_one_way(emu: Emulator) -> None:
    v1 = await created(emu, "old")
    v2 = await upload_version(emu, "doc", "doc-2.yaml", make_current=True)
    await upload_migration(emu, "doc", v1, v2, "doc-1-to-2.yaml")
    await emu.create_instance(ORG, "doc", "new", None, None, USER)
    assert await version_of(emu, "new") == v2
    with pytest.raises(NoMigrationPath):
        await emu.set_desired_version(ORG, "doc", "new", v1)


async def test_instances_stay_on_their_version_when_a_new_one_becomes_current(emu: Emulator
                                                                              ) -> None:
    v1 = await created(emu, "old")
    v2 = await upload_version(emu, "doc", "doc-2.yaml", make_current=True, gzipped=True)
    state = await emu.send_event(ORG, "doc", "old", {"type": "retitle", "title": "X"}, USER)
    assert state["state"] == "draft"  # version 1 has no `retitle`
    assert await version_of(emu, "old") == v1
    await emu.create_instance(ORG, "doc", "new", None, None, USER)
    assert await version_of(emu, "new") == v2
    assert (await emu.get_state(ORG, "doc", "new", USER))["state"] == {"writing": "editing"}


async def test_the_next_event_upgrades_first_then_the_new_version_handles_it(emu: Emulator
                                                                            ) -> None:
    v1 = await created(emu)
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    await upload_migration(emu, "doc", v1, v2, "doc-1-to-2.yaml")
    await emu.set_desired_version(ORG, "doc", "d", v2)

    admin = await emu.admin_state(ORG, "doc", "d")
    assert admin["desiredMachineVersion"]["id"] == v2
    assert admin["machineVersion"]["id"] == v1  # nothing happens before the next event
    assert admin["state"] == "draft"
    history = await all_transitions(emu, "doc", "d")

    # `retitle` exists only in version 2: it is applied, so version 2 handled it
    state = await emu.send_event(ORG, "doc", "d", {"type": "retitle", "title": "Roadmap"}, USER)
    assert state["state"] == {"writing": "editing"}
    after = await all_transitions(emu, "doc", "d")
    assert after[:len(history)] == history
    upgrade, retitle = after[len(history):]
    assert upgrade["event"] == {"type": "statebacked.upgrade"}
    assert upgrade["state"] == {"writing": "editing"}
    assert retitle["event"] == {"type": "retitle", "title": "Roadmap"}

    admin = await emu.admin_state(ORG, "doc", "d")
    assert admin["machineVersion"]["id"] == v2
    assert "desiredMachineVersion" not in admin
    assert admin["context"] == {"title": "Roadmap", "edits": 2, "revision": 2}
    # and version 2 goes on: `publish` is new too
    await emu.send_event(ORG, "doc", "d", "submit", USER)
    assert (await emu.send_event(ORG, "doc", "d", "publish", USER))["done"] is True


async def test_upgrade_context_sees_the_old_context(emu: Emulator) -> None:
    v1 = await created(emu)
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    await upload_migration(emu, "doc", v1, v2, "doc-1-to-2.yaml")
    await emu.set_desired_version(ORG, "doc", "d", v2)
    await emu.send_event(ORG, "doc", "d", "edit", USER)
    assert await context_of(emu, "doc", "d") == {
        "title": "Plan (migrated)", "edits": 3, "revision": 2}


async def test_a_chain_of_two_migrations(emu: Emulator) -> None:
    await emu.create_instance(ORG, "doc", "d", None, None, USER)
    v1 = await version_of(emu, "d")
    await emu.send_event(ORG, "doc", "d", "submit", USER)  # in `review`
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    v3 = await upload_version(emu, "doc", "doc-3.yaml")
    await upload_migration(emu, "doc", v1, v2, "doc-1-to-2.yaml")
    with pytest.raises(NoMigrationPath):
        await emu.set_desired_version(ORG, "doc", "d", v3)
    await upload_migration(emu, "doc", v2, v3, "doc-2-to-3.yaml")
    await emu.set_desired_version(ORG, "doc", "d", v3)

    state = await emu.send_event(ORG, "doc", "d", "sendBack", USER)  # only version 3 knows it
    assert state["state"] == {"writing": "editing"}
    events = [t["event"]["type"] for t in await all_transitions(emu, "doc", "d")]
    assert events == ["xstate.init", "submit", "statebacked.upgrade", "sendBack"]
    upgrade = (await all_transitions(emu, "doc", "d"))[2]
    assert upgrade["state"] == "checking"  # review -> (v2) review -> (v3) checking
    assert await version_of(emu, "d") == v3
    assert await context_of(emu, "doc", "d") == {
        "title": "untitled (migrated)", "edits": 0, "revision": 3}


async def test_the_desired_version_can_be_set_back_to_the_current_one(emu: Emulator) -> None:
    v1 = await created(emu)
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    await upload_migration(emu, "doc", v1, v2, "doc-1-to-2.yaml")
    await emu.set_desired_version(ORG, "doc", "d", v2)
    await emu.set_desired_version(ORG, "doc", "d", v1)
    assert "desiredMachineVersion" not in await emu.admin_state(ORG, "doc", "d")
    await emu.send_event(ORG, "doc", "d", "submit", USER)
    assert await version_of(emu, "d") == v1
    assert "statebacked.upgrade" not in [
        t["event"]["type"] for t in await all_transitions(emu, "doc", "d")]


async def test_a_migration_must_join_versions_of_the_machine(emu: Emulator) -> None:
    v1 = await created(emu)
    with pytest.raises(ApiError) as err:
        await emu.provisionally_create_migration(ORG, "doc", v1, "ver_doesNotExist", False,
                                                 UPLOADS)
    assert err.value.parameter == "toMachineVersionId"


async def failed_chain(emu: Emulator) -> tuple[str, str, dict[str, Any], list[dict[str, Any]]]:
    """An instance in `review` on version 1 wanting version 3 through a chain whose second
    migration fails when applied (its upgradeContext reads a key the context lacks); the event
    that triggers it fails."""
    await emu.create_instance(ORG, "doc", "d", None, None, USER)
    v1 = await version_of(emu, "d")
    await emu.send_event(ORG, "doc", "d", "submit", USER)
    v2 = await upload_version(emu, "doc", "doc-2.yaml")
    v3 = await upload_version(emu, "doc", "doc-3.yaml")
    await upload_migration(emu, "doc", v1, v2, "doc-1-to-2.yaml")
    await upload_migration(emu, "doc", v2, v3, "doc-2-to-3-broken.yaml")
    await emu.set_desired_version(ORG, "doc", "d", v3)
    before = await emu.admin_state(ORG, "doc", "d")
    history = await all_transitions(emu, "doc", "d")
    with pytest.raises(ApiError) as err:
        await emu.send_event(ORG, "doc", "d", "approve", USER)
    assert err.value.status == 500
    return v1, v3, before, history


async def test_a_failing_migration_records_nothing(emu: Emulator) -> None:
    _, _, _, history = await failed_chain(emu)
    assert await all_transitions(emu, "doc", "d") == history


async def test_a_failing_migration_chain_leaves_the_instance_as_it_was(emu: Emulator) -> None:
    v1, v3, before, _ = await failed_chain(emu)
    assert await emu.admin_state(ORG, "doc", "d") == before
    assert before["machineVersion"]["id"] == v1
    assert before["desiredMachineVersion"]["id"] == v3
