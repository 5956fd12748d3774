"""Delayed events on the manual clock (API.md §7.5): ``advance_clock`` fires due timers in
due order, including ones set by an earlier timer inside the window."""

from __future__ import annotations

from typing import Any

from sb_emulator.clock import iso_from_ms
from sb_emulator.service import Emulator
from sb_emulator.service.records import TimerRecord
from tests.runtime.conftest import ORG, USER, events_of


async def start(emu: Emulator, name: str, event: str) -> dict[str, Any]:
    await emu.create_instance(ORG, "timers", name, None, None, USER)
    state: dict[str, Any] = await emu.send_event(ORG, "timers", name, event, USER)
    return state


def timers_of(emu: Emulator, name: str) -> dict[str, TimerRecord]:
    return {timer.send_id: timer for timer in emu.docs["timers"].values()
            if timer.instance.endswith(f"/timers/{name}")}


async def test_afters_fire_in_due_order(emu: Emulator) -> None:
    await start(emu, "t", "race")
    assert len(timers_of(emu, "t")) == 3
    await emu.advance_clock(1_000)
    state = (await emu.get_state(ORG, "timers", "t", USER))["state"]
    assert state == {"regions": {"slow": "done", "fast": "done", "mid": "done"}}
    fired = (await events_of(emu, "timers", "t"))[2:]
    assert len(fired) == 3
    assert [e.split("(")[1].split(")")[0] for e in fired] == ["100", "200", "300"]
    assert [e.split("#")[1] for e in fired] == [
        "timers.regions.fast.waiting", "timers.regions.mid.waiting", "timers.regions.slow.waiting"]
    assert timers_of(emu, "t") == {}


async def test_each_timer_fires_at_its_own_due_time(emu: Emulator) -> None:
    await start(emu, "t", "race")
    started = emu.clock.now_ms()
    await emu.advance_clock(1_000)
    times = [t["createdAt"] for t in (await emu.list_transitions(ORG, "timers", "t", None))
             ["transitions"][2:]]
    assert times == [iso_from_ms(started + ms) for ms in (100, 200, 300)]
    assert emu.clock.now_ms() == started + 1_000


async def test_less_than_the_delay_fires_nothing(emu: Emulator) -> None:
    await start(emu, "t", "race")
    await emu.advance_clock(99)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == {
        "regions": {"slow": "waiting", "fast": "waiting", "mid": "waiting"}}
    assert len(await events_of(emu, "timers", "t")) == 2
    await emu.advance_clock(1)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == {
        "regions": {"slow": "waiting", "fast": "done", "mid": "waiting"}}


async def test_a_timer_started_by_an_earlier_timer_in_the_window_fires(emu: Emulator) -> None:
    await start(emu, "t", "chain")
    await emu.advance_clock(250)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == "c3"
    assert len(await events_of(emu, "timers", "t")) == 4


async def test_a_timer_started_by_an_earlier_timer_waits_for_its_own_delay(emu: Emulator) -> None:
    await start(emu, "t", "chain")
    await emu.advance_clock(150)  # c2's timer was set at +100: due at +200
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == "c2"
    await emu.advance_clock(50)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == "c3"


async def test_a_timer_cancelled_by_an_earlier_timer_in_the_window_does_not_fire(
        emu: Emulator) -> None:
    await start(emu, "t", "cancelRace")
    assert set(timers_of(emu, "t")) == {"late", "xstate.after(100)#timers.r1"}
    await emu.advance_clock(1_000)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == "r2"
    assert "late" not in await events_of(emu, "timers", "t")
    assert timers_of(emu, "t") == {}


async def test_without_the_cancellation_the_delayed_send_arrives(emu: Emulator) -> None:
    await start(emu, "t", "noCancelRace")
    await emu.advance_clock(1_000)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == "q3"
    assert (await events_of(emu, "timers", "t"))[-1] == "late"


async def test_leaving_a_state_cancels_its_timer(emu: Emulator) -> None:
    await start(emu, "t", "arm")
    assert len(timers_of(emu, "t")) == 1
    await emu.send_event(ORG, "timers", "t", "disarm", USER)
    assert timers_of(emu, "t") == {}
    await emu.advance_clock(5_000)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == "idle"
    assert await events_of(emu, "timers", "t") == ["xstate.init", "arm", "disarm"]


async def test_an_armed_timer_fires_exactly_at_its_delay(emu: Emulator) -> None:
    await start(emu, "t", "arm")
    await emu.advance_clock(999)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == "armed"
    await emu.advance_clock(1)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == "expired"


async def test_a_delayed_send_with_an_id_fires(emu: Emulator) -> None:
    await start(emu, "t", "schedule")
    assert timers_of(emu, "t")["ping"].event == {"type": "ping"}
    await emu.advance_clock(500)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == "pinged"


async def test_a_delayed_send_with_an_id_can_be_cancelled(emu: Emulator) -> None:
    await start(emu, "t", "schedule")
    await emu.advance_clock(400)
    await emu.send_event(ORG, "timers", "t", "unschedule", USER)
    assert timers_of(emu, "t") == {}
    await emu.advance_clock(10_000)
    assert (await emu.get_state(ORG, "timers", "t", USER))["state"] == "idle"
    assert "ping" not in await events_of(emu, "timers", "t")


async def test_timers_of_two_instances_interleave_by_due_time(emu: Emulator) -> None:
    await start(emu, "a", "arm")          # due at +1000
    await emu.advance_clock(600)
    await start(emu, "b", "schedule")     # due at +1100
    await emu.advance_clock(450)          # +1050: only a's
    assert (await emu.get_state(ORG, "timers", "a", USER))["state"] == "expired"
    assert (await emu.get_state(ORG, "timers", "b", USER))["state"] == "idle"
    await emu.advance_clock(50)
    assert (await emu.get_state(ORG, "timers", "b", USER))["state"] == "pinged"
