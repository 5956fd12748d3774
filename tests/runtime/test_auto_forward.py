"""``autoForward`` at run time: events reach persistent (machine) children only, as in XState;
promise services invoked with ``autoForward`` are sent nothing (so nothing is logged as
dropped on the sender)."""

from __future__ import annotations

from sb_emulator.clock import iso_from_ms
from sb_emulator.service import Emulator
from tests.runtime.conftest import ORG, USER, context_of


async def test_events_are_forwarded_to_the_machine_child_only(emu: Emulator) -> None:
    await emu.create_instance(ORG, "relay", "r1", None, None, USER)
    (kid,) = (await emu.list_instances(ORG, "relay_kid", None))["instances"]
    assert (await context_of(emu, "relay", "r1"))["answer"] == 43
    await emu.send_event(ORG, "relay", "r1", {"type": "shout", "n": 1}, USER)
    await emu.send_event(ORG, "relay", "r1", "whisper", USER)
    assert (await context_of(emu, "relay", "r1"))["seen"] == 1
    # every event the relay receives, the promise service's report included (as in XState)
    assert (await context_of(emu, "relay_kid", kid["slug"]))["heard"] == [
        "done.invoke.answer", "done.invoke.later", "shout", "whisper"]
    logs = (await emu.get_logs(ORG, iso_from_ms(0), None, "relay", "r1", None))["logs"]
    assert [e["log"] for e in logs if e["outputType"] == "stderr"] == []
