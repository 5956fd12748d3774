"""Replays a conformance trace through our engine with a test-side interpreter.

The scheduler reproduces what the recorder observes in xstate: ``SimulatedClock.increment``
fires, in due order, every timer due at the new time that existed when the flush began (even
one cancelled by an earlier timer of the same flush, as xstate's SimulatedClock does), and
promise services settle in the order they were started, after the event that started them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sb_emulator.engine import (
    CancelEvent,
    Machine,
    ScheduleEvent,
    Snapshot,
    StartService,
    StopService,
    initial,
    transition,
)
from tests.conformance.impls import SERVICES, implementations_for


@dataclass
class _Timer:
    seq: int
    send_id: str
    event: dict[str, Any]
    start: float
    delay: float


@dataclass
class Interpreter:
    machine: Machine
    snapshot: Snapshot | None = None
    now: float = 0
    timers: dict[int, _Timer] = field(default_factory=dict)
    by_send_id: dict[str, int] = field(default_factory=dict)
    pending: list[StartService] = field(default_factory=list)
    cancelled: set[str] = field(default_factory=set)
    seq: int = 0

    def start(self) -> None:
        self.snapshot, effects = initial(self.machine)
        self._apply(effects)
        self._settle()

    def send(self, event: Any, delayed_id: str | None = None) -> None:
        assert self.snapshot is not None
        if self.snapshot.done:
            return
        self.snapshot, effects = transition(self.machine, self.snapshot, event, delayed_id=delayed_id)
        self._apply(effects)

    def advance(self, ms: float) -> None:
        self.now += ms
        due = sorted(self.timers.values(), key=lambda t: t.start + t.delay)
        for timer in due:
            if self.now - timer.start >= timer.delay:
                self.timers.pop(timer.seq, None)
                self.send(timer.event, delayed_id=timer.send_id)
        self._settle()

    def observe(self) -> dict[str, Any]:
        snap = self.snapshot
        assert snap is not None
        return {"value": snap.value, "context": snap.context, "tags": list(snap.tags),
                "done": snap.done, "output": snap.output}

    def _apply(self, effects: tuple[Any, ...]) -> None:
        for effect in effects:
            if isinstance(effect, ScheduleEvent):
                self.seq += 1
                self.timers[self.seq] = _Timer(self.seq, effect.send_id, effect.event, self.now,
                                               effect.delay_ms)
                self.by_send_id[effect.send_id] = self.seq
            elif isinstance(effect, CancelEvent):
                seq = self.by_send_id.pop(effect.send_id, None)
                if seq is not None:
                    self.timers.pop(seq, None)
            elif isinstance(effect, StartService):
                self.cancelled.discard(effect.id)
                self.pending.append(effect)
            elif isinstance(effect, StopService):
                self.cancelled.add(effect.id)

    def _settle(self) -> None:
        while self.pending:
            started = self.pending.pop(0)
            if started.id in self.cancelled:
                continue
            src = started.src if isinstance(started.src, str) else started.src["type"]
            result = SERVICES[src](started.context, started.event, started.data)
            kind = "done.invoke." if result.ok else "error.platform."
            self.send({"type": kind + started.id, "data": result.data})


def replay(trace: dict[str, Any]) -> list[dict[str, Any]]:
    machine = Machine(trace["machine"], implementations_for(trace["machine"]))
    interp = Interpreter(machine)
    interp.start()
    seen = [interp.observe()]
    for step in trace["steps"]:
        if "advance" in step:
            interp.advance(step["advance"])
        else:
            interp.send(step["event"])
            interp._settle()
        seen.append(interp.observe())
    return seen
