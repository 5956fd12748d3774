"""Logs (API.md §4.7, §7.9): output of machine code becomes log entries; paging by
``maxTimestamp``."""

from __future__ import annotations

import sys
from typing import Any

from sb_emulator.clock import iso_from_ms, ms_from_iso
from sb_emulator.service import Emulator
from tests.runtime.conftest import ORG, USER

FIELDS = {"timestamp", "orgId", "machineName", "instanceName", "machineVersionId",
          "outputType", "log"}


async def logs(emu: Emulator, since: int, **filters: Any) -> list[dict[str, Any]]:
    body = await emu.get_logs(ORG, iso_from_ms(since), filters.get("to"),
                              filters.get("machine"), filters.get("instance"),
                              filters.get("version"))
    entries: list[dict[str, Any]] = body["logs"]
    return entries


async def test_print_in_an_action_and_a_log_action_become_entries(emu: Emulator) -> None:
    since = emu.clock.now_ms()
    await emu.create_instance(ORG, "chatty", "c", None, None, USER)
    version = (await emu.admin_state(ORG, "chatty", "c"))["machineVersion"]["id"]
    await emu.advance_clock(5)
    await emu.send_event(ORG, "chatty", "c", {"type": "say", "text": "hi"}, USER)
    entries = await logs(emu, since)
    assert [(e["outputType"], e["log"]) for e in entries] == [
        ("stdout", "saying hi\nsecond line"),
        ("stdout", 'said: {"text": "hi"}'),
    ]
    for entry in entries:
        assert set(entry) == FIELDS
        assert (entry["orgId"], entry["machineName"], entry["instanceName"],
                entry["machineVersionId"]) == (ORG, "chatty", "c", version)
        assert entry["timestamp"] == iso_from_ms(since + 5)


async def test_a_raising_action_logs_its_traceback_on_stderr(emu: Emulator) -> None:
    since = emu.clock.now_ms()
    await emu.create_instance(ORG, "chatty", "c", None, None, USER)
    await emu.send_event(ORG, "chatty", "c", "crash", USER)
    (entry,) = await logs(emu, since)
    assert entry["outputType"] == "stderr"
    assert "'crash'" in entry["log"]
    assert "RuntimeError: the action broke" in entry["log"]
    assert any(isinstance(e, RuntimeError) for e in emu.errors)


async def test_print_in_a_service_is_logged(emu: Emulator) -> None:
    since = emu.clock.now_ms()
    await emu.create_instance(ORG, "chatty", "c", None, None, USER)
    assert (await emu.send_event(ORG, "chatty", "c", "work", USER))["state"] == "idle"
    assert [e["log"] for e in await logs(emu, since)] == ["job ran"]


async def test_yaml_log_actions_and_filters(emu: Emulator) -> None:
    since = emu.clock.now_ms()
    for slug in ("a", "b"):
        await emu.create_instance(ORG, "folder", slug, None, None, USER)
    await emu.send_event(ORG, "folder", "a", {"type": "shout", "n": 1}, USER)
    await emu.advance_clock(10)
    await emu.send_event(ORG, "folder", "b", {"type": "shout", "n": 2}, USER)
    await emu.create_instance(ORG, "chatty", "a", None, None, USER)
    await emu.send_event(ORG, "chatty", "a", {"type": "say", "text": "x"}, USER)

    assert [e["log"] for e in await logs(emu, since, machine="folder", instance="a")] == [
        "shout 1 part 1", "shout 1 part 2", "shout 1 part 3"]
    assert len(await logs(emu, since, machine="folder")) == 6
    assert {e["machineName"] for e in await logs(emu, since, instance="a")} == {"folder", "chatty"}
    assert len(await logs(emu, since, to=iso_from_ms(since + 9))) == 3
    assert await logs(emu, since + 11) == []
    chatty_version = (await emu.admin_state(ORG, "chatty", "a"))["machineVersion"]["id"]
    assert {e["machineName"] for e in await logs(emu, since, version=chatty_version)} == {
        "chatty"}


async def test_paging_by_max_timestamp_returns_everything_once(emu: Emulator) -> None:
    """Three entries per millisecond over 90 milliseconds: pages of at most 100 never split a
    millisecond, and following maxTimestamp yields every entry exactly once, in order."""
    since = emu.clock.now_ms()
    await emu.create_instance(ORG, "folder", "f", None, None, USER)
    for n in range(90):
        await emu.send_event(ORG, "folder", "f", {"type": "shout", "n": n}, USER)
        await emu.advance_clock(1)
    expected = [f"shout {n} part {p}" for n in range(90) for p in (1, 2, 3)]

    seen: list[str] = []
    sizes: list[int] = []
    cursor = iso_from_ms(since)
    for _ in range(10):
        page = await emu.get_logs(ORG, cursor, None, "folder", "f", None)
        if not page["logs"]:
            assert page["maxTimestamp"] == cursor  # caught up: the client's test is equality
            break
        sizes.append(len(page["logs"]))
        seen += [e["log"] for e in page["logs"]]
        assert ms_from_iso(page["maxTimestamp"]) > ms_from_iso(cursor)
        cursor = page["maxTimestamp"]
    else:
        raise AssertionError("get_logs never caught up")
    assert seen == expected
    assert max(sizes) <= 100 and len(sizes) == 3


async def test_nothing_newer_returns_from_itself(emu: Emulator) -> None:
    since = emu.clock.now_ms() + 1_000
    body = await emu.get_logs(ORG, iso_from_ms(since), None, None, None, None)
    assert body == {"maxTimestamp": iso_from_ms(since), "logs": []}


async def test_paging_returns_everything_even_within_one_millisecond(emu: Emulator) -> None:
    since = emu.clock.now_ms()
    await emu.create_instance(ORG, "folder", "f", None, None, USER)
    for n in range(50):  # 150 entries, no clock advance
        await emu.send_event(ORG, "folder", "f", {"type": "shout", "n": n}, USER)
    seen: list[str] = []
    cursor = iso_from_ms(since)
    for _ in range(10):
        page = await emu.get_logs(ORG, cursor, None, "folder", "f", None)
        if not page["logs"]:
            break
        assert len(page["logs"]) <= 100
        seen += [e["log"] for e in page["logs"]]
        cursor = page["maxTimestamp"]
    assert seen == [f"shout {n} part {p}" for n in range(50) for p in (1, 2, 3)]


async def test_overlapping_services_keep_their_own_output_and_leave_stdout_alone(
        emu: Emulator) -> None:
    """Two services running at once each print into their own entry, and ``sys.stdout`` is
    the same stream afterwards (it used to be left on a dead buffer when the first service to
    start finished first)."""
    from tests.runtime.machines import _probe

    _probe.DUET = None
    before = sys.stdout
    since = emu.clock.now_ms()
    await emu.create_instance(ORG, "duet", "d", None, None, USER)
    assert (await emu.send_event(ORG, "duet", "d", "play", USER))["state"] == "idle"
    assert sys.stdout is before
    assert sorted(e["log"] for e in await logs(emu, since)) == [
        "first starts\nfirst ends", "second starts\nsecond ends"]
