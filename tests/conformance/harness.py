"""Replays a conformance trace through our engine with a test-side interpreter.

It reproduces what record.js observes in xstate's interpreter:

* ``SimulatedClock.increment`` fires, in due order (stable for equal due times), every timer
  due at the new time among those that existed when the flush began, even one cancelled by
  an earlier timer of the same flush (xstate's SimulatedClock iterates over a copy);
* promise services are already settled promises, so their results arrive, in start order,
  once the current step (event or clock flush) is over; a service stopped before that never
  reports;
* once the machine is done the interpreter is stopped: later events and timers are ignored;
* every transition starts from the snapshot written to JSON and read back, as the runtime
  stores it between events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
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
from tests.conformance.impls import SERVICES, build


@dataclass
class _Timer:
    seq: int
    send_id: str
    event: dict[str, Any]
    due: float


@dataclass
class _Started:
    """One start of a service; a stop cancels this start only, not a later restart."""

    effect: StartService
    cancelled: bool = False


@dataclass
class Interpreter:
    machine: Machine
    snapshot: Snapshot | None = None
    now: float = 0
    timers: dict[int, _Timer] = field(default_factory=dict)
    by_send_id: dict[str, int] = field(default_factory=dict)
    pending: list[_Started] = field(default_factory=list)
    running: dict[str, _Started] = field(default_factory=dict)
    seq: int = 0
    transitions: int = 0

    def start(self) -> None:
        self.snapshot, effects = initial(self.machine)
        self._apply(effects)
        self.settle()

    def send(self, event: Any, delayed_id: str | None = None) -> None:
        assert self.snapshot is not None
        if self.snapshot.done:
            return
        # as the runtime does, every step starts from a snapshot stored as JSON and read back
        restored = Snapshot.from_json(json.loads(json.dumps(self.snapshot.to_json())))
        self.snapshot, effects = transition(self.machine, restored, event, delayed_id=delayed_id)
        self.transitions += 1
        self._apply(effects)

    def advance(self, ms: float) -> None:
        self.now += ms
        for timer in sorted(self.timers.values(), key=lambda t: (t.due, t.seq)):
            if self.now >= timer.due:
                self.timers.pop(timer.seq, None)
                self.send(timer.event, delayed_id=timer.send_id)
        self.settle()

    def observe(self, transitions_before: int | None = None) -> dict[str, Any]:
        """What record.js records; ``changed`` only when the step made a transition (after the
        start: when it is defined, i.e. not None)."""
        snap = self.snapshot
        assert snap is not None
        seen = {"value": snap.value, "context": _as_js_json(snap.context), "tags": list(snap.tags),
                "done": snap.done, "output": _as_js_json(snap.output)}
        if (snap.changed is not None if transitions_before is None
                else self.transitions != transitions_before):
            seen["changed"] = bool(snap.changed)
        return seen

    def _apply(self, effects: tuple[Any, ...]) -> None:
        for effect in effects:
            if isinstance(effect, ScheduleEvent):
                self.seq += 1
                self.timers[self.seq] = _Timer(self.seq, effect.send_id, effect.event,
                                               self.now + effect.delay_ms)
                self.by_send_id[effect.send_id] = self.seq
            elif isinstance(effect, CancelEvent):
                seq = self.by_send_id.pop(effect.send_id, None)
                if seq is not None:
                    self.timers.pop(seq, None)
            elif isinstance(effect, StartService):
                started = _Started(effect)
                self.running[effect.id] = started
                self.pending.append(started)
            elif isinstance(effect, StopService):
                stopped = self.running.pop(effect.id, None)
                if stopped is not None:
                    stopped.cancelled = True

    def settle(self) -> None:
        """Deliver the results of the services started so far (and of those they start)."""
        while self.pending:
            started = self.pending.pop(0)
            if started.cancelled:
                continue
            effect = started.effect
            self.running.pop(effect.id, None)
            src = effect.src if isinstance(effect.src, str) else effect.src["type"]
            result = SERVICES[src](effect.context, effect.event, effect.data)
            kind = "done.invoke." if result.ok else "error.platform."
            self.send({"type": kind + effect.id, "data": result.data})


def _as_js_json(value: Any) -> Any:
    """A value as JSON.stringify writes it and Python's json reads it back: an integral double
    below 1e21 is written with all its digits (the shortest round-trip ones, zero padded), so
    it reads back as that int (counts past 2**53 are doubles in JS, see impls._js_int)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(Decimal(repr(value)))
    if isinstance(value, dict):
        return {k: _as_js_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_js_json(v) for v in value]
    return value


def replay(trace: dict[str, Any]) -> list[dict[str, Any]]:
    """The observations record.js makes in xstate, made on our engine."""
    config, impl = build(trace["machine"])
    interp = Interpreter(Machine(config, impl))
    interp.start()
    seen = [interp.observe()]
    for step in trace["steps"]:
        before = interp.transitions
        if "advance" in step:
            interp.advance(step["advance"])
        else:
            interp.send(step["event"])
            interp.settle()
        seen.append(interp.observe(before))
    return seen
