"""Durability (API.md §7.2, §7.5): with a data folder, instances, their transitions and their
pending timers survive a restart; export/import round trips; reset."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sb_emulator.bootstrap import build_emulator, shutdown_emulator
from sb_emulator.clock import iso_from_ms
from sb_emulator.config import EmulatorConfig
from sb_emulator.errors import BadRequest
from sb_emulator.service import Emulator
from tests.runtime.conftest import MACHINES, ORG, USER, all_transitions


def config_for(data_dir: Path | None) -> EmulatorConfig:
    return EmulatorConfig(machines=(str(MACHINES),), clock="manual", settle_timeout_s=5.0,
                          data_dir=str(data_dir) if data_dir is not None else None)


async def seed(emu: Emulator) -> None:
    """`a` waits on a 1 s timer; `b` has had one of its three timers fire."""
    await emu.create_instance(ORG, "timers", "a", None, None, USER)
    await emu.send_event(ORG, "timers", "a", "arm", USER)
    await emu.create_instance(ORG, "timers", "b", None, None, USER)
    await emu.send_event(ORG, "timers", "b", "race", USER)
    await emu.advance_clock(150)


async def snapshot_of(emu: Emulator) -> dict[str, Any]:
    """What must survive: states, contexts, transitions, timers, versions."""
    out: dict[str, Any] = {"timers": sorted((d.instance, d.send_id, d.due_ms, d.attempts)
                                            for d in emu.docs["timers"].values())}
    for name in ("a", "b"):
        out[name] = {"admin": await emu.admin_state(ORG, "timers", name),
                     "transitions": await all_transitions(emu, "timers", name)}
    out["versions"] = await emu.list_versions(ORG, "timers", None)
    return out


async def test_instances_transitions_and_timers_survive_a_restart(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    emu = await build_emulator(config)
    await seed(emu)
    before = await snapshot_of(emu)
    assert len(before["timers"]) == 3  # a's, and b's two remaining ones
    assert len(before["b"]["transitions"]) == 3
    await shutdown_emulator(emu, config)

    emu = await build_emulator(config)
    try:
        assert await snapshot_of(emu) == before
        await emu.advance_clock(1_000)
        assert (await emu.get_state(ORG, "timers", "a", USER))["state"] == "expired"
        assert (await emu.get_state(ORG, "timers", "b", USER))["state"] == {
            "regions": {"slow": "done", "fast": "done", "mid": "done"}}
        assert len(await all_transitions(emu, "timers", "b")) == 5
        assert emu.docs["timers"] == {}
    finally:
        await shutdown_emulator(emu, config)


async def test_what_happened_after_a_restart_survives_the_next_one(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    emu = await build_emulator(config)
    await seed(emu)
    await shutdown_emulator(emu, config)
    emu = await build_emulator(config)
    await emu.advance_clock(1_000)
    await emu.send_event(ORG, "timers", "a", "anything", USER)
    after = await snapshot_of(emu)
    await shutdown_emulator(emu, config)
    emu = await build_emulator(config)
    try:
        assert await snapshot_of(emu) == after
        assert [t["event"]["type"] for t in after["a"]["transitions"]] == [
            "xstate.init", "arm", "xstate.after(1000)#timers.armed", "anything"]
    finally:
        await shutdown_emulator(emu, config)


# The schema of data folders made before the store's tables were slimmed (rowid documents,
# AUTOINCREMENT transitions): such folders must keep working.
EARLIER_SCHEMA = """
CREATE TABLE documents (collection TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                        PRIMARY KEY (collection, key));
CREATE TABLE transitions (seq INTEGER PRIMARY KEY AUTOINCREMENT, instance TEXT NOT NULL,
                          value TEXT NOT NULL);
CREATE INDEX transitions_by_instance ON transitions (instance, seq);
"""


async def test_a_data_folder_with_the_earlier_schema_keeps_working(tmp_path: Path) -> None:
    import sqlite3

    db = sqlite3.connect(tmp_path / "sb-emulator.sqlite3")
    db.executescript(EARLIER_SCHEMA)
    db.close()
    config = config_for(tmp_path)
    emu = await build_emulator(config)
    await seed(emu)
    before = await snapshot_of(emu)
    await shutdown_emulator(emu, config)
    emu = await build_emulator(config)
    try:
        assert await snapshot_of(emu) == before
    finally:
        await shutdown_emulator(emu, config)


async def test_transitions_keep_their_order_after_an_instance_is_deleted(tmp_path: Path) -> None:
    """Rowids may be reused once the newest rows are deleted: new ones still sort last."""
    from sb_emulator import ids

    config = config_for(tmp_path)
    emu = await build_emulator(config)
    await emu.create_instance(ORG, "timers", "a", None, None, USER)
    await emu.create_instance(ORG, "timers", "b", None, None, USER)
    await emu.send_event(ORG, "timers", "b", "arm", USER)
    await emu.delete_instance(ORG, "timers", "b", {"dangerDataWillBeDeletedForever": True,
        "hmacSha256OfMachineInstanceNameWithMachineNameKey": ids.hmac_confirmation("timers", "b")})
    await emu.create_instance(ORG, "timers", "b", None, None, USER)
    await emu.send_event(ORG, "timers", "a", "arm", USER)
    await emu.send_event(ORG, "timers", "a", "anything", USER)
    before = {name: await all_transitions(emu, "timers", name) for name in ("a", "b")}
    await shutdown_emulator(emu, config)
    emu = await build_emulator(config)
    try:
        after = {name: await all_transitions(emu, "timers", name) for name in ("a", "b")}
        assert after == before
        assert [t["event"]["type"] for t in after["a"]] == ["xstate.init", "arm", "anything"]
    finally:
        await shutdown_emulator(emu, config)


async def test_without_a_data_folder_nothing_survives(tmp_path: Path) -> None:
    config = config_for(None)
    emu = await build_emulator(config)
    await seed(emu)
    await shutdown_emulator(emu, config)
    emu = await build_emulator(config)
    try:
        assert (await emu.list_instances(ORG, "timers", None))["instances"] == []
    finally:
        await shutdown_emulator(emu, config)


async def test_export_import_round_trip(tmp_path: Path) -> None:
    config = config_for(None)
    emu = await build_emulator(config)
    try:
        await seed(emu)
        exported = await emu.export_state()
        before = await snapshot_of(emu)
        # change everything the export covers, then go back
        await emu.advance_clock(2_000)
        await emu.create_instance(ORG, "timers", "c", None, None, USER)
        assert await snapshot_of(emu) != before
        await emu.import_state(json.loads(json.dumps(exported)))  # as read back from a file
        assert await snapshot_of(emu) == before
        assert [i["slug"] for i in (await emu.list_instances(ORG, "timers", None))["instances"]
                ] == ["a", "b"]
        assert await emu.export_state() == exported
        # the imported timers are live: they fire when their (past) due time is reached
        await emu.advance_clock(0)
        assert (await emu.get_state(ORG, "timers", "a", USER))["state"] == "expired"
    finally:
        await shutdown_emulator(emu, config)


async def test_an_import_into_a_data_folder_survives_a_restart(tmp_path: Path) -> None:
    source = await build_emulator(config_for(None))
    await seed(source)
    exported = await source.export_state()
    expected = await snapshot_of(source)
    await source.close()

    config = config_for(tmp_path)
    emu = await build_emulator(config)
    await emu.import_state(exported)
    await shutdown_emulator(emu, config)
    emu = await build_emulator(config)
    try:
        assert await snapshot_of(emu) == expected
    finally:
        await shutdown_emulator(emu, config)


async def test_import_refuses_a_document_of_another_format(emu: Emulator) -> None:
    with pytest.raises(BadRequest) as err:
        await emu.import_state({"format": "something-else", "instances": {}})
    assert err.value.code == "invalid-import"


async def test_reset_drops_instances_and_keeps_the_start_up_machines(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    emu = await build_emulator(config)
    await seed(emu)
    machines_before = await emu.list_machines(ORG, None)
    await emu.reset()
    assert (await emu.list_instances(ORG, "timers", None))["instances"] == []
    assert emu.docs["timers"] == {}
    assert await emu.list_machines(ORG, None) == machines_before
    assert {m["slug"] for m in machines_before["machines"]} >= {"timers", "waiter", "worker"}
    # the names are free again and the machines still run
    await emu.create_instance(ORG, "timers", "a", None, None, USER)
    assert await emu.send_event(ORG, "timers", "a", "arm", USER) == {
        "ts": emu.clock.now_ms(), "state": "armed", "tags": [], "done": False}
    await emu.advance_clock(1_000)
    assert (await emu.get_state(ORG, "timers", "a", USER))["state"] == "expired"
    await emu.reset()
    await shutdown_emulator(emu, config)
    emu = await build_emulator(config)  # the reset reached the data folder too
    try:
        assert (await emu.list_instances(ORG, "timers", None))["instances"] == []
        assert await emu.list_machines(ORG, None) == machines_before
    finally:
        await shutdown_emulator(emu, config)


async def test_a_cut_off_service_error_survives_a_restart(tmp_path: Path) -> None:
    config = replace(config_for(tmp_path), settle_timeout_s=0.2)
    emu = await build_emulator(config)
    await emu.create_instance(ORG, "worker", "k", None, None, USER)
    assert (await emu.send_event(ORG, "worker", "k", "slow", USER))["state"] == "slowing"
    await shutdown_emulator(emu, config)
    emu = await build_emulator(config)
    try:
        assert (await emu.send_event(ORG, "worker", "k", "ack", USER))["state"] == "acknowledged"
        assert [t["event"]["type"] for t in await all_transitions(emu, "worker", "k")] == [
            "xstate.init", "slow", "error.platform.sleepy", "ack"]
    finally:
        await shutdown_emulator(emu, config)


async def test_index_values_survive_a_restart(tmp_path: Path) -> None:
    config = config_for(tmp_path)
    emu = await build_emulator(config)
    await emu.create_instance(ORG, "folder", "f", {"owner": "ann", "tags": ["x", "y"]}, None, USER)
    await shutdown_emulator(emu, config)
    emu = await build_emulator(config)
    try:
        found = await emu.query_index(ORG, "folder", "tags", op=None, value=None, dir="asc",
                                      limit=None, cursor=None)
        assert found == {"instances": [{"indexValue": "x", "slug": "f"},
                                       {"indexValue": "y", "slug": "f"}]}
    finally:
        await shutdown_emulator(emu, config)


async def test_reset_also_drops_what_was_created_over_the_api_and_the_logs(emu: Emulator) -> None:
    since = emu.clock.now_ms()
    await emu.create_machine(ORG, "extra", [])
    await emu.create_instance(ORG, "folder", "f", None, None, USER)
    await emu.send_event(ORG, "folder", "f", {"type": "shout", "n": 1}, USER)
    assert len((await emu.get_logs(ORG, iso_from_ms(since), None, None, None, None))["logs"]) == 3
    await emu.reset()
    slugs = [m["slug"] for m in (await emu.list_machines(ORG, None))["machines"]]
    assert "extra" not in slugs and "folder" in slugs
    assert (await emu.get_logs(ORG, iso_from_ms(since), None, None, None, None))["logs"] == []
