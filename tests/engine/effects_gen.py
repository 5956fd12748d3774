"""Random machines for the effects differential test (our effects against what xstate does).

The machines use a small vocabulary that effects_record.js builds the same way:

* actions: ``spy:<tag>`` (a user action: records its context and event), ``inc`` / ``dbl``
  (assign), ``logCount`` (log), raise / send / delayed send / cancel / choose objects, and
  sends to the state's own child;
* guards ``even`` and ``big``; services ``cb`` (a callback service that records its start,
  the events it receives and its stop) with ``src: {"type": "cb", "child": <id>}``.

They always settle: eventless transitions go to later siblings only, and only transitions on
external events (``E*``) raise or send, and then only events whose handlers do not.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from sb_emulator.engine import (
    CancelEvent,
    Effect,
    ExecuteAction,
    Implementations,
    Log,
    Machine,
    ScheduleEvent,
    SendEvent,
    Snapshot,
    StartService,
    StopService,
    initial,
    transition,
)
from sb_emulator.engine import actions as act

Json = dict[str, Any]
EXTERNAL = ["E0", "E1", "E2"]
INTERNAL = ["R0", "R1", "S0"]
MODES: list[Json] = [{}, {"preserveActionOrder": True}, {"predictableActionArguments": True}]


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.count = 0
        self.ids: list[str] = []

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def tag(self, where: str) -> str:
        self.count += 1
        return f"spy:{where}{self.count}"

    def plain(self, where: str) -> list[Any]:
        out: list[Any] = []
        for _ in range(self.rng.choice([0, 1, 1, 2, 3])):
            roll = self.rng.random()
            out.append(self.tag(where) if roll < 0.5 else "inc" if roll < 0.7 else "dbl" if roll < 0.85
                       else "logCount")
        if self.chance(0.05):
            out.append("pure")
        if self.chance(0.1):
            out.append({"type": "xstate.choose", "conds": [
                {"cond": "even", "actions": [self.tag(where + "c"), "inc"]},
                {"actions": [self.tag(where + "d")]}]})
        return out

    def sending(self, where: str) -> list[Any]:
        """Extra actions for transitions on external events only."""
        out = self.plain(where)
        if self.chance(0.3):
            raised = {"type": "xstate.raise", "event": self.rng.choice(["R0", "R1"])}
            out.insert(self.rng.randint(0, len(out)), raised)
        if self.chance(0.2):
            out.append({"type": "xstate.send", "event": "S0"})
        if self.chance(0.15):
            out.append({"type": "xstate.send", "event": "S0", "delay": 100, "id": "d1"})
        if self.chance(0.1):
            out.append({"type": "xstate.cancel", "sendId": "d1"})
        return out

    def state(self, depth: int, siblings: list[str], index: int, path: str, region: bool = False) -> Json:
        node: Json = {"entry": self.plain("en"), "exit": self.plain("ex")}
        # keys spell their path: "abc" is the child of "ab", so its id is m.a.ab.abc
        self.ids.append("m." + ".".join(path[:i] for i in range(1, len(path) + 1)))
        later = siblings[index + 1:]
        if depth < 3 and self.chance(0.45):
            self.compound(node, depth, path)
        node["on"] = self.transitions(siblings, node, path)
        # eventless transitions between parallel regions would re-enter them forever
        if later and not region and self.chance(0.15):
            node["always"] = [{"target": self.rng.choice(later), "cond": "big", "actions": self.plain("al")}]
        elif self.chance(0.25):
            self.invoke(node, path)
        if self.chance(0.1):
            node["entry"].insert(0, {"type": "xstate.send", "event": "S0", "delay": 200, "id": "d2"})
        if self.chance(0.15):
            after: Json = {"actions": self.plain("af")}
            if later and not region and self.chance(0.5):
                after["target"] = self.rng.choice(later)
            node["after"] = {str(self.rng.choice([50, 100, 200])): after}
        return node

    def compound(self, node: Json, depth: int, path: str) -> None:
        keys = [f"{path}{chr(97 + i)}" for i in range(self.rng.randint(2, 3))]
        parallel = self.chance(0.3)
        node["states"] = {k: self.state(depth + 1, keys, i, k, parallel) for i, k in enumerate(keys)}
        if parallel:
            node["type"] = "parallel"
            return
        node["initial"] = keys[0]
        if self.chance(0.35):
            node["states"]["h"] = {"type": "history", "history": self.rng.choice(["shallow", "deep"])}

    def invoke(self, node: Json, path: str) -> None:
        child = f"k{path}"
        if self.chance(0.4):  # a promise: its result comes back as done.invoke.<id>
            node["invoke"] = {"id": child, "src": {"type": "ok", "child": child},
                              "onDone": {"actions": [self.tag("done"), "fromData"]},
                              "autoForward": self.chance(0.3)}
            return
        node["invoke"] = {"id": child, "src": {"type": "cb", "child": child},
                          "dataCount": self.chance(0.5)}
        ping = {"type": "xstate.send", "event": "PING", "to": child}
        node["on"]["E2"] = [{"actions": [self.tag("kid"), self.rng.choice([ping, f"fwd:{child}"])]}]
        if self.chance(0.1):
            node["on"]["R1"] = [{"actions": [self.tag("stop"), {"type": "xstate.stop", "activity": child}]}]
        if self.chance(0.5):  # entry sends run at the end of their block in predictable mode
            node["entry"].insert(0, {"type": "xstate.send", "event": "HELLO", "to": child})
        if self.chance(0.3):  # xstate auto-forwards to machine children only, never to callbacks
            node["invoke"]["autoForward"] = True

    def transitions(self, siblings: list[str], node: Json, path: str) -> Json:
        on: Json = {}
        children = list(node.get("states", {}))
        for event in [*EXTERNAL, *INTERNAL]:
            if not self.chance(0.35):
                continue
            targets: list[Any] = [None, *siblings] + ([f".{c}" for c in children] if children else [])
            target = self.rng.choice(targets)
            build = self.sending if event in EXTERNAL else self.plain
            options = []
            if self.chance(0.3):
                guarded: Json = {"cond": self.rng.choice(["even", "big"]), "actions": build("g")}
                if self.ids and self.chance(0.3):
                    guarded = {"in": "#" + self.rng.choice(self.ids), "actions": build("i")}
                if target is not None:
                    guarded["target"] = target
                options.append(guarded)
                target = self.rng.choice(targets)
            last: Json = {"actions": build("t")}
            if target is not None:
                last["target"] = target
                if self.chance(0.2):
                    last["internal"] = self.chance(0.5)
            options.append(last)
            on[event] = options
        return on


def random_machine(seed: int) -> Json:
    gen = _Gen(seed)
    keys = ["a", "b", "c"][: gen.rng.randint(2, 3)]
    config: Json = {"id": "m", "initial": "a", "context": {"count": gen.rng.randint(0, 3)},
                    "states": {k: gen.state(1, keys, i, k) for i, k in enumerate(keys)},
                    **gen.rng.choice(MODES)}
    with_history = [k for k in keys if "h" in config["states"][k].get("states", {})]
    for key in keys:
        if with_history and gen.chance(0.5):  # come back through a history state
            config["states"][key]["on"]["E1"] = [{"target": f"{gen.rng.choice(with_history)}.h",
                                                  "actions": gen.plain("th")}]
    if gen.chance(0.5):
        # a way out: the machine completes (exit actions run, children stop, events ignored)
        config["states"]["z"] = {"type": "final", "entry": gen.plain("fin"), "exit": gen.plain("fex")}
        for key in keys:
            if gen.chance(0.6):
                config["states"][key]["on"]["E3"] = [{"target": "z", "actions": gen.plain("tz")}]
    return config


def random_steps(seed: int, count: int = 8) -> list[Json]:
    """Events (``{"event": ...}``) and clock advances (``{"advance": ms}``)."""
    rng = random.Random(seed * 31 + 7)
    out: list[Json] = []
    for _ in range(count):
        if rng.random() < 0.25:
            out.append({"advance": rng.choice([50, 100, 150, 250])})
        else:
            out.append({"event": rng.choice([*EXTERNAL, *EXTERNAL, "R0", "S0", "NOPE", "E3"])})
    return out


# ---- our side ---------------------------------------------------------------------------------


def _spy(ctx: Any, ev: Any) -> None:
    return None


def build(config: Json) -> Machine:
    """Our engine's machine for a generated config (the mirror of effects_record.js)."""
    spies: dict[str, Any] = {}

    def walk(node: Json) -> Json:
        out = dict(node)
        if "invoke" in node:
            inv = {k: v for k, v in node["invoke"].items() if k != "dataCount"}
            if node["invoke"].get("dataCount"):
                inv["data"] = {"n": lambda c, e: c["count"]}
            out["invoke"] = inv
        if "states" in node:
            out["states"] = {k: walk(v) for k, v in node["states"].items()}
        return out

    def collect(value: Any) -> None:
        if isinstance(value, str) and value.startswith("spy:"):
            spies[value] = _spy
        elif isinstance(value, str) and value.startswith("fwd:"):
            spies[value] = act.forward_to(value[4:])
        elif isinstance(value, dict):
            for v in value.values():
                collect(v)
        elif isinstance(value, list):
            for v in value:
                collect(v)

    collect(config)
    impl = Implementations(
        guards={"even": lambda c, e, m: c["count"] % 2 == 0, "big": lambda c, e, m: c["count"] > 3},
        actions={**spies, "inc": act.assign({"count": lambda c, e: c["count"] + 1}),
                 "dbl": act.assign({"count": lambda c, e: (c["count"] * 2) % 97}),
                 "logCount": act.log(lambda c, e: c["count"], "L"),
                 "fromData": act.assign({"count": lambda c, e: (e["data"] + 1) % 97}),
                 "spy:pure": _spy,
                 "pure": act.pure(lambda c, e: ["spy:pure", "inc"] if c["count"] % 3 else None)},
        services={"cb": object(), "ok": object()})
    return Machine(walk(config), impl)


@dataclass
class _Timer:
    seq: int
    send_id: str
    event: Json
    due: float
    to: Any


@dataclass
class _Promise:
    effect: StartService
    cancelled: bool = False


@dataclass
class _Replay:
    """The test-side interpreter: timers as xstate's SimulatedClock, promise services that
    resolve (in start order) once the current step is over, callback children recorded."""

    machine: Machine
    snapshot: Snapshot | None = None
    now: float = 0
    seq: int = 0
    timers: dict[int, _Timer] = field(default_factory=dict)
    by_send_id: dict[str, int] = field(default_factory=dict)
    children: dict[str, Any] = field(default_factory=dict)
    pending: list[_Promise] = field(default_factory=list)
    callbacks: set[str] = field(default_factory=set)
    out: list[Any] = field(default_factory=list)

    def start(self) -> None:
        self.snapshot, effects = initial(self.machine)
        self.apply(effects)
        self.settle()

    def send(self, event: Any, delayed_id: str | None = None) -> None:
        assert self.snapshot is not None
        if self.snapshot.done:
            return
        # every step starts from a snapshot restored from JSON: nothing may be lost on the way
        restored = Snapshot.from_json(json.loads(json.dumps(self.snapshot.to_json())))
        self.snapshot, effects = transition(self.machine, restored, event, delayed_id=delayed_id)
        self.apply(effects)

    def advance(self, ms: float) -> None:
        # SimulatedClock.increment: every timer due among those that existed when it began
        self.now += ms
        for timer in sorted(self.timers.values(), key=lambda t: (t.due, t.seq)):
            if self.now >= timer.due:
                self.timers.pop(timer.seq, None)
                # an older timer under a re-used send id fires too, but the id stays pending
                latest = self.by_send_id.get(timer.send_id) == timer.seq
                if latest:
                    del self.by_send_id[timer.send_id]
                if timer.to is None:
                    self.send(timer.event, delayed_id=timer.send_id if latest else None)
                elif isinstance(self.children.get(timer.to), str):
                    self.out.append(["recv", timer.to, timer.event["type"]])
        self.settle()

    def settle(self) -> None:
        while self.pending:
            promise = self.pending.pop(0)
            if not promise.cancelled:
                effect = promise.effect
                self.children.pop(effect.id, None)
                self.send({"type": f"done.invoke.{effect.id}", "data": effect.context["count"]})

    def apply(self, effects: tuple[Effect, ...]) -> None:
        for e in effects:
            self.out += self.record(e)

    def record(self, e: Effect) -> list[Any]:
        if isinstance(e, ExecuteAction):
            return [["exec", e.name, e.context, e.event["type"]]]
        if isinstance(e, StartService):
            return self.started(e)
        if isinstance(e, StopService):
            return self.stopped(e.id)
        if isinstance(e, SendEvent):
            # xstate resolves the target when the send runs; in predictable mode the event
            # leaves after the macrostep, and reaches a child stopped in between all the same
            return [["recv", e.to, e.event["type"]]] if e.to in self.callbacks else []
        if isinstance(e, Log):
            return [["log", e.label, e.value]]
        if isinstance(e, ScheduleEvent):
            self.seq += 1
            self.timers[self.seq] = _Timer(self.seq, e.send_id, e.event, self.now + e.delay_ms, e.to)
            self.by_send_id[e.send_id] = self.seq
            return [["schedule", e.send_id, e.delay_ms, e.event["type"]]]
        if isinstance(e, CancelEvent):
            seq = self.by_send_id.pop(e.send_id, None)
            if seq is not None:
                self.timers.pop(seq, None)
            return [["cancel", e.send_id]]
        raise AssertionError(f"unexpected effect {e!r}")

    def started(self, e: StartService) -> list[Any]:
        record = ["start", e.id, e.data, e.context, e.event["type"]]
        if e.src["type"] == "ok":
            promise = _Promise(e)
            self.pending.append(promise)
            self.children[e.id] = promise
        else:
            self.children[e.id] = e.id
            self.callbacks.add(e.id)
        return [record]

    def stopped(self, child_id: str) -> list[Any]:
        child = self.children.pop(child_id, None)
        if isinstance(child, _Promise):
            child.cancelled = True
            return []
        return [["stop", child_id]] if child is not None else []


def replay(config: Json, steps: list[Json]) -> list[list[Any]]:
    """Our records: after the start and after each step."""
    run = _Replay(build(config))
    run.start()
    out = [run.out]
    for step in steps:
        run.out = []
        if "advance" in step:
            run.advance(step["advance"])
        else:
            run.send(step["event"])
            run.settle()
        out.append(run.out)
    return out
