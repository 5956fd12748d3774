"""Per-instance serial processing (API.md §7.2, §7.11): concurrent senders, one history."""

from __future__ import annotations

import asyncio

from sb_emulator.service import Emulator
from tests.runtime.conftest import ORG, USER, all_transitions, context_of

TASKS = 50
PER_TASK = 40
QUEUED_TASKS, QUEUED_PER_TASK = 20, 20  # lighter: every event also awaits a service


async def test_concurrent_increments_are_all_applied_in_one_linear_history(emu: Emulator) -> None:
    await emu.create_instance(ORG, "tally", "shared", None, None, USER)

    async def sender(task: int) -> list[int]:
        seen = []
        for n in range(PER_TASK):
            await emu.send_event(ORG, "tally", "shared", {"type": "inc", "task": task, "n": n}, USER)
            seen.append((await emu.admin_state(ORG, "tally", "shared"))["context"]["count"])
        return seen

    seen_by_task = await asyncio.gather(*(sender(t) for t in range(TASKS)))

    assert (await context_of(emu, "tally", "shared")) == {"count": TASKS * PER_TASK}
    transitions = await all_transitions(emu, "tally", "shared")
    assert len(transitions) == TASKS * PER_TASK + 1
    assert transitions[0]["event"] == {"type": "xstate.init"}
    events = [t["event"] for t in transitions[1:]]
    assert all(e["type"] == "inc" for e in events)
    # every send recorded exactly once, each task's in the order it sent them
    for task in range(TASKS):
        assert [e["n"] for e in events if e["task"] == task] == list(range(PER_TASK))
    # the tasks really interleaved (otherwise this test would prove nothing about queueing)
    assert len({e["task"] for e in events[:TASKS]}) > 1
    # a sender never sees the count go backwards
    for seen in seen_by_task:
        assert seen == sorted(seen)


async def test_senders_queue_while_an_instance_settles(emu: Emulator) -> None:
    """Each `inc` awaits a service inside the instance's processing: a second event let in
    before it settled would find `applying` (which ignores `inc`) and be lost."""
    await emu.create_instance(ORG, "ledger", "shared", None, None, USER)
    inst = emu.instances[f"{ORG}/ledger/shared"]
    waited = 0

    async def sender(task: int) -> None:
        nonlocal waited
        for n in range(QUEUED_PER_TASK):
            waited += inst.lock.locked()
            state = await emu.send_event(ORG, "ledger", "shared",
                                         {"type": "inc", "task": task, "n": n}, USER)
            assert state["state"] == "ready"

    await asyncio.gather(*(sender(t) for t in range(QUEUED_TASKS)))

    assert waited > 0  # the senders really did find the instance busy
    assert (await context_of(emu, "ledger", "shared")) == {"count": QUEUED_TASKS * QUEUED_PER_TASK}
    transitions = await all_transitions(emu, "ledger", "shared")
    assert len(transitions) == 2 * QUEUED_TASKS * QUEUED_PER_TASK + 1
    pairs = [(transitions[i]["event"], transitions[i + 1]["event"])
             for i in range(1, len(transitions), 2)]
    assert all(a["type"] == "inc" and b == {"type": "done.invoke.apply", "data": 1}
               for a, b in pairs)
    for task in range(QUEUED_TASKS):
        assert [a["n"] for a, _ in pairs if a["task"] == task] == list(range(QUEUED_PER_TASK))
